"""PyTorch peer of bench/train-step.ts: one SGD training step of DenseNet169's dense block 4, its
final batch norm and the notebook's head (layers 369+ of the Keras model) on cached 8x8x640
features, batch 32 at once, on the CPU with every core. Prints one JSON line.
Run: python3 bench/peers/torch_suffix_step.py [--reps N]. Only for benchmarks: the product never
depends on PyTorch."""
import json
import os
import resource
import statistics
import sys
import time

import torch
from torch import nn

BATCH = 32
GROWTH = 32
LAYERS = 32  # DenseNet169's block 4


class DenseLayer(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.BatchNorm2d(channels, eps=1.001e-5),
            nn.ReLU(),
            nn.Conv2d(channels, 4 * GROWTH, 1, bias=False),
            nn.BatchNorm2d(4 * GROWTH, eps=1.001e-5),
            nn.ReLU(),
            nn.Conv2d(4 * GROWTH, GROWTH, 3, padding=1, bias=False),
        )

    def forward(self, x):
        return torch.cat([x, self.body(x)], 1)


def suffix() -> nn.Module:
    channels = 640
    layers = []
    for _ in range(LAYERS):
        layers.append(DenseLayer(channels))
        channels += GROWTH
    return nn.Sequential(
        *layers,
        nn.BatchNorm2d(channels, eps=1.001e-5),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(channels, 512),
        nn.ReLU(),
        nn.Dropout(0.3),
        nn.Linear(512, 64),
        nn.ReLU(),
        nn.Dropout(0.3),
        nn.Linear(64, 3),
    )


def main() -> None:
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 3
    threads = len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = suffix().train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    x = torch.rand(BATCH, 640, 8, 8) * 2
    y = torch.arange(BATCH) % 3
    loss_fn = nn.CrossEntropyLoss()

    def step() -> None:
        optimizer.zero_grad()
        loss_fn(net(x), y).backward()
        optimizer.step()

    step()
    times = []
    cpu0 = time.process_time()
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu0
    print(
        json.dumps(
            {
                "engine": f"pytorch {torch.__version__}",
                "threads": threads,
                "msPerImage": statistics.median(times) * 1000 / BATCH,
                "cpuMsPerImage": cpu * 1000 / (reps * BATCH),
                "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
