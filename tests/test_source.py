"""The notebooks are the source: the package must be what nbdev_export makes of them, the notebooks
must be clean, every chapter must keep its papermill `parameters` cell, and the README must be what
`vfp-readme` makes of nbs/index.ipynb."""
import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vehicle_fp import core

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _copy_project(dst: Path) -> Path:
    for name in ("settings.ini", "setup.py", "README.md"): shutil.copy(ROOT / name, dst / name)
    shutil.copytree(ROOT / "nbs", dst / "nbs", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(ROOT / "vehicle_fp", dst / "vehicle_fp", ignore=shutil.ignore_patterns("__pycache__"))
    return dst


def _files(d: Path) -> dict:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def test_nbdev_export_changes_nothing(tmp_path):
    proj = _copy_project(tmp_path)
    subprocess.run([str(BIN / "nbdev_export")], cwd=proj, check=True, capture_output=True)
    before, after = _files(ROOT / "vehicle_fp"), _files(proj / "vehicle_fp")
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"vehicle_fp/ is out of step with nbs/ (run nbdev_export): {changed}"


def test_notebooks_are_clean(tmp_path):
    proj = _copy_project(tmp_path)
    subprocess.run([str(BIN / "nbdev_clean")], cwd=proj, check=True, capture_output=True)
    changed = [p.name for p in sorted((ROOT / "nbs").glob("*.ipynb"))
               if p.read_bytes() != (proj / "nbs" / p.name).read_bytes()]
    assert not changed, f"notebooks not clean (run nbdev_clean): {changed}"


@pytest.mark.parametrize("notebook", core.chapter_notebooks(), ids=lambda p: p.stem)
def test_chapter_has_one_literal_parameters_cell(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{notebook.name}: {len(tagged)} cells tagged 'parameters', expected 1"
    for stmt in ast.parse("".join(tagged[0]["source"])).body:
        assert isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant), \
            f"{notebook.name}: the parameters cell must hold literal assignments only, found {ast.unparse(stmt)!r}"
    names = {t.id for s in ast.parse("".join(tagged[0]["source"])).body for t in s.targets}
    assert {"profile", "device", "interactive"} <= names, f"{notebook.name}: parameters cell lacks {names}"


def test_readme_is_generated_from_index():
    assert (ROOT / "README.md").read_text() == core.readme_text(ROOT / "nbs" / "index.ipynb"), \
        "README.md is out of step with nbs/index.ipynb (run vfp-readme)"


def test_no_module_uses_another_modules_private_names():
    modules = {p.stem for p in (ROOT / "vehicle_fp").glob("*.py")}
    found = []
    for path in sorted((ROOT / "vehicle_fp").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules \
                    and node.value.id != path.stem and node.attr.startswith("_"):
                found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] in modules - {path.stem}:
                found += [f"{path.name}:{node.lineno}: from {node.module} import {a.name}" for a in node.names
                          if a.name.startswith("_")]
    assert not found, "private names used across modules (make them public or move them): " + "; ".join(found)
