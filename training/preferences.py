"""Step preferences from search at the learning policy's own decisions (MCTS-DPO's pairs).

After an iteration's rollouts, a share ``pref_prob`` of the learning policy's decisions
is searched (each decision drawn with a seed derived from the run seed, the iteration, the
match and the decision, so a resumed run searches the same ones). The state at a decision
is rebuilt from its match record (the game's seed, then every applied action), and the
search gets it only through the decision's :class:`games.core.Determiniser`, as a search
agent gets it from the runner: hidden facts are redrawn (IS-MCTS). All searches of the
iteration run in lock step (:func:`agents.puct.run_lockstep`): each step asks the policy
for priors (and ``policy`` playout moves) in one batched call.

Pairs (:func:`make_pair`), from one root's statistics:

- candidates: root actions with at least ``min_visits`` visits;
- chosen: the candidate of highest Q (ties: more visits, then the action's text);
- rejected: a candidate whose Q is at least ``min_gap`` below (and strictly below) the
  chosen one's, drawn at random (``rejected="random"``) or the lowest (``"lowest"``);
  no such candidate: no pair;
- confidence ``c``: the probability that the chosen action's true value exceeds the
  rejected one's, reading each Q as a mean of its visits' returns with the largest
  variance the game's range allows: ``c = Phi(gap / (s * sqrt(1/n_c + 1/n_r)))``, ``s``
  half the range of returns. ``c`` lies in [0.5, 1); the conservative DPO loss smooths
  the label by ``min(1 - c, 0.5)``: few visits or a small gap, a softer pair.
"""

from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import games
from agents import Agent
from agents.base import act_at
from agents.puct import RootStats, run_lockstep, search
from arena.records import MatchRecord
from games import parse_action
from games.seeds import derive_seed

__all__ = ["StepPair", "make_pair", "confidence", "search_pairs", "state_before",
           "searchable", "SearchReport"]


@dataclass(frozen=True)
class StepPair:
    """One step preference: at this prompt, ``chosen`` beat ``rejected`` in the search."""

    game: str
    role: str
    prompt: str
    prompt_ids: tuple[int, ...]
    chosen: str
    rejected: str
    q_chosen: float
    q_rejected: float
    visits_chosen: int
    visits_rejected: int
    confidence: float

    @property
    def label_smoothing(self) -> float:
        return min(1.0 - self.confidence, 0.5)


@dataclass(frozen=True)
class SearchReport:
    pairs: list[StepPair]
    searches: int
    calls: int
    """Batched policy calls."""
    observations: int
    """Observations those calls answered."""


def confidence(gap: float, n_chosen: int, n_rejected: int, scale: float) -> float:
    """``Phi(gap / (scale * sqrt(1/n_c + 1/n_r)))`` (see the module doc)."""
    if n_chosen < 1 or n_rejected < 1:
        return 0.5
    z = gap / (scale * math.sqrt(1.0 / n_chosen + 1.0 / n_rejected))
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def make_pair(root: RootStats, rng: random.Random, scale: float = 1.0, min_gap: float = 0.0,
              min_visits: int = 1, rejected: str = "random"
              ) -> tuple[int, int, float] | None:
    """(chosen index, rejected index, confidence) of ``root``'s actions, or None."""
    cands = [i for i, n in enumerate(root.visits) if n >= min_visits]
    if len(cands) < 2:
        return None
    best = max(cands, key=lambda i: (root.q[i], root.visits[i], _neg(root.actions[i])))
    lower = sorted((i for i in cands if root.q[i] < root.q[best]
                    and root.q[best] - root.q[i] >= min_gap), key=lambda i: root.actions[i])
    if not lower:
        return None
    if rejected == "lowest":
        worst = min(lower, key=lambda i: (root.q[i], -root.visits[i], root.actions[i]))
    else:
        worst = lower[rng.randrange(len(lower))]
    c = confidence(root.q[best] - root.q[worst], root.visits[best], root.visits[worst], scale)
    return best, worst, c


def _neg(text: str) -> tuple[int, ...]:
    """A key that orders texts in reverse (ties of Q and visits go to the first text)."""
    return tuple(-ord(ch) for ch in text)


def state_before(record: MatchRecord, index: int, game: games.Game) -> games.State:
    """The state at decision ``index`` of ``record``: the seed's state, then the actions
    applied before it."""
    state = game.new_state(record.seed)
    for d in record.decisions[:index]:
        if d.action is not None:
            state.apply(d.player, d.action)
    return state


def searchable(game: games.Game) -> str | None:
    """Why ``game`` cannot be searched (no clone, free-text actions), or None."""
    try:
        game.new_state(0).clone()
    except NotImplementedError as err:
        return f"its states cannot be cloned ({err})"
    return None


def _playout_fn(spec: str, seed: int) -> str | Callable:
    if spec in ("random", "policy"):
        return spec
    from agents.registry import make_agent

    agent: Agent = make_agent(spec, seed=seed)

    def play(state: games.State, player: int, rng: random.Random) -> str:
        obs, dec = act_at(agent, state, player, seed=rng.getrandbits(62))
        return parse_action(dec.text, obs.legal_actions, state.game)
    return play


def _games_by_id(game_names: Sequence[str]) -> dict[tuple[str, str], games.Game]:
    out = {}
    for name in game_names:
        g = games.make(name)
        opts = dataclasses.asdict(g.options) if dataclasses.is_dataclass(g.options) else {}
        out[(g.info.id, repr(sorted(opts.items())))] = g
    return out


def search_pairs(records: Sequence[MatchRecord], learner: str, policy: Agent,
                 game_names: Sequence[str], prob: float, simulations: int, seed: Any,
                 c: float = 1.0, playout: str = "random", min_gap: float = 0.0,
                 min_visits: int = 1, rejected: str = "random") -> SearchReport:
    """Search a share ``prob`` of ``learner``'s decisions in ``records`` in lock step,
    priors from ``policy.policy_batch``; the pairs found (see the module doc). ``seed``:
    the parts every draw derives from (run seed and iteration)."""
    built = _games_by_id(game_names)
    play = _playout_fn(playout, derive_seed("pref-playout", seed))
    gens, meta = [], []
    for m, rec in enumerate(records):
        key = (rec.game, repr(sorted(dict(rec.options).items())))
        game = built.get(key) or next(g for (gid, _), g in built.items() if gid == rec.game)
        for k, d in enumerate(rec.decisions):
            if d.agent != learner or d.action is None or not d.legal_actions:
                continue
            rng = random.Random(derive_seed("pref", seed, m, k))
            if len(d.legal_actions) < 2 or rng.random() >= prob:
                continue
            det = state_before(rec, k, game).determiniser(d.player)
            gens.append(search(det, simulations, rng, c, play))
            meta.append((rec, d, rng, game))
    result = run_lockstep(gens, policy.policy_batch)
    pairs = []
    for root, (rec, d, rng, game) in zip(result.roots, meta):
        info = game.info
        scale = max((info.max_utility - info.min_utility) / 2, 1e-9)
        found = make_pair(root, rng, scale, min_gap, min_visits, rejected)
        if found is None:
            continue
        b, w, conf = found
        pairs.append(StepPair(
            game=rec.game, role=d.role, prompt=str(d.info.get("prompt", d.observation)),
            prompt_ids=tuple(d.info.get("prompt_ids", ())), chosen=root.actions[b],
            rejected=root.actions[w], q_chosen=root.q[b], q_rejected=root.q[w],
            visits_chosen=root.visits[b], visits_rejected=root.visits[w], confidence=conf))
    return SearchReport(pairs, len(gens), result.calls, result.observations)
