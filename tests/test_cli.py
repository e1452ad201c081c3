"""The engineer's path as one meets it: `vfp train`, `vfp score`, `vfp export` and `vfp sample-crops` run as
commands on folders of crops in the smoke profile, every bad input named in one line, nothing half-written,
and the scored folder's web page opened in Debian's Chromium."""
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image

from vehicle_fp import cli, data

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def vfp(*args, ok=True):
    "Run `python -m vehicle_fp ARGS` (the `vfp` command); return the finished process."
    p = subprocess.run([sys.executable, "-m", "vehicle_fp", *map(str, args)], capture_output=True, text=True, timeout=600)
    if ok: assert p.returncode == 0, p.stderr[-3000:]
    return p


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    "A LabelMe folder of drawn vehicles, a folder of mixed-size crops, and a pretrained-encoder U-Net trained by `vfp train`."
    root = tmp_path_factory.mktemp("cli")
    data.write_example_labelme(root / "labelme", n=8, size=64)
    (root / "crops").mkdir()
    for i, f in enumerate(sorted((root / "labelme").glob("*.jpg"))[:5]):
        Image.open(f).resize((70 + 31 * i, 110 - 11 * i)).save(root / "crops" / f"crop_{i}.png")
    p = vfp("train", "--method", "unet.pretrained", "--labelme", root / "labelme", "--profile", "smoke",
            "--set", "epochs=1", "--out", root / "model.vfp")
    assert "threshold" in p.stdout and (root / "model.vfp").is_file()
    return root


def run(capsys, *args) -> str:
    "`vfp ARGS` in this process (the fixture ran the command as a process): its stdout; a failure shows its stderr."
    status = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert status == 0, err[-3000:]
    return out


def test_train_score_export_run_as_commands(trained, capsys):
    out = trained / "scored"
    assert "scored 5 crops" in run(capsys, "score", trained / "crops", "--model", trained / "model.vfp", "--method", "unet.pretrained", "--out", out)
    rows = pd.read_csv(out / "scores.csv")
    assert list(rows.columns) == ["file", "width", "height", "max_score", "area_share", "flagged"]
    for _, r in rows.iterrows():                               # every output at the crop's own size
        stem = Path(r.file).stem
        amap, mask = Image.open(out / "maps" / f"{stem}.png"), Image.open(out / "masks" / f"{stem}.png")
        assert amap.mode == "I;16" and amap.size == mask.size == Image.open(out / "overlays" / f"{stem}.jpg").size == (r.width, r.height)
        assert r.flagged == (r.max_score >= json.loads((out / "run.json").read_text())["threshold"])
    printed = run(capsys, "score", trained / "labelme", "--model", trained / "model.vfp", "--labelme", trained / "labelme", "--out", trained / "scored_lm")
    assert "pixel_auroc" in printed and {"f1", "iou"} <= set(pd.read_csv(trained / "scored_lm" / "scores.csv").columns)
    run(capsys, "export", trained / "model.vfp", "--format", "torchscript", "--out", trained / "model.pt")   # ONNX: chapter 90_cli's parity table
    side = json.loads((trained / "model.pt.json").read_text())
    assert side["method"] == "unet.pretrained" and side["image_size"] == 64 and side["format"] == "torchscript" and "threshold" in side
    images = torch.stack([data.resize(data.load_image(f)[None], 64)[0] for f in sorted((trained / "labelme").glob("*.jpg"))])
    assert cli.export_parity(trained / "model.vfp", trained / "model.pt", images)["max_abs_diff"] <= 1e-4


def test_scored_page_opens_in_a_browser(trained):
    out = trained / "scored_page"
    cli.score_folder(trained / "crops", trained / "model.vfp", out, device="cpu", progress=False)
    from playwright.sync_api import sync_playwright
    shots = ROOT / "runs" / "browser"; shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1100, "height": 700})
        page.goto((out / "index.html").as_uri())
        page.wait_for_function("Array.from(document.images).every(i => i.complete)")
        loaded = page.evaluate("Array.from(document.images).map(i => i.naturalWidth)")
        captions = page.locator("figcaption").all_inner_texts()
        header = page.locator("#threshold").inner_text()
        page.screenshot(path=str(shots / "vfp_score_index.png"), full_page=True)
        browser.close()
    assert len(loaded) == 5 and all(w > 0 for w in loaded), loaded
    scores = [float(c.split("max ")[1].split(" ")[0]) for c in captions]
    assert scores == sorted(scores, reverse=True), scores
    assert header.startswith("threshold ") and "F1-optimal" in header
    shot = np.asarray(Image.open(shots / "vfp_score_index.png").convert("L"), dtype=float)
    assert shot.std() > 10, "the screenshot is blank"


def _expect_error(capsys, argv, *needles):
    "`vfp ARGV` fails with status 2, its last line on stderr (after any progress bar) naming the command and each of `needles`."
    assert cli.main([str(a) for a in argv]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"vfp {argv[0]}: ") and all(n in last for n in needles), last


def test_bad_input_is_named_and_nothing_is_half_written(trained, tmp_path, capsys, monkeypatch):
    model = trained / "model.vfp"
    score = lambda crops, *more: ["score", crops, "--model", model, "--out", tmp_path / "out", *more]
    (tmp_path / "empty").mkdir()
    _expect_error(capsys, score(tmp_path / "empty"), "empty", "empty")
    notes = tmp_path / "notes"; shutil.copytree(trained / "crops", notes); (notes / "readme.txt").write_text("x")
    _expect_error(capsys, score(notes), "readme.txt", "not crop files")
    tiny = tmp_path / "tiny"; tiny.mkdir(); Image.new("RGB", (1, 1)).save(tiny / "dot.png")
    _expect_error(capsys, score(tiny), "dot.png", "too small")
    huge = tmp_path / "huge"; huge.mkdir(); Image.new("1", (20000, 10000)).save(huge / "pano.png")
    _expect_error(capsys, score(huge), "pano.png", "refused before decoding")
    masks = tmp_path / "masks"; masks.mkdir()
    for f in sorted((trained / "crops").iterdir()): Image.new("L", (8, 8)).save(masks / f"{f.stem}.png")
    _expect_error(capsys, score(trained / "crops", "--masks", masks), "mask is 8x8")
    colour = tmp_path / "colour"; colour.mkdir()
    for f in sorted((trained / "crops").iterdir()):
        w, h = Image.open(f).size
        Image.fromarray(np.dstack([np.zeros((h, w), np.uint8), np.full((h, w), 255, np.uint8), np.zeros((h, w), np.uint8)])).save(colour / f"{f.stem}.png")
    _expect_error(capsys, score(trained / "crops", "--masks", colour), "mask has colour")
    lm = tmp_path / "lm"; shutil.copytree(trained / "labelme", lm); (lm / "car_000.jpg").unlink()
    _expect_error(capsys, score(lm, "--labelme", lm), "car_000.json", "does not exist")
    _expect_error(capsys, score(trained / "crops", "--method", "baselines.patchcore"), "holds a 'unet.pretrained' model")
    other = tmp_path / "other.vfp"
    with zipfile.ZipFile(model) as z, zipfile.ZipFile(other, "w") as w:
        w.writestr("manifest.json", json.dumps({**json.loads(z.read("manifest.json")), "version": "9.9.9"})); w.writestr("model.pt", z.read("model.pt"))
    _expect_error(capsys, ["score", trained / "crops", "--model", other, "--out", tmp_path / "out"], "written by vehicle_fp 9.9.9")
    (tmp_path / "exists").mkdir()
    _expect_error(capsys, ["score", trained / "crops", "--model", model, "--out", tmp_path / "exists"], "exists", "--overwrite")
    _expect_error(capsys, ["train", "--method", "unet.pretrained", "--labelme", trained / "labelme", "--profile", "smoke",
                           "--set", "epoch=1", "--out", tmp_path / "m.vfp"], "no setting 'epoch'", "epochs")
    _expect_error(capsys, ["train", "--method", "baselines.padim", "--labelme", trained / "labelme", "--profile", "smoke",
                           "--out", tmp_path / "m.vfp"], "missing normal", "--normal DIR")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["colour", "empty", "exists", "huge", "lm", "masks", "notes", "other.vfp", "tiny"]

    odd = tmp_path / "odd"; odd.mkdir()                           # gray and 16-bit crops are read, not refused
    Image.open(trained / "crops" / "crop_0.png").convert("L").save(odd / "gray.png")
    Image.fromarray((np.asarray(Image.open(trained / "crops" / "crop_1.png").convert("L"), np.uint16) * 257)).save(odd / "deep.png")
    res = cli.score_folder(odd, model, tmp_path / "odd_out", device="cpu", progress=False)
    assert {r["file"]: (r["width"], r["height"]) for r in res["rows"]} == {"deep.png": Image.open(odd / "deep.png").size,
                                                                            "gray.png": Image.open(odd / "gray.png").size}

    calls = {"n": 0}                                               # a crash mid-run leaves neither `out` nor a partial folder
    real = cli.DeployedMethod.anomaly_map
    def failing(self, images):
        calls["n"] += 1
        if calls["n"] == 2: raise RuntimeError("power cut")
        return real(self, images)
    monkeypatch.setattr(cli.DeployedMethod, "anomaly_map", failing)
    with pytest.raises(RuntimeError, match="power cut"):
        cli.score_folder(trained / "crops", model, tmp_path / "crashed", batch_size=2, device="cpu", progress=False)
    assert not any("crashed" in p.name for p in tmp_path.iterdir())


def test_sample_crops_are_labelme_folders(tmp_path, capsys):
    run(capsys, "sample-crops", tmp_path / "sample", "-n", "2")
    lm = data.LabelMeDataset(tmp_path / "sample" / "labelme")
    assert len(lm) == 1 and len(list((tmp_path / "sample" / "unlabelled").iterdir())) == 1
    assert len(list((tmp_path / "sample" / "normal").iterdir())) == 2
    sample = lm[0]
    assert sample["image"].shape[-2:] == sample["mask"].shape[-2:] and sample["mask"].sum() > 0
    sizes = {Image.open(f).size for f in (tmp_path / "sample").rglob("*.*g")}
    assert len(sizes) > 1, "the sample crops should differ in size"
