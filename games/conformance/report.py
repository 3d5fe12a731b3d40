"""What a conformance run found: one :class:`Failure` per broken check, and a report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CheckFailed", "ConformanceError", "Failure", "Report"]


class CheckFailed(AssertionError):
    """Raised inside a check: the message says what is wrong, where, and the fix."""


class ConformanceError(AssertionError):
    """Raised by :func:`games.conformance.assert_conforms`; the message lists every failure."""


@dataclass(frozen=True)
class Failure:
    check: str
    """Name of the check (``"simultaneous"``, ``"determinisation"``, ...)."""
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "message": self.message}


@dataclass
class Report:
    """The outcome of :func:`games.conformance.check_game` for one game."""

    game: str
    passed: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    """Checks that do not apply, with the reason (``{"aec": "no pettingzoo"}``)."""

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        """Plain lines: one per check, failures with their message."""
        lines = [f"{self.game}: {'ok' if self.ok else f'{len(self.failures)} failed'} "
                 f"({len(self.passed)} passed, {len(self.failures)} failed, "
                 f"{len(self.skipped)} skipped)"]
        lines += [f"  ok    {name}" for name in self.passed]
        lines += [f"  FAIL  {f.check}: {f.message}" for f in self.failures]
        lines += [f"  skip  {name}: {why}" for name, why in self.skipped.items()]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "game": self.game,
            "ok": self.ok,
            "passed": list(self.passed),
            "failures": [f.to_dict() for f in self.failures],
            "skipped": dict(self.skipped),
        }

    def raise_for_failures(self) -> "Report":
        """This report, or :class:`ConformanceError` listing every failure."""
        if self.failures:
            raise ConformanceError(self.summary())
        return self
