"""The recipes are the one place settings live: the profile table reads them, the `full` profile holds
together on paper (no training), and every departure from the thesis gives its reason."""
import dataclasses

import pytest

from vehicle_fp import core, synth, training


class Planned:
    "A dataset that is not there yet: only its size and data id (from `synth.plan`)."
    def __init__(self, n:int, data_id:str): self.n, self.data_id = n, data_id
    def __len__(self): return self.n


def test_profiles_table_reads_the_recipe(monkeypatch):
    from vehicle_fp import vae
    setting = vae.VAERecipe.SETTINGS["epochs"]
    monkeypatch.setitem(vae.VAERecipe.SETTINGS, "epochs", dataclasses.replace(setting, demo=setting.demo + 5))
    assert core.profiles_table(["vae"]).loc[("vae", "epochs"), "demo"] == str(setting.demo + 5)
    assert vae.VAERecipe.build("demo", resolve=False).epochs == setting.demo + 5


def test_every_departure_from_the_thesis_says_why():
    core.check_recipes()
    table = core.deviations_table()
    assert len(table) and table["why"].str.len().min() > 10


def test_full_profile_holds_together_on_paper():
    "Every trainer's full recipe builds and fits the full benchmark's planned splits; calibration is never a training role; checkpoint names are unique."
    core.recipes()                                        # every chapter's recipes and trainers registered
    plan = synth.plan("full")
    assert set(plan) == set(synth.SPLITS)
    names = {}
    for name, t in sorted(training.TRAINERS.items()):
        if t.data is not synth.benchmark: continue       # the book's methods: their default data is the benchmark
        R = t.recipe.build("full", resolve=False)
        R.check_splits({role: plan[role][0] for role in t.uses})
        splits = {role: Planned(*plan[role]) for role in t.uses}
        names[core.checkpoint_name(R, splits)] = name
        for role in set(t.uses) & {"normal", "labelled"}:
            assert plan[role][1] != plan["calibration"][1], (name, role)
    assert len(names) == len([t for t in training.TRAINERS.values() if t.data is synth.benchmark])
    assert {"vae", "unet.headline", "multilevel.improved", "ienet.impression", "expertnet", "scoring.utad",
            "baselines.riad", "baselines.patchcore"} <= set(names.values())
