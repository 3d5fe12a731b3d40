"""A closed-form Kuhn Poker reference over one-hand tables, for tests only.

The game's evaluators use the generic tree walk (:mod:`games.algorithms.exploitability`); this
independent walk over the six deals (1/6 each) is what it is checked against:
:func:`exploitability` is ``(BR_0 + BR_1) / 2`` (0 at a Nash equilibrium, 11/24 for uniform
play) and :func:`value_vs_equilibrium` gives -1/18 as first player for an equilibrium.
Best responses choose one action per information set after summing the counterfactual
values over every deal in it.
"""

from __future__ import annotations

from typing import Mapping

from games.kuhn_poker import KuhnPoker, KuhnState, equilibrium_policy
from games.kuhn_poker.evaluation import (  # the package's own deal list and tree steps
    _DEALS, Table, _actions, _child, table_from_policy, validate_policy,
)

_GAME = KuhnPoker()


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


def _br_nodes(policy: Table, player: int) -> dict[str, list[tuple[KuhnState, float]]]:
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
    """Mean best-response gain against a one-hand table: ``(BR_0 + BR_1) / 2``."""
    return (best_response_value(policy, 0) + best_response_value(policy, 1)) / 2


def value_vs_equilibrium(policy: Mapping[str, float], alpha: float = 0.0) -> dict[str, float]:
    """Expected chips per hand of a table against ``kuhn-nash(alpha)`` as first, as second,
    and the mean."""
    policy = validate_policy(policy)
    nash = table_from_policy(_GAME, equilibrium_policy(alpha), "kuhn-nash")
    first = expected_value(policy, nash)
    second = -expected_value(nash, policy)
    return {"value_as_first": first, "value_as_second": second, "value_mean": (first + second) / 2}
