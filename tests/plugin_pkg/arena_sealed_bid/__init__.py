"""A sealed-bid auction, written from the plug-in contract of docs/adding-a-game.md alone
and registered only through the entry point group ``arena.games`` (the plug-in tests
write the distribution metadata that declares ``sealed_bid = arena_sealed_bid:SealedBid``).

Rules: one item; each player privately values it at 1..``top`` (drawn from the seed) and
both bid at once, ``[0]``..``[top]``. The higher bid wins the item and pays its bid
(score: value - bid); the other scores 0; on a tie nobody wins. Hidden: the other
player's value, and their bid until both have bid.
"""

import random
from dataclasses import dataclass, field

from games import Game, GameInfo, State


@dataclass
class SealedBidOptions:
    top: int = field(default=10, metadata={"range": (1, 50)})
    """Highest value and highest bid."""


class SealedBidState(State):
    __slots__ = ("values", "bids")

    def current_players(self):
        return [] if self.is_terminal() else [p for p in (0, 1) if self.bids[p] is None]

    def _legal(self, player):
        return [f"[{b}]" for b in range(self.game.options.top + 1)]

    def _apply(self, player, action):
        self.bids[player] = int(action[1:-1])

    def _text(self, player):
        other = 1 - player
        lines = [f"You value the item at {self.values[player]}."]
        if self.is_terminal():
            lines.append(f"Bids: you {self.bids[player]}, opponent {self.bids[other]} "
                         f"(opponent's value {self.values[other]}). You score "
                         f"{self.returns()[player]:g}.")
            return "\n".join(lines)
        if self.bids[player] is not None:
            lines.append(f"You bid {self.bids[player]}; waiting for your opponent.")
        else:
            state = "has bid" if self.bids[other] is not None else "has not bid yet"
            lines.append(f"Your opponent {state}. Bid [0]..[{self.game.options.top}].")
        return "\n".join(lines)

    def is_terminal(self):
        return None not in self.bids

    def returns(self):
        if not self.is_terminal() or self.bids[0] == self.bids[1]:
            return [0.0, 0.0]
        winner = 0 if self.bids[0] > self.bids[1] else 1
        return [float(self.values[p] - self.bids[p]) if p == winner else 0.0 for p in (0, 1)]

    def role(self, player):
        return ("bidder A", "bidder B")[player]

    def information_state(self, player):
        own = self.bids[player]
        seen = f"|{own}" if own is not None else ""
        if self.is_terminal():
            seen += f"|{self.bids[1 - player]}|{self.values[1 - player]}"
        return f"{player}:{self.values[player]}{seen}"

    def render(self, reveal=False):
        bids = " / ".join("?" if b is None else str(b) for b in self.bids)
        return f"values {self.values[0]} / {self.values[1]}; bids {bids}"

    def clone(self):
        s = object.__new__(SealedBidState)
        s.game, s.turn = self.game, self.turn
        s.values, s.bids = list(self.values), list(self.bids)
        return s

    def _determinise(self, player, rng):
        s = self.clone()
        other = 1 - player
        if not self.is_terminal():  # the other's value, and a pending bid, are unseen
            s.values[other] = rng.randint(1, self.game.options.top)
            if s.bids[other] is not None:
                s.bids[other] = rng.randint(0, self.game.options.top)
        return s


class SealedBid(Game):
    info = GameInfo(
        id="sealed_bid", description="first-price sealed-bid auction (a plug-in test game)",
        min_players=2, max_players=2, roles=("bidder A", "bidder B"), chance="seeded",
        information="imperfect", min_utility=-50.0, max_utility=50.0, utility_sum=None,
        max_length=2, action_grammar="[0]..[top]: your bid", simultaneous=True,
    )
    Options = SealedBidOptions
    rules = ("Sealed-bid auction: both bid at once; the higher bid wins the item and pays "
             "its bid (you score your value minus your bid); a tie: nobody wins.")

    def all_actions(self):
        return [f"[{b}]" for b in range(self.options.top + 1)]

    def new_state(self, seed=0):
        rng = random.Random(seed)
        s = object.__new__(SealedBidState)
        s.game, s.turn = self, 0
        s.values = [rng.randint(1, self.options.top) for _ in range(2)]
        s.bids = [None, None]
        return s
