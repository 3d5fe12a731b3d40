"""``mcts``: Monte Carlo tree search over cloned game states (UCT, PUCT, IS-MCTS).

Spec: ``mcts:simulations=200,c=1.4,rollout=random,prior=,determinisations=0,candidates=8``.

Search
    Each decision runs ``simulations`` simulations from the decision point. One
    simulation descends the tree, at each node taking the action with the best score for
    the player to move there; the first time an action is tried it leaves the tree and
    finishes the game with the rollout policy; the final ``returns()`` are backed up the
    path, every node crediting the return of its own mover (max^n: any number of players,
    any sum of returns).

    - UCT (default): untried actions first, in a random order; then
      ``Q + c * s * sqrt(ln N / n)``.
    - PUCT (``prior=SPEC``): the agent SPEC's ``policy(obs)`` at each new node gives the
      priors P (uniform where the action is free text); score
      ``Q + c * s * P * sqrt(N) / (1 + n)``, Q = 0 for an untried action.

    ``Q`` is the mover's mean return after the action, ``n`` its visits, ``N`` the node's;
    ``s = (max_utility - min_utility) / 2`` from the game's declaration, so one ``c``
    suits every game. Rollouts: ``random`` (``State.random_action``) or any agent spec
    (its ``act`` on each observation, parsed by ``games.parse_action``).

States
    The agent searches game states, so it declares ``searches = True``: the runner hands
    it a :class:`games.core.Determiniser` with each observation (``act(obs,
    determiniser)``) and records that states were given. The observation itself is plain
    data; without a determiniser the agent refuses to act.

Hidden information
    Where ``info.information`` is ``imperfect`` (or the seed draws chance into the state,
    ``chance="seeded"``) the search is information-set MCTS: every simulation searches a
    fresh determinisation ``determiniser.sample(rng)``, and tree nodes are keyed by (mover,
    ``information_state(mover)``). A node's statistics thus mix every state its mover
    cannot tell apart, each player's choices depend on that player's information only,
    and nothing the observing player cannot see reaches the search: observations with the
    same information state give the same decision. Legal actions must depend only on the
    mover's information state (true of every game here).

    ``determinisations=K`` (K > 0) selects determinised UCT instead: K determinisations,
    a perfect-information tree on each with ``simulations / K`` simulations, root visits
    and values summed. Simpler and a baseline; it is known to over-trust hidden facts
    ("strategy fusion"), which IS-MCTS avoids.

    Games of perfect information without chance search the one state the determiniser
    copies, in a tree of linked nodes (no string keys: the fast path).

Free-text actions
    Where ``legal_actions`` is None, each new node draws ``candidates`` actions with
    ``State.random_action`` (duplicates merged) and the search chooses among them.

Simultaneous phases
    Players who move together are searched one after the other (the observing player
    first at the root). Under IS-MCTS each sees only its own information state; in the
    perfect-information tree later movers see earlier choices (an approximation).

Decision
    ``text``: the most visited root action, ties broken by the rng; ``distribution``: root
    visit shares; ``info``: ``{"visits": {action: n}, "q": {action: mean return of the
    mover}, "simulations": n}``. All randomness comes from ``Agent.rng_for(obs)``: same
    seed and observation, same decision.
"""

from __future__ import annotations

import dataclasses
import math
import random
from typing import Callable

from games import IllegalAction, Observation, State, parse_action
from games.core import Determiniser

from agents.base import Agent, Decision, act_at

__all__ = ["MCTSAgent"]

_INF = float("inf")


class _Node:
    """Statistics of one decision point: per-action lists, aligned with ``actions``."""

    __slots__ = ("player", "actions", "children", "visits", "values", "prior", "total", "untried")

    def __init__(self, player: int, actions: list[str], prior: list[float] | None) -> None:
        n = len(actions)
        self.player = player  # the mover; -1 at a terminal state
        self.actions = actions
        self.children: list[_Node | None] = [None] * n  # used by the linked tree only
        self.visits = [0] * n
        self.values = [0.0] * n  # sum of the mover's returns after each action
        self.prior = prior
        self.total = 0
        self.untried = 0  # UCT: actions[untried:] were never tried


_TERMINAL = _Node(-1, [], None)


def _pick(node: _Node, c: float, sqrt: Callable[[float], float] = math.sqrt) -> int:
    """Index of the action to follow: UCT (untried first) or PUCT when priors are set."""
    visits, values = node.visits, node.values
    if node.prior is None:
        i = node.untried
        if i < len(visits):
            node.untried = i + 1
            return i
        k = c * sqrt(math.log(node.total))
        best, bi, i = -_INF, 0, 0
        for w, n in zip(values, visits):
            v = w / n + k / sqrt(n)
            if v > best:
                best, bi = v, i
            i += 1
        return bi
    k = c * sqrt(node.total)
    best, bi = -_INF, 0
    for i, (n, p) in enumerate(zip(visits, node.prior)):
        v = (values[i] / n if n else 0.0) + k * p / (1 + n)
        if v > best:
            best, bi = v, i
    return bi


def _backup(nodes: list[_Node], idxs: list[int], returns: list[float]) -> None:
    for node, i in zip(nodes, idxs):
        node.visits[i] += 1
        node.values[i] += returns[node.player]
        node.total += 1
    nodes.clear()
    idxs.clear()


class MCTSAgent(Agent):
    name = "mcts"
    searches = True

    def __init__(
        self,
        seed: int = 0,
        simulations: int = 200,
        c: float = 1.4,
        rollout: str = "random",
        prior: str = "",
        determinisations: int = 0,
        candidates: int = 8,
    ) -> None:
        super().__init__(seed)
        for key, value, low in (("simulations", simulations, 1), ("determinisations",
                                determinisations, 0), ("candidates", candidates, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(
                    f"mcts option {key}={value!r} must be a whole number >= {low}, "
                    f"e.g. mcts:{key}={max(low, 8)}"
                )
        if not c >= 0:
            raise ValueError(f"mcts option c={c!r} must be >= 0 (exploration), e.g. c=1.4")
        from agents.registry import make_agent

        self.simulations, self.c = simulations, float(c)
        self.determinisations, self.candidates = determinisations, candidates
        self.rollout, self.prior = rollout, prior
        self._rollout_agent = None if rollout == "random" else make_agent(rollout, seed=seed)
        self._prior_agent = make_agent(prior, seed=seed) if prior else None

    def reset(self, seed: int) -> None:
        super().reset(seed)
        for agent in (self._rollout_agent, self._prior_agent):
            if agent is not None:
                agent.reset(seed)

    # ----- the decision ---------------------------------------------------------------
    def act(self, obs: Observation, determiniser: Determiniser | None = None) -> Decision:
        if obs.legal_actions is not None and not obs.legal_actions:
            raise ValueError(
                f"player {obs.player} has no move in {obs.game!r} at turn {obs.turn} (not "
                "their turn or the game is over); ask the agent only at its own decisions"
            )
        if determiniser is None or determiniser.player != obs.player:
            raise ValueError(
                f"mcts searches game states and needs the determiniser of player "
                f"{obs.player}'s decision (got {determiniser!r}); the runner gives one to "
                "agents with searches=True; outside it use agents.base.act_at(agent, "
                "state, player)"
            )
        rng = self.rng_for(obs)
        first = determiniser.sample(rng)
        info = first.game.info
        if info.information == "perfect" and info.chance == "none":
            roots = [self._search_tree(first, obs.player, self.simulations, rng)]
        elif self.determinisations:
            k = min(self.determinisations, self.simulations)
            share = [self.simulations // k + (j < self.simulations % k) for j in range(k)]
            states = [first] + [determiniser.sample(rng) for _ in range(k - 1)]
            roots = [self._search_tree(s, obs.player, n, rng) for s, n in zip(states, share)]
        else:
            roots = [self._search_is(obs, determiniser, first, rng)]
        return self._decide(roots, rng)

    def _decide(self, roots: list[_Node], rng: random.Random) -> Decision:
        visits: dict[str, int] = {}
        values: dict[str, float] = {}
        for root in roots:
            for a, n, w in zip(root.actions, root.visits, root.values):
                visits[a] = visits.get(a, 0) + n
                values[a] = values.get(a, 0.0) + w
        ordered = sorted(visits)
        most = max(visits.values())
        tied = [a for a in ordered if visits[a] == most]
        choice = tied[rng.randrange(len(tied))] if len(tied) > 1 else tied[0]
        total = sum(visits.values())
        return Decision(
            text=choice,
            distribution={a: visits[a] / total for a in ordered},
            info={
                "visits": {a: visits[a] for a in ordered},
                "q": {a: values[a] / visits[a] for a in ordered if visits[a]},
                "simulations": total,
            },
        )

    # ----- nodes ----------------------------------------------------------------------
    def _new_node(self, state: State, player: int, rng: random.Random) -> _Node:
        legal = state.legal_actions(player)
        if legal is None:
            actions = list(dict.fromkeys(
                state.random_action(player, rng) for _ in range(self.candidates)))
        else:
            actions = list(legal)
            rng.shuffle(actions)
        prior = None if self._prior_agent is None else self._priors(state, player, actions, rng)
        return _Node(player, actions, prior)

    def _child(self, state: State, rng: random.Random) -> _Node:
        players = state.current_players()
        if not players or state.is_terminal():
            return _TERMINAL
        return self._new_node(state, players[0], rng)

    def _priors(
        self, state: State, player: int, actions: list[str], rng: random.Random
    ) -> list[float]:
        uniform = [1.0 / len(actions)] * len(actions)
        obs = dataclasses.replace(state.observation(player), seed=rng.getrandbits(62))
        if obs.legal_actions is None:
            return uniform
        dist = self._prior_agent.policy(obs)
        if dist is None:
            raise ValueError(
                f"prior agent {self.prior!r} states no policy for {obs.game!r} "
                "(policy(obs) returned None); use an agent with an exact policy, e.g. "
                "prior=random or prior=llm:mode=choice"
            )
        p = [max(0.0, float(dist.get(a, 0.0))) for a in actions]
        s = sum(p)
        return uniform if s <= 0 else [x / s for x in p]

    # ----- the two searches -----------------------------------------------------------
    def _search_tree(self, root_state: State, player: int, sims: int, rng: random.Random) -> _Node:
        """UCT/PUCT on one fully known state, children linked from their parents."""
        root = self._new_node(root_state, player, rng)
        c = self.c * _scale(root_state)
        rollout = self._rollout_fn(root_state)
        nodes: list[_Node] = []
        idxs: list[int] = []
        for _ in range(sims):
            state = root_state.clone()
            node = root
            while node.player >= 0:
                i = _pick(node, c)
                nodes.append(node)
                idxs.append(i)
                state.apply(node.player, node.actions[i])
                if node.visits[i] == 0:
                    break
                child = node.children[i]
                if child is None:
                    child = node.children[i] = self._child(state, rng)
                node = child
            if not state.is_terminal():
                rollout(state, rng)
            _backup(nodes, idxs, state.returns())
        return root

    def _search_is(
        self, obs: Observation, determiniser: Determiniser, first: State, rng: random.Random
    ) -> _Node:
        """IS-MCTS: a fresh determinisation per simulation, nodes keyed by information."""
        table: dict[tuple[int, str], _Node] = {}
        root_key = (obs.player, first.information_state(obs.player))
        c = self.c * _scale(first)
        rollout = self._rollout_fn(first)
        nodes: list[_Node] = []
        idxs: list[int] = []
        for sim in range(self.simulations):
            state = first if sim == 0 else determiniser.sample(rng)
            player, key = obs.player, root_key
            while True:
                node = table.get(key)
                if node is None:
                    node = table[key] = self._new_node(state, player, rng)
                i = _pick(node, c)
                nodes.append(node)
                idxs.append(i)
                _apply_known(state, player, node.actions[i], key)
                if node.visits[i] == 0 or state.is_terminal():
                    break
                player = state.current_players()[0]
                key = (player, state.information_state(player))
            if not state.is_terminal():
                rollout(state, rng)
            _backup(nodes, idxs, state.returns())
        return table[root_key]

    # ----- rollouts -------------------------------------------------------------------
    def _rollout_fn(self, state: State) -> Callable[[State, random.Random], None]:
        limit = state.game.info.max_length + 1
        agent = self._rollout_agent
        if agent is None:
            def random_rollout(s: State, rng: random.Random) -> None:
                for _ in range(limit):
                    players = s.current_players()
                    if not players:
                        return
                    p = players[0]
                    s.apply(p, s.random_action(p, rng))
            return random_rollout

        def agent_rollout(s: State, rng: random.Random) -> None:
            for _ in range(limit):
                players = s.current_players()
                if not players:
                    return
                obs, decision = act_at(agent, s, players[0], seed=rng.getrandbits(62))
                s.apply(players[0], parse_action(decision.text, obs.legal_actions, s.game))
        return agent_rollout


def _scale(state: State) -> float:
    """Half the range of returns, so that one exploration constant suits every game."""
    info = state.game.info
    span = (info.max_utility - info.min_utility) / 2
    return span if span > 0 else 1.0


def _apply_known(state: State, player: int, action: str, key: tuple[int, str]) -> None:
    try:
        state.apply(player, action)
    except IllegalAction as err:
        raise ValueError(
            f"IS-MCTS found {action!r} legal in one determinisation of information state "
            f"{key[1]!r} (player {player}) but not in another ({err}); a game's legal "
            "actions must depend only on what the mover knows. Search it with "
            "determinisations=K instead, or fix the game"
        ) from err
