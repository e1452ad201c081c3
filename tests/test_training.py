"""The training loop's guarantees: resume gives the same weights, a non-finite loss stops and keeps the
last good checkpoint, two DistributedDataParallel processes end with identical weights, and under
torchrun only rank 0 renders the benchmark and writes the registry."""
import os
import re
import subprocess
import sys
from pathlib import Path

import torch

from vehicle_fp import training
from toys import TinyAutoencoder, check_nonfinite, check_resume

TESTS = Path(__file__).resolve().parent
TORCHRUN = Path(sys.executable).parent / "torchrun"


def _torchrun(script:str, *args, timeout:int=300) -> str:
    "Run `script` of this folder in two gloo processes; return what they printed."
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(TESTS)}
    proc = subprocess.run([str(TORCHRUN), "--nproc_per_node", "2", str(TESTS / script), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-4000:]
    print(proc.stdout)
    return proc.stdout


def test_resume_gives_identical_weights(tmp_path):
    diff = check_resume(tmp_path, epochs=3, interrupt_at=6)
    print(f"largest weight difference, interrupted+resumed vs straight: {diff}")
    assert diff == 0.0


def test_nonfinite_loss_stops_and_keeps_last_good_checkpoint(tmp_path):
    ckpt = check_nonfinite(tmp_path)
    print(ckpt["message"])
    assert ckpt["epoch"] == 2
    assert "epoch 3, step 0" in ckpt["message"] and str(tmp_path / "toy.pt") in ckpt["message"]
    assert all(torch.isfinite(v).all() for v in ckpt["model"].values())


def test_ddp_two_gloo_processes_end_with_identical_weights(tmp_path):
    out = _torchrun("ddp_toy.py", tmp_path)
    digests = dict(re.findall(r"rank (\d+): weights digest ([0-9a-f]{40})", out))
    assert sorted(digests) == ["0", "1"], out
    assert digests["0"] == digests["1"]
    # the checkpoint rank 0 wrote holds those same weights, and training made progress
    model = TinyAutoencoder()
    ckpt = training.load_checkpoint(tmp_path / "toy.pt", model)
    assert training.weights_digest(model) == digests["0"]
    assert ckpt["epoch"] == 3 and ckpt["history"][-1]["loss"] < ckpt["history"][0]["loss"]


def test_torchrun_builds_the_benchmark_once_and_writes_the_registry_once(tmp_path):
    out = _torchrun("ddp_synth.py", tmp_path)
    rendered = {int(r): int(n) for r, n in re.findall(r"rank (\d+): rendered (\d+) samples", out)}
    rows = {int(r): int(n) for r, n in re.findall(r"rank (\d+): registry rows (\d+)", out)}
    caches = set(re.findall(r"rank \d+: cache (\S+)", out))
    assert sorted(rendered) == [0, 1], out
    assert rendered[1] == 0 and rendered[0] > 0, rendered       # only rank 0 rendered; rank 1 waited for it
    assert rows == {0: 1, 1: 1}, rows                            # one row, written by rank 0, seen by both
    assert len(caches) == 1, caches
