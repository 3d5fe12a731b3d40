"""The arena's games seen through other frameworks' interfaces, and theirs through ours.

- :mod:`games.adapters.aec`: any game as a PettingZoo AEC environment (``games.env``);
- :mod:`games.adapters.parallel`: the PettingZoo Parallel API (``games.parallel_env``),
  the players who move now moving together;
- :mod:`games.adapters.spaces`: what both PettingZoo adapters share (modes, spaces,
  observations, action masks);
- :mod:`games.adapters.textarena_game`: ``textarena:<EnvId>``, any installed TextArena
  environment as one of our games; :mod:`games.adapters.textarena_moves` draws
  plausible moves from what its text shows.

Adapters read only the contract (:mod:`games.core`, :mod:`games.parse`,
:mod:`games.registry`); no game names an adapter.
"""
