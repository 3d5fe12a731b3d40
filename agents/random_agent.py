"""``random``: a uniformly random legal action.

Where the game lists its legal actions the agent reads them off the observation. Where
actions are free text it draws one with the game's ``State.random_action`` on a
determinisation: the only decisions at which ``random`` wants states (the runner then
hands it a determiniser and records that states were given).
"""

from __future__ import annotations

from games import Observation
from games.core import Determiniser

from agents.base import Agent, Decision


class RandomAgent(Agent):
    name = "random"

    def wants_states(self, obs: Observation) -> bool:
        return obs.legal_actions is None

    def act(self, obs: Observation, determiniser: Determiniser | None = None) -> Decision:
        rng = self.rng_for(obs)
        if obs.legal_actions is None:
            if determiniser is None:
                raise ValueError(
                    f"random draws free-text actions of {obs.game!r} from a determinised "
                    "state and got no determiniser; the runner gives one (outside it, use "
                    "agents.base.act_at(agent, state, player))"
                )
            state = determiniser.sample(rng)
            return Decision(text=state.random_action(obs.player, rng))
        dist = self.policy(obs)
        return Decision(text=obs.legal_actions[rng.randrange(len(obs.legal_actions))], distribution=dist)

    def policy(self, obs: Observation) -> dict[str, float] | None:
        if not obs.legal_actions:
            return None
        p = 1.0 / len(obs.legal_actions)
        return {a: p for a in obs.legal_actions}
