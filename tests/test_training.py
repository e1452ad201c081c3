"""The training loop's guarantees: resume gives the same weights, a non-finite loss stops and keeps the
last good checkpoint, and two DistributedDataParallel processes end with identical weights."""
import os
import re
import subprocess
import sys
from pathlib import Path

import torch

from vehicle_fp import core


def test_resume_gives_identical_weights(tmp_path):
    diff = core.check_resume(tmp_path, epochs=3, interrupt_at=6)
    print(f"largest weight difference, interrupted+resumed vs straight: {diff}")
    assert diff == 0.0


def test_nonfinite_loss_stops_and_keeps_last_good_checkpoint(tmp_path):
    ckpt = core.check_nonfinite(tmp_path)
    print(ckpt["message"])
    assert ckpt["epoch"] == 2
    assert "epoch 3, step 0" in ckpt["message"] and str(tmp_path / "toy.pt") in ckpt["message"]
    assert all(torch.isfinite(v).all() for v in ckpt["model"].values())


def test_ddp_two_gloo_processes_end_with_identical_weights(runs):
    torchrun = Path(sys.executable).parent / "torchrun"
    vfp_train = Path(sys.executable).parent / "vfp-train"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([str(torchrun), "--nproc_per_node", "2", "--no-python", str(vfp_train), "toy",
                           "--profile", "smoke", "--device", "cpu"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    digests = dict(re.findall(r"rank (\d+): weights digest ([0-9a-f]{40})", proc.stdout))
    print(proc.stdout)
    assert sorted(digests) == ["0", "1"], proc.stdout
    assert digests["0"] == digests["1"]
    # the checkpoint rank 0 wrote holds those same weights, and training made progress
    model = core.TinyAutoencoder()
    ckpt = core.load_checkpoint(runs / "smoke" / "ckpt" / "toy.pt", model)
    assert core.weights_digest(model) == digests["0"]
    assert ckpt["epoch"] == 3 and ckpt["history"][-1]["loss"] < ckpt["history"][0]["loss"]
