"""Exact evaluation of a Kuhn Poker agent: a thin wrapper over
:mod:`games.kuhn_poker.evaluation`, kept for the current callers (``arena eval``,
training's evaluation, the demo) until they loop over ``game.evaluators()``.

:func:`policy_from_agent` asks an agent's ``policy_batch`` at the 12 information sets of
one hand; :func:`evaluate_kuhn` returns exploitability and the value against the
equilibrium of an agent (or spec) or a one-hand table.
"""

from __future__ import annotations

from typing import Any, Mapping

from agents import Agent, make_agent
from games.kuhn_poker.evaluation import (
    INFOSETS,
    Table,
    best_response_value,
    expected_value,
    exploitability,
    load_policy_file,
    table_from_policy,
    validate_policy,
    value_vs_equilibrium,
)

__all__ = [
    "Policy",
    "INFOSETS",
    "policy_from_agent",
    "load_policy_file",
    "validate_policy",
    "exploitability",
    "best_response_value",
    "expected_value",
    "value_vs_equilibrium",
    "evaluate_kuhn",
]

Policy = Table
"""Information-state string -> probability of the aggressive action (bet or call)."""


def policy_from_agent(agent: Agent) -> Table:
    """Ask ``agent.policy_batch`` at each of the 12 information sets."""
    return table_from_policy(agent.policy_batch, getattr(agent, "name", type(agent).__name__))


def evaluate_kuhn(
    agent: Agent | str | None = None,
    policy: Mapping[str, float] | None = None,
    alpha: float = 0.0,
) -> dict[str, Any]:
    """Exploitability and value against equilibrium of an agent (or spec) or a policy."""
    if (agent is None) == (policy is None):
        raise ValueError("evaluate_kuhn needs exactly one of agent= (an Agent or spec) or policy=")
    if agent is not None:
        policy = policy_from_agent(make_agent(agent) if isinstance(agent, str) else agent)
    policy = validate_policy(policy)
    result: dict[str, Any] = {"exploitability": exploitability(policy)}
    result.update(value_vs_equilibrium(policy, alpha))
    result["policy"] = dict(policy)
    return result
