#!/usr/bin/python3
"""Training images/s of a HEADS UP network in PyTorch (Debian python3-torch), the reference side of
train-throughput-vs-pytorch.sh. Same networks as the C# ones (tools/reference/torch_networks.py), same step:
forward, BCE-with-logits, backward, AdamW. Usage: ARCH SIZE BATCH STEPS ROUNDS [THREADS]."""
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "reference"))
from torch_networks import Classifier  # noqa: E402


def main():
    arch, size, batch, steps, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(int(sys.argv[6]) if len(sys.argv) > 6 else os.cpu_count())
    torch.manual_seed(1)
    net = Classifier(arch, 3, 1)
    net.train()
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4)
    x = torch.rand(batch, 3, size, size)
    y = (torch.rand(batch, 1) > 0.5).float()

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x), y)
        loss.backward()
        opt.step()

    step()
    step()
    rates = []
    for r in range(rounds):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        rate = steps * batch / (time.perf_counter() - start)
        rates.append(rate)
        print(f"round {r + 1}: {rate:.2f} images/s")
    print(f"median {statistics.median(rates):.2f}")


if __name__ == "__main__":
    main()
