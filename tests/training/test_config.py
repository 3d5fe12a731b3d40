"""The run configuration: bad values fail at once naming the value; game weights; the
command line maps onto the dataclass."""

from __future__ import annotations

import pytest

from tests.training.helpers import SMOKE, SMOKE_ARGS
from training.cli import build_train_parser, config_from_args
from training.config import SelfPlayConfig, parse_game_weights


@pytest.mark.parametrize("field, value", [
    ("iterations", 0), ("matches_per_iteration", 0), ("lr", 0.0), ("lr", -1e-3),
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
    (["tictactoe@0"], "must be > 0"),
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
