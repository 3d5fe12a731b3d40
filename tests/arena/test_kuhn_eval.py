"""Exact Kuhn Poker evaluation: known values, OpenSpiel as an oracle, policy files."""

from __future__ import annotations

import json
import random

import pytest

from agents import Agent, make_agent
from agents.kuhn_nash import KuhnNashAgent
from arena.kuhn_eval import (
    INFOSETS,
    best_response_value,
    evaluate_kuhn,
    expected_value,
    exploitability,
    load_policy_file,
    policy_from_agent,
    value_vs_equilibrium,
)

UNIFORM = {k: 0.5 for k in INFOSETS}
ALPHAS = [0.0, 0.05, 0.2, 0.3, 1 / 3]


def random_policies(n=20, seed=1234):
    rng = random.Random(seed)
    return [{k: rng.random() for k in INFOSETS} for _ in range(n)]


def test_the_twelve_information_sets():
    assert len(set(INFOSETS)) == 12
    assert {"K:", "Q:check,bet", "J:bet", "J:check"} <= set(INFOSETS)


def test_uniform_random_is_eleven_twentyfourths_exploitable():
    assert abs(exploitability(UNIFORM) - 11 / 24) < 1e-12
    assert policy_from_agent(make_agent("random")) == UNIFORM
    assert abs(evaluate_kuhn(agent="random")["exploitability"] - 11 / 24) < 1e-12


@pytest.mark.parametrize("alpha", ALPHAS)
def test_equilibria_are_unexploitable_and_worth_minus_one_eighteenth(alpha):
    nash = policy_from_agent(KuhnNashAgent(alpha=alpha))
    assert abs(exploitability(nash)) < 1e-12
    assert abs(best_response_value(nash, 0) + 1 / 18) < 1e-12
    assert abs(best_response_value(nash, 1) - 1 / 18) < 1e-12
    assert abs(expected_value(nash, nash) + 1 / 18) < 1e-12
    result = evaluate_kuhn(agent=KuhnNashAgent(alpha=alpha), alpha=0.1)
    assert abs(result["exploitability"]) < 1e-12
    assert abs(result["value_as_first"] + 1 / 18) < 1e-12
    assert abs(result["value_as_second"] - 1 / 18) < 1e-12
    assert abs(result["value_mean"]) < 1e-12
    assert result["policy"] == nash


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
    nash = policy_from_agent(KuhnNashAgent(alpha=0.2))
    for pol in random_policies() + extremes + [UNIFORM, nash]:
        tab = _tabular(game, pol)
        assert abs(exploitability(pol) - os_exploitability.exploitability(game, tab)) < 1e-9
        other = _tabular(game, nash)
        theirs = expected_game_score.policy_value(game.new_initial_state(), [tab, other])
        assert abs(expected_value(pol, nash) - theirs[0]) < 1e-9


# ----- agents and files -------------------------------------------------------------
class _Opaque(Agent):
    name = "opaque"


class _Broken(Agent):
    name = "broken"

    def policy(self, obs):
        return {"[raise]": 1.0}


def test_policy_from_agent_errors():
    with pytest.raises(ValueError, match="agent 'opaque' cannot state its action probabilities; exact evaluation needs"):
        policy_from_agent(_Opaque())
    with pytest.raises(ValueError, match="expected non-negative probabilities over"):
        policy_from_agent(_Broken())


def test_evaluate_kuhn_arguments():
    with pytest.raises(ValueError, match="exactly one of"):
        evaluate_kuhn()
    with pytest.raises(ValueError, match="exactly one of"):
        evaluate_kuhn(agent="random", policy=UNIFORM)
    result = evaluate_kuhn(policy=UNIFORM)
    assert set(result) == {"exploitability", "value_as_first", "value_as_second", "value_mean", "policy"}
    json.dumps(result)  # the CLI prints it as JSON


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
