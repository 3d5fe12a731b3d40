"""Serving the arena's games to other trainers over OpenEnv's protocol (``arena serve``).

A client (TRL's GRPOTrainer through a rollout function, any OpenEnv ``EnvClient``) plays
one seat of a registered game; the other seats are agents (``random``, ``expert``,
``mcts:...``, ``llm:model=...``) or, with ``self``, other client sessions. Each session is
one seat of one match at a time; reward and done come from the game; every finished match
can go to the store, so remote games show in ``arena leaderboard`` and ``arena replay``.

- :mod:`arena.serve.table`: one match, played by the runner's own step and paused where a
  client must answer (so a served match equals ``arena play``'s with the same seed);
- :mod:`arena.serve.hub`: what sessions share: the game, who fills each seat, seeds,
  self-play tables, the store writer (:mod:`arena.serve.sink`);
- :mod:`arena.serve.env`: the OpenEnv action, observation and state types and the
  environment of one session; :mod:`arena.serve.client`: the typed client;
- :mod:`arena.serve.server`: OpenEnv's ``create_app`` with the session bounds, on a socket;
- :mod:`arena.serve.cli`: ``arena serve``'s options and command.

Only :mod:`~arena.serve.env`, :mod:`~arena.serve.client` and :mod:`~arena.serve.server`
import openenv-core (the ``serve`` extra); the rest runs without it.
"""
