#!/usr/bin/python3
"""Reference Platt scaling for Headsup study-calibration tests, fitted with scikit-learn (Debian python3-sklearn).

Usage: sklearn_platt.py CSV...   Each CSV has the header "label,raw" (one row per study: label 0/1, raw = the study
aggregate in [0, 1]). The fit is on logit(clip(raw, 1e-6, 1 - 1e-6)), as StudyCalibration.Fit does, with Platt's
smoothed targets t+ = (N+ + 1)/(N+ + 2) and t- = 1/(N- + 2): each study enters twice, as a positive with weight t and
as a negative with weight 1 - t, so the weighted log loss of an unpenalised LogisticRegression is exactly the
cross-entropy on the smoothed targets. Prints a JSON list with one object per CSV:
  a, b          p = sigmoid(a * logit + b), LogisticRegression (no penalty, newton-cg, tol 1e-12) on smoothed targets;
  a_hard, b_hard  the same on the hard 0/1 labels (plain maximum likelihood; null when the classes separate);
  a_sigmoid_calibration, b_sigmoid_calibration  sklearn.calibration._sigmoid_calibration (its own Platt fit, private
                API, BFGS; null when unavailable), sign-flipped to this convention;
  roc_auc       of the raw aggregates.
"""
import csv
import json
import math
import sys
import warnings

import numpy as np
from sklearn import metrics
from sklearn.linear_model import LogisticRegression


def unpenalised(**kwargs):
    try:
        return LogisticRegression(penalty=None, **kwargs)
    except TypeError:  # pragma: no cover - older scikit-learn spells it 'none'
        return LogisticRegression(penalty="none", **kwargs)


def fit(x, y, w):
    model = unpenalised(solver="newton-cg", tol=1e-12, max_iter=10000)
    model.fit(x.reshape(-1, 1), y, sample_weight=w)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def clean(value):
    return value if value is not None and math.isfinite(value) else None


def evaluate(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    y = np.array([int(r["label"]) for r in rows])
    raw = np.array([float(r["raw"]) for r in rows])
    p = np.clip(raw, 1e-6, 1 - 1e-6)
    z = np.log(p / (1 - p))
    pos = int(y.sum())
    neg = len(y) - pos
    t = np.where(y == 1, (pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0))
    a, b = fit(np.concatenate([z, z]), np.concatenate([np.ones_like(y), np.zeros_like(y)]), np.concatenate([t, 1 - t]))
    out = {"file": path, "n": len(y), "positives": pos, "a": a, "b": b}
    separable = z[y == 1].min() > z[y == 0].max() or z[y == 0].min() > z[y == 1].max()
    if separable:
        out["a_hard"] = out["b_hard"] = None
    else:
        a_hard, b_hard = fit(z, y, np.ones(len(y)))
        out["a_hard"], out["b_hard"] = clean(a_hard), clean(b_hard)
    try:
        from sklearn.calibration import _sigmoid_calibration

        big_a, big_b = _sigmoid_calibration(z, y)
        out["a_sigmoid_calibration"], out["b_sigmoid_calibration"] = -float(big_a), -float(big_b)
    except Exception:  # noqa: BLE001 - private API: absent or changed in this scikit-learn
        out["a_sigmoid_calibration"] = out["b_sigmoid_calibration"] = None
    out["roc_auc"] = float(metrics.roc_auc_score(y, raw))
    return out


def main():
    warnings.simplefilter("ignore")
    json.dump([evaluate(p) for p in sys.argv[1:]], sys.stdout)


if __name__ == "__main__":
    main()
