"""The floor beneath games: utilities that know nothing of games, agents or matches.

- :mod:`common.seeds`: one way to derive a seed (:func:`~common.seeds.derive_seed`).
- :mod:`common.untrusted`: untrusted text made safe for a record, a terminal, rich markup.
- :mod:`common.specs`: spec strings (``name:key=value,...``) and option values converted
  by their default's type; games and agents are both named this way.
- :mod:`common.text`: bounded text (a long value cut to a limit with a visible mark).

Imports nothing of the arena's other packages: every package above may import it.
"""
