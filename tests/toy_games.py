"""Toy games shared by the tests: each small enough to read whole, each exercising one
part of the contract, so the arena's machinery is tested whatever built-in games exist.

- :class:`Highest`: three seats pick 1, 2 or 3 in turn; the highest picks score 1
  (tournaments, ratings, kill-and-resume).
- :class:`Pairs`: four seats in two teams (north-south against east-west); each picks 1,
  2 or 3; the team with the larger sum scores +1 per seat, the other -1 (teams).
- :class:`Crown`: three seats, roles dealt by the seed (one ``king``, two ``peasant``);
  each picks a number; the highest pick scores 1 (roles by seed).
- :class:`Guess`: one player picks 1, 2 or 3; 1 when it matches the target drawn from the
  seed, else 0 (one-player benchmarks and evaluation).
- :class:`Pennies`: matching pennies, both players move at once; nothing shows until both
  chose (simultaneous phases, determinisation, the conformance kit; ``state_class`` lets a
  test swap in a broken state).
- :class:`Pile`: take one or two from a seeded pile; whoever takes the last wins
  (sequential play, the PettingZoo adapter).
- :class:`Shout`: each says one word (free text); the longer word wins.
- :class:`ChainGame`: a three-player tree of depth two with known payoffs (search backs up
  each mover's own return).

:data:`REGISTER` names the toys tests register under ``games.registry._BUILTIN``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from games.core import Game, GameInfo, IllegalAction, State

_MOVES = ("[heads]", "[tails]")


# ----- pick games: Highest, Pairs, Crown, Guess -------------------------------------------
@dataclass
class HighestOptions:
    players: int = 3


class HighestState(State):
    __slots__ = ("picks",)

    def current_players(self):
        return [] if self.is_terminal() else [len(self.picks)]

    def _legal(self, player):
        return ["[1]", "[2]", "[3]"]

    def _apply(self, player, action):
        self.picks = self.picks + (int(action[1:-1]),)

    def _text(self, player):
        return f"Picks so far: {list(self.picks)}. Pick one of [1], [2], [3]."

    def is_terminal(self):
        return len(self.picks) == self.game.num_players

    def returns(self):
        if not self.is_terminal():
            return [0.0] * self.game.num_players
        top = max(self.picks)
        return [1.0 if p == top else 0.0 for p in self.picks]

    def role(self, player):
        return f"p{player}"

    def information_state(self, player):
        return f"{player}|{self.picks}"

    def render(self, reveal=False):
        return " ".join(map(str, self.picks))

    def clone(self):
        s = object.__new__(HighestState)
        s.game, s.turn, s.picks = self.game, self.turn, self.picks
        return s


class Highest(Game):
    """Each of three players picks 1, 2 or 3 in turn; the highest picks score 1."""

    info = GameInfo(
        id="highest", description="pick the highest number", min_players=3, max_players=3,
        roles=("p0", "p1", "p2"), chance="none", information="perfect", min_utility=0.0,
        max_utility=1.0, utility_sum=None, max_length=3, action_grammar="[1] | [2] | [3]",
    )
    Options = HighestOptions
    rules = "Pick a number; the highest wins."
    expert = None

    def new_state(self, seed=0):
        s = object.__new__(HighestState)
        s.game, s.turn, s.picks = self, 0, ()
        return s


@dataclass
class NoOptions:
    pass


class _PickState(State):
    """Players pick [1], [2] or [3] in seat order."""

    __slots__ = ("picks", "dealt")

    def current_players(self):
        return [] if self.is_terminal() else [len(self.picks)]

    def _legal(self, player):
        return ["[1]", "[2]", "[3]"]

    def _apply(self, player, action):
        self.picks = self.picks + (int(action[1:-1]),)

    def _text(self, player):
        return (f"You are {self.role(player)}. Picks so far: {list(self.picks)}. "
                "Pick [1], [2] or [3].")

    def is_terminal(self):
        return len(self.picks) == self.game.num_players

    def role(self, player):
        return self.dealt[player]

    def information_state(self, player):
        return f"{player}|{self.role(player)}|{self.picks}"

    def render(self, reveal=False):
        return " ".join(map(str, self.picks))

    def clone(self):
        s = object.__new__(type(self))
        s.game, s.turn, s.picks, s.dealt = self.game, self.turn, self.picks, self.dealt
        return s


def _info(id_, players, roles, low, high, total):
    return GameInfo(id=id_, description=id_, min_players=players, max_players=players,
                    roles=roles, chance="seeded", information="imperfect", min_utility=low,
                    max_utility=high, utility_sum=total, max_length=players,
                    action_grammar="[1] | [2] | [3]")


class _PickGame(Game):
    Options = NoOptions
    rules = "Pick a number."
    expert = None

    def _state(self, seed, cls):
        s = object.__new__(cls)
        s.game, s.turn, s.picks, s.dealt = self, 0, (), self.deal(seed)
        return s


class PairsState(_PickState):
    __slots__ = ()

    def returns(self):
        if not self.is_terminal():
            return [0.0] * 4
        north_south = self.picks[0] + self.picks[2]
        east_west = self.picks[1] + self.picks[3]
        sign = (north_south > east_west) - (north_south < east_west)
        return [float(sign), float(-sign), float(sign), float(-sign)]


class Pairs(_PickGame):
    info = _info("pairs", 4, ("north", "east", "south", "west"), -1.0, 1.0, 0.0)

    def deal(self, seed):
        return self.info.roles

    def teams(self, roles=None):
        return (0, 1, 0, 1)

    def new_state(self, seed=0):
        return self._state(seed, PairsState)


class CrownState(_PickState):
    __slots__ = ()

    def returns(self):
        if not self.is_terminal():
            return [0.0] * 3
        top = max(self.picks)
        return [1.0 if p == top else 0.0 for p in self.picks]


class Crown(_PickGame):
    info = _info("crown", 3, ("king", "peasant"), 0.0, 1.0, None)

    def deal(self, seed):
        roles = ["king", "peasant", "peasant"]
        random.Random(seed).shuffle(roles)
        return tuple(roles)

    def new_state(self, seed=0):
        return self._state(seed, CrownState)


class GuessState(_PickState):
    __slots__ = ()

    def returns(self):
        if not self.is_terminal():
            return [0.0]
        return [1.0 if self.picks[0] == int(self.dealt[0][-1]) else 0.0]

    def role(self, player):
        return "guesser"

    def information_state(self, player):
        return f"guess|{self.picks}"


class Guess(_PickGame):
    info = _info("guess", 1, ("guesser",), 0.0, 1.0, None)

    def deal(self, seed):
        return (f"target{random.Random(seed).randint(1, 3)}",)

    def new_state(self, seed=0):
        return self._state(seed, GuessState)


# ----- Pennies: a simultaneous phase -------------------------------------------------------
class PenniesState(State):
    """Matching pennies: both players choose at once; nothing shows until both chose."""

    __slots__ = ("choices",)

    def current_players(self):
        return [p for p in (0, 1) if self.choices[p] is None]

    def _legal(self, player):
        return list(_MOVES)

    def _apply(self, player, action):
        self.choices = tuple(action if p == player else c for p, c in enumerate(self.choices))

    def _text(self, player):
        if self.is_terminal():
            return f"You chose {self.choices[player]}; the other chose {self.choices[1 - player]}."
        return f"Choose [heads] or [tails]; you chose {self.choices[player] or 'nothing yet'}."

    def is_terminal(self):
        return None not in self.choices

    def returns(self):
        if not self.is_terminal():
            return [0.0, 0.0]
        return [1.0, -1.0] if self.choices[0] == self.choices[1] else [-1.0, 1.0]

    def role(self, player):
        return ("matcher", "mismatcher")[player]

    def information_state(self, player):
        if self.is_terminal():
            return f"{player}:{self.choices}"
        return f"{player}:{self.choices[player]}"

    def render(self, reveal=False):
        return repr(self.choices)

    def clone(self):
        s = object.__new__(type(self))
        s.game, s.turn, s.choices = self.game, self.turn, self.choices
        return s

    def _determinise(self, player, rng):
        s = self.clone()
        other = 1 - player
        if s.choices[other] is not None and not self.is_terminal():
            s.choices = tuple(rng.choice(_MOVES) if p == other else c
                              for p, c in enumerate(s.choices))
        return s


class Pennies(Game):
    info = GameInfo(
        id="pennies", description="matching pennies", min_players=2, max_players=2,
        roles=("matcher", "mismatcher"), chance="none", information="imperfect",
        min_utility=-1.0, max_utility=1.0, utility_sum=0.0, max_length=2,
        action_grammar="[heads] or [tails]", simultaneous=True,
    )
    state_class = PenniesState

    def all_actions(self):
        return list(_MOVES)

    def new_state(self, seed=0):
        s = object.__new__(self.state_class)
        s.game, s.turn, s.choices = self, 0, (None, None)
        return s


# ----- Pile and Shout: sequential and free-text play ---------------------------------------
class PileState(State):
    __slots__ = ("pile", "mover", "winner")

    def current_players(self):
        return [] if self.is_terminal() else [self.mover]

    def _legal(self, player):
        return ["[1]", "[2]"][: min(2, self.pile)]

    def _apply(self, player, action):
        self.pile -= int(action[1])
        if self.pile == 0:
            self.winner = player
        self.mover = 1 - player

    def _text(self, player):
        return f"Pile: {self.pile}. You are player {player}. Legal: {', '.join(self.legal_actions(player))}"

    def is_terminal(self):
        return self.winner is not None

    def returns(self):
        if self.winner is None:
            return [0.0, 0.0]
        return [1.0, -1.0] if self.winner == 0 else [-1.0, 1.0]

    def role(self, player):
        return ("first", "second")[player]

    def information_state(self, player):
        return f"{player}:{self.pile}:{self.turn}"

    def render(self, reveal=False):
        return "o" * self.pile

    def clone(self):
        s = object.__new__(PileState)
        s.game, s.turn, s.pile, s.mover, s.winner = self.game, self.turn, self.pile, self.mover, self.winner
        return s


class Pile(Game):
    """Take one or two from a seeded pile; whoever takes the last one wins."""

    info = GameInfo(
        id="pile", description="tiny Nim", min_players=2, max_players=2, roles=("first", "second"),
        chance="seeded", information="perfect", min_utility=-1.0, max_utility=1.0,
        utility_sum=0.0, max_length=7, action_grammar="[1] or [2]",
    )
    rules = "Take [1] or [2]; taking the last one wins."

    def all_actions(self):
        return ["[1]", "[2]"]

    def new_state(self, seed=0):
        s = object.__new__(PileState)
        s.game, s.turn, s.mover, s.winner = self, 0, 0, None
        s.pile = random.Random(seed).randint(3, 7)
        return s


class ShoutState(State):
    __slots__ = ("words",)

    def current_players(self):
        return [] if self.is_terminal() else [len(self.words)]

    def _legal(self, player):
        return None

    def _apply(self, player, action):
        self.words = self.words + (action,)

    def _text(self, player):
        return f"Said so far: {list(self.words)}. Say one word."

    def is_terminal(self):
        return len(self.words) == 2

    def returns(self):
        if not self.is_terminal() or len(self.words[0]) == len(self.words[1]):
            return [0.0, 0.0]
        return [1.0, -1.0] if len(self.words[0]) > len(self.words[1]) else [-1.0, 1.0]

    def role(self, player):
        return "speaker"

    def information_state(self, player):
        return "|".join(self.words)

    def render(self, reveal=False):
        return " ".join(self.words)

    def clone(self):
        s = object.__new__(ShoutState)
        s.game, s.turn, s.words = self.game, self.turn, self.words
        return s

    def random_action(self, player, rng):
        return "a" * rng.randint(1, 5)


class Shout(Game):
    """Each says a word (free text); the longer word wins."""

    info = GameInfo(
        id="shout", description="free-text toy", min_players=2, max_players=2, roles=("speaker",),
        chance="none", information="perfect", min_utility=-1.0, max_utility=1.0,
        utility_sum=0.0, max_length=2, action_grammar="one word",
    )

    def canonicalize(self, answer):
        word = answer.strip()
        if not word or len(word.split()) != 1:
            raise IllegalAction(f"say exactly one word, got {answer!r}")
        return word.lower()

    def new_state(self, seed=0):
        s = object.__new__(ShoutState)
        s.game, s.turn, s.words = self, 0, ()
        return s


# ----- ChainGame: three players, every node maximises its own mover's return ------------
class ChainState(State):
    """Player 0 picks [L] or [R]. After [L], player 1 picks [a] -> (1, 0, 0) or
    [b] -> (-1, 1, 0); after [R] player 2 picks [c] -> (0.5, 0, 1) or [d] -> (0.5, 0, 0)."""

    __slots__ = ("moves",)
    _PAYOFF = {"La": (1.0, 0.0, 0.0), "Lb": (-1.0, 1.0, 0.0),
               "Rc": (0.5, 0.0, 1.0), "Rd": (0.5, 0.0, 0.0)}

    def current_players(self):
        if len(self.moves) == 2:
            return []
        return [0] if not self.moves else [1 if self.moves == "L" else 2]

    def _legal(self, player):
        return [["[L]", "[R]"], ["[a]", "[b]"], ["[c]", "[d]"]][player]

    def _apply(self, player, action):
        self.moves += action[1]

    def is_terminal(self):
        return len(self.moves) == 2

    def returns(self):
        return list(self._PAYOFF.get(self.moves, (0.0, 0.0, 0.0)))

    def role(self, player):
        return f"p{player}"

    def _text(self, player):
        return self.information_state(player)

    def information_state(self, player):
        return self.moves

    def render(self, reveal=False):
        return self.moves

    def clone(self):
        s = object.__new__(ChainState)
        s.game, s.turn, s.moves = self.game, self.turn, self.moves
        return s


class ChainGame(Game):
    info = GameInfo(
        id="chain3", description="three-player test tree", min_players=3, max_players=3,
        roles=("p0", "p1", "p2"), chance="none", information="perfect", min_utility=-1.0,
        max_utility=1.0, utility_sum=None, max_length=2, action_grammar="[x]",
    )

    def new_state(self, seed=0):
        s = object.__new__(ChainState)
        s.game, s.turn, s.moves = self, 0, ""
        return s


REGISTER = {name: f"tests.toy_games:{cls}" for name, cls in (
    ("highest", "Highest"), ("pairs", "Pairs"), ("crown", "Crown"), ("guess", "Guess"))}
"""Toy games by registry name, for ``monkeypatch.setitem(games.registry._BUILTIN, ...)``."""
