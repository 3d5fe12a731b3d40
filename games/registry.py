"""Finding games by name: built-ins, the ``arena.games`` entry point group, TextArena.

A game in another installed package plugs in with no change here: declare

    [project.entry-points."arena.games"]
    my_game = "my_package.my_module:MyGame"

and ``games.make("my_game")`` builds it. ``textarena:<EnvId>`` wraps an installed
TextArena environment (see :mod:`games.adapters.textarena_game`).
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points
from typing import Any

from common.specs import parse_spec

from games.core import Game

log = logging.getLogger(__name__)

__all__ = ["make", "available", "builtin", "game_class", "parse_game_spec"]

ENTRY_POINT_GROUP = "arena.games"

_BUILTIN = {
    "kuhn_poker": "games.kuhn_poker:KuhnPoker",
    "tictactoe": "games.tictactoe:TicTacToe",
    "negotiation": "games.negotiation:SimpleNegotiation",
    "household": "games.household:Household",
    "werewolf": "games.werewolf:Werewolf",
}


def _load(target: str) -> type[Game]:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def builtin() -> list[str]:
    """Names of the games that ship with the arena (not plug-ins), sorted."""
    return sorted(_BUILTIN)


def available() -> list[str]:
    """Names of every registered game (built-in and plugged in), sorted."""
    return sorted(set(_BUILTIN) | set(_entry_points()))


def game_class(name: str) -> type[Game]:
    if name in _BUILTIN:
        return _load(_BUILTIN[name])
    eps = _entry_points()
    if name in eps:
        try:
            cls = eps[name].load()
        except Exception as err:  # a broken plug-in must say which one
            raise ImportError(
                f"game {name!r} is registered by entry point {eps[name].value!r} "
                f"but failed to import: {err}"
            ) from err
        if not (isinstance(cls, type) and issubclass(cls, Game)):
            raise TypeError(
                f"entry point {name!r} ({eps[name].value}) must name a games.Game "
                f"subclass, got {cls!r}"
            )
        return cls
    raise ValueError(
        f"unknown game {name!r} (known: {', '.join(available())}; "
        "or textarena:<EnvId> for an installed TextArena environment)"
    )


def make(name: str, **options: Any) -> Game:
    """Build a registered game: ``make("kuhn_poker", hands=5)``.

    ``name`` may carry options as a spec string: ``"kuhn_poker:hands=5"``.
    """
    if name.startswith("textarena:"):
        from games.adapters.textarena_game import TextArenaGame

        env_id, spec_options = parse_game_spec(name.split(":", 1)[1])
        spec_options.update(options)
        return TextArenaGame(env_id=env_id, **spec_options)
    base, spec_options = parse_game_spec(name)
    spec_options.update(options)
    return game_class(base)(**spec_options)


def parse_game_spec(spec: str) -> tuple[str, dict[str, str]]:
    """``"kuhn_poker:hands=5,x=1"`` -> ``("kuhn_poker", {"hands": "5", "x": "1"})``."""
    return parse_spec(spec)
