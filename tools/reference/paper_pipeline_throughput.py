#!/usr/bin/python3
"""The HEADS UP paper's Python preprocessing (pydicom + numpy), timed on the same files as our tool.

Usage: paper_pipeline_throughput.py ROUNDS FILE...   prints one line per round: "round <i> <slices> <seconds> <slices/s>"
and a final "median_slices_per_second <x>". Single process, single thread (numpy elementwise ops are single-threaded).
The windowing code follows the paper's repository (quincy-125/MG-HEADSUP): RSNA 12-bit fix, window_image, bsb_window.
"""
import statistics
import sys
import time

import numpy as np
import pydicom


def correct_dcm(dcm):
    x = dcm.pixel_array + 1000
    px_mode = 4096
    x[x >= px_mode] = x[x >= px_mode] - px_mode
    dcm.PixelData = x.tobytes()
    dcm.RescaleIntercept = -1000


def window_image(dcm, window_center, window_width):
    if (dcm.BitsStored == 12) and (dcm.PixelRepresentation == 0) and (int(dcm.RescaleIntercept) > -100):
        correct_dcm(dcm)
    img = dcm.pixel_array * dcm.RescaleSlope + dcm.RescaleIntercept
    img_min = window_center - window_width // 2
    img_max = window_center + window_width // 2
    img = np.clip(img, img_min, img_max)
    return img


def bsb_window(dcm):
    brain_img = window_image(dcm, 40, 80)
    subdural_img = window_image(dcm, 80, 200)
    soft_img = window_image(dcm, 40, 380)
    brain_img = (brain_img - 0) / 80
    subdural_img = (subdural_img - (-20)) / 200
    soft_img = (soft_img - (-150)) / 380
    return np.array([brain_img, subdural_img, soft_img]).transpose(1, 2, 0)


def main():
    rounds = int(sys.argv[1])
    files = sys.argv[2:]
    rates = []
    for r in range(rounds):
        start = time.perf_counter()
        for f in files:
            bsb_window(pydicom.dcmread(f))
        elapsed = time.perf_counter() - start
        rates.append(len(files) / elapsed)
        print(f"round {r} {len(files)} {elapsed:.4f} {rates[-1]:.1f}", flush=True)
    print(f"median_slices_per_second {statistics.median(rates):.1f}")


if __name__ == "__main__":
    main()
