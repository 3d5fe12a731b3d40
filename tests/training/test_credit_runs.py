"""Turn-level credit in whole runs: each estimator resumes bit for bit, ``--init-from``
starts from another run's weights, ``--keep-best`` keeps the best evaluation's model."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from training.config import SelfPlayConfig
from training.loop import train

TIMING = {"elapsed_s", "rollout_s", "learn_s", "games_per_s", "tokens_per_s", "search_s",
          "search_share"}
BASE = dict(games=["kuhn_poker:view=compact"], prompt="bare", matches_per_iteration=8,
            group_size=4, lr=1e-2, lr_schedule="constant", eval_every=0, checkpoint_every=1,
            pref_sims=8, pref_prob=0.5, seed=1)


def _weights(folder) -> dict[str, torch.Tensor]:
    return load_file(str(folder / "model.safetensors"))


def _rows(run) -> list[dict]:
    return [{k: v for k, v in json.loads(line).items() if k not in TIMING}
            for line in (run / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("advantage, credit", [
    ("group", "groups"), ("rae", "search"), ("group", "critic")])
def test_each_estimator_resumes_bit_for_bit(advantage, credit, tiny_model, tmp_path):
    kw = dict(BASE, model=tiny_model, advantage=advantage, step_credit=credit)
    straight = train(SelfPlayConfig(out=str(tmp_path / "a"), iterations=3, **kw))
    train(SelfPlayConfig(out=str(tmp_path / "b"), iterations=2, **kw))
    resumed = train(SelfPlayConfig(out=str(tmp_path / "b"), iterations=3, **kw))
    wa, wb = _weights(straight / "checkpoint-3"), _weights(resumed / "checkpoint-3")
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert _rows(straight) == _rows(resumed)
    rows = _rows(straight)
    assert all(0.0 <= r["credit/group_share"] <= 1.0 for r in rows)
    assert all("credit/step_std/kuhn_poker/first" in r for r in rows)
    if credit == "critic":
        assert all("critic/loss" in r and "critic/explained_variance" in r for r in rows)
        from training.checkpoint import load_trainer_state

        a = load_trainer_state(straight / "checkpoint-3")["critic"]["head"]
        b = load_trainer_state(resumed / "checkpoint-3")["critic"]["head"]
        assert torch.equal(a["weight"], b["weight"]) and a["weight"].abs().sum() > 0
    if credit == "groups":  # the same deal four times: the first decisions meet
        assert all(r["credit/group_share"] > 0.3 for r in rows)


def test_step_credit_changes_the_advantages_and_none_is_rae(tiny_model, tmp_path):
    kw = dict(BASE, model=tiny_model, iterations=1)
    rae = train(SelfPlayConfig(out=str(tmp_path / "rae"), **kw))
    none = train(SelfPlayConfig(out=str(tmp_path / "none"), step_credit="none", **kw))
    groups = train(SelfPlayConfig(out=str(tmp_path / "g"), step_credit="groups", **kw))
    assert _rows(rae) == _rows(none)
    w = {name: _weights(run / "checkpoint-1") for name, run in
         (("rae", rae), ("none", none), ("groups", groups))}
    assert all(torch.equal(w["rae"][k], w["none"][k]) for k in w["rae"])
    assert any(not torch.equal(w["rae"][k], w["groups"][k]) for k in w["rae"])


def test_init_from_starts_from_the_checkpoints_weights(tiny_model, tmp_path):
    warm = train(SelfPlayConfig(model=tiny_model, out=str(tmp_path / "warm"), iterations=2,
                                **{**BASE, "eval_every": 1}))
    evaluated = {r["iteration"]: r for r in _rows(warm)}
    key = "eval/kuhn_poker:view=compact/exploitability"
    run = train(SelfPlayConfig(model=tiny_model, out=str(tmp_path / "arm"), iterations=1,
                               init_from=str(warm / "checkpoint-2"), **{**BASE, "eval_every": 1}))
    rows = _rows(run)
    assert rows[0]["iteration"] == 0 and rows[0][key] == evaluated[2][key]
    assert rows[0][key] != evaluated[0][key]


def test_iterations_zero_saves_the_warm_start_as_checkpoint_0(tiny_model, tmp_path):
    run = train(SelfPlayConfig(model=tiny_model, out=str(tmp_path / "w"), iterations=0,
                               games=["tictactoe:view=compact"], prompt="bare",
                               sft_from="expert", sft_episodes=4, sft_epochs=1, eval_every=0))
    assert (run / "checkpoint-0" / "model.safetensors").is_file()
    start = _weights_of(tiny_model)
    after = _weights(run / "checkpoint-0")
    assert any(not torch.equal(start[k], after[k]) for k in start)


def _weights_of(model_dir: str) -> dict[str, torch.Tensor]:
    from pathlib import Path

    return load_file(str(Path(model_dir) / "model.safetensors"))


def test_keep_best_keeps_the_best_evaluation(tiny_model, tmp_path):
    key = "eval/kuhn_poker:view=compact/exploitability"
    run = train(SelfPlayConfig(model=tiny_model, out=str(tmp_path / "r"), iterations=4,
                               keep_best=f"min:{key}", keep_checkpoints=0,
                               **{**BASE, "eval_every": 1, "lr": 5e-2}))
    rows = _rows(run)
    best_row = min(rows, key=lambda r: (r[key], r["iteration"]))
    best = json.loads((run / "best" / "best.json").read_text())
    assert best == {"iteration": best_row["iteration"], "value": best_row[key], "metric": key}
    assert rows[-1]["best/value"] == best_row[key]
    kept = _weights(run / "best")
    if best_row["iteration"]:
        same = _weights(run / f"checkpoint-{best_row['iteration']}")
    else:
        same = _weights_of(tiny_model)
    assert all(torch.equal(kept[k], same[k]) for k in kept)


def test_keep_best_names_an_unknown_metric(tiny_model, tmp_path):
    with pytest.raises(ValueError, match="did you mean 'eval/kuhn_poker:view=compact/"
                                         "exploitability'"):
        train(SelfPlayConfig(model=tiny_model, out=str(tmp_path / "r"), iterations=1,
                             keep_best="min:eval/kuhn_poker/exploitability",
                             **{**BASE, "eval_every": 1}))


def test_a_best_model_moved_aside_by_a_kill_is_put_back(tmp_path):
    from training.loop import _restore_best

    (tmp_path / ".best.old").mkdir()
    (tmp_path / ".best.old" / "best.json").write_text("{}")
    _restore_best(tmp_path)
    assert (tmp_path / "best" / "best.json").is_file() and not (tmp_path / ".best.old").exists()
    (tmp_path / ".best.old").mkdir()  # with best/ in place, an old copy is left alone
    _restore_best(tmp_path)
    assert (tmp_path / ".best.old").is_dir()


@pytest.mark.parametrize("text", ["{not json", '{"metric": "eval/x"}', '{"metric": "eval/x", '
                                  '"value": 0.5, "iteration": 3}'])
def test_the_closing_best_line_survives_a_damaged_best_json(text, tmp_path):
    from rich.console import Console

    from training.cli import _say_best

    (tmp_path / "best").mkdir()
    (tmp_path / "best" / "best.json").write_text(text)
    (tmp_path / "metrics.jsonl").write_text('{"iteration": 1}\n')
    console = Console(record=True, width=200)
    _say_best(console, "eval/x", tmp_path)
    said = console.export_text()
    assert said == ("" if "iteration" not in text else
                    f"best eval/x: 0.5 at iteration 3 (model in {tmp_path / 'best'}); the last "
                    "evaluation: none\n")
