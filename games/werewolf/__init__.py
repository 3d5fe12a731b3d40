"""Werewolf: everything specific to the game, in the layout every game uses (game.py,
state.py, text.py, expert.py, evaluation.py) and the modules beside them.

- :mod:`~games.werewolf.roles`: roles, teams, options (every number with its range) and
  the rules text;
- :mod:`~games.werewolf.moves`: the action grammar, speeches and statements;
- :mod:`~games.werewolf.game`: the game (declaration, options, deal, arena hooks);
- :mod:`~games.werewolf.state`: the state (phases, nights, votes, returns);
- :mod:`~games.werewolf.text`: observation sections and the spectator's rendering;
- :mod:`~games.werewolf.compact`: the compact view (the text view's phrases as codes);
- :mod:`~games.werewolf.refusal`: why an action is refused;
- :mod:`~games.werewolf.determinise`: states consistent with what a player knows;
- :mod:`~games.werewolf.expert`: the rule-based policy per role, the game's expert
  ``WerewolfRules`` (agents ``expert`` and ``werewolf-rules``);
- :mod:`~games.werewolf.evaluation`: metrics from match records (team win rates, vote
  accuracy, Seer survival, invalid actions, game length).
"""

from games.werewolf.roles import ROLE_NAMES, TEAM_NAMES, WerewolfOptions
from games.werewolf.game import Werewolf
from games.werewolf.state import WerewolfState
from games.werewolf.moves import parse_speech, statements

__all__ = ["Werewolf", "WerewolfState", "WerewolfOptions", "ROLE_NAMES", "TEAM_NAMES",
           "parse_speech", "statements"]
