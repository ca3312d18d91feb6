#!/usr/bin/python3
"""Reference HU for conformance tests, computed with pydicom + numpy (Debian python3-pydicom, python3-numpy).

Usage: pydicom_hu.py OUT_DIR FILE...   writes OUT_DIR/<i>.npy (float32, frames x rows x cols) for the i-th FILE.
HU = pixel_array * RescaleSlope + RescaleIntercept in float64, then float32, after the RSNA 12-bit fix exactly as the
HEADS UP paper's code applies it (BitsStored 12, PixelRepresentation 0, int(RescaleIntercept) > -100).
A file pydicom cannot decode gets OUT_DIR/<i>.err with the message.
"""
import os
import sys

import numpy as np
import pydicom


def hu(path):
    ds = pydicom.dcmread(path, force=True)
    arr = ds.pixel_array
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    if ds.BitsStored == 12 and ds.PixelRepresentation == 0 and int(intercept) > -100:
        arr = arr + 1000
        arr[arr >= 4096] = arr[arr >= 4096] - 4096
        intercept = -1000.0
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    out = arr.astype(np.float64) * slope + intercept
    return out.reshape(frames, ds.Rows, ds.Columns).astype(np.float32)


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for i, path in enumerate(sys.argv[2:]):
        try:
            np.save(os.path.join(out_dir, f"{i}.npy"), hu(path))
        except Exception as exc:  # reported per file to the test, which decides
            with open(os.path.join(out_dir, f"{i}.err"), "w", encoding="utf-8") as f:
                f.write(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
