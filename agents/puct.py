"""PUCT searches that ask a policy for priors in batches: many searches in lock step.

A language model gives priors far faster for a hundred observations in one call than for
one observation a hundred times. :func:`search` is one IS-MCTS search written as a
generator: whenever it needs the policy (the priors of a new node, or the next move of a
``policy`` playout) it yields the mover's :class:`Observation` and waits for the policy's
``{action: probability}``. :func:`run_lockstep` drives many such searches together: each
step it gathers the observation every unfinished search waits on and makes ONE call of
``policy_batch(observations)``; ``LockstepResult.calls`` counts those calls. The policy
is fixed while they run, so an observation asked again (Kuhn Poker has 12 information
states; TicTacToe's openings repeat across searches) is answered from memory and each
distinct one is sent once (``LockstepResult.sent``).

The search (the same rules as :mod:`agents.mcts`' IS-MCTS)

- Every simulation searches a fresh determinisation ``determiniser.sample(rng)`` (the
  first simulation the first sample); nodes are keyed by (mover, ``information_state``),
  so hidden facts never reach the decision (for perfect information a determinisation is
  a copy of the state).
- Selection by PUCT, ``Q + c * s * P * sqrt(N) / (1 + n)``, Q = 0 for an untried action,
  ``s`` half the game's range of returns; a node's priors are the policy's probabilities
  at its first visit.
- The first time an action is tried the simulation leaves the tree and finishes the game
  with the playout: ``random`` (``State.random_action``), ``policy`` (moves sampled from
  the policy, batched like the priors) or any agent (a callable ``(state, player, rng) ->
  action``); a terminal state gives its returns directly. Each node credits the return of
  its own mover.

:class:`RootStats` holds, per root action, the visits and Q (the mover's mean return);
step preferences (``training.preferences``) are built from it. All randomness comes from
the ``rng`` given: same rng, same answers from the policy, same statistics.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Callable, Generator, Mapping, Sequence

from games import IllegalAction, Observation, State
from games.core import Determiniser

from agents.base import sample_from

__all__ = ["RootStats", "LockstepResult", "search", "run_lockstep", "PlayoutFn"]

PlayoutFn = Callable[[State, int, random.Random], str]
"""A fixed playout agent: the action of ``player`` at ``state``."""
Policy = Mapping[str, float]
SearchGen = Generator[Observation, "Policy | None", "RootStats"]


@dataclass(frozen=True)
class RootStats:
    """Root statistics of one search: per action, visits and Q (mover's mean return)."""

    player: int
    actions: tuple[str, ...]
    visits: tuple[int, ...]
    q: tuple[float, ...]
    """Mean return of the root's mover after each action (0.0 where never visited)."""
    priors: tuple[float, ...]


@dataclass(frozen=True)
class LockstepResult:
    roots: list[RootStats]
    calls: int
    """Batched calls of the policy (one per lock step that had a question)."""
    observations: int
    """Observations answered in all (what one-at-a-time prior calls would number)."""
    sent: int = 0
    """Observations sent to the policy (with ``memo``, each distinct one once)."""


class _Node:
    __slots__ = ("player", "actions", "prior", "visits", "values", "total")

    def __init__(self, player: int, actions: list[str], prior: list[float]) -> None:
        self.player = player
        self.actions = actions
        self.prior = prior
        self.visits = [0] * len(actions)
        self.values = [0.0] * len(actions)
        self.total = 0

    def pick(self, c: float) -> int:
        k = c * math.sqrt(self.total)
        best, bi = -math.inf, 0
        for i, (n, p) in enumerate(zip(self.visits, self.prior)):
            v = (self.values[i] / n if n else 0.0) + k * p / (1 + n)
            if v > best:
                best, bi = v, i
        return bi


def _normalised(dist: Policy | None, actions: Sequence[str]) -> list[float]:
    p = [max(0.0, float((dist or {}).get(a, 0.0))) for a in actions]
    s = sum(p)
    return [x / s for x in p] if s > 0 else [1.0 / len(actions)] * len(actions)


def _scale(state: State) -> float:
    info = state.game.info
    span = (info.max_utility - info.min_utility) / 2
    return span if span > 0 else 1.0


def _new_node(state: State, player: int) -> SearchGen:
    """A node for ``player`` at ``state``, its priors asked of the policy."""
    obs = state.observation(player)
    if obs.legal_actions is None:
        raise ValueError(
            f"step search needs listed legal actions; {obs.game!r} has free-text actions "
            f"at turn {obs.turn} (player {player})")
    actions = list(obs.legal_actions)
    dist = yield obs
    return _Node(player, actions, _normalised(dist, actions))


def _playout(state: State, playout: str | PlayoutFn, rng: random.Random) -> SearchGen:
    """Finish the game from ``state`` (yields observations for a ``policy`` playout)."""
    for _ in range(state.game.info.max_length + 1):
        players = state.current_players()
        if not players or state.is_terminal():
            return None
        p = players[0]
        if playout == "random":
            action = state.random_action(p, rng)
        elif playout == "policy":
            obs = state.observation(p)
            dist = yield obs
            action = sample_from(dict(zip(obs.legal_actions, _normalised(dist, obs.legal_actions))),
                                 rng)
        else:
            action = playout(state, p, rng)
        state.apply(p, action)
    return None


def _apply(state: State, player: int, action: str, key: tuple[int, str]) -> None:
    try:
        state.apply(player, action)
    except IllegalAction as err:
        raise ValueError(
            f"step search found {action!r} legal in one determinisation of information "
            f"state {key[1]!r} (player {player}) but not in another ({err}); a game's legal "
            "actions must depend only on what the mover knows") from err


def search(determiniser: Determiniser, simulations: int, rng: random.Random, c: float = 1.0,
           playout: str | PlayoutFn = "random") -> SearchGen:
    """One PUCT IS-MCTS search from ``determiniser.player``'s decision (see the module
    doc); a generator: yields observations, receives the policy there, returns
    :class:`RootStats`."""
    if simulations < 1:
        raise ValueError(f"simulations={simulations!r} must be >= 1, e.g. 32")
    root_player = determiniser.player
    first = determiniser.sample(rng)
    root_key = (root_player, first.information_state(root_player))
    table: dict[tuple[int, str], _Node] = {}
    cs = c * _scale(first)
    for sim in range(simulations):
        state = first if sim == 0 else determiniser.sample(rng)
        player, key = root_player, root_key
        path: list[tuple[_Node, int]] = []
        while True:
            node = table.get(key)
            if node is None:
                node = table[key] = yield from _new_node(state, player)
            i = node.pick(cs)
            path.append((node, i))
            _apply(state, player, node.actions[i], key)
            if node.visits[i] == 0 or state.is_terminal():
                break
            player = state.current_players()[0]
            key = (player, state.information_state(player))
        if not state.is_terminal():
            yield from _playout(state, playout, rng)
        returns = state.returns()
        for node, i in path:
            node.visits[i] += 1
            node.values[i] += returns[node.player]
            node.total += 1
    root = table[root_key]
    return RootStats(root_player, tuple(root.actions), tuple(root.visits),
                     tuple(w / n if n else 0.0 for w, n in zip(root.values, root.visits)),
                     tuple(root.prior))


def _memo_key(obs: Observation) -> tuple:
    """What the policy's answer depends on: a model's prompt (game, seat, role, rules,
    text, legal actions) and the information state, which scripted policies read instead
    of the text (``kuhn-nash``, ``minimax``, the household expert): two observations with
    the same key get the same distribution. The turn and the seed are left out (a policy is
    a function of what the player knows). Legal actions given as a list (a plug-in's own
    ``observation``) are keyed as a tuple."""
    legal = obs.legal_actions
    return (obs.game, obs.player, obs.role, obs.rules, obs.text,
            legal if legal is None or type(legal) is tuple else tuple(legal), obs.info_state)


def run_lockstep(searches: Sequence[SearchGen],
                 policy_batch: Callable[[list[Observation]], list[Policy | None]],
                 memo: bool = True) -> LockstepResult:
    """Drive ``searches`` together: each step, one ``policy_batch`` call answers the
    observation every unfinished search waits on. Returns the root statistics in order.

    ``memo``: the policy does not change during the searches, so an observation asked
    again (by another search, or in a later step) is answered from the first answer, and
    a step sends each distinct new observation once (a step whose questions were all
    answered before makes no call)."""
    roots: list[RootStats | None] = [None] * len(searches)
    waiting: dict[int, Observation] = {}
    known: dict[tuple, Policy | None] = {}

    def advance(i: int, answer: Policy | None, start: bool = False) -> None:
        gen = searches[i]
        try:
            waiting[i] = next(gen) if start else gen.send(answer)
        except StopIteration as stop:
            roots[i] = stop.value
            waiting.pop(i, None)

    for i in range(len(searches)):
        advance(i, None, start=True)
    calls = asked = sent = 0
    while waiting:
        order = sorted(waiting)
        if memo:
            keys = [_memo_key(waiting[i]) for i in order]
            new = {k: waiting[i] for k, i in zip(keys, order) if k not in known}
            if new:
                known.update(zip(new, _answered(policy_batch, list(new.values()))))
                calls += 1
                sent += len(new)
            answers = [known[k] for k in keys]
        else:
            answers = _answered(policy_batch, [waiting[i] for i in order])
            calls += 1
            sent += len(order)
        asked += len(order)
        for i, answer in zip(order, answers):
            advance(i, answer)
    return LockstepResult([r for r in roots if r is not None], calls, asked, sent)


def _answered(policy_batch: Callable[[list[Observation]], list[Policy | None]],
              observations: list[Observation]) -> list[Policy | None]:
    answers = policy_batch(observations)
    if len(answers) != len(observations):
        raise RuntimeError(f"policy_batch answered {len(answers)} of {len(observations)} "
                           "observations; it must answer each one in order")
    return list(answers)
