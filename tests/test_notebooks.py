"""Every chapter notebook, executed in order by papermill in the `smoke` profile on the CPU, with the
registered `vehicle_fp` kernel. Any error in any cell fails the test."""
import pytest

from vehicle_fp import book

NOTEBOOKS = book.chapter_notebooks()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_chapter_runs_in_smoke_profile(notebook, session_dirs):
    out = book.run_chapter(notebook, "smoke", out_dir=session_dirs["VEHICLE_FP_RUNS"] / "notebooks", device="cpu",
                           timeout=600)
    assert out.exists()


def test_book_renders_as_html(session_dirs, tmp_path):
    "After the chapters ran (pytest keeps the file's order): every executed chapter is a page the index links."
    index = book.render_book(session_dirs["VEHICLE_FP_RUNS"] / "notebooks", tmp_path / "book", "smoke")
    pages = sorted(p.stem for p in (tmp_path / "book").glob("*.html") if p.name != "index.html")
    assert pages == [nb.stem for nb in NOTEBOOKS]
    assert all(f'href="{p}.html"' in index.read_text() for p in pages)
    assert all((tmp_path / "book" / f"{p}.html").stat().st_size > 10_000 for p in pages)
