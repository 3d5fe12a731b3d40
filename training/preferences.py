"""Step preferences from search at the learning policy's own decisions (MCTS-DPO's pairs).

After an iteration's rollouts, a share ``pref_prob`` of the learning policy's decisions
is searched (each decision drawn with a seed derived from the run seed, the iteration, the
match and the decision, so a resumed run searches the same ones). The state at a decision
is rebuilt from its match record (the game's seed, then every applied action), and the
search gets it only through the decision's :class:`games.core.Determiniser`, as a search
agent gets it from the runner: hidden facts are redrawn (IS-MCTS). All searches of the
iteration run in lock step on the arena's one search engine (:mod:`agents.search`: PUCT,
:func:`agents.search.run_lockstep`): each step asks the policy for priors (and ``policy``
playout moves) in one batched call.

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

Generate mode (``completions`` K > 0; the policy answers in free text): at each searched
decision K replies to the decision's own prompt are sampled, all searched decisions of the
iteration in ONE batched call (``policy.complete``; reply j of decision k of match m has
the seed ``derive_seed("pref-completion", seed, m, k, j)``: same seed, same replies), and
each is parsed to a legal action with the shared parser (:func:`games.parse_action`) or
to invalid. The search is the same PUCT search with no model calls: the root's priors are
the replies' actions with add-one smoothing, ``(count(a) + 1) / (valid replies + legal
actions)`` (:func:`completion_prior`), every node below it uniform. A reply is worth its
action's root Q; an invalid one is worth one full range of returns below the game's
worst return (:func:`invalid_value`), below every action. Pairs
(:func:`make_completion_pair`), one per decision, of two replies:

- candidates: replies whose action has at least ``min_visits`` visits, and invalid ones
  (empty replies take no part: there is no text to score);
- chosen: a valid candidate of highest value (ties: the first sampled);
- rejected: a candidate of strictly lower value at least ``min_gap`` below (an invalid
  one always qualifies), at random or the lowest (ties: the first sampled); all replies
  of one value: no pair;
- confidence: as above from the two actions' visits; 1 when the rejected reply is invalid
  (the rules, not the search, say it is worst: label smoothing 0).

The pair's prompt is the decision's prompt and chosen/rejected are the two reply texts
(``mode="generate"``): step-DPO scores the texts as continuations of the prompt.
"""

from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import games
from agents import Agent
from agents.search import RootStats, agent_playout, run_lockstep, search
from arena.records import MatchRecord
from games import IllegalAction, parse_action
from common.seeds import derive_seed

__all__ = ["StepPair", "make_pair", "confidence", "search_pairs", "state_before",
           "searchable", "SearchReport", "completion_prior", "completion_values",
           "make_completion_pair", "invalid_value", "games_by_id", "chosen_advantage"]


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
    mode: str = "choice"
    """``choice``: chosen/rejected are actions; ``generate``: sampled replies (reasoning
    and answer), scored as raw log-probabilities (see :mod:`training.step_dpo`)."""
    chosen_action: str = ""
    """Generate mode: the action the chosen reply parses to."""
    rejected_action: str = ""
    """Generate mode: the action the rejected reply parses to ("" when invalid)."""

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
    """Observations those calls answered (generate mode: replies sampled)."""
    completions: int = 0
    """Generate mode: replies sampled (``calls``: the batched sampling calls)."""
    invalid: int = 0
    """Generate mode: replies that parse to no legal action."""
    sent: int = 0
    """Choice mode: distinct observations the policy was asked (the rest from memory)."""
    step_values: dict[tuple[int, int], float] = dataclasses.field(default_factory=dict)
    """Choice mode: (match, decision) -> Q(s, a) - V(s) of the action the record took there
    (V: the visit-weighted mean Q of the root), where that action was visited."""


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

    return agent_playout(make_agent(spec, seed=seed))


def games_by_id(game_names: Sequence[str]) -> dict[tuple[str, str], games.Game]:
    out = {}
    for name in game_names:
        g = games.make(name)
        opts = dataclasses.asdict(g.options) if dataclasses.is_dataclass(g.options) else {}
        out[(g.info.id, repr(sorted(opts.items())))] = g
    return out


def _picked(records: Sequence[MatchRecord], learner: str, built: dict, prob: float,
            seed: Any, invalid_too: bool) -> list[tuple[int, int, MatchRecord, Any, Any,
                                                        random.Random]]:
    """(match, decision, record, decision record, game, rng) of every searched decision:
    ``learner``'s, with two or more legal actions, drawn with probability ``prob``; with
    ``invalid_too`` also those whose reply was invalid (generate mode)."""
    out = []
    for m, rec in enumerate(records):
        key = (rec.game, repr(sorted(dict(rec.options).items())))
        game = built.get(key) or next(g for (gid, _), g in built.items() if gid == rec.game)
        for k, d in enumerate(rec.decisions):
            if d.agent != learner or (d.action is None and not invalid_too) \
                    or not d.legal_actions:
                continue
            rng = random.Random(derive_seed("pref", seed, m, k))
            if len(d.legal_actions) < 2 or rng.random() >= prob:
                continue
            out.append((m, k, rec, d, game, rng))
    return out


def search_pairs(records: Sequence[MatchRecord], learner: str, policy: Agent,
                 game_names: Sequence[str], prob: float, simulations: int, seed: Any,
                 c: float = 1.0, playout: str = "random", min_gap: float = 0.0,
                 min_visits: int = 1, rejected: str = "random",
                 completions: int = 0) -> SearchReport:
    """Search a share ``prob`` of ``learner``'s decisions in ``records`` in lock step,
    priors from ``policy.policy_batch``; the pairs found (see the module doc). ``seed``:
    the parts every draw derives from (run seed and iteration). ``completions`` K > 0:
    generate mode, pairs of K sampled replies (``policy.complete``)."""
    built = games_by_id(game_names)
    play = _playout_fn(playout, derive_seed("pref-playout", seed))
    picked = _picked(records, learner, built, prob, seed, invalid_too=completions > 0)
    if completions:
        if playout == "policy":
            raise ValueError("playout=policy needs choice mode (a generate-mode policy has no "
                             "move distribution to play out with); use random or an agent "
                             "spec such as expert")
        return _completion_pairs(picked, policy, simulations, seed, completions, c, play,
                                 min_gap, min_visits, rejected)
    gens, meta = [], []
    for m, k, rec, d, game, rng in picked:
        det = state_before(rec, k, game).determiniser(d.player)
        gens.append(search(det, simulations, rng, c, play))
        meta.append((rec, d, rng, game, (m, k)))
    result = run_lockstep(gens, policy.policy_batch)
    pairs = []
    values = {}
    for root, (rec, d, rng, game, where) in zip(result.roots, meta):
        advantage = chosen_advantage(root, d.action)
        if advantage is not None:
            values[where] = advantage
        found = make_pair(root, rng, _half_range(game), min_gap, min_visits, rejected)
        if found is None:
            continue
        b, w, conf = found
        pairs.append(StepPair(
            game=rec.game, role=d.role, prompt=str(d.info.get("prompt", d.observation)),
            prompt_ids=tuple(d.info.get("prompt_ids", ())), chosen=root.actions[b],
            rejected=root.actions[w], q_chosen=root.q[b], q_rejected=root.q[w],
            visits_chosen=root.visits[b], visits_rejected=root.visits[w], confidence=conf))
    return SearchReport(pairs, len(gens), result.calls, result.observations, sent=result.sent,
                        step_values=values)


def chosen_advantage(root: RootStats, action: str | None) -> float | None:
    """Q(s, a) - V(s) of ``action`` at a searched root, V the visit-weighted mean of Q;
    None where the action was never visited (or is not among the root's)."""
    if action not in root.actions:
        return None
    i = root.actions.index(action)
    total = sum(root.visits)
    if not root.visits[i] or not total:
        return None
    value = sum(n * q for n, q in zip(root.visits, root.q)) / total
    return root.q[i] - value


def _half_range(game: games.Game) -> float:
    info = game.info
    return max((info.max_utility - info.min_utility) / 2, 1e-9)


# ----- generate mode: pairs of sampled replies -------------------------------------------
def invalid_value(game: games.Game) -> float:
    """What an invalid reply is worth: one full range of returns below the worst return."""
    info = game.info
    span = info.max_utility - info.min_utility
    return info.min_utility - (span if span > 0 else 1.0)


def completion_prior(actions: Sequence[str], parsed: Sequence[str | None]
                     ) -> dict[str, float]:
    """Root priors from replies' actions (None: invalid) with add-one smoothing:
    ``(count(a) + 1) / (valid replies + len(actions))``."""
    counts = dict.fromkeys(actions, 1)
    for a in parsed:
        if a is not None:
            counts[a] += 1
    total = sum(counts.values())
    return {a: n / total for a, n in counts.items()}


def completion_values(root: RootStats, parsed: Sequence[str | None], worst: float
                      ) -> list[float]:
    """Each reply's value: its action's root Q, ``worst`` for an invalid one."""
    index = {a: i for i, a in enumerate(root.actions)}
    return [worst if a is None else root.q[index[a]] for a in parsed]


def make_completion_pair(root: RootStats, parsed: Sequence[str | None], rng: random.Random,
                         worst: float, scale: float = 1.0, min_gap: float = 0.0,
                         min_visits: int = 1, rejected: str = "random"
                         ) -> tuple[int, int, float] | None:
    """(chosen reply, rejected reply, confidence) among replies parsed to ``parsed``
    (None: invalid), or None (see the module doc)."""
    values = completion_values(root, parsed, worst)
    index = {a: i for i, a in enumerate(root.actions)}
    visits = [0 if a is None else root.visits[index[a]] for a in parsed]
    usable = [a is None or n >= min_visits for a, n in zip(parsed, visits)]
    valid = [k for k, a in enumerate(parsed) if a is not None and usable[k]]
    if not valid:
        return None
    best = max(valid, key=lambda k: (values[k], -k))
    lower = [k for k in range(len(parsed)) if usable[k] and values[k] < values[best]
             and (parsed[k] is None or values[best] - values[k] >= min_gap)]
    if not lower:
        return None
    if rejected == "lowest":
        low = min(lower, key=lambda k: (values[k], k))
    else:
        low = lower[rng.randrange(len(lower))]
    if parsed[low] is None:
        return best, low, 1.0
    return best, low, confidence(values[best] - values[low], visits[best], visits[low], scale)


def _parse(text: str, legal: Sequence[str], game: games.Game) -> str | None:
    try:
        return parse_action(text, legal, game)
    except IllegalAction:
        return None


def _without_model(gen: Any, root_prior: dict[str, float]) -> RootStats:
    """Run one search to its end with no model: its first question (the root's priors,
    always asked first) gets ``root_prior``, every later one uniform priors."""
    answer: dict[str, float] | None = root_prior
    try:
        next(gen)
        while True:
            gen.send(answer)
            answer = None
    except StopIteration as stop:
        return stop.value


def _sample_replies(picked: list, policy: Agent, seed: Any, k: int) -> list[list[Any]]:
    """K replies to each picked decision's prompt, all in one batched call."""
    if not policy.samples_replies:
        raise ValueError(f"agent {policy.name!r} cannot sample replies for generate-mode step "
                         "preferences; use an llm agent with mode=generate")
    prompts, seeds = [], []
    for m, i, rec, d, _, _ in picked:
        prompt = d.info.get("prompt")
        if not isinstance(prompt, str):
            raise ValueError(f"decision {i} of match {rec.match_id!r} records no prompt; "
                             "generate-mode step preferences need the llm agent's records")
        prompts += [prompt] * k
        seeds += [derive_seed("pref-completion", seed, m, i, j) for j in range(k)]
    replies = policy.complete(prompts, seeds) if prompts else []
    return [replies[n * k:(n + 1) * k] for n in range(len(picked))]


def _completion_pairs(picked: list, policy: Agent, simulations: int, seed: Any, k: int,
                      c: float, play: Any, min_gap: float, min_visits: int, rejected: str
                      ) -> SearchReport:
    """Generate mode of :func:`search_pairs` (see the module doc)."""
    pairs, invalid = [], 0
    for (_, i, rec, d, game, rng), replies in zip(picked, _sample_replies(picked, policy,
                                                                          seed, k)):
        parsed = [_parse(g.text, d.legal_actions, game) for g in replies]
        invalid += parsed.count(None)
        det = state_before(rec, i, game).determiniser(d.player)
        root = _without_model(search(det, simulations, rng, c, play),
                              completion_prior(d.legal_actions, parsed))
        kept = [j for j, g in enumerate(replies) if g.text.strip()]
        worst = invalid_value(game)
        found = make_completion_pair(root, [parsed[j] for j in kept], rng, worst,
                                     _half_range(game), min_gap, min_visits, rejected)
        if found is None:
            continue
        b, w, conf = (kept[found[0]], kept[found[1]], found[2])
        values = completion_values(root, parsed, worst)
        visits = [0 if a is None else root.visits[root.actions.index(a)] for a in parsed]
        pairs.append(StepPair(
            game=rec.game, role=d.role, prompt=d.info["prompt"],
            prompt_ids=tuple(replies[b].prompt_ids or d.info.get("prompt_ids", ())),
            chosen=replies[b].text, rejected=replies[w].text, q_chosen=values[b],
            q_rejected=values[w], visits_chosen=visits[b], visits_rejected=visits[w],
            confidence=conf, mode="generate", chosen_action=parsed[b] or "",
            rejected_action=parsed[w] or ""))
    return SearchReport(pairs, len(picked), 1 if picked else 0, len(picked) * k,
                        completions=len(picked) * k, invalid=invalid)
