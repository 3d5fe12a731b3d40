"""Games: the game contract, the games, and what works on any game.

    import games
    game = games.make("kuhn_poker")
    state = game.new_state(seed=0)
    state.apply(0, "[bet]")

What is where:

- the contract: :mod:`games.core` (``Game``, ``State``, ``Observation``, the
  ``Determiniser``, ``IllegalAction``), :mod:`games.parse` (a model's reply -> a canonical
  action), :mod:`games.registry` (games by name, plug-ins by entry point),
  :mod:`games.phrasebook` (a compact view as a lossless rewrite of the text view),
  :mod:`games.expert` (a game's scripted expert, ``Game.expert``);
- the games, one package each: ``kuhn_poker``, ``tictactoe``, ``negotiation``,
  ``werewolf``, ``household``, in one layout: ``game.py`` (the Game), ``state.py`` (the
  State), ``text.py`` (what a player reads), ``expert.py`` and ``evaluation.py`` (where
  the game has exact evaluators or record metrics), other modules beside them by names of
  their own;
- :mod:`games.adapters`: the same games seen through other frameworks' interfaces
  (PettingZoo AEC and Parallel, ``textarena:<EnvId>`` wrapping TextArena's);
- :mod:`games.algorithms`: generic algorithms over what a game declares (the evaluation
  contract, exact exploitability);
- :mod:`games.conformance`: the checks a game must pass (``arena check``), shipped for
  plug-in authors.

Imports only :mod:`common` beneath it (no agents, no arena, never torch).
"""

from games.core import Game, GameInfo, IllegalAction, Observation, State
from games.parse import ParseError, parse_action
from games.registry import available, game_class, make, parse_game_spec

parse = parse_action


def env(name: str, **options):
    """The game as a PettingZoo AEC environment (see :mod:`games.adapters.aec`)."""
    from games.adapters.aec import env as _env

    return _env(name, **options)


def parallel_env(name: str, **options):
    """The game as a PettingZoo Parallel environment: the players who move now move
    together (see :mod:`games.adapters.parallel`)."""
    from games.adapters.parallel import parallel_env as _parallel_env

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
