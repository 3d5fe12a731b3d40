"""The typed OpenEnv client of ``arena serve``: OpenEnv's ``EnvClient`` over one WebSocket
session, answering :class:`~arena.serve.env.ArenaObservation` objects.

    from arena.serve.client import ArenaClient

    with ArenaClient(base_url="http://127.0.0.1:8000").sync() as env:
        result = env.reset(seed=3, agent="my-model")
        while not result.done:
            result = env.step(result.observation.legal_actions[0])   # or a model's reply
        print(result.reward, result.observation.match_id)

``step`` takes an :class:`~arena.serve.env.ArenaAction` or plain text. A refused request
raises OpenEnv's ``RuntimeError("Server error: ... (code: EXECUTION_ERROR)")``; the
session stays open. OpenEnv's ``GenericEnvClient`` works as well (dicts both ways).
"""

from __future__ import annotations

from typing import Any

from openenv.core.client_types import StepResult
from openenv.core.env_client import EnvClient

from arena.serve.env import ArenaAction, ArenaObservation, ArenaState

__all__ = ["ArenaClient"]


class ArenaClient(EnvClient[ArenaAction, ArenaObservation, ArenaState]):
    """One session of an ``arena serve`` server (see the module docstring)."""

    def _step_payload(self, action: ArenaAction | str) -> dict[str, Any]:
        if isinstance(action, str):
            return {"text": action}
        return {"text": action.text}

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[ArenaObservation]:
        observation = ArenaObservation(done=payload.get("done", False),
                                       reward=payload.get("reward"),
                                       **payload.get("observation", {}))
        return StepResult(observation=observation, reward=payload.get("reward"),
                          done=payload.get("done", False))

    def _parse_state(self, payload: dict[str, Any]) -> ArenaState:
        return ArenaState(**payload)
