"""Shared fixtures: the tests write runs and generated data to temporary directories, never to the
user's runs/ and data/."""
import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def session_dirs(tmp_path_factory):
    "One runs and one data directory for the whole session, so later chapters find earlier chapters' outputs."
    dirs = {"VEHICLE_FP_RUNS": tmp_path_factory.mktemp("runs"), "VEHICLE_FP_DATA": tmp_path_factory.mktemp("data")}
    old = {k: os.environ.get(k) for k in dirs}
    os.environ.update({k: str(v) for k, v in dirs.items()})
    yield dirs
    for k, v in old.items():
        if v is None: os.environ.pop(k, None)
        else: os.environ[k] = v


@pytest.fixture
def runs(tmp_path, monkeypatch):
    "A fresh runs directory for one test."
    monkeypatch.setenv("VEHICLE_FP_RUNS", str(tmp_path / "runs"))
    return tmp_path / "runs"
