"""The notebooks are the source: the package must be what nbdev_export makes of them, the notebooks
must be clean, every chapter must keep its papermill `parameters` cell and show a first result early,
the README must be what `vfp-readme` makes of nbs/index.ipynb, and no module may import a chapter that
comes after its own."""
import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vehicle_fp import book, core

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


@pytest.mark.parametrize("notebook", book.chapter_notebooks(), ids=lambda p: p.stem)
def test_chapter_has_one_literal_parameters_cell(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{notebook.name}: {len(tagged)} cells tagged 'parameters', expected 1"
    for stmt in ast.parse("".join(tagged[0]["source"])).body:
        assert isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant), \
            f"{notebook.name}: the parameters cell must hold literal assignments only, found {ast.unparse(stmt)!r}"
    names = {t.id for s in ast.parse("".join(tagged[0]["source"])).body for t in s.targets}
    assert {"profile", "device", "interactive"} <= names, f"{notebook.name}: parameters cell lacks {names}"


def test_every_notebook_names_a_python_kernel():
    "JupyterLab opens a notebook without a kernelspec at a kernel picker; papermill cannot tell its language."
    bare = [p.name for p in sorted((ROOT / "nbs").glob("*.ipynb"))
            if json.loads(p.read_text())["metadata"].get("kernelspec", {}).get("language") != "python"]
    assert not bare, f"notebooks without a python kernelspec in their metadata: {bare}"


def test_readme_is_generated_from_index():
    assert (ROOT / "README.md").read_text() == book.readme_text(ROOT / "nbs" / "index.ipynb"), \
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


def _chapter_of_module() -> dict:
    "module name -> the position of the notebook that exports it, in reading order."
    order = {}
    for i, nb in enumerate(book.chapter_notebooks()):
        found = re.search(r"#\|\s*default_exp\s+(\S+)", "".join(json.loads(nb.read_text())["cells"][0]["source"]))
        if found: order[found.group(1)] = i
    return order


def _imported_modules(tree:ast.AST, modules:set) -> list:
    "(line, module) for every import of a module of the package in `tree`, anywhere in it (inside functions too)."
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = (node.module or "").split(".")
            if node.level or base[0] == "vehicle_fp":
                rest = [p for p in base if p and p != "vehicle_fp"]
                names = rest[:1] if rest else [a.name for a in node.names]
                out += [(node.lineno, n) for n in names if n in modules]
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[1]) for a in node.names
                    if a.name.startswith("vehicle_fp.") and a.name.split(".")[1] in modules]
    return out


def test_no_module_imports_a_later_chapter():
    "core → registry/training/measure/book → data → synth → evaluate/backbones/layers → methods → comparison: never upwards."
    order = _chapter_of_module()
    found = []
    for path in sorted((ROOT / "vehicle_fp").glob("*.py")):
        if path.stem not in order: continue
        for line, target in _imported_modules(ast.parse(path.read_text()), set(order)):
            if order[target] > order[path.stem]:
                found.append(f"{path.name}:{line} imports {target} (chapter {order[target]} after {order[path.stem]})")
    assert not found, "modules importing a later chapter's module: " + "; ".join(found)


def test_upward_import_is_caught(tmp_path):
    "The check above fails on a module that imports a later chapter, inside a function or at the top."
    order = {"data": 1, "synth": 2}
    tree = ast.parse("from . import core\ndef f():\n    from vehicle_fp import synth\n    import vehicle_fp.synth as s\n")
    assert [t for _, t in _imported_modules(tree, set(order))] == ["synth", "synth"]


def test_test_fixtures_are_not_in_the_package():
    names = {n for p in (ROOT / "vehicle_fp").glob("*.py") for n in re.findall(r"^(?:class|def) (\w+)", p.read_text(), re.M)}
    assert not names & {"TinyAutoencoder", "BlobImages", "check_resume", "check_nonfinite", "toy_loss"}


@pytest.mark.parametrize("notebook", [nb for nb in book.chapter_notebooks() if re.match(r"[1-8]\d_", nb.name)],   # 90_cli: a tool, no method
                         ids=lambda p: p.stem)
def test_method_chapter_shows_a_first_result_early(notebook):
    "A method chapter draws its first model's map (`evaluate.first_look`) within its first third of cells."
    cells = json.loads(notebook.read_text())["cells"]
    hits = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and "first_look(" in "".join(c["source"])
            and not "".join(c["source"]).lstrip().startswith("#| export")]
    assert hits, f"{notebook.name}: no cell calls evaluate.first_look"
    assert hits[0] < len(cells) / 3, f"{notebook.name}: the first look is cell {hits[0]} of {len(cells)}; move it into the first third"


def test_no_settings_dicts_or_hand_built_checkpoint_names():
    "A method chapter's settings live in its declared recipes, and checkpoints are named by core.checkpoint_name only."
    order, found = _chapter_of_module(), []
    notebooks = book.chapter_notebooks()
    methods = [m for m, i in order.items() if re.match(r"[1-9]\d_", notebooks[i].name)]
    assert len(methods) >= 7, methods
    for path in sorted((ROOT / "vehicle_fp" / f"{m}.py") for m in methods):
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if re.match(r"^([A-Z][A-Z0-9_]*_)?(RUN|RECIPE|HYPER)\s*(:[^=]*)?=\s*[{(]", line) or re.match(r"^def \w+_params\(", line):
                found.append(f"{path.name}:{i}: {line.strip()[:60]}")
            if re.search(r"""f["'][^"']*-[a-z]{1,3}\{""", line):   # a name spelling out settings: f"vae-a{alpha:g}-z{latent}..."
                found.append(f"{path.name}:{i}: {line.strip()[:80]}")
    assert not found, "settings outside a recipe, or hand-built checkpoint names: " + "; ".join(found)
