"""Exact evaluation of a Kuhn Poker policy: exploitability and value against equilibrium.

A policy here is one behaviour for both seats, written as ``{info set: probability of the
aggressive action}`` over the 12 information sets of a single hand (:data:`INFOSETS`):

- ``"<card>:"`` and ``"<card>:check,bet"``: the first player (bet / call),
- ``"<card>:bet"`` and ``"<card>:check"``: the second player (call / bet),

with ``<card>`` one of J, Q, K: the keys are the game's own information-state strings.

- :func:`exploitability`: the mean of the two best-response gains against the policy,
  ``(BR_0 + BR_1) / 2`` (the game is zero-sum, so the on-policy values cancel). It is 0
  exactly at a Nash equilibrium; uniform random play gives 11/24.
- :func:`value_vs_equilibrium`: expected chips per hand against ``kuhn-nash(alpha)`` in each
  seat (an equilibrium policy gets -1/18 as first player, +1/18 as second).
- :func:`policy_from_agent` asks an agent's ``policy(obs)`` at each information set, using
  observations of real game states; :func:`load_policy_file` reads the JSON form.

Everything is computed by walking the game tree over the six deals (1/6 each) with the
game's own states; best responses choose one action per information set, after summing
the counterfactual values over every deal in it.
"""

from __future__ import annotations

import json
import math
from itertools import permutations
from pathlib import Path
from typing import Any, Mapping

from agents import Agent, make_agent
from agents.kuhn_nash import KuhnNashAgent
from games.kuhn_poker import CARDS, KuhnPoker, KuhnState

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

Policy = dict[str, float]
"""Information-state string -> probability of the aggressive action (bet or call)."""

_HISTORIES = ("", "check,bet", "bet", "check")
INFOSETS: tuple[str, ...] = tuple(f"{c}:{h}" for h in _HISTORIES for c in CARDS)
"""The 12 information sets of one hand."""

_GAME = KuhnPoker()
_DEALS = tuple("".join(p) for p in permutations(CARDS, 2))
_AGGRESSIVE = ("[bet]", "[call]")


def _actions(state: KuhnState) -> tuple[str, str]:
    """(passive, aggressive) action at a decision state."""
    passive, aggressive = state.legal_actions(state.current_players()[0])
    return passive, aggressive


def _child(state: KuhnState, action: str) -> KuhnState:
    s = state.clone()
    s.apply(s.current_players()[0], action)
    return s


# ----- policies ---------------------------------------------------------------------
def validate_policy(policy: Mapping[str, Any], source: str = "policy") -> Policy:
    """Check keys and values; return a plain ``{key: float}`` copy."""
    if not isinstance(policy, Mapping):
        raise ValueError(
            f"{source} must map information sets to probabilities, got {type(policy).__name__}"
        )
    missing = [k for k in INFOSETS if k not in policy]
    unknown = sorted(k for k in policy if k not in INFOSETS)
    if missing or unknown:
        raise ValueError(
            f"{source} must have exactly the 12 Kuhn Poker information sets "
            f"({', '.join(map(repr, INFOSETS))}); missing: {', '.join(map(repr, missing)) or 'none'}; "
            f"unknown: {', '.join(map(repr, unknown)) or 'none'}"
        )
    out: Policy = {}
    for key in INFOSETS:
        value = policy[key]
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not (0.0 <= value <= 1.0) or math.isnan(value):
            raise ValueError(
                f"{source}[{key!r}] = {value!r} must be a probability in [0, 1] "
                "(of betting or calling)"
            )
        out[key] = float(value)
    return out


def load_policy_file(path: str | Path) -> Policy:
    """Read a JSON object ``{"K:": 1.0, "Q:check,bet": 0.33, ...}`` with all 12 keys."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as err:
        raise ValueError(f"policy file {str(path)!r} does not exist") from err
    except json.JSONDecodeError as err:
        raise ValueError(f"policy file {str(path)!r} is not valid JSON: {err}") from err
    return validate_policy(data, source=f"policy file {str(path)!r}")


def _decision_states() -> dict[str, KuhnState]:
    """One real state per information set (the first deal that reaches it)."""
    found: dict[str, KuhnState] = {}
    stack = [_GAME.deal_state(d) for d in _DEALS]
    while stack:
        state = stack.pop()
        if state.is_terminal():
            continue
        actor = state.current_players()[0]
        found.setdefault(state.information_state(actor), state)
        stack.extend(_child(state, a) for a in _actions(state))
    return found


def policy_from_agent(agent: Agent) -> Policy:
    """Ask ``agent.policy(obs)`` at each of the 12 information sets."""
    states = _decision_states()
    policy: Policy = {}
    for key in INFOSETS:
        state = states[key]
        obs = state.observation(state.current_players()[0])
        dist = agent.policy(obs)
        name = getattr(agent, "name", type(agent).__name__)
        if dist is None:
            raise ValueError(
                f"agent {name!r} cannot state its action probabilities; exact evaluation "
                "needs an agent whose policy(obs) returns them (kuhn-nash, random, an llm "
                "in choice mode) or a --policy FILE.json"
            )
        passive, aggressive = _actions(state)
        stray = sorted(set(dist) - {passive, aggressive})
        total = sum(dist.values())
        if stray or total <= 0 or any(p < 0 for p in dist.values()):
            raise ValueError(
                f"agent {name!r} returned {dist!r} at {key!r}: expected non-negative "
                f"probabilities over {passive} and {aggressive}"
            )
        policy[key] = dist.get(aggressive, 0.0) / total
    return policy


# ----- tree walks -------------------------------------------------------------------
def expected_value(policy0: Mapping[str, float], policy1: Mapping[str, float]) -> float:
    """Expected chips of player 0 when player 0 plays ``policy0`` and player 1 ``policy1``."""
    pols = (policy0, policy1)

    def walk(state: KuhnState) -> float:
        if state.is_terminal():
            return state.returns()[0]
        actor = state.current_players()[0]
        p = pols[actor][state.information_state(actor)]
        passive, aggressive = _actions(state)
        return (1 - p) * walk(_child(state, passive)) + p * walk(_child(state, aggressive))

    return sum(walk(_GAME.deal_state(d)) for d in _DEALS) / len(_DEALS)


def _br_nodes(policy: Policy, player: int) -> dict[str, list[tuple[KuhnState, float]]]:
    """``player``'s information sets -> their states, each with chance x opponent reach."""
    nodes: dict[str, list[tuple[KuhnState, float]]] = {}
    stack = [(_GAME.deal_state(d), 1.0 / len(_DEALS)) for d in _DEALS]
    while stack:
        state, reach = stack.pop()
        if state.is_terminal():
            continue
        actor = state.current_players()[0]
        passive, aggressive = _actions(state)
        key = state.information_state(actor)
        if actor == player:
            nodes.setdefault(key, []).append((state, reach))
            stack += [(_child(state, passive), reach), (_child(state, aggressive), reach)]
        else:
            p = policy[key]
            stack += [(_child(state, passive), reach * (1 - p)), (_child(state, aggressive), reach * p)]
    return nodes


def best_response_value(policy: Mapping[str, float], player: int) -> float:
    """Expected chips of a best response in seat ``player`` against ``policy`` in the other."""
    if player not in (0, 1):
        raise ValueError(f"player must be 0 or 1, got {player!r}")
    policy = validate_policy(policy)
    nodes = _br_nodes(policy, player)
    choice: dict[str, str] = {}

    def walk(state: KuhnState) -> float:
        if state.is_terminal():
            return state.returns()[player]
        actor = state.current_players()[0]
        key = state.information_state(actor)
        if actor == player:
            return walk(_child(state, choice[key]))
        p = policy[key]
        passive, aggressive = _actions(state)
        return (1 - p) * walk(_child(state, passive)) + p * walk(_child(state, aggressive))

    # Deepest information sets first: their choices are fixed before shallower ones use them.
    for key in sorted(nodes, key=lambda k: -len(k.split(":", 1)[1])):
        actions = _actions(nodes[key][0][0])
        values = [sum(r * walk(_child(s, a)) for s, r in nodes[key]) for a in actions]
        choice[key] = actions[values.index(max(values))]
    return sum(walk(_GAME.deal_state(d)) for d in _DEALS) / len(_DEALS)


def exploitability(policy: Mapping[str, float]) -> float:
    """Mean best-response gain against ``policy``: ``(BR_0 + BR_1) / 2``; 0 at equilibrium."""
    return (best_response_value(policy, 0) + best_response_value(policy, 1)) / 2


def value_vs_equilibrium(policy: Mapping[str, float], alpha: float = 0.0) -> dict[str, float]:
    """Expected chips per hand against ``kuhn-nash(alpha)`` as first, as second, and the mean."""
    policy = validate_policy(policy)
    nash = policy_from_agent(KuhnNashAgent(alpha=alpha))
    first = expected_value(policy, nash)
    second = -expected_value(nash, policy)
    return {"value_as_first": first, "value_as_second": second, "value_mean": (first + second) / 2}


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
