"""The run configuration: bad values fail at once naming the value; game weights; the
command line maps onto the dataclass."""

from __future__ import annotations

import pytest

from tests.training.helpers import SMOKE, SMOKE_ARGS
from training.cli import build_train_parser, config_from_args
from training.config import SelfPlayConfig, parse_game_weights


@pytest.mark.parametrize("field, value", [
    ("iterations", -1), ("matches_per_iteration", 0), ("lr", 0.0), ("lr", -1e-3),
    ("epochs", 0), ("minibatch", 0), ("rae_decay", 1.0), ("opponent_prob", 1.5),
    ("temperature", 0.0), ("eval_every", -1), ("eval_games", -2), ("checkpoint_every", 0),
    ("keep_checkpoints", -1), ("mode", "chat"), ("advantage", "gae"), ("lr_schedule", "step"),
    ("lr_final", 2.0), ("kl_coef", -0.1), ("entropy_coef", -0.1), ("ladder_games", -1),
    ("token_budget", 0), ("clip_eps", 0.0), ("games", []),
])
def test_bad_values_name_the_field_and_value(field, value):
    with pytest.raises(ValueError) as err:
        SelfPlayConfig(**{field: value})
    assert f"{field}={value!r}" in str(err.value)


def test_opponents_needed_for_opponent_prob():
    with pytest.raises(ValueError, match="opponent_prob > 0 needs opponents"):
        SelfPlayConfig(opponent_prob=0.5)
    SelfPlayConfig(opponent_prob=0.5, opponents=["random"])
    SelfPlayConfig(opponent_prob=0.5, pool_every=2)


@pytest.mark.parametrize("games, message", [
    (["kuhn"], "unknown game 'kuhn'"),
    (["kuhn_poker:foo=1"], "'foo'"),
    (["tictactoe@0"], "must be a finite number > 0"),
    (["tictactoe@x"], "must be a number"),
])
def test_bad_games_fail_early(games, message):
    with pytest.raises(ValueError, match=message):
        SelfPlayConfig(games=games)


@pytest.mark.parametrize("entries, expected", [
    (["kuhn_poker"], [("kuhn_poker", 1.0)]),
    (["kuhn_poker", "tictactoe:0.5"], [("kuhn_poker", 1.0), ("tictactoe", 0.5)]),
    (["tictactoe@2"], [("tictactoe", 2.0)]),
    (["tictactoe:3"], [("tictactoe", 3.0)]),
    (["kuhn_poker:hands=5@2"], [("kuhn_poker:hands=5", 2.0)]),
    (["kuhn_poker:hands=5:0.25"], [("kuhn_poker:hands=5", 0.25)]),
    (["kuhn_poker:hands=5"], [("kuhn_poker:hands=5", 1.0)]),
])
def test_parse_game_weights(entries, expected):
    assert parse_game_weights(entries) == expected


@pytest.mark.parametrize("entry", ["tictactoe@0", "tictactoe:0", "tictactoe@-1", "tictactoe@x"])
def test_parse_game_weights_rejects_bad_weights(entry):
    with pytest.raises(ValueError, match="game weight in"):
        parse_game_weights([entry])


def test_command_line_defaults_are_the_dataclass_defaults():
    assert config_from_args(build_train_parser().parse_args([])) == SelfPlayConfig()


def test_command_line_of_the_smoke_run_is_the_smoke_config():
    args = build_train_parser().parse_args([*SMOKE_ARGS, "--model", "m", "--out", "o"])
    assert config_from_args(args) == SelfPlayConfig(model="m", out="o", **SMOKE)


def test_ladder_games_option():
    args = build_train_parser().parse_args(["--ladder-games", "3"])
    assert config_from_args(args).ladder_games == 3


# ----- every numeric option has a range; the command line says which one was wrong ------
@pytest.mark.parametrize("argv, field", [
    (["--minutes", "0"], "minutes"), (["--minutes", "-1"], "minutes"),
    (["--minutes", "nan"], "minutes"), (["--lr", "inf"], "lr"), (["--lr", "nan"], "lr"),
    (["--kl-coef", "inf"], "kl_coef"), (["--pool-size", "0"], "pool_size"),
    (["--pool-every", "-1"], "pool_every"), (["--lora-rank", "-1"], "lora_rank"),
    (["--entropy-coef", "nan"], "entropy_coef"), (["--matches", "0"], "matches_per_iteration"),
    (["--matches", "1000000"], "matches_per_iteration"), (["--minibatch", "10000000"], "minibatch"),
    (["--pref-sims", "1000000"], "pref_sims"), (["--sft-episodes", "1000000"], "sft_episodes"),
    (["--eval-games", "20000"], "eval_games"), (["--pool-size", "1000"], "pool_size"),
])
def test_out_of_range_options_are_one_clear_line(argv, field, capsys, tmp_path):
    from training.cli import train_from_argv

    assert train_from_argv([*argv, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"arena train: error: {field}=")
    assert f"(option {argv[0]})" in err[0]
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("field, value", [
    ("weight_decay", float("inf")), ("grad_clip", 0.0), ("temperature", float("nan")),
    ("invalid_penalty", float("-inf")), ("max_new_tokens", 0), ("seed", -1),
    ("iterations", 2.5), ("eval_every", True), ("clip_eps", float("inf")),
])
def test_more_ranges(field, value):
    with pytest.raises(ValueError, match=f"^{field}="):
        SelfPlayConfig(**{field: value})


# ----- what ends a run ----------------------------------------------------------------------
def test_iteration_limit_follows_the_time_budget():
    assert SelfPlayConfig().iteration_limit() == 40
    assert SelfPlayConfig(minutes=30).iteration_limit() is None  # the budget alone
    assert SelfPlayConfig(minutes=30, iterations=5).iteration_limit() == 5  # whichever first
    assert SelfPlayConfig(iterations=7).iteration_limit() == 7


@pytest.mark.parametrize("iterations, budget_after, ran", [
    (None, 45, 45),  # only --minutes: past the default 40, up to the budget
    (3, 45, 3),  # both: the iteration count came first
    (50, 6, 6),  # both: the budget came first
])
def test_the_loop_ends_at_the_first_of_its_limits(iterations, budget_after, ran, tiny_model,
                                                  tmp_path, monkeypatch):
    import training.loop as loop
    from training.run import TrainingRun

    def fake_iteration(run):
        run.iteration += 1
        return {"iteration": run.iteration}

    monkeypatch.setattr(loop, "train_iteration", fake_iteration)
    monkeypatch.setattr(TrainingRun, "out_of_time", lambda run: run.iteration >= budget_after)
    monkeypatch.setattr(TrainingRun, "save", lambda run: None)
    rows = []
    loop.train(SelfPlayConfig(model=tiny_model, out=str(tmp_path / "run"), minutes=1.0,
                              iterations=iterations, eval_every=0, checkpoint_every=1000),
               on_row=rows.append)
    assert [r["iteration"] for r in rows] == list(range(1, ran + 1))


def test_a_time_budget_without_iterations_keeps_the_learning_rate_constant():
    from training.learner import lr_factor

    config = SelfPlayConfig(minutes=30, lr_schedule="cosine")
    assert lr_factor(config.lr_schedule, 100, config.iteration_limit(), config.lr_final) == 1.0
    assert lr_factor("cosine", 40, 40, 0.1) == pytest.approx(0.1)


def test_an_unknown_warm_start_agent_is_refused_before_anything_is_written(tmp_path):
    from training.config import SelfPlayConfig

    with pytest.raises(ValueError, match="unknown agent 'nosuchagent'"):
        SelfPlayConfig(games=["household"], sft_from="nosuchagent", out=str(tmp_path / "r"))
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("field, most", [
    ("matches_per_iteration", 65_536), ("minibatch", 65_536), ("token_budget", 1_048_576),
    ("max_new_tokens", 32_768), ("eval_games", 10_000), ("ladder_games", 10_000),
    ("pref_sims", 100_000), ("sft_episodes", 100_000), ("pool_size", 64), ("epochs", 100),
])
def test_every_count_has_a_stated_maximum(field, most):
    SelfPlayConfig(**{field: most})
    with pytest.raises(ValueError, match=f"^{field}={most + 1} must be a whole number from "
                                         f"\\d+ to {most}"):
        SelfPlayConfig(**{field: most + 1})
