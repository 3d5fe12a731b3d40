"""Exact Kuhn Poker evaluation on one-hand tables: known values, OpenSpiel as an oracle,
policy files; the game's declared evaluators on batched policies (every ``hands``)."""

from __future__ import annotations

import json
import random

import pytest

import games
from games.algorithms import evaluators_of
from games.algorithms.evaluation import PolicyUnavailable
from games.kuhn_poker import equilibrium_policy
from games.kuhn_poker.evaluation import INFOSETS, load_policy_file, table_from_policy, table_policy
from tests.games.kuhn_reference import (
    best_response_value,
    expected_value,
    exploitability,
    value_vs_equilibrium,
)

UNIFORM = {k: 0.5 for k in INFOSETS}
ALPHAS = [0.0, 0.05, 0.2, 0.3, 1 / 3]
GAME = games.make("kuhn_poker")


def random_policies(n=20, seed=1234):
    rng = random.Random(seed)
    return [{k: rng.random() for k in INFOSETS} for _ in range(n)]


def nash_table(alpha):
    return table_from_policy(GAME, equilibrium_policy(alpha), "kuhn-nash")


def test_the_twelve_information_sets():
    assert len(set(INFOSETS)) == 12
    assert {"K:", "Q:check,bet", "J:bet", "J:check"} <= set(INFOSETS)


def test_uniform_random_is_eleven_twentyfourths_exploitable():
    assert abs(exploitability(UNIFORM) - 11 / 24) < 1e-12
    assert table_from_policy(GAME, table_policy(UNIFORM)) == UNIFORM


@pytest.mark.parametrize("alpha", ALPHAS)
def test_equilibria_are_unexploitable_and_worth_minus_one_eighteenth(alpha):
    nash = nash_table(alpha)
    assert abs(exploitability(nash)) < 1e-12
    assert abs(best_response_value(nash, 0) + 1 / 18) < 1e-12
    assert abs(best_response_value(nash, 1) - 1 / 18) < 1e-12
    assert abs(expected_value(nash, nash) + 1 / 18) < 1e-12
    values = value_vs_equilibrium(nash, alpha=0.1)
    assert abs(values["value_as_first"] + 1 / 18) < 1e-12
    assert abs(values["value_as_second"] - 1 / 18) < 1e-12
    assert abs(values["value_mean"]) < 1e-12


def test_always_bet_and_call_by_hand():
    """Against a player who always bets and calls:

    - as second player, J folds (-1), K calls (+2), and Q calls too: it cannot tell
      J from K, and calling is worth (+2 - 2) / 2 = 0 > -1; deals (p0, p1):
      JQ +2, JK +2, QJ -1, QK +2, KJ -1, KQ -2, so 2/6 = 1/3;
    - as first player, J checks and folds (-1), Q is worth 0 by betting, K bets (+2),
      so 1/3; exploitability (1/3 + 1/3) / 2 = 1/3."""
    always = {k: 1.0 for k in INFOSETS}
    assert abs(best_response_value(always, 1) - 1 / 3) < 1e-12
    assert abs(best_response_value(always, 0) - 1 / 3) < 1e-12
    assert abs(exploitability(always) - 1 / 3) < 1e-12


def test_values_against_equilibrium_of_uniform_play():
    v = value_vs_equilibrium(UNIFORM, alpha=0.0)
    assert set(v) == {"value_as_first", "value_as_second", "value_mean"}
    assert abs(v["value_mean"] - (v["value_as_first"] + v["value_as_second"]) / 2) < 1e-15
    assert v["value_as_first"] < -1 / 18 and v["value_as_second"] < 1 / 18


# ----- the game's evaluators on batched policies --------------------------------------
def test_kuhn_declares_exploitability_and_value_vs_equilibrium():
    for hands in (1, 3):
        game = games.make("kuhn_poker", hands=hands)
        assert [e.name for e in game.evaluators()] == ["value_vs_equilibrium"]
        names = [e.name for e in evaluators_of(game)]
        assert names == ["exploitability", "value_vs_equilibrium"]


@pytest.mark.parametrize("table", random_policies(10, seed=5) + [UNIFORM])
def test_value_vs_equilibrium_evaluator_matches_the_tables(table):
    (evaluator,) = [e for e in evaluators_of(games.make("kuhn_poker"))
                    if e.name == "value_vs_equilibrium"]
    got = evaluator(games.make("kuhn_poker"), table_policy(table))
    want = value_vs_equilibrium(table)
    assert got["value_vs_equilibrium/as_first"] == pytest.approx(want["value_as_first"],
                                                                 abs=1e-12)
    assert got["value_vs_equilibrium/as_second"] == pytest.approx(want["value_as_second"],
                                                                  abs=1e-12)
    assert got["value_vs_equilibrium"] == pytest.approx(want["value_mean"], abs=1e-12)


@pytest.mark.parametrize("hands", [1, 2, 3])
def test_equilibrium_is_worth_nothing_per_hand_against_itself(hands):
    """Seat 0 acts first in odd hands: -1/18 then +1/18 per hand, so the per-hand value
    as seat 0 is -1/18 for an odd match of one hand and averages out over the seats."""
    game = games.make("kuhn_poker", hands=hands)
    (evaluator,) = [e for e in game.evaluators() if e.name == "value_vs_equilibrium"]
    got = evaluator(game, equilibrium_policy(0.2))
    first = (-1 / 18) * ((hands + 1) // 2 - hands // 2) / hands
    assert got["value_vs_equilibrium/as_first"] == pytest.approx(first, abs=1e-12)
    assert got["value_vs_equilibrium"] == pytest.approx(0.0, abs=1e-12)


def test_evaluators_refuse_a_policy_that_states_nothing():
    game = games.make("kuhn_poker")
    for evaluator in evaluators_of(game):
        with pytest.raises(PolicyUnavailable, match="cannot state them"):
            evaluator(game, lambda observations: [None] * len(observations))


# ----- OpenSpiel as an oracle -------------------------------------------------------
def _openspiel_key_to_ours(key: str) -> str:
    """OpenSpiel's '<card digit><p|b history>' (0=J) -> our '<card>:<history>'."""
    words, facing_bet = [], False
    for ch in key[1:]:
        if ch == "p":
            words.append("fold" if facing_bet else "check")
        else:
            words.append("call" if facing_bet else "bet")
            facing_bet = True
    return f"{'JQK'[int(key[0])]}:{','.join(words)}"


def _tabular(game, policy):
    from open_spiel.python import policy as os_policy

    tab = os_policy.TabularPolicy(game)
    assert set(map(_openspiel_key_to_ours, tab.state_lookup)) == set(INFOSETS)
    for key, row in tab.state_lookup.items():
        p = policy[_openspiel_key_to_ours(key)]
        tab.action_probability_array[row] = [1.0 - p, p]  # action 0 pass, 1 bet
    return tab


def test_agrees_with_openspiel():
    pyspiel = pytest.importorskip("pyspiel")
    from open_spiel.python.algorithms import expected_game_score
    from open_spiel.python.algorithms import exploitability as os_exploitability

    game = pyspiel.load_game("kuhn_poker")
    rng = random.Random(7)
    extremes = [{k: float(rng.random() < 0.5) for k in INFOSETS} for _ in range(5)]
    nash = nash_table(0.2)
    for pol in random_policies() + extremes + [UNIFORM, nash]:
        tab = _tabular(game, pol)
        assert abs(exploitability(pol) - os_exploitability.exploitability(game, tab)) < 1e-9
        other = _tabular(game, nash)
        theirs = expected_game_score.policy_value(game.new_initial_state(), [tab, other])
        assert abs(expected_value(pol, nash) - theirs[0]) < 1e-9


# ----- policy files -----------------------------------------------------------------
def test_load_policy_file(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(UNIFORM))
    assert load_policy_file(good) == UNIFORM
    partial = dict(UNIFORM)
    del partial["K:"]
    partial["K:raise"] = 0.5
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(partial))
    with pytest.raises(ValueError, match=r"missing: 'K:'; unknown: 'K:raise'"):
        load_policy_file(bad)
    out_of_range = tmp_path / "range.json"
    out_of_range.write_text(json.dumps({**UNIFORM, "Q:bet": 1.5}))
    with pytest.raises(ValueError, match=r"\['Q:bet'\] = 1.5 must be a probability in \[0, 1\]"):
        load_policy_file(out_of_range)
    not_json = tmp_path / "x.json"
    not_json.write_text("{oops")
    with pytest.raises(ValueError, match="is not valid JSON"):
        load_policy_file(not_json)
    listed = tmp_path / "list.json"
    listed.write_text("[0.5]")
    with pytest.raises(ValueError, match="must map information sets"):
        load_policy_file(listed)
    with pytest.raises(ValueError, match="does not exist"):
        load_policy_file(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="must be a probability"):
        exploitability({**UNIFORM, "J:": "0.5"})


def test_a_policy_file_plays_every_hand_of_a_match(tmp_path):
    """A table read from a file is a batched policy for any match length; a per-hand
    equilibrium table stays unexploitable over three hands."""
    path = tmp_path / "nash.json"
    path.write_text(json.dumps(nash_table(1 / 3)))
    game = games.make("kuhn_poker", hands=3)
    (evaluator,) = [e for e in evaluators_of(game) if e.name == "exploitability"]
    result = evaluator(game, game.load_policy(path))
    assert abs(result["exploitability"]) < 1e-12
    path.write_text(json.dumps({"K:": 1.0}))
    with pytest.raises(ValueError, match="must have exactly the 12 Kuhn Poker information sets"):
        game.load_policy(path)
