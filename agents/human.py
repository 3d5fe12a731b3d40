"""``human``: a person at the terminal plays a seat.

At each of its decisions the agent shows the observation text (and, once per game, the
rules) in a rich console, then the legal actions, and reads one line:

- a legal action in any form the shared parser accepts once brackets are added:
  ``4``, ``[4]``, ``bet``, ``[Bet]``, ``\\boxed{4}``;
- in free-text games (``legal_actions`` is None) the reply as the game's grammar writes
  it, e.g. ``[offer] 2 Wood -> 1 Ore [say] deal?``; the game's ``canonicalize`` checks it;
- ``rules`` shows the rules again; ``quit`` (or end of input) gives up the match.

A line that does not name a legal action is refused with the parser's message and the
question is asked again, so the runner never sees an invalid answer from a person.
``quit`` returns ``Decision(text="quit", info={"quit": True})``; the runner ends the
match with outcome ``"quit"`` and scores it as a forfeit by this seat.

Everything shown goes through :func:`common.untrusted.markup_safe`: observation text may
hold another player's (a model's) words, whose escape sequences, control and bidi
characters must not reach the terminal and whose brackets must not be read as markup.
``input_fn`` and ``output`` (a rich ``Console`` or a text file) are injectable, so tests
script a game.
"""

from __future__ import annotations

from typing import Any, Callable

import games
from games import Game, IllegalAction, Observation, parse_action
from common.untrusted import markup_safe

from agents.base import Agent, Decision

__all__ = ["HumanAgent", "QUIT"]

QUIT = "quit"
"""The word that gives up the match."""


class HumanAgent(Agent):
    name = "human"

    def __init__(
        self,
        seed: int = 0,
        input_fn: Callable[[str], str] | None = None,
        output: Any = None,
    ) -> None:
        super().__init__(seed)
        from rich.console import Console

        if output is None:
            self.console = Console(highlight=False)
        elif isinstance(output, Console):
            self.console = output
        elif hasattr(output, "write"):
            self.console = Console(file=output, highlight=False)
        else:
            raise TypeError(
                f"human agent output must be a rich Console or a text file, got "
                f"{type(output).__name__}; e.g. output=io.StringIO()"
            )
        self._input = input_fn if input_fn is not None else self.console.input
        self._shown_rules: set[str] = set()
        self._games: dict[str, Game] = {}

    # ----- showing --------------------------------------------------------------------
    def _show(self, obs: Observation) -> None:
        from rich.panel import Panel

        if obs.rules and obs.game not in self._shown_rules:
            self._shown_rules.add(obs.game)
            self.console.print(Panel(markup_safe(obs.rules),
                                     title=f"rules of {markup_safe(obs.game, False)}"))
        title = (f"{markup_safe(obs.game, False)}: player {obs.player} "
                 f"({markup_safe(obs.role, False)}), turn {obs.turn}")
        self.console.print(Panel(markup_safe(obs.text), title=title))
        if obs.legal_actions is None:
            self.console.print("Your reply is free text in the game's grammar (see above).")
        else:
            self.console.print("Legal actions: " + markup_safe(", ".join(obs.legal_actions)))
        self.console.print(f"Type an action (e.g. {markup_safe(self._example(obs))}), "
                           f"'rules' or '{QUIT}'.")

    def _example(self, obs: Observation) -> str:
        if obs.legal_actions:
            return obs.legal_actions[0]
        return self._game(obs).example_action()

    # ----- reading --------------------------------------------------------------------
    def _game(self, obs: Observation) -> Game:
        """The game named by the observation (built once): it parses free-text replies and
        gives an example action. Observations hold no state, and a game's grammar does
        not depend on its options."""
        if obs.game not in self._games:
            self._games[obs.game] = games.make(obs.game)
        return self._games[obs.game]

    def _parse(self, line: str, obs: Observation) -> str:
        """The canonical action a line names, or :class:`IllegalAction` saying why not."""
        if obs.legal_actions is None:
            return parse_action(line, None, self._game(obs))
        text = line if ("[" in line or "\\boxed{" in line) else f"[{line}]"
        return parse_action(text, obs.legal_actions)

    def _read(self) -> str | None:
        try:
            return self._input("> ")
        except EOFError:
            return None

    def act(self, obs: Observation) -> Decision:
        self._show(obs)
        while True:
            line = self._read()
            if line is None or line.strip().lower() == QUIT:
                self.console.print("You gave up the match.")
                return Decision(text=QUIT, info={"quit": True})
            line = line.strip()
            if line.lower() == "rules":
                self.console.print(markup_safe(obs.rules or "This game states no rules text."))
                continue
            if not line:
                self.console.print("Empty answer; type an action, 'rules' or 'quit'.")
                continue
            try:
                action = self._parse(line, obs)
            except IllegalAction as err:
                self.console.print(f"Not accepted: {markup_safe(str(err))}. Try again.")
                continue
            return Decision(text=action, info={"typed": line})
