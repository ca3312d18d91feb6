#!/usr/bin/python3
"""The HEADS UP paper's E2 preprocessing as a whole program: DICOM files in, .npy files out (pydicom + numpy).

Usage: paper_preprocess_e2.py INPUT_DIR OUT_DIR
Walks INPUT_DIR recursively (ordinal order of relative path), computes E2 with the paper's code (bsb_window from
paper_pipeline_throughput.py: RSNA 12-bit fix, window_image, brain/subdural/soft-tissue windows) and writes
OUT_DIR/<relative path>.npy as H x W x 3 float32, the layout `headsup preprocess --recipe e2 --format npy` writes.
The end-to-end peer of benchmarks/scripts/preprocess-vs-python.sh: process start-up, reading and writing included.
"""
import os
import sys

import numpy as np
import pydicom

from paper_pipeline_throughput import bsb_window


def main():
    root, out = sys.argv[1], sys.argv[2]
    names = []
    for folder, _, files in os.walk(root):
        names.extend(os.path.relpath(os.path.join(folder, f), root) for f in files)
    written = 0
    for name in sorted(names):
        target = os.path.join(out, name + ".npy")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        np.save(target, bsb_window(pydicom.dcmread(os.path.join(root, name))).astype(np.float32))
        written += 1
    print(f"paper pipeline: {written} file(s) written to {out}")


if __name__ == "__main__":
    main()
