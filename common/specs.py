"""Spec strings: ``name:key=value,key=value``, and option values read by their default.

Games (``kuhn_poker:hands=5``) and agents (``mcts:simulations=200``) are both named by a
spec; the command line gives every option as text, and :func:`convert_option` turns it
into the type of the option's default (``"5"`` -> ``5`` where the default is an int,
``"yes"`` -> ``True`` where it is a bool).
"""

from __future__ import annotations

from typing import Any

__all__ = ["parse_spec", "convert_option"]


def parse_spec(spec: str, kind: str = "game", example: str = "kuhn_poker:hands=5"
               ) -> tuple[str, dict[str, str]]:
    """``"name:key=value,key=value"`` -> ``("name", {"key": "value", ...})``. ``kind``
    (``"game"``, ``"agent"``) and ``example`` name what is parsed in an error."""
    name, _, rest = spec.strip().partition(":")
    options: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise ValueError(
                f"bad {kind} option {part!r} in {spec!r}: expected key=value, e.g. {example}"
            )
        if key.strip() in options:
            raise ValueError(f"{kind} option {key.strip()!r} given twice in {spec!r} "
                             f"({options[key.strip()]}, then {value.strip()}); give it once")
        options[key.strip()] = value.strip()
    return name.strip(), options


def convert_option(value: Any, default: Any, what: str) -> Any:
    """Options arrive as strings from the command line; convert by the default's type.

    ``what`` names the option in the error, e.g. ``"option hands='x' for game 'kuhn_poker'"``.
    """
    if not isinstance(value, str) or default is None or isinstance(default, str):
        return value
    try:
        if isinstance(default, bool):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if isinstance(default, (int, float)):
            return type(default)(value)
    except ValueError as err:
        raise ValueError(
            f"{what} must be {type(default).__name__} (default {default!r})"
        ) from err
    return value
