#!/usr/bin/python3
"""Reference Felzenszwalb segmentations from scikit-image (Debian python3-skimage 0.19), for the Explain tests.

Usage: skimage_felzenszwalb.py DIR CASE...
For each CASE, reads DIR/CASE.json ({"height", "width", "channels", "scale", "sigma", "min_size"}) and
DIR/CASE.image.bin (float32, height x width x channels, C order, little-endian), runs
skimage.segmentation.felzenszwalb(image, scale, sigma, min_size, channel_axis=-1) on it exactly as XRAI's reference
(PAIR saliency, saliency/core/xrai.py) does, and writes DIR/CASE.labels.npy (int32, height x width).
Prints the scikit-image version on stdout.
"""
import json
import os
import sys

import numpy as np
import skimage
from skimage.segmentation import felzenszwalb


def main(folder, cases):
    for case in cases:
        with open(os.path.join(folder, case + ".json"), encoding="utf-8") as f:
            spec = json.load(f)
        shape = (spec["height"], spec["width"], spec["channels"])
        image = np.fromfile(os.path.join(folder, case + ".image.bin"), dtype="<f4").reshape(shape)
        labels = felzenszwalb(image, scale=spec["scale"], sigma=spec["sigma"], min_size=spec["min_size"],
                              channel_axis=-1)
        np.save(os.path.join(folder, case + ".labels.npy"), labels.astype("<i4"))
    print(skimage.__version__)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
