"""The game contract: a game declared as data, and a small cloneable state machine.

A game is two objects:

- a :class:`Game` subclass: static facts (a :class:`GameInfo` declaration, an options
  dataclass, the rules text) and ``new_state(seed)``. All randomness (deals, role
  assignment, world generation) comes from that seed.
- a :class:`State` subclass: mutable and cheap to ``clone()``. The base class owns the
  public API (turn checks, legality, terminal checks); a game implements a few hooks:

  ``_legal(player)``, ``_apply(player, action)``, ``_text(player)``, ``returns()``,
  ``information_state(player)``, ``render(reveal=False)``, ``clone()`` and, for games
  with hidden information, ``_determinise(player, rng)``. A game on a hot path may also override
  ``_legal_now(player)`` (legality in one call, see there).

Views: what a player reads may be rendered more than one way. ``view=text`` (``_text``,
every game's default) is prose for pretrained models; ``view=compact`` (``_compact``) is
the smallest unambiguous rendering of the same information, for models trained from
scratch. A game lists the views it renders in ``Game.views`` and takes the choice as its
``view`` option (:func:`view_field`); views differ in text only, never in the
information state or the legal actions (``arena check``'s ``views`` check).

The contract is declared, never negotiated: every hook has one signature, written on these
base classes with its default, and callers call it as written (they never read a game's
signatures). Optional hooks are methods whose default means "not offered"; the table of
them is in ``docs/adding-a-game.md``, and ``arena check``'s ``contract`` check names an
override whose signature misses its declaration.

Actions are canonical strings at this boundary (``"[bet]"``, ``"[4]"``). A model's free
output becomes a canonical action through :func:`games.parse.parse_action`, never inside
the rules.
"""

from __future__ import annotations

import dataclasses
import functools
import random
from dataclasses import dataclass
from operator import itemgetter
from typing import (
    Any, Callable, ClassVar, Iterable, Literal, Mapping, NoReturn, Sequence,
)

from common.specs import convert_option

__all__ = ["GameInfo", "Game", "State", "Observation", "Determiniser", "IllegalAction",
           "VIEWS", "view_field"]

VIEWS: tuple[str, ...] = ("text", "compact")
"""The views every built-in game renders: ``text`` (prose: rules-aware pretrained models)
and ``compact`` (the state and nothing else: models trained from scratch)."""


def view_field(views: tuple[str, ...] = VIEWS) -> Any:
    """The ``view`` field of a game's options dataclass: ``view: str = view_field()``.
    Its choices are checked with the other options (:func:`check_option_ranges`)."""
    return dataclasses.field(default=views[0], metadata={"choices": views})

_new_tuple = tuple.__new__
_tuple_eq = tuple.__eq__


class IllegalAction(ValueError):
    """An action that the rules refuse. The message says why and what is legal, in words
    a person (or a model, in a retry prompt) can act on."""


@dataclass(frozen=True)
class GameInfo:
    """What a game is, declared before any logic. Tests derive their checks from it."""

    id: str
    """Registry name, e.g. ``"kuhn_poker"``."""
    description: str
    """One line for ``arena games``."""
    min_players: int
    max_players: int
    roles: tuple[str, ...]
    """Every role name a player can hold (``("first", "second")``, ``("X", "O")``)."""
    chance: Literal["none", "seeded"]
    """``seeded``: the seed changes the game (deals, quantities); ``none``: it does not."""
    information: Literal["perfect", "imperfect"]
    min_utility: float
    max_utility: float
    utility_sum: float | None
    """Sum of ``returns()`` at every terminal state (0.0 for zero-sum), None if it varies."""
    max_length: int
    """Upper bound on the number of decisions (``apply`` calls) in one game."""
    action_grammar: str
    """How actions are written, for prompts and ``arena games``."""
    simultaneous: bool = False

    @property
    def zero_sum(self) -> bool:
        return self.utility_sum == 0.0


@dataclass(frozen=True, init=False, eq=False)
class Observation(tuple):
    """What one player sees at one decision point: plain data, safe to send anywhere.

    ``text`` is for a language model (the state as that player sees it and the legal
    actions); ``rules`` is the game's rules text, to be placed once in a prompt. It never
    contains hidden information (another player's card or role), and it holds no state:
    search agents get states only through a :class:`Determiniser` (see
    :meth:`State.determiniser`), which the runner hands to agents that declare they search.

    A frozen dataclass (fields, ``dataclasses.replace``, repr, equality and hash by
    fields, assignment raises) stored as a tuple of its fields: building one is a single
    C call, where a frozen class with a ``__dict__`` costs more than the whole text of a
    small game. Fields read as attributes; ``vars(obs)`` gives them as a dict.
    """

    __slots__ = ()
    game: str
    player: int
    role: str
    turn: int
    text: str
    legal_actions: tuple[str, ...] | None
    rules: str = ""
    info_state: str = ""
    seed: int | None = None
    """Set by the runner per decision (match seed, player, turn, attempt): agents draw this
    decision's randomness from it, so results do not depend on how matches are batched."""

    def __new__(cls, game: str, player: int, role: str, turn: int, text: str,
                legal_actions: tuple[str, ...] | None, rules: str = "",
                info_state: str = "", seed: int | None = None) -> "Observation":
        return _new_tuple(cls, (game, player, role, turn, text, legal_actions, rules,
                                info_state, seed))

    def __getnewargs__(self) -> tuple:  # copy, deepcopy and pickle rebuild by fields
        return tuple(self)

    def __eq__(self, other: object) -> bool:  # as the dataclass's: same class, same fields
        if other.__class__ is self.__class__:
            return _tuple_eq(self, other)
        return False if isinstance(other, tuple) else NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__

    @property
    def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
        return dict(zip(OBSERVATION_FIELDS, self))

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready data; :meth:`from_dict` gives the observation back."""
        return {
            "game": self.game,
            "player": self.player,
            "role": self.role,
            "turn": self.turn,
            "text": self.text,
            "legal_actions": None if self.legal_actions is None else list(self.legal_actions),
            "rules": self.rules,
            "info_state": self.info_state,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Observation":
        missing = [k for k in ("game", "player", "role", "turn", "text") if k not in data]
        if missing:
            raise ValueError(
                f"an observation needs {', '.join(missing)}; got keys "
                f"{', '.join(sorted(data)) or 'none'} (write it with Observation.to_dict)"
            )
        legal = data.get("legal_actions")
        return cls(
            data["game"], int(data["player"]), data["role"], int(data["turn"]), data["text"],
            None if legal is None else tuple(legal), data.get("rules", ""),
            data.get("info_state", ""), data.get("seed"),
        )


OBSERVATION_FIELDS = tuple(f.name for f in dataclasses.fields(Observation))
for _i, _name in enumerate(OBSERVATION_FIELDS):  # the dataclass's defaults become readers
    setattr(Observation, _name, property(itemgetter(_i), doc=f"field {_name!r}"))
del _i, _name
observation_of: Callable[[tuple], Observation] = functools.partial(_new_tuple, Observation)
"""``observation_of((game, player, role, turn, text, legal_actions, rules, info_state,
seed))``: an :class:`Observation` from its nine fields in order, in one C call (hot paths)."""


class Determiniser:
    """The explicit channel from a game state to a search agent.

    Built from the true state at one decision (a snapshot: later moves do not reach it),
    :meth:`sample` gives full states consistent with what ``player`` has seen: for games
    of perfect information a copy of the state, otherwise the hidden facts redrawn
    (``State._determinise``). The runner builds one only for agents that declare they
    search (``Agent.searches``) and records that it did.
    """

    __slots__ = ("player", "_snapshot")

    def __init__(self, state: "State", player: int) -> None:
        self.player = player
        self._snapshot = state.clone()

    @property
    def game(self) -> "Game":
        return self._snapshot.game

    def sample(self, rng: random.Random) -> "State":
        """A full state consistent with ``player``'s information, drawn with ``rng``."""
        return self._snapshot._determinise(self.player, rng)

    def __repr__(self) -> str:
        return f"<Determiniser {self.game.info.id} player={self.player}>"


class State:
    """Base of every game state. Subclasses use ``__slots__`` and a hand-written
    ``clone()``: search clones states thousands of times a second."""

    __slots__ = ("game", "turn")
    game: "Game"
    turn: int

    # ----- hooks a game implements ------------------------------------------------
    def current_players(self) -> list[int]:
        raise NotImplementedError

    def _legal(self, player: int) -> list[str] | None:
        raise NotImplementedError

    def _apply(self, player: int, action: str) -> None:
        raise NotImplementedError

    def _text(self, player: int) -> str:
        raise NotImplementedError

    def _compact(self, player: int) -> str:
        """``view=compact``: the same information as :meth:`_text`, as short codes (a game
        that lists ``"compact"`` in ``Game.views`` implements it)."""
        raise NotImplementedError

    def _view(self, player: int, view: str) -> str:
        """The text of ``player`` in ``view``: ``text`` and ``compact`` go to their hooks;
        a game with further views overrides this."""
        if view == "compact":
            return self._compact(player)
        return self._text(player)

    def is_terminal(self) -> bool:
        raise NotImplementedError

    def returns(self) -> list[float]:
        raise NotImplementedError

    def role(self, player: int) -> str:
        raise NotImplementedError

    def information_state(self, player: int) -> str:
        raise NotImplementedError

    def render(self, reveal: bool = False) -> str:
        """The board or table for the terminal viewer (plain text; the viewer styles it).
        A game that declares ``Game.hides_from_spectators`` shows a spectator only what is
        public unless ``reveal`` is True; other games ignore ``reveal``."""
        raise NotImplementedError

    def clone(self) -> "State":
        raise NotImplementedError

    def _determinise(self, player: int, rng: random.Random) -> "State":
        """A state consistent with ``player``'s information; perfect information: a clone."""
        return self.clone()

    def _legal_now(self, player: int) -> Sequence[str] | None:
        """The legal actions of ``player`` now in one call: ``()`` when the game is over
        or it is not their move, None where actions are free text. Callers only read the
        result, so a game may return a shared tuple. The default asks ``is_terminal``,
        ``current_players`` and ``_legal``; a game may override it with a faster
        equivalent."""
        if self.is_terminal() or player not in self.current_players():
            return ()
        return self._legal(player)

    def random_action(self, player: int, rng: random.Random) -> str:
        """A uniformly random legal action; free-text games override this."""
        legal = self._legal_now(player)
        if not legal:
            raise IllegalAction(f"player {player} has no legal action now")
        return legal[rng.randrange(len(legal))]

    # ----- public API owned by the base -------------------------------------------
    @property
    def num_players(self) -> int:
        return self.game.num_players

    def legal_actions(self, player: int) -> list[str] | None:
        """Canonical action strings for ``player`` now, ``[]`` when it is not their move,
        or None where the action is free text (see the game's ``action_grammar``)."""
        legal = self._legal_now(player)
        return None if legal is None else list(legal)

    def apply(self, player: int, action: str) -> None:
        """Play a canonical action. Raises :class:`IllegalAction` with a usable message."""
        if not isinstance(action, str):
            self._refuse(player, action)
        legal = self._legal_now(player)  # () when the game is over or not player's move
        if legal is not None and action not in legal:
            self._refuse(player, action)
        self._apply(player, action)
        self.turn += 1

    def _refuse(self, player: int, action: Any) -> NoReturn:
        """Raise the :class:`IllegalAction` that says why ``action`` is refused."""
        if not isinstance(action, str):
            raise IllegalAction(
                f"action must be a string such as {self.game.example_action()!r}, "
                f"got {type(action).__name__} {action!r}"
            )
        if self.is_terminal():
            raise IllegalAction(f"the game is over; no action is legal (got {action!r})")
        players = self.current_players()
        if player not in players:
            raise IllegalAction(
                f"it is not player {player}'s turn; waiting for player(s) "
                f"{', '.join(map(str, players))}"
            )
        raise IllegalAction(f"{action!r} is not legal; legal: {', '.join(self._legal(player))}")

    def observation(self, player: int) -> Observation:
        """What ``player`` sees now, as plain data (no state inside: nothing is cloned)."""
        game = self.game
        if not 0 <= player < game.num_players:
            raise ValueError(
                f"player {player} does not exist; this {game.info.id} game has "
                f"players 0..{game.num_players - 1}"
            )
        legal = self._legal_now(player)
        return observation_of((
            game.info.id,
            player,
            self.role(player),
            self.turn,
            self._text(player) if game.view == "text" else self._view(player, game.view),
            None if legal is None else tuple(legal),
            game.rules,
            self.information_state(player),
            None,
        ))

    def determiniser(self, player: int) -> Determiniser | None:
        """The search channel for ``player``'s decision now (a snapshot of this state), or
        None where the game cannot give one (a state that cannot be cloned)."""
        return Determiniser(self, player)

    def sample_determinisation(self, player: int, rng: random.Random) -> "State":
        """A full state consistent with what ``player`` has seen (IS-MCTS searches these)."""
        return self._determinise(player, rng)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} turn={self.turn} terminal={self.is_terminal()}>"


class Game:
    """Static facts of a game and a factory of states. Subclasses set ``info``,
    ``Options`` (a dataclass) and ``rules``, and implement ``new_state``.

    Each size option states its range in the field's metadata,
    ``hands: int = field(default=1, metadata={"range": (1, 20)})``; every construction
    checks it (:func:`check_option_ranges`), so a value out of range is one clear error.
    Optional hooks, methods with defaults (the table is in ``docs/adding-a-game.md``):
    ``evaluators()``, ``chance_outcomes()``, ``teams(roles)``, ``forfeit_returns(offender,
    roles)``, ``record_metrics(records, seats)``, ``load_policy(path)``,
    ``random_text_action(obs, rng)`` and ``kept_tables()``.
    """

    info: GameInfo
    """Class-level declaration; an instance may refine it from its options (bounds, length)."""
    Options: ClassVar[type] = type(None)
    rules: str = ""
    expert: ClassVar[type | None] = None
    """The game's scripted expert, a :class:`games.expert.Expert` subclass from the game's
    own ``expert.py``: the agent ``expert`` plays it, and so does the agent named by its
    ``name`` (``kuhn-nash``); None: the game has none."""
    hides_from_spectators: ClassVar[bool] = False
    """True: ``State.render(reveal=False)`` hides secrets (roles, night actions) from a
    spectator, and the viewer hides roles and actions in its log until the end unless asked
    (``--reveal``). False: the board shows everything; ``reveal`` changes nothing."""
    views: ClassVar[tuple[str, ...]] = ("text",)
    """The views this game renders (see the module docstring); the first is the default.
    A game with more than one declares a ``view`` option (:func:`view_field`)."""
    view: str = "text"
    """The view this game's observations are rendered in (set from the options)."""
    dense_rewards: bool = False
    """True when ``State.returns()`` before the end is the reward earned so far (a dense
    reward, e.g. household ``dense=true``); training then credits each step with what it
    earned (:mod:`training.credit`). False: only the final returns count."""

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        if options is None:
            options = self._build_options(kwargs)
        elif kwargs:
            raise TypeError("pass either an options object or keyword options, not both")
        self.options = options
        check_option_ranges(self.info.id, options)
        self.view = self._check_view(getattr(options, "view", self.views[0]))
        self.num_players = self._num_players()

    def kept_tables(self) -> dict[str, Any]:
        """Optional hook: tables this game shares with the games of its kind (texts built
        once, e.g. every TicTacToe board's observation), by attribute name. A game sets
        them in its ``__init__``; they are left out when it is pickled or copied, and
        looked up again on loading."""
        return {}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for name in self.kept_tables():
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.update(self.kept_tables())

    def _check_view(self, view: Any) -> str:
        if view not in self.views:
            raise ValueError(
                f"option view={view!r} for game {self.info.id!r}: this game renders the "
                f"view(s) {', '.join(self.views)}; use e.g. {self.info.id}:view={self.views[0]}"
            )
        return view

    def _build_options(self, kwargs: dict[str, Any]) -> Any:
        opts_cls = self.Options
        if not dataclasses.is_dataclass(opts_cls):
            if kwargs:
                raise ValueError(
                    f"game {self.info.id!r} takes no options; got {', '.join(sorted(kwargs))}"
                )
            return None
        known = {f.name: f for f in dataclasses.fields(opts_cls)}
        if "view" in kwargs and "view" not in known:  # a one-view game: its view is accepted
            kwargs = dict(kwargs)
            self._check_view(kwargs.pop("view"))
        unknown = sorted(set(kwargs) - set(known))
        if unknown:
            raise ValueError(
                f"unknown option(s) {', '.join(map(repr, unknown))} for game "
                f"{self.info.id!r} (known: {', '.join(known) or 'none'})"
            )
        converted = {k: _convert(self.info.id, known[k], v) for k, v in kwargs.items()}
        return opts_cls(**converted)

    def _num_players(self) -> int:
        n = getattr(self.options, "players", None)
        return self.info.min_players if n is None else int(n)

    def new_state(self, seed: int = 0) -> State:
        raise NotImplementedError

    def example_action(self) -> str:
        actions = self.all_actions()
        return actions[0] if actions else "[action]"

    def all_actions(self) -> list[str] | None:
        """Every canonical action the game can ever take, in a fixed order (finite games;
        numeric interfaces such as the PettingZoo numeric mode index it), or None where
        actions are free text."""
        return None

    def chance_outcomes(self) -> Iterable[tuple[float, State]] | None:
        """Optional hook for generic tree algorithms (exact exploitability): every initial
        state with its probability, ``(p, state)`` pairs summing to 1 (an iterable, best a
        generator: callers may stop early), for a game whose chance all happens in
        ``new_state`` (deals, role assignment) and whose later moves are all players'
        decisions. None (the default): the game does not expose its chance outcomes."""
        return None

    def evaluators(self) -> tuple[Any, ...]:
        """The game's own exact evaluators (:class:`games.algorithms.evaluation.Evaluator`
        objects). Default: none. Generic ones (exact ``exploitability`` for a two-player
        zero-sum game that declares :meth:`chance_outcomes`) are added by
        :func:`games.algorithms.evaluators_of`, which every caller asks; the arena adds a
        generic sampled evaluation (against ``random`` and the expert) for every game."""
        return ()

    def teams(self, roles: Sequence[str] | None = None) -> tuple[int, ...]:
        """Team index of each seat: seats with the same index win and lose together.
        ``roles``: the roles of one match by seat (``state.role(p)``, a record's
        ``roles``); a game whose teams follow roles dealt by the seed (Werewolf) reads
        them and may refuse None, so callers that know the match pass them. Default:
        every seat is its own team (roles ignored). An override keeps this signature."""
        return tuple(range(self.num_players))

    def forfeit_returns(self, offender: int, roles: Sequence[str] | None = None
                        ) -> list[float]:
        """Returns when ``offender`` forfeits (an invalid action under the forfeit policy,
        or a quit). Default: every seat of the offender's team (:meth:`teams` of
        ``roles``) gets -1 and the other seats share the same total, so the returns sum
        to zero (two players: -1 and +1). A game overrides it where a forfeit is worth
        more or less (a match of several hands)."""
        teams = self.teams(roles)
        n = self.num_players
        losers = [p for p in range(n) if teams[p] == teams[offender]]
        if len(losers) == n:
            return [-1.0] * n
        share = len(losers) / (n - len(losers))
        return [-1.0 if p in losers else share for p in range(n)]

    def record_metrics(self, records: Sequence[Any], seats: Sequence[int] | None = None
                       ) -> dict[str, float]:
        """Optional hook: metrics of sampled play that only the game can read from its
        records (household: success per task type; Werewolf: win rate per team, share of
        village votes on wolves). ``records`` are the finished match records, read as
        plain data (attributes ``roles``, ``returns``, ``decisions``, ``final_render``...);
        ``seats[i]`` the evaluated agent's seat in ``records[i]`` (a one-player game is
        given ``seats=None``). ``arena eval`` reports them as ``episodes/game/<name>``
        (one-player games) or per opponent as ``vs_<opponent>/game/<name>``.
        Default: none."""
        return {}

    def load_policy(self, path: Any) -> Any:
        """Optional hook: this game's reader of policy files, ``load_policy(path) ->
        Policy`` (:data:`games.algorithms.evaluation.Policy`), for ``arena eval --policy FILE``.
        Default None: the arena reads a generic ``{information state: {action:
        probability}}`` table."""
        return None

    def random_text_action(self, obs: Observation, rng: random.Random) -> str | None:
        """Optional hook for free-text games: a plausible move drawn with ``rng`` from an
        observation alone (the ``random`` agent uses it). Default None: not offered, and
        ``random`` draws with ``State.random_action`` on a determinisation. A game that
        offers it returns a move at every free-text decision."""
        return None

    def offers(self, hook: str) -> bool:
        """Whether this game overrides the optional hook named ``hook`` (a method of the
        hooks table, e.g. ``"random_text_action"``) rather than keeping the default."""
        return getattr(type(self), hook) is not getattr(Game, hook)

    def canonicalize(self, answer: str) -> str:
        """Free-text games: turn an extracted answer into a canonical action or raise
        :class:`IllegalAction`. Games with finite actions never need this."""
        raise IllegalAction(f"game {self.info.id!r} has no free-text actions")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options!r})"




def check_option_ranges(game_id: str, options: Any) -> None:
    """Check every option field that declares ``metadata={"range": (low, high)}``: the
    value must be a number (an int where the default is one) with ``low <= value <= high``.
    One ValueError names the option, the value, the range and the fix."""
    if not dataclasses.is_dataclass(options):
        return
    for fld in dataclasses.fields(options):
        choices = fld.metadata.get("choices")
        if choices is not None and getattr(options, fld.name) not in choices:
            raise ValueError(
                f"option {fld.name}={getattr(options, fld.name)!r} for game {game_id!r} must "
                f"be one of {', '.join(map(str, choices))}; use e.g. "
                f"{game_id}:{fld.name}={choices[-1]}"
            )
        bounds = fld.metadata.get("range")
        if bounds is None:
            continue
        low, high = bounds
        value = getattr(options, fld.name)
        whole = isinstance(fld.default, int) and not isinstance(fld.default, bool)
        kind = "an integer" if whole else "a number"
        ok_type = isinstance(value, int if whole else (int, float)) and not isinstance(value, bool)
        if not ok_type or not low <= value <= high:
            problem = "is out of range: expected" if ok_type else "must be"
            raise ValueError(
                f"option {fld.name}={value!r} for game {game_id!r} {problem} {kind} from "
                f"{low} to {high}; use e.g. {game_id}:{fld.name}={fld.default}"
            )


def _convert(game_id: str, fld: dataclasses.Field, value: Any) -> Any:
    if fld.default is dataclasses.MISSING:
        return value
    return convert_option(value, fld.default, f"option {fld.name}={value!r} for game {game_id!r}")
