"""Commands from packages above the arena arrive through the ``arena.commands`` entry points."""

from __future__ import annotations

import sys

import pytest

from arena.cli import commands, main, run_command


def test_training_commands_are_found_without_importing_training(monkeypatch):
    for name in [m for m in sys.modules if m == "training" or m.startswith("training.")]:
        monkeypatch.delitem(sys.modules, name)
    found = commands()
    assert found["train"][:2] == ("training.cli", "train_from_argv")
    assert found["plot"][:2] == ("training.cli", "plot_from_argv")
    assert found["tournament"][0] == "arena.tournament_cli"
    assert "training" not in sys.modules


def test_unknown_command_names_the_installed_ones():
    with pytest.raises(LookupError, match=r"no arena command 'fly'.*train.*plot|plot.*train"):
        run_command("fly", [])


def test_a_found_command_runs_with_its_own_arguments(tmp_path, capsys):
    assert main(["plot", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_play_seats_naming_one_model_share_its_weights(tiny_model, monkeypatch, capsys):
    from agents.llm.model_cache import ModelCache

    loads = []
    real_get = ModelCache.get

    def counting_get(self, key, load):
        def counted():
            loads.append(key)
            return load()
        return real_get(self, key, counted)

    monkeypatch.setattr(ModelCache, "get", counting_get)
    spec = f"llm:model={tiny_model},mode=choice"
    assert main(["play", "kuhn_poker", "--agents", f"{spec},{spec}", "--seed", "1"]) == 0
    assert len(loads) == 1
    assert "returns:" in capsys.readouterr().out
