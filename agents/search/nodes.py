"""Tree nodes of the search engine: statistics per decision point, selection, backup.

A :class:`Node` holds, for one decision point (a state under perfect information, an
information set under IS-MCTS), per-action lists aligned with ``actions``: visits, the
sum of the mover's returns after each action, and the priors P where the search has
them. Selection:

- UCT (:func:`pick_uct`): untried actions first, in the node's (shuffled) order; then the
  highest ``Q + c * sqrt(ln N / n)``.
- PUCT (:func:`pick_puct`): the highest ``Q + c * P * sqrt(N) / (1 + n)``, Q = 0 for an
  untried action; ties go to the earlier action in the node's order.

``c`` arrives already scaled by half the game's range of returns (:func:`scale`), so one
exploration constant suits every game. :func:`backup` credits each node on a path with
the return of its own mover (max^n: any number of players, any sum of returns).
:class:`RootStats` is what a search reports: per root action, visits, Q and prior.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from games import State

__all__ = ["Node", "TERMINAL", "RootStats", "pick_uct", "pick_puct", "backup", "normalised",
           "scale", "root_stats"]

_INF = float("inf")


class Node:
    """Statistics of one decision point: per-action lists, aligned with ``actions``."""

    __slots__ = ("player", "actions", "children", "visits", "values", "means", "roots", "prior",
                 "total", "untried")

    def __init__(self, player: int, actions: list[str]) -> None:
        n = len(actions)
        self.player = player  # the mover; -1 at a terminal state
        self.actions = actions
        self.children: list[Node | None] = [None] * n  # used by the linked tree only
        self.visits = [0] * n
        self.values = [0.0] * n  # sum of the mover's returns after each action
        self.means = [0.0] * n  # values / visits (0.0 while unvisited): Q
        self.roots = [0.0] * n  # sqrt(visits), kept by the backup for UCT's selection
        self.prior: list[float] | None = None  # PUCT only
        self.total = 0
        self.untried = 0  # UCT: actions[untried:] were never tried


TERMINAL = Node(-1, [])
"""The child of every action that ends the game (the linked tree stops there)."""


def pick_uct(node: Node, c: float, sqrt=math.sqrt, log=math.log) -> int:
    """Index of the action UCT follows: the next untried one, else the best score."""
    i = node.untried
    visits = node.visits
    if i < len(visits):
        node.untried = i + 1
        return i
    k = c * sqrt(log(node.total))
    best, bi, i = -_INF, 0, 0
    for q, r in zip(node.means, node.roots):
        v = q + k / r
        if v > best:
            best, bi = v, i
        i += 1
    return bi


def pick_puct(node: Node, c: float, sqrt=math.sqrt) -> int:
    """Index of the action PUCT follows (see the module doc)."""
    k = c * sqrt(node.total)
    best, bi, i = -_INF, 0, 0
    for q, n, p in zip(node.means, node.visits, node.prior):
        v = q + k * p / (1 + n)
        if v > best:
            best, bi = v, i
        i += 1
    return bi


def backup(nodes: list[Node], idxs: list[int], returns: Sequence[float],
           sqrt=math.sqrt) -> None:
    """Credit every (node, action) of a simulation's path with its mover's return; empties
    the two lists for the next simulation."""
    for node, i in zip(nodes, idxs):
        n = node.visits[i] + 1
        node.visits[i] = n
        w = node.values[i] = node.values[i] + returns[node.player]
        node.means[i] = w / n
        node.roots[i] = sqrt(n)
        node.total += 1
    nodes.clear()
    idxs.clear()


def normalised(dist: Mapping[str, float] | None, actions: Sequence[str]) -> list[float]:
    """``dist`` over ``actions`` (negative and missing entries 0), summing to 1; uniform
    where it gives no mass (or is None)."""
    p = [max(0.0, float((dist or {}).get(a, 0.0))) for a in actions]
    s = sum(p)
    return [x / s for x in p] if s > 0 else [1.0 / len(actions)] * len(actions)


def scale(state: State) -> float:
    """Half the range of returns, so that one exploration constant suits every game."""
    info = state.game.info
    span = (info.max_utility - info.min_utility) / 2
    return span if span > 0 else 1.0


@dataclass(frozen=True)
class RootStats:
    """Root statistics of one search: per action, visits, Q (the mover's mean return) and
    prior."""

    player: int
    actions: tuple[str, ...]
    visits: tuple[int, ...]
    q: tuple[float, ...]
    """Mean return of the root's mover after each action (0.0 where never visited)."""
    priors: tuple[float, ...]
    """The priors P the search used (empty under UCT)."""


def root_stats(player: int, roots: Sequence[Node]) -> RootStats:
    """One root's statistics, or several roots' (determinised search) summed per action,
    actions in order of first appearance, priors averaged over the roots."""
    if len(roots) == 1:
        root = roots[0]
        return RootStats(player, tuple(root.actions), tuple(root.visits), tuple(root.means),
                         () if root.prior is None else tuple(root.prior))
    visits: dict[str, int] = {}
    values: dict[str, float] = {}
    priors: dict[str, float] = {}
    for root in roots:
        for j, (a, n, w) in enumerate(zip(root.actions, root.visits, root.values)):
            visits[a] = visits.get(a, 0) + n
            values[a] = values.get(a, 0.0) + w
            if root.prior is not None:
                priors[a] = priors.get(a, 0.0) + root.prior[j] / len(roots)
    return RootStats(player, tuple(visits), tuple(visits.values()),
                     tuple(values[a] / n if n else 0.0 for a, n in visits.items()),
                     tuple(priors.get(a, 0.0) for a in visits) if priors else ())
