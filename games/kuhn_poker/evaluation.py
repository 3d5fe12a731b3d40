"""Exact evaluation of Kuhn Poker policies.

Two views of a policy:

- a batched policy (:data:`games.algorithms.evaluation.Policy`, e.g. ``agent.policy_batch``): what
  the game's evaluators take. ``exploitability`` is the generic tree walk
  (:mod:`games.algorithms.exploitability`, every ``hands``); :data:`VALUE_VS_EQUILIBRIUM` plays the
  policy against the equilibrium family (:mod:`games.kuhn_poker.expert`) in each seat.
- a *table* of one hand, ``{info set: probability of the aggressive action}`` over the 12
  information sets (:data:`INFOSETS`): ``"<card>:"`` and ``"<card>:check,bet"`` for the
  first player (bet / call), ``"<card>:bet"`` and ``"<card>:check"`` for the second
  (call / bet). Policy files (``arena eval --policy FILE.json``) hold this form;
  :func:`table_policy` turns a table into a batched policy (each hand of a match played
  from the table). A closed-form walk over tables lives with the tests
  (``tests/games/kuhn_reference.py``): the generic walk is checked against it.
"""

from __future__ import annotations

import json
import math
from itertools import permutations
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from games.algorithms.evaluation import Evaluator, Policy, PolicyUnavailable
from games.algorithms.exploitability import build_tree, tree_values
from games.kuhn_poker.betting import CARDS, LEGAL
from games.kuhn_poker.expert import current_hand, equilibrium_policy
from games.kuhn_poker.state import KuhnState

if TYPE_CHECKING:
    from games.core import Game

__all__ = [
    "Table", "INFOSETS", "validate_policy", "load_policy_file", "table_from_policy",
    "table_policy", "equilibrium_values", "VALUE_VS_EQUILIBRIUM",
]

Table = dict[str, float]
"""Information-state string of one hand -> probability of the aggressive action."""

_HISTORIES = ("", "check,bet", "bet", "check")
INFOSETS: tuple[str, ...] = tuple(f"{c}:{h}" for h in _HISTORIES for c in CARDS)
"""The 12 information sets of one hand."""

_DEALS = tuple("".join(p) for p in permutations(CARDS, 2))


def _actions(state: KuhnState) -> tuple[str, str]:
    """(passive, aggressive) action at a decision state."""
    passive, aggressive = state.legal_actions(state.current_players()[0])
    return passive, aggressive


def _child(state: KuhnState, action: str) -> KuhnState:
    s = state.clone()
    s.apply(s.current_players()[0], action)
    return s


# ----- tables -----------------------------------------------------------------------
def validate_policy(policy: Mapping[str, Any], source: str = "policy") -> Table:
    """Check a table's keys and values; return a plain ``{key: float}`` copy."""
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
    out: Table = {}
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


def load_policy_file(path: str | Path) -> Table:
    """Read a JSON object ``{"K:": 1.0, "Q:check,bet": 0.33, ...}`` with all 12 keys."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as err:
        raise ValueError(f"policy file {str(path)!r} does not exist") from err
    except json.JSONDecodeError as err:
        raise ValueError(f"policy file {str(path)!r} is not valid JSON: {err}") from err
    return validate_policy(data, source=f"policy file {str(path)!r}")


def _decision_states(game: "Game") -> dict[str, KuhnState]:
    """One real state of ``game`` (one hand) per information set (the first deal that
    reaches it)."""
    if getattr(game.options, "hands", None) != 1:
        raise ValueError(
            f"a one-hand table is asked of a one-hand Kuhn Poker game; got {game!r}; pass "
            "games.make('kuhn_poker')")
    found: dict[str, KuhnState] = {}
    stack = [game.deal_state(d) for d in _DEALS]
    while stack:
        state = stack.pop()
        if state.is_terminal():
            continue
        actor = state.current_players()[0]
        found.setdefault(state.information_state(actor), state)
        stack.extend(_child(state, a) for a in _actions(state))
    return found


def table_from_policy(game: "Game", policy: Policy, name: str = "policy") -> Table:
    """Ask a batched policy at the 12 information sets of one hand of ``game`` (a one-hand
    Kuhn Poker, ``games.make("kuhn_poker")``), in one call."""
    states = _decision_states(game)
    observations = [states[k].observation(states[k].current_players()[0]) for k in INFOSETS]
    dists = list(policy(observations))
    table: Table = {}
    for key, dist in zip(INFOSETS, dists):
        if dist is None:
            raise PolicyUnavailable(
                f"agent {name!r} cannot state its action probabilities; exact evaluation "
                "needs an agent whose policy(obs) returns them (kuhn-nash, random, an llm "
                "in choice mode) or a --policy FILE.json"
            )
        passive, aggressive = _actions(states[key])
        stray = sorted(set(dist) - {passive, aggressive})
        total = sum(dist.values())
        if stray or total <= 0 or any(p < 0 for p in dist.values()):
            raise ValueError(
                f"agent {name!r} returned {dist!r} at {key!r}: expected non-negative "
                f"probabilities over {passive} and {aggressive}"
            )
        table[key] = dist.get(aggressive, 0.0) / total
    return table


def table_policy(table: Mapping[str, float]) -> Policy:
    """A batched policy playing each hand of a match from a one-hand table."""
    table = validate_policy(table)

    def policy(observations: Sequence[Any]) -> list[dict[str, float] | None]:
        out: list[dict[str, float] | None] = []
        for obs in observations:
            if not obs.legal_actions:
                out.append(None)
                continue
            card, history = current_hand(obs.info_state)
            passive, aggressive = LEGAL[history]
            p = table[f"{card}:{history}"]
            out.append({passive: 1.0 - p, aggressive: p})
        return out

    return policy


# ----- the game's evaluator -----------------------------------------------------------
def equilibrium_values(game: "Game", policy: Policy, alpha: float = 0.0) -> dict[str, float]:
    """Expected chips per hand of ``policy`` against the equilibrium ``alpha`` in seat 0
    (role ``first``, acting first in hands 1, 3, ...) and in seat 1, and their mean."""
    nash = equilibrium_policy(alpha)
    hands = game.options.hands
    tree = build_tree(game)
    first = tree_values(tree, [policy, nash])[0] / hands
    second = tree_values(tree, [nash, policy])[1] / hands
    return {
        "value_vs_equilibrium": (first + second) / 2,
        "value_vs_equilibrium/as_first": first,
        "value_vs_equilibrium/as_second": second,
    }


VALUE_VS_EQUILIBRIUM = Evaluator(
    name="value_vs_equilibrium",
    description="exact chips per hand against the Nash equilibrium (kuhn-nash), "
                "mean of both seats (0 for an equilibrium)",
    fn=equilibrium_values,
)
