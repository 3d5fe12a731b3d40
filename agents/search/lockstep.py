"""Many searches in lock step: one batched policy call per step.

A language model gives priors far faster for a hundred observations in one call than for
one observation a hundred times. :func:`run_lockstep` drives many
:func:`agents.search.search` generators together: each step it gathers the observation
every unfinished search waits on and makes ONE call of ``policy_batch(observations)``;
``LockstepResult.calls`` counts those calls. The policy is fixed while they run, so an
observation asked again (Kuhn Poker has 12 information states; TicTacToe's openings
repeat across searches) is answered from memory and each distinct one is sent once
(``LockstepResult.sent``). Each search keeps its own rng, so a search run in lock step
gives exactly the statistics it gives run alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generator, Sequence

from games import Observation

from agents.search.engine import Policy

__all__ = ["LockstepResult", "run_lockstep", "PolicyBatch"]

PolicyBatch = Callable[[list[Observation]], list["Policy | None"]]


@dataclass(frozen=True)
class LockstepResult:
    roots: list[Any]
    """What each search returned (:class:`agents.search.RootStats`), in order."""
    calls: int
    """Batched calls of the policy (one per lock step that had a question)."""
    observations: int
    """Observations answered in all (what one-at-a-time prior calls would number)."""
    sent: int = 0
    """Observations sent to the policy (with ``memo``, each distinct one once)."""


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


def run_lockstep(searches: Sequence[Generator[Observation, Any, Any]],
                 policy_batch: PolicyBatch | None, memo: bool = True) -> LockstepResult:
    """Drive ``searches`` together: each step, one ``policy_batch`` call answers the
    observation every unfinished search waits on. Returns what each search returned, in
    order. ``policy_batch`` None: the searches must need no policy (UCT, no ``policy``
    playout); one that asks is refused.

    ``memo``: the policy does not change during the searches, so an observation asked
    again (by another search, or in a later step) is answered from the first answer, and
    a step sends each distinct new observation once (a step whose questions were all
    answered before makes no call)."""
    roots: list[Any] = [None] * len(searches)
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
    if waiting and policy_batch is None:
        obs = waiting[min(waiting)]
        raise ValueError(f"a search asked for the policy at {obs.game!r} turn {obs.turn} "
                         "(PUCT priors or a policy playout) but no policy was given; give "
                         "one, or search with UCT and a random or agent playout")
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
    return LockstepResult(roots, calls, asked, sent)


def _answered(policy_batch: PolicyBatch, observations: list[Observation]
              ) -> list[Policy | None]:
    answers = policy_batch(observations)
    if len(answers) != len(observations):
        raise RuntimeError(f"policy_batch answered {len(answers)} of {len(observations)} "
                           "observations; it must answer each one in order")
    return list(answers)
