#!/usr/bin/python3
"""The peer of benchmarks/scripts/detect-whole-process.sh: one head CT series → a results file, written the way the
HEADS UP paper's stack would (pydicom + numpy + PyTorch), as a whole program.

Usage: paper_detect.py SERIES_DIR OUT_JSON [ARCHITECTURE=resnet18-imagenet]
Reads every file of SERIES_DIR with pydicom, orders the slices by ImagePositionPatient z, converts to HU (RSNA 12-bit
fix and window_image from paper_pipeline_throughput.py), applies the brain window (40/80), resizes to 224² (bilinear),
runs the network of torch_networks.py in eval mode on 2 threads in batches of 16, takes per-slice sigmoid
probabilities, the study probability as the mean of the top 3 contiguous slices, and writes OUT_JSON. The network
has random weights: this program measures time (the same work as `headsup detect`), not accuracy.
"""
import json
import os
import sys
import time

import numpy as np
import pydicom
import torch
import torch.nn.functional as F

from paper_pipeline_throughput import window_image
from torch_networks import Classifier


def main():
    start = time.perf_counter()
    folder, out = sys.argv[1], sys.argv[2]
    architecture = sys.argv[3] if len(sys.argv) > 3 else "resnet18-imagenet"
    torch.set_num_threads(2)
    slices = []
    for name in sorted(os.listdir(folder)):
        dcm = pydicom.dcmread(os.path.join(folder, name))
        z = float(dcm.ImagePositionPatient[2])
        brain = window_image(dcm, 40, 80)
        slices.append((z, str(dcm.SOPInstanceUID), (brain / 80.0).astype(np.float32)))
    slices.sort(key=lambda s: s[0])
    images = torch.from_numpy(np.stack([s[2] for s in slices]))[:, None]
    images = F.interpolate(images, size=(224, 224), mode="bilinear", align_corners=False)
    net = Classifier(architecture, 1, 6).eval()
    with torch.no_grad():
        probabilities = torch.cat([torch.sigmoid(net(images[i:i + 16]))[:, 0] for i in range(0, len(images), 16)]).numpy()
    k = min(3, len(probabilities))
    study = max(float(np.mean(probabilities[i:i + k])) for i in range(len(probabilities) - k + 1))
    with open(out, "w") as f:
        json.dump({"slices": [{"sop_instance_uid": s[1], "probability": float(p)} for s, p in zip(slices, probabilities)],
                   "probability": study, "seconds": time.perf_counter() - start}, f)


if __name__ == "__main__":
    main()
