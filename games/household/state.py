"""The household state: a few ints and tuples over a shared, precomputed layout.

Moving parts: each agent's position (receptacle index, -1 in the middle of the room) and
held object (-1: none), each object's receptacle (-1: held), and bit masks of open
receptacles, seen receptacles (team knowledge), hot / cool / clean objects and lit lamps.
Everything else (names, types, command strings, goal masks) is in :class:`Layout`, built
once per world and shared by every clone.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from games.core import State

from games.household import text as T
from games.household.tasks import preposition
from games.household.world import CLEAN, COOL, HEAT, LAMP, World

if TYPE_CHECKING:
    from games.core import Game

__all__ = ["HouseholdState", "Layout", "initial_state"]

_VERB_BIT = {"heat": (HEAT, "microwave"), "cool": (COOL, "fridge"),
             "clean": (CLEAN, "sinkbasin")}


class Layout:
    """Per-world constants: names, command strings, goal masks."""

    __slots__ = ("world", "go", "open", "close", "examine", "prep", "rec_index", "obj_index",
                 "goal_objs", "target_mask", "lamps", "welcome", "task_line", "appliance")

    def __init__(self, world: World) -> None:
        self.world = w = world
        names = w.receptacles
        self.go = tuple(f"[go to {r}]" for r in names)
        self.open = tuple(f"[open {r}]" for r in names)
        self.close = tuple(f"[close {r}]" for r in names)
        self.examine = tuple(f"[examine {r}]" for r in names)
        self.prep = tuple(preposition(t) for t in w.rec_type)
        self.rec_index = {r: i for i, r in enumerate(names)}
        self.obj_index = {o: i for i, o in enumerate(w.objects)}
        task = w.task
        self.goal_objs = tuple(i for i, t in enumerate(w.obj_type) if t == task.obj)
        self.target_mask = sum(1 << i for i, t in enumerate(w.rec_type) if t == task.target)
        self.lamps = tuple(i for i, t in enumerate(w.obj_type) if t == task.lamp)
        # appliance kind per receptacle: "heat"/"cool"/"clean" or ""
        by_type = {t: verb for verb, (_, t) in _VERB_BIT.items()}
        self.appliance = tuple(by_type.get(t, "") for t in w.rec_type)
        self.welcome = ("You are in the middle of a room. Looking quickly around you, you "
                        f"see {T.listing(names)}.")
        self.task_line = f"Your task is to: {task.text()}"


class HouseholdState(State):
    __slots__ = ("lay", "loc", "hold", "obj_loc", "opened", "seen", "hot", "cold", "clean",
                 "lit", "step", "met", "success", "last", "log", "pending", "_cache")

    # ----- turn structure -------------------------------------------------------------
    def current_players(self) -> list[int]:
        if self.success or self.step >= self.game.options.max_steps:
            return []
        if self.pending is None:
            return [0]
        return [p for p, a in enumerate(self.pending) if a is None]

    def is_terminal(self) -> bool:
        return self.success or self.step >= self.game.options.max_steps

    def role(self, player: int) -> str:
        n = self.game.num_players
        if not 0 <= player < n:
            raise ValueError(f"player {player} does not exist; this household game has "
                             f"players 0..{n - 1}")
        return "agent" if n == 1 else f"agent_{player}"

    def returns(self) -> list[float]:
        n = self.game.num_players
        if self.success:
            return [1.0] * n
        if self.game.options.dense:
            got = bin(self.met).count("1") / self.lay.world.task.conditions()
            return [got] * n
        return [0.0] * n

    # ----- legal commands ---------------------------------------------------------------
    def _legal(self, player: int) -> list[str]:
        cache = self._cache
        if cache is None:
            cache = self._cache = [None] * self.game.num_players
        if cache[player] is None:
            cache[player] = self._commands(player)
        return cache[player]

    def _legal_now(self, player: int):
        if self.is_terminal() or player not in self.current_players():
            return ()
        return self._legal(player)

    def _commands(self, p: int) -> list[str]:
        lay, w = self.lay, self.lay.world
        here, held = self.loc[p], self.hold[p]
        out = ["[look]", "[inventory]"]
        if here < 0:
            out += lay.go
            return out + ([f"[examine {w.objects[held]}]"] if held >= 0 else [])
        out += lay.go[:here]
        out += lay.go[here + 1:]
        bit = 1 << here
        reachable = not w.openable & bit or self.opened & bit
        if w.openable & bit:
            out.append(lay.close[here] if self.opened & bit else lay.open[here])
        out.append(lay.examine[here])
        rname = w.receptacles[here]
        if reachable:
            for o, r in enumerate(self.obj_loc):
                if r == here:
                    if w.props[o] & LAMP:
                        out.append(f"[use {w.objects[o]}]")
                    elif held < 0:
                        out.append(f"[take {w.objects[o]} from {rname}]")
        if held >= 0:
            oname = w.objects[held]
            if reachable and w.compatible[held] & bit:
                out.append(f"[put {oname} in/on {rname}]")
            verb = lay.appliance[here]
            if verb and w.props[held] & _VERB_BIT[verb][0]:
                out.append(f"[{verb} {oname} with {rname}]")
            out.append(f"[examine {oname}]")
        return out

    # ----- applying ---------------------------------------------------------------------
    def _apply(self, player: int, action: str) -> None:
        if self.pending is None:
            self._do(player, action)
            self._end_step()
            return
        pending = list(self.pending)
        pending[player] = action
        if any(a is None for a in pending):
            self.pending = tuple(pending)
            return
        for p, a in enumerate(pending):  # the conflict rule: seat order
            if p > 0:
                self._cache = None
                if a not in self._commands(p):
                    self._feedback(p, a[1:-1], T.NOTHING)
                    continue
            self._do(p, a)
        self.pending = (None,) * len(pending)
        self._end_step()

    def _end_step(self) -> None:
        self.step += 1
        self._cache = None
        self._check_goal()

    def _feedback(self, p: int, command: str, message: str) -> None:
        keep = self.game.options.history
        if keep:  # the exchange before this one moves to the shown history
            log = list(self.log)
            log[p] = (log[p] + (self.last[p],))[-keep:]
            self.log = tuple(log)
        last = list(self.last)
        last[p] = (command, message)
        self.last = tuple(last)

    def _do(self, p: int, command: str) -> None:
        verb, _, rest = command[1:-1].partition(" ")
        handler = _HANDLERS[verb]
        self._feedback(p, command[1:-1], handler(self, p, rest))

    def _see(self, r: int) -> str:
        """Mark receptacle ``r`` seen; the line listing what is in/on it."""
        self.seen |= 1 << r
        w = self.lay.world
        names = [w.objects[o] for o, at in enumerate(self.obj_loc) if at == r]
        return T.contents_line(w.receptacles[r], self.lay.prep[r], names)

    def _view_at(self, r: int) -> str:
        w = self.lay.world
        if w.openable & (1 << r) and not self.opened & (1 << r):
            return f"The {w.receptacles[r]} is closed."
        return self._see(r)

    def _go(self, p: int, rest: str) -> str:
        r = self.lay.rec_index[rest[3:]]
        self.loc = _put(self.loc, p, r)
        return f"You arrive at {rest[3:]}. {self._view_at(r)}"

    def _open(self, p: int, rest: str) -> str:
        r = self.loc[p]
        self.opened |= 1 << r
        return f"You open the {rest}. The {rest} is open. {self._see(r)}"

    def _close(self, p: int, rest: str) -> str:
        self.opened &= ~(1 << self.loc[p])
        return f"You close the {rest}."

    def _take(self, p: int, rest: str) -> str:
        name, _, rname = rest.partition(" from ")
        o = self.lay.obj_index[name]
        self.obj_loc = _put(self.obj_loc, o, -1)
        self.hold = _put(self.hold, p, o)
        return f"You pick up the {name} from the {rname}."

    def _put_down(self, p: int, rest: str) -> str:
        name, _, rname = rest.partition(" in/on ")
        o, r = self.hold[p], self.loc[p]
        self.obj_loc = _put(self.obj_loc, o, r)
        self.hold = _put(self.hold, p, -1)
        return f"You put the {name} {self.lay.prep[r]} the {rname}."

    def _transform(self, p: int, verb: str, rest: str) -> str:
        name, _, rname = rest.partition(" with ")
        bit = 1 << self.hold[p]
        if verb == "heat":
            self.hot |= bit
            self.cold &= ~bit
        elif verb == "cool":
            self.cold |= bit
            self.hot &= ~bit
        else:
            self.clean |= bit
        return f"You {verb} the {name} using the {rname}."

    def _use(self, p: int, rest: str) -> str:
        self.lit |= 1 << self.lay.obj_index[rest]
        return f"You turn on the {rest}."

    def _look(self, p: int, rest: str) -> str:
        r = self.loc[p]
        if r < 0:
            return self.lay.welcome
        return f"You are at {self.lay.world.receptacles[r]}. {self._view_at(r)}"

    def _inventory(self, p: int, rest: str) -> str:
        held = self.hold[p]
        if held < 0:
            return "You are not carrying anything."
        return f"You are carrying: {T.listing([self._phrase(held)])}."

    def _examine(self, p: int, rest: str) -> str:
        r = self.lay.rec_index.get(rest)
        if r is not None:
            return self._view_at(r)
        o = self.lay.obj_index[rest]
        return f"This is {T.listing([self._phrase(o)])}."

    def _phrase(self, o: int) -> str:
        bit = 1 << o
        return T.object_phrase(self.lay.world.objects[o], bool(self.hot & bit),
                               bool(self.cold & bit), bool(self.clean & bit))

    # ----- the goal ---------------------------------------------------------------------
    def _check_goal(self) -> None:
        task, lay = self.lay.world.task, self.lay
        goal = lay.goal_objs
        held = any(o in goal for o in self.hold)
        met = self.met | (1 if held else 0)
        if task.kind == "look":
            lamps = [o for o in lay.lamps if self.lit >> o & 1]
            met |= 2 if lamps else 0
            spots = {self.obj_loc[o] for o in lamps}
            done = any(h in goal and r in spots for h, r in zip(self.hold, self.loc))
        else:
            prop = task.prop
            ok = [o for o in goal if not prop or _has(self, o, prop)]
            if prop and ok:
                met |= 2
            placed = [self.obj_loc[o] for o in ok
                      if self.obj_loc[o] >= 0 and lay.target_mask >> self.obj_loc[o] & 1]
            if task.kind == "two":
                met |= 2 if placed else 0
                done = len(placed) != len(set(placed))
            else:
                done = bool(placed)
        if done:
            met |= 1 << (task.conditions() - 1)
        self.met, self.success = met, done

    # ----- views ------------------------------------------------------------------------
    def _text(self, player: int) -> str:
        return T.observation_text(self, player)

    def _compact(self, player: int) -> str:
        return T.compact_text(self, player)

    def information_state(self, player: int) -> str:
        return T.knowledge(self, player)

    def render(self, reveal: bool = False) -> str:
        return T.render(self)

    def clone(self) -> "HouseholdState":
        s = object.__new__(HouseholdState)
        s.game, s.turn, s.lay = self.game, self.turn, self.lay
        s.loc, s.hold, s.obj_loc = self.loc, self.hold, self.obj_loc
        s.opened, s.seen, s.hot, s.cold = self.opened, self.seen, self.hot, self.cold
        s.clean, s.lit, s.step, s.met = self.clean, self.lit, self.step, self.met
        s.success, s.last, s.pending, s._cache = self.success, self.last, self.pending, None
        s.log = self.log
        return s

    def _determinise(self, player: int, rng: random.Random) -> "HouseholdState":
        """Objects in receptacles the team has not seen are moved to random unseen
        receptacles where they may stand; everything seen stays."""
        s = self.clone()
        w = self.lay.world
        unseen = [r for r in range(len(w.receptacles)) if not self.seen >> r & 1]
        locs = list(self.obj_loc)
        for o, r in enumerate(locs):
            if r >= 0 and not self.seen >> r & 1 and not w.props[o] & LAMP:
                ok = [u for u in unseen if w.compatible[o] >> u & 1]
                locs[o] = ok[rng.randrange(len(ok))]
        s.obj_loc = tuple(locs)
        return s


def _has(s: HouseholdState, o: int, prop: int) -> bool:
    mask = s.hot if prop == HEAT else s.cold if prop == COOL else s.clean
    return bool(mask >> o & 1)


def _put(t: tuple, i: int, v: int) -> tuple:
    return t[:i] + (v,) + t[i + 1:]


_HANDLERS = {
    "go": HouseholdState._go, "open": HouseholdState._open, "close": HouseholdState._close,
    "take": HouseholdState._take, "put": HouseholdState._put_down,
    "use": HouseholdState._use, "look": HouseholdState._look,
    "inventory": HouseholdState._inventory, "examine": HouseholdState._examine,
    "heat": lambda s, p, rest: s._transform(p, "heat", rest),
    "cool": lambda s, p, rest: s._transform(p, "cool", rest),
    "clean": lambda s, p, rest: s._transform(p, "clean", rest),
}


def initial_state(game: "Game", world: World, players: int) -> HouseholdState:
    s = object.__new__(HouseholdState)
    s.game, s.turn, s.lay = game, 0, Layout(world)
    s.loc, s.hold = (-1,) * players, (-1,) * players
    s.obj_loc = world.start
    s.opened = s.seen = s.hot = s.cold = s.clean = s.lit = 0
    s.step, s.met, s.success = 0, 0, False
    s.last = (("", s.lay.welcome),) * players
    s.log = ((),) * players
    s.pending = None if players == 1 else (None,) * players
    s._cache = None
    return s
