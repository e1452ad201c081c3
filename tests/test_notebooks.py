"""Every chapter notebook, executed in order by papermill in the `smoke` profile on the CPU, with the
registered `vehicle_fp` kernel. Any error in any cell fails the test."""
import pytest

from vehicle_fp import core

NOTEBOOKS = core.chapter_notebooks()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_chapter_runs_in_smoke_profile(notebook, session_dirs):
    out = core.run_chapter(notebook, "smoke", out_dir=session_dirs["VEHICLE_FP_RUNS"] / "notebooks", device="cpu",
                           timeout=600)
    assert out.exists()
