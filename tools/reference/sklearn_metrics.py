#!/usr/bin/python3
"""Reference binary-classification metrics for Headsup.Evaluation tests, computed with scikit-learn (Debian python3-sklearn).

Usage: sklearn_metrics.py CSV...   Each CSV has the header "label,score" and one row per sample (label 0/1).
Prints a JSON list with one object per CSV: roc_auc, average_precision, roc_curve (drop_intermediate=True),
precision_recall_curve, precision/recall/f1 at threshold 0.5 (positive when score >= 0.5), and brier when every
score lies in [0, 1]. Values sklearn leaves undefined (one class absent, zero denominators) are null.
"""
import csv
import json
import math
import sys
import warnings

import numpy as np
from sklearn import metrics


def clean(value):
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    value = float(value)
    return value if math.isfinite(value) else None


def evaluate(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    y = np.array([int(r["label"]) for r in rows])
    s = np.array([float(r["score"]) for r in rows])
    out = {"file": path, "n": int(len(y)), "positives": int(y.sum())}
    both = 0 < y.sum() < len(y)
    out["roc_auc"] = clean(metrics.roc_auc_score(y, s)) if both else None
    out["average_precision"] = clean(metrics.average_precision_score(y, s)) if y.sum() > 0 else None
    if both:
        fpr, tpr, thr = metrics.roc_curve(y, s)
        out["roc_curve"] = {"fpr": clean(list(fpr)), "tpr": clean(list(tpr)), "thresholds": clean(list(thr))}
    if y.sum() > 0:
        p, r, thr = metrics.precision_recall_curve(y, s)
        out["precision_recall_curve"] = {"precision": clean(list(p)), "recall": clean(list(r)), "thresholds": clean(list(thr))}
    pred = (s >= 0.5).astype(int)
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    out["precision_at_0.5"] = clean(metrics.precision_score(y, pred, zero_division=0)) if tp + fp > 0 else None
    out["recall_at_0.5"] = clean(metrics.recall_score(y, pred, zero_division=0)) if tp + fn > 0 else None
    out["f1_at_0.5"] = clean(metrics.f1_score(y, pred, zero_division=0)) if tp + fp + fn > 0 else None
    out["brier"] = clean(metrics.brier_score_loss(y, s)) if len(y) > 0 and s.min() >= 0 and s.max() <= 1 else None
    return out


def main():
    warnings.simplefilter("ignore")
    json.dump([evaluate(p) for p in sys.argv[1:]], sys.stdout)


if __name__ == "__main__":
    main()
