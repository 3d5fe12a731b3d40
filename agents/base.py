"""The agent contract: anything that picks an action from an observation.

    class Agent:
        name: str
        def act(self, obs: Observation) -> Decision
        def act_batch(self, obs: list[Observation]) -> list[Decision]

``act_batch`` is where model agents get their speed: the runner hands over every pending
decision of every concurrent match that one agent must make, in one call. Agents that
can state their policy exactly (random, kuhn-nash, a model in choice mode) also implement
``policy(obs) -> {action: probability}``; exact evaluation uses it.

Agents own their randomness: a ``random.Random`` seeded at construction, reseeded by
``reset(seed)`` (the runner does this per match, so results do not depend on scheduling).

Observations are plain data. An agent that searches game states (MCTS) declares
``searches = True``; the runner then hands it, with each observation, a
:class:`games.core.Determiniser` (``act(obs, determiniser)``, ``act_batch(obs,
determinisers)``) and records that states were given. Agents that do not search never
get states. :func:`act_at` asks an agent at a state outside the runner the same way.

What an agent shares and offers is declared on :class:`Agent`, with defaults, so callers
ask the agent and never inspect it: ``searches`` (wants determinisers),
``shares_models`` (takes a model cache), ``samples_replies`` (offers ``complete``),
``generates`` (free-text decisions) and ``greedy`` (no sampling).
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping, Sequence

from games import Observation, State
from games.core import Determiniser

__all__ = ["Decision", "Agent", "act_at", "determiniser_for"]


@dataclass(frozen=True)
class Decision:
    """One decision as the agent produced it.

    ``text`` is the raw output (a model's full reply, reasoning included; a scripted agent's
    canonical action). The runner parses it with ``games.parse``. Model agents attach the
    sampled ``token_ids`` and their ``logprobs`` so training never recomputes them;
    ``distribution`` is the policy over legal actions where the agent knows it; ``info``
    holds anything else worth recording (search statistics, timing of a remote call).
    """

    text: str
    distribution: Mapping[str, float] | None = None
    token_ids: tuple[int, ...] | None = None
    logprobs: tuple[float, ...] | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "distribution": None if self.distribution is None else dict(self.distribution),
            "token_ids": None if self.token_ids is None else list(self.token_ids),
            "logprobs": None if self.logprobs is None else list(self.logprobs),
            "info": dict(self.info),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Decision":
        return cls(
            text=data["text"],
            distribution=data.get("distribution"),
            token_ids=None if data.get("token_ids") is None else tuple(data["token_ids"]),
            logprobs=None if data.get("logprobs") is None else tuple(data["logprobs"]),
            info=data.get("info") or {},
        )


class Agent:
    """Base class with a per-agent seeded rng and ``act``/``act_batch`` defined by each other.

    Subclasses implement ``act`` (scripted agents) or ``act_batch`` (model agents).
    """

    name: str = "agent"
    searches: ClassVar[bool] = False
    """True for agents that search game states: they get a determiniser per decision."""
    shares_models: ClassVar[bool] = False
    """True: the constructor takes ``models=`` (an :class:`agents.llm.model_cache.ModelCache`),
    so the agents one owner builds share loaded weights
    (:func:`agents.llm.model_cache.make_agent_sharing` passes it)."""
    samples_replies: ClassVar[bool] = False
    """True: :meth:`complete` samples free-text replies to prompts (model agents)."""
    generates: bool = False
    """True: its decisions are free-text replies (reasoning, then an answer), not draws from
    a distribution over the legal actions (an llm agent in generate mode)."""
    greedy: bool = False
    """True: it always takes its most likely choice, so asking twice gives one answer."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.rng = random.Random(seed)

    def reset(self, seed: int) -> None:
        """Reseed before a match, so that a match's result depends only on its seed."""
        self.seed = seed
        self.rng = random.Random(seed)

    def rng_for(self, obs: Observation) -> random.Random:
        """The rng for one decision: derived from the agent's seed and the decision's seed
        (set by the runner) when there is one, else the agent's own stream."""
        if obs.seed is None:
            return self.rng
        return random.Random(f"{self.seed}/{obs.seed}")

    def wants_states(self, obs: Observation) -> bool:
        """Whether this decision needs a determiniser (default: ``searches``). The runner
        asks before each decision and gives one only where this is True."""
        return self.searches

    def act(self, obs: Observation, determiniser: Determiniser | None = None) -> Decision:
        if type(self).act_batch is Agent.act_batch:
            raise NotImplementedError(f"{type(self).__name__} implements neither act nor act_batch")
        if determiniser is None:
            return self.act_batch([obs])[0]
        return self.act_batch([obs], [determiniser])[0]

    def act_batch(
        self, obs: Sequence[Observation],
        determinisers: Sequence[Determiniser | None] | None = None,
    ) -> list[Decision]:
        """One decision per observation; ``determinisers`` (aligned, None where not given)
        reach only agents that want states, and only :meth:`act` calls that take them."""
        if determinisers is None:
            return [self.act(o) for o in obs]
        return [self.act(o) if d is None else self.act(o, d) for o, d in zip(obs, determinisers)]

    def policy(self, obs: Observation) -> dict[str, float] | None:
        """The exact action distribution at ``obs``, or None if the agent cannot state it."""
        return None

    def policy_batch(self, obs: Sequence[Observation]) -> list[dict[str, float] | None]:
        """``policy`` for many observations; model agents override it to batch the work."""
        return [self.policy(o) for o in obs]

    def complete(self, prompts: Sequence[str], seeds: Sequence[int]) -> list[Any]:
        """One sampled reply per prompt, ``seeds[i]`` for row i, where
        :attr:`samples_replies` is True (step preferences in generate mode ask for several
        replies to one decision's prompt). Default: refused in one line."""
        raise ValueError(f"agent {self.name!r} cannot sample replies to prompts; use an llm "
                         "agent, e.g. llm:model=PATH,mode=generate")

    def close(self) -> None:
        """Release resources (models, connections). Safe to call twice."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def act_at(agent: Agent, state: State, player: int, seed: int | None = None
           ) -> tuple[Observation, Decision]:
    """Ask ``agent`` for ``player``'s decision at ``state`` as the runner would: the
    observation (with ``seed``), and a determiniser only where the agent wants states."""
    obs = state.observation(player)
    if seed is not None:
        obs = dataclasses.replace(obs, seed=seed)
    if not agent.wants_states(obs):
        return obs, agent.act(obs)
    return obs, agent.act(obs, determiniser_for(agent, state, player))


def determiniser_for(agent: Agent, state: State, player: int) -> Determiniser:
    """``state.determiniser(player)`` for ``agent``, or a ValueError saying why there is none."""
    det = state.determiniser(player)
    if det is None:
        raise ValueError(
            f"agent {agent.name!r} needs game states at this decision but "
            f"{state.game.info.id!r} offers no determinisation (its states cannot be "
            "cloned); use an agent that reads observations only, e.g. llm, or a game with "
            "listed legal actions"
        )
    return det
