"""One Monte Carlo tree search from one decision, written as a generator.

:func:`search` runs ``simulations`` simulations from ``determiniser.player``'s decision.
Whenever it needs a policy (the priors of a new PUCT node, or the next move of a
``policy`` playout) it yields the mover's :class:`Observation` and waits for the policy's
``{action: probability}`` (None: uniform); it returns :class:`RootStats`. A search that
needs no policy (UCT with a random or agent playout) never yields. Drivers:
:func:`agents.search.run_lockstep` (many searches, one batched policy call per step) and
:class:`agents.mcts.MCTSAgent`.

One simulation descends the tree, at each node taking the action that selection
(:mod:`agents.search.nodes`) scores best for the player to move there; the first time an
action is tried it leaves the tree and finishes the game with the playout; the final
``returns()`` are backed up the path, each node crediting its own mover's return.

Trees, by what the game declares:

- perfect information and no chance: the one state the determiniser copies, in a tree of
  linked nodes (no string keys: the fast path);
- otherwise IS-MCTS: every simulation searches a fresh determinisation
  ``determiniser.sample(rng)`` (the first simulation the first sample), and nodes are keyed
  by (mover, ``information_state(mover)``): a node mixes every state its mover cannot
  tell apart, and nothing the searching player cannot see reaches the decision. Legal
  actions must depend only on the mover's information state;
- ``determinisations=K`` (K > 0, hidden information): determinised search instead, K
  determinisations, a perfect-information tree on each with ``simulations / K``
  simulations, root statistics summed (simpler; it over-trusts hidden facts).

Expansion: a new node lists the mover's legal actions in an order shuffled by the rng
(UCT tries untried actions in that order; PUCT breaks ties by it); where actions are free
text it draws ``candidates`` with ``State.random_action`` (duplicates merged), and its
priors are uniform without asking. Players who move together are searched one after the
other. Playouts: ``random`` (``State.random_action``), ``policy`` (moves sampled from the
policy's answers) or a function ``(state, player, rng) -> action`` (:func:`agent_playout`
makes one from any agent). All randomness comes from the ``rng`` given: same rng, same
answers from the policy, same statistics.
"""

from __future__ import annotations

import random
from typing import Callable, Generator, Literal, Mapping, Union

from games import IllegalAction, Observation, State, parse_action
from games.core import Determiniser

from agents.base import Agent, act_at
from common.draws import sample_from
from agents.search.nodes import (TERMINAL, Node, RootStats, backup, normalised, pick_puct,
                                 pick_uct, root_stats, scale)

__all__ = ["search", "agent_playout", "PlayoutFn", "Playout", "Policy", "SearchGen"]

PlayoutFn = Callable[[State, int, random.Random], str]
"""A playout agent: the action of ``player`` at ``state``."""
Playout = Union[Literal["random", "policy"], PlayoutFn]
Policy = Mapping[str, float]
SearchGen = Generator[Observation, "Policy | None", RootStats]


def search(determiniser: Determiniser, simulations: int, rng: random.Random, c: float = 1.0,
           playout: Playout = "random", *, selection: Literal["puct", "uct"] = "puct",
           candidates: int = 8, determinisations: int = 0) -> SearchGen:
    """One search from ``determiniser.player``'s decision (see the module doc): yields
    observations, receives the policy there, returns :class:`RootStats`."""
    _check(simulations, c, playout, selection, candidates, determinisations)
    player = determiniser.player
    first = determiniser.sample(rng)
    info = first.game.info
    run = _Run(rng, c * scale(first), selection == "puct", playout, candidates,
               info.max_length + 1)
    if info.information == "perfect" and info.chance == "none":
        roots = [(yield from run.tree(first, player, simulations))]
    elif determinisations:
        k = min(determinisations, simulations)
        share = [simulations // k + (j < simulations % k) for j in range(k)]
        states = [first] + [determiniser.sample(rng) for _ in range(k - 1)]
        roots = []
        for state, n in zip(states, share):
            roots.append((yield from run.tree(state, player, n)))
    else:
        roots = [(yield from run.information_sets(determiniser, first, player, simulations))]
    return root_stats(player, roots)


def _check(simulations: int, c: float, playout: object, selection: str, candidates: int,
           determinisations: int) -> None:
    for key, value, low in (("simulations", simulations, 1), ("candidates", candidates, 1),
                            ("determinisations", determinisations, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"search {key}={value!r} must be a whole number >= {low}, "
                             f"e.g. {key}={max(low, 8)}")
    if not c >= 0:
        raise ValueError(f"search c={c!r} must be >= 0 (exploration), e.g. c=1.4")
    if selection not in ("puct", "uct"):
        raise ValueError(f"search selection={selection!r} must be 'puct' or 'uct'")
    if not (playout in ("random", "policy") or callable(playout)):
        raise ValueError(f"search playout={playout!r} must be 'random', 'policy' or a function "
                         "(state, player, rng) -> action, e.g. agent_playout(agent)")


class _Run:
    """The settings of one search and its two descents (a linked tree, information sets)."""

    __slots__ = ("rng", "c", "puct", "pick", "playout", "fast", "candidates", "limit")

    def __init__(self, rng: random.Random, c: float, puct: bool, playout: Playout,
                 candidates: int, limit: int) -> None:
        self.rng, self.c, self.puct, self.playout = rng, c, puct, playout
        self.pick = pick_puct if puct else pick_uct
        self.fast = playout == "random"  # a plain function, no generator, plays it out
        self.candidates, self.limit = candidates, limit

    # ----- expansion ------------------------------------------------------------------
    def node(self, state: State, player: int) -> Node:
        """A new node for ``player`` at ``state``. Under PUCT a node of free-text actions
        gets uniform priors here; any other's priors (None until then) the caller asks."""
        legal = state.legal_actions(player)
        if legal is None:
            actions = list(dict.fromkeys(
                state.random_action(player, self.rng) for _ in range(self.candidates)))
        else:
            actions = legal
            self.rng.shuffle(actions)
        node = Node(player, actions)
        if self.puct and legal is None:
            node.prior = [1.0 / len(actions)] * len(actions)
        return node

    def child(self, state: State) -> Node:
        players = state.current_players()
        if not players or state.is_terminal():
            return TERMINAL
        return self.node(state, players[0])

    # ----- playouts -------------------------------------------------------------------
    def play_out(self, state: State) -> Generator[Observation, Policy | None, None]:
        """Finish the game from ``state`` with the playout."""
        rng, playout = self.rng, self.playout
        for _ in range(self.limit):
            players = state.current_players()
            if not players:
                return
            p = players[0]
            if playout == "random":
                action = state.random_action(p, rng)
            elif playout == "policy":
                legal = state.legal_actions(p)
                if legal is None:
                    action = state.random_action(p, rng)
                else:
                    dist = yield state.observation(p)
                    action = sample_from(dict(zip(legal, normalised(dist, legal))), rng)
            else:
                action = playout(state, p, rng)
            state.apply(p, action)

    # ----- the two descents -----------------------------------------------------------
    def tree(self, root_state: State, player: int, sims: int
             ) -> Generator[Observation, Policy | None, Node]:
        """Simulations on one fully known state, children linked from their parents."""
        root = self.node(root_state, player)
        if root.prior is None and self.puct:
            root.prior = normalised((yield root_state.observation(player)), root.actions)
        c, rng, limit, puct, pick, fast = (self.c, self.rng, self.limit, self.puct, self.pick,
                                           self.fast)
        nodes: list[Node] = []
        idxs: list[int] = []  # the path: nodes and the actions taken there
        for _ in range(sims):
            state = root_state.clone()
            node = root
            while node.player >= 0:
                i = pick(node, c)
                nodes.append(node)
                idxs.append(i)
                state.apply(node.player, node.actions[i])
                if node.visits[i] == 0:
                    break
                child = node.children[i]
                if child is None:
                    child = node.children[i] = self.child(state)
                    if puct and child.prior is None and child.player >= 0:
                        child.prior = normalised((yield state.observation(child.player)),
                                                 child.actions)
                node = child
            if fast:
                _random_playout(state, rng, limit)
            elif not state.is_terminal():
                yield from self.play_out(state)
            backup(nodes, idxs, state.returns())
        return root

    def information_sets(self, determiniser: Determiniser, first: State, root_player: int,
                         sims: int) -> Generator[Observation, Policy | None, Node]:
        """IS-MCTS: a fresh determinisation per simulation, nodes keyed by information."""
        table: dict[tuple[int, str], Node] = {}
        root_key = (root_player, first.information_state(root_player))
        c, rng, limit, puct, pick, fast = (self.c, self.rng, self.limit, self.puct, self.pick,
                                           self.fast)
        nodes: list[Node] = []
        idxs: list[int] = []
        for sim in range(sims):
            state = first if sim == 0 else determiniser.sample(rng)
            player, key = root_player, root_key
            while True:
                node = table.get(key)
                if node is None:
                    node = table[key] = self.node(state, player)
                    if puct and node.prior is None:
                        node.prior = normalised((yield state.observation(player)),
                                                node.actions)
                i = pick(node, c)
                nodes.append(node)
                idxs.append(i)
                _apply_known(state, player, node.actions[i], key)
                if node.visits[i] == 0 or state.is_terminal():
                    break
                player = state.current_players()[0]
                key = (player, state.information_state(player))
            if fast:
                _random_playout(state, rng, limit)
            elif not state.is_terminal():
                yield from self.play_out(state)
            backup(nodes, idxs, state.returns())
        return table[root_key]


def _random_playout(state: State, rng: random.Random, limit: int) -> None:
    """The ``random`` playout as a plain function (no generator): the fast path."""
    if state.is_terminal():
        return
    for _ in range(limit):
        players = state.current_players()
        if not players:
            return
        p = players[0]
        state.apply(p, state.random_action(p, rng))


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


def agent_playout(agent: Agent) -> PlayoutFn:
    """A playout function from any agent: its decision at each state (the runner's way:
    an observation seeded from the search's rng, a determiniser where it searches),
    parsed by the shared parser."""
    def play(state: State, player: int, rng: random.Random) -> str:
        obs, decision = act_at(agent, state, player, seed=rng.getrandbits(62))
        return parse_action(decision.text, obs.legal_actions, state.game)
    return play
