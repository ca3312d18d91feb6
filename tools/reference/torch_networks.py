#!/usr/bin/python3
"""Reference forward passes of the classifier networks in PyTorch (Debian python3-torch), for the Networks tests.

Usage: torch_networks.py DIR CASE...
For each CASE, reads DIR/CASE.json ({"architecture", "input_channels", "outputs", "input_shape",
"tensors": [{"name", "shape"}, ...]}), DIR/CASE.weights.bin (the state dict's float32 tensors concatenated in the
manifest's order, C order, little-endian) and DIR/CASE.input.bin (float32, input_shape), builds the architecture
written out independently below from its description, loads the state dict (strict, apart from BatchNorm's
num_batches_tracked), runs it in eval mode and writes DIR/CASE.logits.npy (float32, N x outputs).

Architectures (see src/Headsup.Models/Networks):
  small-cnn          six 3x3 conv(no bias)-BN-ReLU blocks, widths 32,64,128,256,256,256, strides 2,2,2,2,2,1;
                     global average pool; linear head.
  resnet18/resnet34  torchvision's ResNet (BasicBlock, [2,2,2,2] / [3,4,6,3]) without its fc; global average pool;
                     linear head.
  resnet18-imagenet  CNTK's ResNet-18 (BasicBlocks [2,2,2,3]) with CNTK "same" padding for the 7x7/2 conv, the 3x3/2
                     max-pool and the stride-2 3x3 convs: output ceil(size/2), total padding
                     max((out-1)*stride + kernel - size, 0), larger half before (at 224: 3|2, 1|0, 1|0), after an
                     input adapter: 1 channel repeated to 3,
                     3 channels as RGB, otherwise a 1x1 conv to 3 ("input.mix"); then x*255, RGB->BGR, minus the BGR
                     means 103.06262, 115.902885, 123.15163.
"""
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BGR_MEANS = [103.06262, 115.902885, 123.15163]


class SmallCnn(nn.Sequential):
    def __init__(self, c):
        blocks = OrderedDict()
        for i, (w, s) in enumerate([(32, 2), (64, 2), (128, 2), (256, 2), (256, 2), (256, 1)]):
            blocks[f"block{i + 1}"] = nn.Sequential(OrderedDict(
                conv=nn.Conv2d(c, w, 3, s, 1, bias=False), bn=nn.BatchNorm2d(w), relu=nn.ReLU()))
            c = w
        super().__init__(blocks)


def same_pad(x, kernel, stride, value=0.0):
    pads = []
    for size in (x.shape[3], x.shape[2]):
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads += [(total + 1) // 2, total // 2]
    return F.pad(x, pads, value=value)


class Block(nn.Module):
    def __init__(self, cin, cout, stride, cntk):
        super().__init__()
        self.pad_before = cntk and stride != 1
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 0 if self.pad_before else 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = same_pad(x, 3, 2) if self.pad_before else x
        y = F.relu(self.bn1(self.conv1(y)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    def __init__(self, c, layers, cntk):
        super().__init__()
        self.cntk = cntk
        self.conv1 = nn.Conv2d(c, 64, 7, 2, 0 if cntk else 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        cin = 64
        for i, (w, n) in enumerate(zip([64, 128, 256, 512], layers)):
            blocks = []
            for b in range(n):
                blocks.append(Block(cin, w, 2 if i > 0 and b == 0 else 1, cntk))
                cin = w
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))

    def forward(self, x):
        if self.cntk:
            x = F.relu(self.bn1(self.conv1(same_pad(x, 7, 2))))
            x = F.max_pool2d(same_pad(x, 3, 2, float("-inf")), 3, 2)
        else:
            x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        for i in range(4):
            x = getattr(self, f"layer{i + 1}")(x)
        return x


class ImageNetInput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        if c not in (1, 3):
            self.mix = nn.Conv2d(c, 3, 1, bias=False)

    def forward(self, x):
        if self.c == 1:
            x = x.expand(-1, 3, -1, -1)
        elif self.c != 3:
            x = self.mix(x)
        return x.flip(1) * 255 - torch.tensor(BGR_MEANS).view(1, 3, 1, 1)


class Classifier(nn.Module):
    def __init__(self, arch, c, outputs):
        super().__init__()
        if arch == "small-cnn":
            self.backbone, features = SmallCnn(c), 256
        elif arch in ("resnet18", "resnet34"):
            self.backbone, features = ResNet(c, [2, 2, 2, 2] if arch == "resnet18" else [3, 4, 6, 3], False), 512
        elif arch == "resnet18-imagenet":
            self.input = ImageNetInput(c)
            self.backbone, features = ResNet(3, [2, 2, 2, 3], True), 512
        else:
            raise ValueError(arch)
        self.head = nn.Linear(features, outputs)

    def forward(self, x):
        if hasattr(self, "input"):
            x = self.input(x)
        return self.head(self.backbone(x).mean((2, 3)))


def run(folder, case):
    with open(os.path.join(folder, case + ".json")) as f:
        manifest = json.load(f)
    net = Classifier(manifest["architecture"], manifest["input_channels"], manifest["outputs"])
    flat = np.fromfile(os.path.join(folder, case + ".weights.bin"), dtype="<f4")
    state, offset = {}, 0
    for t in manifest["tensors"]:
        n = int(np.prod(t["shape"], dtype=np.int64))
        state[t["name"]] = torch.from_numpy(flat[offset:offset + n].reshape(t["shape"]).copy())
        offset += n
    if offset != flat.size:
        raise ValueError(f"{case}: weights file holds {flat.size} floats, manifest {offset}")
    missing, unexpected = net.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"{case}: missing {missing}, unexpected {unexpected}")
    x = np.fromfile(os.path.join(folder, case + ".input.bin"), dtype="<f4").reshape(manifest["input_shape"])
    net.eval()
    with torch.no_grad():
        logits = net(torch.from_numpy(x.copy()))
    np.save(os.path.join(folder, case + ".logits.npy"), logits.numpy().astype(np.float32))


def main():
    torch.set_num_threads(2)
    folder = sys.argv[1]
    for case in sys.argv[2:]:
        run(folder, case)


if __name__ == "__main__":
    main()
