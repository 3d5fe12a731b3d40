"""``mcts``: the search agent: Monte Carlo tree search over cloned game states (UCT,
PUCT, IS-MCTS), run by the engine in :mod:`agents.search`.

Spec: ``mcts:simulations=200,c=1.4,rollout=random,prior=,determinisations=0,candidates=8``.

Selection
    - UCT (no prior, the default): untried actions first, in a random order; then
      ``Q + c * s * sqrt(ln N / n)``.
    - PUCT (``prior`` set): the prior's ``policy(obs)`` at each new node gives the priors P
      (uniform where the action is free text); score ``Q + c * s * P * sqrt(N) / (1 + n)``,
      Q = 0 for an untried action.

    ``Q`` is the mover's mean return after the action, ``n`` its visits, ``N`` the node's;
    ``s = (max_utility - min_utility) / 2`` from the game's declaration, so one ``c``
    suits every game.

The prior
    ``prior`` is an agent spec (``prior=minimax``, ``prior=llm:model=PATH,mode=choice``;
    built and reseeded with this agent) or, from Python, any :class:`agents.Agent` object
    (``MCTSAgent(prior=policy)``: the live policy of a training run, a checkpoint loaded
    as an ``llm`` agent), used as it is: never reseeded, never closed by this agent. Either
    must state its policy (``policy(obs)`` not None); the priors of all nodes waiting in
    one step of :meth:`MCTSAgent.act_batch` are asked in one ``policy_batch`` call, and an
    observation asked again is answered from memory.

Rollouts
    ``random`` (``State.random_action``), ``policy`` (moves sampled from the prior's
    policy, batched like the priors; needs a prior), or any agent, as a spec or an object
    (its decision at each observation, parsed by ``games.parse_action``).

States
    The agent searches game states, so it declares ``searches = True``: the runner hands
    it a :class:`games.core.Determiniser` with each observation (``act(obs,
    determiniser)``) and records that states were given. Without a determiniser the
    agent refuses to act.

Hidden information, free text, simultaneous moves
    As the engine does (:mod:`agents.search.engine`): IS-MCTS over a fresh
    determinisation per simulation, nodes keyed by the mover's information state, so
    observations with the same information state give the same decision;
    ``determinisations=K`` (K > 0) selects determinised search instead; where actions are
    free text each new node draws ``candidates`` of them; players who move together are
    searched one after the other.

Decision
    ``text``: the most visited root action, ties broken by the rng; ``distribution``: root
    visit shares; ``info``: ``{"visits": {action: n}, "q": {action: mean return of the
    mover}, "simulations": n}``. All randomness comes from ``Agent.rng_for(obs)``: same
    seed and observation, same decision, whether decided alone (``act``) or with others
    (``act_batch``: the searches run in lock step).
"""

from __future__ import annotations

import random
from typing import Sequence

from games import Observation
from games.algorithms.evaluation import checked_distributions
from games.core import Determiniser

from agents.base import Agent, Decision
from agents.search import Policy, RootStats, agent_playout, run_lockstep, search

__all__ = ["MCTSAgent"]


class MCTSAgent(Agent):
    name = "mcts"
    searches = True

    def __init__(
        self,
        seed: int = 0,
        simulations: int = 200,
        c: float = 1.4,
        rollout: str | Agent = "random",
        prior: str | Agent = "",
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
        if rollout == "policy" and not prior:
            raise ValueError("mcts option rollout=policy plays out with the prior's policy and "
                             "needs a prior, e.g. mcts:prior=minimax,rollout=policy")
        self.simulations, self.c = simulations, float(c)
        self.determinisations, self.candidates = determinisations, candidates
        self.rollout, self.prior = rollout, prior
        self._owned: list[Agent] = []  # agents built here from specs: reseeded with this one
        self._prior_agent = self._agent(prior, seed) if prior else None
        self._playout = (rollout if rollout in ("random", "policy")
                         else agent_playout(self._agent(rollout, seed)))

    def _agent(self, spec: str | Agent, seed: int) -> Agent:
        if isinstance(spec, Agent):
            return spec
        from agents.registry import make_agent

        agent = make_agent(spec, seed=seed)
        self._owned.append(agent)
        return agent

    def reset(self, seed: int) -> None:
        super().reset(seed)
        for agent in self._owned:
            agent.reset(seed)

    # ----- decisions ------------------------------------------------------------------
    def act(self, obs: Observation, determiniser: Determiniser | None = None) -> Decision:
        return self.act_batch([obs], [determiniser])[0]

    def act_batch(self, obs: Sequence[Observation],
                  determinisers: Sequence[Determiniser | None] | None = None) -> list[Decision]:
        """One decision per observation, the searches in lock step (one ``policy_batch``
        call of the prior per step); each the decision ``act`` gives alone."""
        dets = list(determinisers) if determinisers is not None else [None] * len(obs)
        rngs = [self._checked(o, d) for o, d in zip(obs, dets)]
        if len({id(r) for r in rngs}) < len(rngs):
            # observations without a seed share the agent's own stream: one at a time
            return [self._decide(self._run([(d, r)])[0], r) for d, r in zip(dets, rngs)]
        roots = self._run(list(zip(dets, rngs)))
        return [self._decide(root, rng) for root, rng in zip(roots, rngs)]

    def _checked(self, obs: Observation, determiniser: Determiniser | None) -> random.Random:
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
        return self.rng_for(obs)

    def _run(self, work: list[tuple[Determiniser, random.Random]]) -> list[RootStats]:
        selection = "uct" if self._prior_agent is None else "puct"
        gens = [search(det, self.simulations, rng, self.c, self._playout, selection=selection,
                       candidates=self.candidates, determinisations=self.determinisations)
                for det, rng in work]
        ask = None if self._prior_agent is None else self._priors
        return run_lockstep(gens, ask).roots

    def _priors(self, observations: list[Observation]) -> list[Policy]:
        """The prior's distributions, each checked (one line naming the prior where it
        states none, or a malformed one)."""
        return checked_distributions(self._prior_agent.policy_batch, observations,
                                     f"mcts prior {self._prior_agent.name!r}")

    def _decide(self, root: RootStats, rng: random.Random) -> Decision:
        visits = dict(zip(root.actions, root.visits))
        q = dict(zip(root.actions, root.q))
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
                "q": {a: q[a] for a in ordered if visits[a]},
                "simulations": total,
            },
        )
