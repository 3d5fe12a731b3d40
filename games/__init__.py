"""Games: rules only. States, observations, legal actions, returns.

    import games
    game = games.make("kuhn_poker")
    state = game.new_state(seed=0)
    state.apply(0, "[bet]")

Imports only :mod:`common` beneath it (no agents, no arena, never torch).
"""

from games.core import Game, GameInfo, IllegalAction, Observation, State
from games.parse import ParseError, parse_action
from games.registry import available, game_class, make, parse_game_spec

parse = parse_action


def env(name: str, **options):
    """The game as a PettingZoo AEC environment (see :mod:`games.aec`)."""
    from games.aec import env as _env

    return _env(name, **options)


def parallel_env(name: str, **options):
    """The game as a PettingZoo Parallel environment: the players who move now move
    together (see :mod:`games.parallel`)."""
    from games.parallel import parallel_env as _parallel_env

    return _parallel_env(name, **options)


__all__ = [
    "Game",
    "GameInfo",
    "IllegalAction",
    "Observation",
    "State",
    "ParseError",
    "parse",
    "parse_action",
    "available",
    "game_class",
    "make",
    "parse_game_spec",
    "env",
    "parallel_env",
]
