"""Data is a parameter: every trainable method of the book trains on a folder of one's own crops given as
`splits`, and every method it yields is scored there through the one protocol, without the synthetic
benchmark's cache being built or read."""
import pytest

from vehicle_fp import core, data, evaluate, registry, training


@pytest.mark.timeout(1500)
def test_every_method_trains_and_scores_from_a_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("VEHICLE_FP_DATA", str(tmp_path / "data"))    # where a benchmark cache would go: must stay empty
    monkeypatch.setenv("VEHICLE_FP_RUNS", str(tmp_path / "runs"))
    (tmp_path / "data").mkdir()
    counts = dict(normal=16, calibration=8, labelled=8, val=4, test=4)
    splits = data.folder_splits(data.write_example_splits(tmp_path / "crops", size=64, counts=counts), 64)
    core.recipes()                                                    # every chapter's trainers registered
    names = sorted(n for n, t in training.TRAINERS.items() if t.data is not None)
    scored = []
    for name in names:
        model = training.load_or_train(name, "smoke", splits=splits, device="cpu")
        assert model.trained_on.startswith("normal=files-") or "=files-" in model.trained_on, (name, model.trained_on)
        if isinstance(model, evaluate.Method):
            evaluate.score(model, splits, profile="smoke", chapter="folder", table=name, tests=("test",))
            scored.append(name)
    print(f"trained {len(names)}: {', '.join(names)}; scored {len(scored)}: {', '.join(scored)}")
    assert list((tmp_path / "data").iterdir()) == [], "the synthetic benchmark was touched"
    rows = registry.results("smoke", "folder", split="test")
    assert set(rows.table) == set(scored) and len(scored) >= 10
    assert (rows["n_images"] == counts["test"]).all()
