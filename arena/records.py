"""Records of matches: what training consumes, the viewer replays and the store keeps.

Both are frozen dataclasses with an exact JSON round trip (``to_dict``/``from_dict``).
A match's dict writes a long history once: observations, prompts and prompt token ids
that extend an earlier decision's are stored as deltas (:mod:`arena.record_deltas`);
records written before read as they always did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Mapping

from common.untrusted import terminal_safe, valid_text

from arena.record_deltas import compress, expand

__all__ = ["DecisionRecord", "MatchRecord"]

Outcome = Literal["terminal", "forfeit", "max_turns", "quit"]


_SCALARS = frozenset({int, float, bool, type(None)})


def _ascii_strings(items: Any) -> bool:
    """True when ``items`` are all ASCII strings (one C-level join, the common case)."""
    try:
        return "".join(items).isascii()
    except TypeError:
        return False


def _valid(value: Any) -> Any:
    """``value`` with every string in it (keys included, through lists, tuples and dicts)
    made valid UTF-8; the same object when nothing needed a change. Fast on what records
    mostly hold: ASCII text, tuples of ASCII actions, runs of numbers (token ids)."""
    kind = type(value)
    if kind is str:
        return value if value.isascii() else valid_text(value)
    if kind is tuple or kind is list:
        if _ascii_strings(value) or set(map(type, value)) <= _SCALARS:
            return value
        items = [_valid(v) for v in value]
        changed = any(a is not b for a, b in zip(items, value))
        return kind(items) if changed else value
    if isinstance(value, Mapping):
        if _ascii_strings(value) and set(map(type, value.values())) <= _SCALARS:
            return value
        pairs = [(_valid(k), _valid(v)) for k, v in value.items()]
        changed = any(a is not k or b is not v for (a, b), (k, v) in zip(pairs, value.items()))
        return dict(pairs) if changed else value
    return value


def _valid_fields(record: Any, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(record, name)
        cleaned = _valid(value)
        if cleaned is not value:
            object.__setattr__(record, name, cleaned)


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

    def __post_init__(self) -> None:
        # untrusted text is made valid UTF-8 as it enters a record (a lone surrogate in a
        # model reply must not crash the viewer, the transcript or the store later)
        _valid_fields(self, ("role", "observation", "raw", "action", "error", "agent",
                             "legal_actions", "distribution", "info"))

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

    def __post_init__(self) -> None:
        _valid_fields(self, ("game", "agents", "roles", "match_id", "final_render", "options"))

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
            "decisions": compress([d.to_dict() for d in self.decisions]),
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
        d["decisions"] = tuple(DecisionRecord.from_dict(x) for x in expand(d["decisions"]))
        return cls(**d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "MatchRecord":
        return cls.from_dict(json.loads(text))

    def transcript(self) -> str:
        """A stable plain-text transcript (golden files compare these line by line).

        Safe for a terminal: every piece of game, agent and model text goes through
        :func:`common.untrusted.terminal_safe` (one line per name, action and error; the
        observation and the final board keep their lines), and the raw output is shown
        as ``repr`` of that cleaned text."""
        def one(text: Any) -> str:
            return terminal_safe(text, multiline=False)

        lines = [f"game: {one(self.game)} {one(json.dumps(dict(self.options), sort_keys=True))}",
                 f"seed: {self.seed}", f"agents: {', '.join(map(one, self.agents))}",
                 f"roles: {', '.join(map(one, self.roles))}"]
        for d in self.decisions:
            lines.append(f"--- turn {d.turn} player {d.player} ({one(d.role)})")
            lines.extend("  | " + ln for ln in terminal_safe(d.observation).splitlines())
            status = "ok" if d.valid else f"INVALID ({one(d.error)})"
            lines.append(f"  > {terminal_safe(d.raw)!r} -> {one(d.action)} [{status}]")
        lines.append(f"outcome: {one(self.outcome)}")
        lines.append("returns: " + ", ".join(f"{r:g}" for r in self.returns))
        lines.extend("  " + ln for ln in terminal_safe(self.final_render).splitlines())
        return "\n".join(lines) + "\n"
