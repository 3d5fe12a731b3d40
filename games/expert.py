"""A game's scripted expert: the contract each game's ``expert.py`` implements.

A game declares its expert on its Game class, ``expert = KuhnNash``: a subclass of
:class:`Expert` in the game's own package (``games/<game>/expert.py``). The arena then
plays it two ways, and nothing in ``agents/`` names it:

- the agent ``expert`` plays every game's expert (each with its default options);
- the expert's :attr:`Expert.name` (``kuhn-nash``, ``minimax``...) is an agent name of its
  own: it plays that game's expert on that game only, with options after a colon
  (``kuhn-nash:alpha=0.2``). A plug-in game's expert is an agent as soon as the game is
  installed.

An expert is a policy from what one player sees to a move:

- options are the keyword parameters of ``__init__``, each with a default (spec text is
  converted by the default's type, as for any agent); a value out of range raises
  ValueError naming the option, its range and an example;
- :meth:`Expert.policy` states the distribution it plays at an observation, or None where
  it cannot state one (a free-text move);
- :meth:`Expert.act` picks the move with the rng it is given (the agent's seeded rng for
  that decision) and returns it with the distribution it was drawn from (None where not
  stated). By default it draws from :meth:`Expert.policy`;
- an expert that needs the true state (a search) sets ``searches = True``: ``act`` then
  receives the decision's :class:`~games.core.Determiniser` (the runner records that
  states were given). Every built-in expert reads the observation alone.

The agent asks an expert only at its own decisions (legal actions listed and not empty,
or free text) of its own game, so an expert need not check either.
"""

from __future__ import annotations

import random
from typing import ClassVar, Mapping

from common.draws import sample_from

from games.core import Determiniser, Observation

__all__ = ["Expert"]


class Expert:
    """Base class of a game's scripted expert; see the module docstring."""

    name: ClassVar[str] = "expert"
    """The agent name this expert also answers to (``kuhn-nash``), unique among agents."""
    searches: ClassVar[bool] = False
    """True: :meth:`act` needs the decision's determiniser (the true state, sampled)."""

    def policy(self, obs: Observation) -> Mapping[str, float] | None:
        """``{action: probability}`` over ``obs.legal_actions``, or None where the expert
        cannot state its distribution. Default: None."""
        return None

    def act(self, obs: Observation, rng: random.Random,
            determiniser: Determiniser | None = None) -> tuple[str, Mapping[str, float] | None]:
        """(the move, the distribution it was drawn from or None). Default: one draw from
        :meth:`policy` with ``rng``."""
        dist = self.policy(obs)
        if dist is None:
            raise NotImplementedError(
                f"{type(self).__name__} states no policy and does not override act; an "
                "expert implements policy (a distribution) or act (a move)")
        return sample_from(dist, rng), dist
