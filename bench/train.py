"""Benchmark of nonconvex training: the spiral AdamW baseline of docs/experiments.md.

Run:  python bench/train.py          (about 10 s)

1,000 full-batch AdamW epochs of a 200-neuron network on the 160-point spiral (MSE loss,
weight decay 1e-3, clipping 1.0, the linear schedule, a free output intercept), in CPU time with
one BLAS thread; the goal is well under 2 s per run. The best of three runs is reported beside the
load average (the machine may be shared).
"""

from __future__ import annotations

import os
import time

from threadpoolctl import threadpool_limits

from convexnn import datasets
from convexnn.training.train import fit_nonconvex


def one_run() -> tuple[float, float]:
    data = datasets.spiral()
    t0 = time.process_time()
    _, traj = fit_nonconvex(data.X, data.y, 200, 5e-4, "adamw", lr=1e-2, epochs=1000, loss="mse",
                            weight_decay=1e-3, clip_norm=1.0, schedule="linear", intercept=True)
    return time.process_time() - t0, traj.final_accuracy


def main() -> None:
    with threadpool_limits(1):
        runs = [one_run() for _ in range(3)]
    best = min(t for t, _ in runs)
    print(f"1,000 AdamW epochs, 200 neurons, 160 points: best {best:.2f} CPU s of 3 "
          f"(all: {', '.join(f'{t:.2f}' for t, _ in runs)}), train accuracy {runs[0][1]:.1%}, "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
