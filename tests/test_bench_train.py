"""scripts/bench_train.py: a short run yields complete, positive figures whose time shares
add up. No speed assertions: speed claims live in the benchmark itself."""

import importlib.util
import json
import math
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_train.py"
RATES = ("rollout_samples_per_s", "rollout_tokens_per_s", "rollout_games_per_s",
         "learner_samples_per_s", "learner_tokens_per_s")
COUNTS = ("iterations", "rollout_s", "learn_s", "games_per_iteration", "samples_per_iteration",
          "trained_samples_per_iteration", "tokens_per_sample", "iteration_s_mean",
          "iteration_s_min", "iteration_s_max")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_train_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CALLS: list[int] = []
"""Iterations the bench ran through training's own train_iteration."""


@pytest.fixture(scope="module")
def figures(bench):
    """One short Kuhn Poker run, its JSON read back (the bench prints it)."""
    import contextlib
    import io

    import training.loop

    real = training.loop.train_iteration

    def counted(run):
        row = real(run)
        CALLS.append(row["iteration"])
        return row

    out = io.StringIO()
    training.loop.train_iteration = counted
    try:
        with contextlib.redirect_stdout(out):
            assert bench.main(["--seconds", "1", "--game", "kuhn_poker", "--matches", "8",
                               "--json", "--search-sims", "0"]) == 0
    finally:
        training.loop.train_iteration = real
    return json.loads(out.getvalue())


def test_train_measures_the_loops_own_iteration(figures):
    """No copy of the loop body: every iteration is training.loop.train_iteration, one
    warm-up then the measured ones."""
    assert CALLS == list(range(1, figures["rows"]["kuhn_poker/choice"]["iterations"] + 2))


def test_train_json_has_every_figure(figures):
    assert figures["benchmark"] == "train"
    assert figures["matches_per_iteration"] == 8 and figures["parameters"] > 0
    assert set(figures["rows"]) == {"kuhn_poker/choice"}
    row = figures["rows"]["kuhn_poker/choice"]
    for key in RATES + COUNTS:
        assert row[key] > 0, (key, row[key])
    assert row["games_per_iteration"] == 8
    assert row["iteration_s_min"] <= row["iteration_s_mean"] <= row["iteration_s_max"]
    assert 0 < row["rollout_share_pct"] < 100 and 0 < row["learn_share_pct"] < 100
    assert math.isclose(row["rollout_share_pct"] + row["learn_share_pct"], 100.0, abs_tol=0.01)
    assert math.isclose(row["rollout_share_pct"],
                        100 * row["rollout_s"] / (row["rollout_s"] + row["learn_s"]))


def test_train_table_names_every_figure(bench, figures, capsys):
    bench._print(figures, as_json=False)
    out = capsys.readouterr().out
    for text in ("kuhn_poker/choice", "rollout samples/s", "learner tokens/s",
                 "rollouts % of iteration", "learning % of iteration"):
        assert text in out


@pytest.mark.parametrize("args, message", [
    (["--game", "kuhn"], "unknown game 'kuhn'"),
    (["--seconds", "0"], "seconds=0.0 must be > 0"),
    (["--matches", "0"], "matches=0 >= 1"),
])
def test_train_refuses_bad_arguments_before_loading(bench, capsys, args, message):
    assert bench.main(args) == 2
    assert message in capsys.readouterr().err


def test_search_rows_give_pairs_shares_and_the_batched_speed_up(bench, capsys):
    """With the search on: pairs, the search's share and the priors' two speeds."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert bench.main(["--seconds", "1", "--game", "tictactoe", "--matches", "8", "--json",
                           "--search-sims", "8", "--pref-prob", "0.5"]) == 0
    row = json.loads(out.getvalue())["search_rows"]["tictactoe/choice+search"]
    assert row["search_sims"] == 8 and row["pref_prob"] == 0.5
    for key in ("pairs_per_iteration", "pairs_per_s", "priors_per_s_batched",
                "priors_per_s_single", "prior_batch_size"):
        assert row[key] > 0, key
    assert 0 < row["search_share_pct"] < 100
    assert math.isclose(row["batched_speedup"],
                        row["priors_per_s_batched"] / row["priors_per_s_single"])
    assert row["prior_batch_size"] > 1  # lock step: many observations per call
    assert bench.main(["--search-sims", "-1"]) == 2
