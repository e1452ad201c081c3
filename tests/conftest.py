"""Shared fixtures: every test writes its runs to a temporary directory, never to the user's runs/."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def session_runs(tmp_path_factory):
    "One runs directory for the whole session, so later chapters find earlier chapters' checkpoints."
    path = tmp_path_factory.mktemp("runs")
    old = os.environ.get("VEHICLE_FP_RUNS")
    os.environ["VEHICLE_FP_RUNS"] = str(path)
    yield path
    if old is None: os.environ.pop("VEHICLE_FP_RUNS", None)
    else: os.environ["VEHICLE_FP_RUNS"] = old


@pytest.fixture
def runs(tmp_path, monkeypatch):
    "A fresh runs directory for one test."
    monkeypatch.setenv("VEHICLE_FP_RUNS", str(tmp_path / "runs"))
    return tmp_path / "runs"
