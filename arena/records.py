"""Records of matches: what training consumes, the viewer replays and the store keeps.

Both are frozen dataclasses with an exact JSON round trip (``to_dict``/``from_dict``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Mapping

__all__ = ["DecisionRecord", "MatchRecord"]

Outcome = Literal["terminal", "forfeit", "max_turns", "quit"]


@dataclass(frozen=True)
class DecisionRecord:
    """One decision: who, in which role, what they saw, what they said, what was played."""

    player: int
    role: str
    turn: int
    observation: str
    legal_actions: tuple[str, ...] | None
    raw: str
    """The agent's output as produced (a model's whole reply, reasoning included)."""
    action: str | None
    """The canonical action applied, or None when nothing was applied."""
    valid: bool
    error: str | None = None
    """Why the output was invalid (parse failure, illegal action, time limit)."""
    attempt: int = 0
    """0 for a first answer, k for the k-th retry after an invalid one."""
    fallback: bool = False
    """True when the invalid-action policy ``random`` played ``action`` instead."""
    elapsed_s: float = 0.0
    agent: str = ""
    distribution: Mapping[str, float] | None = None
    token_ids: tuple[int, ...] | None = None
    logprobs: tuple[float, ...] | None = None
    info: Mapping[str, Any] = field(default_factory=dict)
    states_given: bool = False
    """True when the runner handed the agent game states (a determiniser) for this
    decision: search agents, and ``random`` on free-text actions. Written only when True,
    so records of agents that read observations alone are unchanged."""

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        if not self.states_given:
            del d["states_given"]
        for key in ("legal_actions", "token_ids", "logprobs"):
            if d[key] is not None:
                d[key] = list(d[key])
        d["distribution"] = None if self.distribution is None else dict(self.distribution)
        d["info"] = dict(self.info)
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DecisionRecord":
        d = dict(data)
        for key in ("legal_actions", "token_ids", "logprobs"):
            if d.get(key) is not None:
                d[key] = tuple(d[key])
        return cls(**d)


@dataclass(frozen=True)
class MatchRecord:
    """A whole match. ``returns`` are per seat; ``outcome`` says how the match ended."""

    game: str
    options: Mapping[str, Any]
    seed: int
    agents: tuple[str, ...]
    roles: tuple[str, ...]
    decisions: tuple[DecisionRecord, ...]
    returns: tuple[float, ...]
    outcome: Outcome
    forfeit_player: int | None = None
    match_id: str = ""
    elapsed_s: float = 0.0
    final_render: str = ""

    @property
    def num_decisions(self) -> int:
        return len(self.decisions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "game": self.game,
            "options": dict(self.options),
            "seed": self.seed,
            "agents": list(self.agents),
            "roles": list(self.roles),
            "decisions": [d.to_dict() for d in self.decisions],
            "returns": list(self.returns),
            "outcome": self.outcome,
            "forfeit_player": self.forfeit_player,
            "match_id": self.match_id,
            "elapsed_s": self.elapsed_s,
            "final_render": self.final_render,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "MatchRecord":
        d = dict(data)
        d["agents"] = tuple(d["agents"])
        d["roles"] = tuple(d["roles"])
        d["returns"] = tuple(d["returns"])
        d["decisions"] = tuple(DecisionRecord.from_dict(x) for x in d["decisions"])
        return cls(**d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "MatchRecord":
        return cls.from_dict(json.loads(text))

    def transcript(self) -> str:
        """A stable plain-text transcript (golden files compare these line by line)."""
        lines = [f"game: {self.game} {json.dumps(dict(self.options), sort_keys=True)}",
                 f"seed: {self.seed}", f"agents: {', '.join(self.agents)}",
                 f"roles: {', '.join(self.roles)}"]
        for d in self.decisions:
            lines.append(f"--- turn {d.turn} player {d.player} ({d.role})")
            lines.extend("  | " + ln for ln in d.observation.splitlines())
            status = "ok" if d.valid else f"INVALID ({d.error})"
            lines.append(f"  > {d.raw!r} -> {d.action} [{status}]")
        lines.append(f"outcome: {self.outcome}")
        lines.append("returns: " + ", ".join(f"{r:g}" for r in self.returns))
        lines.extend("  " + ln for ln in self.final_render.splitlines())
        return "\n".join(lines) + "\n"
