"""Peak memory of `vfp score` against the number of crops: a benchmark that prints its figures, not a test.

    .venv/bin/python tests/bench_score_memory.py [WORKDIR] [--counts 100 2000]

It writes drawn vehicles at mixed sizes (64-320 px a side) as crops, trains a smoke-profile
pretrained-encoder U-Net on a few of them with `vfp train`, then runs `vfp score` on the first N crops
for each N in a separate process and prints that process's peak resident memory and its seconds.
Streaming means the peak should not grow with N."""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from vehicle_fp import data


def write_crops(folder:Path, n:int, seed:int=0):
    "`n` crops of drawn vehicles, each resized to its own width and height."
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    bases = [Image.fromarray(data.toy_vehicle(128, seed=k)[0]) for k in range(16)]
    for i in range(n):
        w, h = (int(v) for v in rng.integers(64, 320, 2))
        bases[i % len(bases)].resize((w, h)).save(folder / f"crop_{i:05d}.jpg", quality=90)


_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")

def peak_of(cmd:list) -> tuple:
    "(peak RSS in MB, seconds) of the command, run as the only child of a fresh process (so no other child's peak counts)."
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _PEAK, *cmd], check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024, time.perf_counter() - t0


def main():
    a = argparse.ArgumentParser()
    a.add_argument("workdir", nargs="?", type=Path, default=None)
    a.add_argument("--counts", type=int, nargs="+", default=[100, 2000])
    args = a.parse_args()
    root = args.workdir or Path(tempfile.mkdtemp(prefix="vfp-bench-"))
    data.write_example_labelme(root / "labelme", n=8, size=64)
    vfp = [sys.executable, "-m", "vehicle_fp"]
    subprocess.run(vfp + ["train", "--method", "unet.pretrained", "--labelme", str(root / "labelme"), "--profile", "smoke",
                          "--out", str(root / "model.vfp"), "--overwrite"], check=True)
    write_crops(root / "all", max(args.counts))
    files = sorted((root / "all").iterdir())
    print(f"{'crops':>6} {'peak RSS MB':>12} {'seconds':>8}")
    for n in sorted(args.counts):
        sub = root / f"crops_{n}"
        sub.mkdir(exist_ok=True)
        for f in files[:n]:
            if not (sub / f.name).exists(): (sub / f.name).symlink_to(f)
        mb, s = peak_of(vfp + ["score", str(sub), "--model", str(root / "model.vfp"), "--out", str(root / f"scored_{n}"), "--overwrite"])
        print(f"{n:>6} {mb:>12.0f} {s:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
