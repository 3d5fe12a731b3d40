"""Kuhn Poker evaluation of agents (the arena wrapper): tables asked of agents, the
combined result, errors naming the agent. Exact values: tests/games/test_kuhn_poker_evaluation.py
and tests/games/test_exploitability.py."""

from __future__ import annotations

import json

import pytest

from agents import Agent, make_agent
from agents.kuhn_nash import KuhnNashAgent
from arena.kuhn_eval import INFOSETS, evaluate_kuhn, policy_from_agent

UNIFORM = {k: 0.5 for k in INFOSETS}


def test_uniform_random_agent_is_eleven_twentyfourths_exploitable():
    assert policy_from_agent(make_agent("random")) == UNIFORM
    assert abs(evaluate_kuhn(agent="random")["exploitability"] - 11 / 24) < 1e-12


@pytest.mark.parametrize("alpha", [0.0, 0.2, 1 / 3])
def test_equilibrium_agents(alpha):
    result = evaluate_kuhn(agent=KuhnNashAgent(alpha=alpha), alpha=0.1)
    assert abs(result["exploitability"]) < 1e-12
    assert abs(result["value_as_first"] + 1 / 18) < 1e-12
    assert abs(result["value_as_second"] - 1 / 18) < 1e-12
    assert abs(result["value_mean"]) < 1e-12
    assert result["policy"] == policy_from_agent(KuhnNashAgent(alpha=alpha))


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
