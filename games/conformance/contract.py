"""The declared contract: every hook a game overrides takes the arguments the arena passes.

The arena calls each hook of :class:`games.core.Game` and :class:`games.core.State` as it
is declared there, with the same arguments for every game, and never reads a game's
signatures. An override that cannot take those arguments (``teams(self)`` where the arena
passes the match's roles, ``render(self)`` where the viewer passes ``reveal``) would fail
at its first call, in the middle of a match, a replay or an evaluation.
:func:`check_contract` binds every override to each call the arena makes and names the
first that misses, in one line with the declaration to copy.
"""

from __future__ import annotations

import inspect
import random
from typing import Any, Callable, Sequence

from games.core import Game, State

from games.conformance.report import CheckFailed

__all__ = ["check_contract", "GAME_CALLS", "STATE_CALLS"]

_ROLES = ("role",)
_RNG = random.Random(0)

GAME_CALLS: dict[str, tuple[tuple[tuple, dict[str, Any]], ...]] = {
    "new_state": (((0,), {}),),
    "all_actions": (((), {}),),
    "example_action": (((), {}),),
    "canonicalize": ((("text",), {}),),
    "evaluators": (((), {}),),
    "chance_outcomes": (((), {}),),
    "teams": (((_ROLES,), {}), ((None,), {})),
    "forfeit_returns": (((0, _ROLES), {}), ((0, None), {})),
    "record_metrics": ((([], [0]), {}), (([], None), {})),
    "load_policy": ((("policy.json",), {}),),
    "random_text_action": (((None, _RNG), {}),),
    "kept_tables": (((), {}),),
}
"""Each ``Game`` hook with the calls (positional arguments, keywords) the arena makes."""

STATE_CALLS: dict[str, tuple[tuple[tuple, dict[str, Any]], ...]] = {
    "current_players": (((), {}),),
    "_legal": (((0,), {}),),
    "_legal_now": (((0,), {}),),
    "_apply": (((0, "[a]"), {}),),
    "_text": (((0,), {}),),
    "_compact": (((0,), {}),),
    "_view": (((0, "text"), {}),),
    "is_terminal": (((), {}),),
    "returns": (((), {}),),
    "role": (((0,), {}),),
    "information_state": (((0,), {}),),
    "render": (((), {}), ((), {"reveal": True})),
    "clone": (((), {}),),
    "_determinise": (((0, _RNG), {}),),
    "random_action": (((0, _RNG), {}),),
}
"""Each ``State`` hook with the calls the arena (runner, viewer, search) makes."""


def _call_text(name: str, args: tuple, kwargs: dict[str, Any], base: Callable) -> str:
    params = [p for p in inspect.signature(base).parameters if p != "self"]
    shown = [params[i] if i < len(params) else repr(a) for i, a in enumerate(args)]
    shown += [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def _check_class(cls: type, base_cls: type, calls: dict) -> None:
    for name, forms in calls.items():
        mine, base = getattr(cls, name, None), getattr(base_cls, name)
        if mine is base:
            continue  # the base's default: declared, nothing to check
        declared = f"def {name}{inspect.signature(base)}"
        if not callable(mine):
            raise CheckFailed(f"{cls.__name__}.{name} is {mine!r}, not a method; hooks are "
                              f"methods with defaults on games.core.{base_cls.__name__}: "
                              f"{declared} (or leave it out for the default)")
        try:
            sig = inspect.signature(mine)
        except (TypeError, ValueError):
            continue  # a builtin or C callable: nothing readable to check
        for args, kwargs in forms:
            try:
                sig.bind(None, *args, **kwargs)
            except TypeError:
                raise CheckFailed(
                    f"{cls.__name__}.{name}{sig} cannot take the arena's call "
                    f"{_call_text(name, args, kwargs, base)}; declare it as in games.core."
                    f"{base_cls.__name__}: {declared}") from None


def check_contract(game: Game, seeds: Sequence[int]) -> None:
    """Every ``Game`` and ``State`` hook the game overrides takes each call the arena
    makes (:data:`GAME_CALLS`, :data:`STATE_CALLS`), and ``hides_from_spectators`` is a
    bool; the first miss is one :class:`CheckFailed` line with the declaration to copy."""
    _check_class(type(game), Game, GAME_CALLS)
    if not isinstance(type(game).hides_from_spectators, bool):
        raise CheckFailed(f"{type(game).__name__}.hides_from_spectators is "
                          f"{type(game).hides_from_spectators!r}; declare True or False")
    _check_class(type(game.new_state(seeds[0])), State, STATE_CALLS)
