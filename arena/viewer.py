"""The terminal viewer: live matches and replays of stored ones, drawn with rich.

What a view shows, top to bottom:

- a header: the game (and its options), the seed, the match id, and each seat's agent
  with its role;
- the board or table of the game (the game's plain ``State.render()`` text in a panel);
- whose turn it is, or the final panel (how the match ended, each seat's return);
- a log of the last decisions: turn, agent and role, the parsed action, and the agent's
  own text, folded to its last line (or its first characters) so reasoning does not
  flood the screen. Invalid outputs are shown in red with the error; a random fallback
  move and a retry are marked.

Hidden information: a game that declares ``hides_from_spectators`` (Werewolf) hides its
secrets from a spectator unless asked (``--reveal``): the board is ``render(reveal=False)``
and, until the match ends, the header and the log show no roles and the log no actions,
agent text or errors (a refusal may name the player's role); the board shows what is
public. With ``reveal`` the board is ``render(reveal=True)`` (roles and secret actions)
and the log is complete. Other games are shown as before.

Model output is untrusted: every piece of agent text (and, to be safe, every game text,
agent name and role) goes through :func:`common.untrusted.markup_safe` (escape sequences
removed, control and bidi characters shown as U+FFFD, lone surrogates replaced, markup
escaped) and is rendered with emoji codes off, so it can neither inject markup nor drive
the terminal.

Design: the data is a frozen :class:`ViewState`; :func:`build_view` is a pure function
from it to a renderable; :func:`watch_match` and :func:`replay` only ever call
``Live.update``. :func:`render_text` renders a view into plain text (tests compare it).
"""

from __future__ import annotations

import dataclasses
import io
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from common.untrusted import markup_safe, terminal_safe

from arena.records import DecisionRecord, MatchRecord

__all__ = [
    "ViewState", "build_view", "clean", "fold", "replay_views", "render_text",
    "watch_match", "replay",
]

MAX_DELAY = 3600.0
"""The longest pause between moves (``--delay``), in seconds."""

log = logging.getLogger(__name__)

def clean(text: str) -> str:
    """``text`` made safe for a terminal (:func:`common.untrusted.terminal_safe`: newlines
    kept, other controls shown as U+FFFD), with tabs as spaces. Not markup-escaped."""
    return terminal_safe(text).replace("\t", "    ")


def fold(text: str, limit: int = 80) -> str:
    """Fold an agent's text to one short line: the last non-empty line of a multi-line
    reply (where the answer usually is), or the first ``limit`` characters, with "…"
    marking what was left out. Cleans the text; does not escape markup."""
    lines = [ln.strip() for ln in clean(text).split("\n") if ln.strip()]
    if not lines:
        return ""
    if len(lines) == 1:
        line = lines[0]
        return line if len(line) <= limit else line[: limit - 1] + "…"
    last = lines[-1]
    return "… " + (last if len(last) <= limit else "…" + last[-(limit - 1):])


def _safe(text: str) -> str:
    """Untrusted text made safe to place inside markup."""
    return markup_safe(clean(text))


def _markup(markup: str) -> Text:
    return Text.from_markup(markup, emoji=False)


@dataclass(frozen=True)
class ViewState:
    """Everything one frame of the viewer shows. Updated with ``dataclasses.replace``."""

    game: str
    seed: int
    agents: tuple[str, ...]
    roles: tuple[str, ...]
    board: str = ""
    """The game's ``render()`` text (or, when a replay cannot rebuild the state, the
    observation of the player to move; ``board_note`` says so)."""
    board_note: str = ""
    to_move: tuple[int, ...] = ()
    """Seats whose decision is pending; empty when the match is over."""
    log: tuple[DecisionRecord, ...] = ()
    returns: tuple[float, ...] | None = None
    """Final returns per seat; None while the match runs."""
    outcome: str | None = None
    forfeit_player: int | None = None
    match_id: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    step: tuple[int, int] | None = None
    """(decisions shown, decisions in the record) during a replay; None when live."""
    hidden: bool = False
    """True: a spectator without ``--reveal`` of a game that hides secrets: roles, actions
    and agent text stay hidden until the match ends (see the module doc)."""

    @property
    def secret(self) -> bool:
        """Whether roles and actions are hidden in this frame."""
        return self.hidden and not self.finished

    @property
    def finished(self) -> bool:
        return self.returns is not None

    def seat(self, player: int) -> str:
        """``"0 random (X)"``, markup-escaped."""
        agent = self.agents[player] if player < len(self.agents) else "?"
        role = self.roles[player] if player < len(self.roles) and not self.secret else "?"
        return f"{player} {_safe(agent)} ({_safe(role)})"


# ----- the pure view ----------------------------------------------------------------


def _header(view: ViewState) -> Text:
    opts = " ".join(f"{k}={v}" for k, v in sorted(view.options.items()))
    parts = [f"[bold]{_safe(view.game)}[/]" + (f" {_safe(opts)}" if opts else ""),
             f"seed {view.seed}"]
    if view.match_id:
        parts.append(f"match {_safe(view.match_id)}")
    if view.step is not None:
        parts.append(f"replay {view.step[0]}/{view.step[1]}")
    else:
        parts.append(f"decision {len(view.log)}")
    seats = "   ".join(f"seat {view.seat(p)}" for p in range(len(view.agents)))
    return _markup("  ·  ".join(parts) + "\n" + seats)


def _board(view: ViewState) -> Panel:
    title = "board" + (f" ({view.board_note})" if view.board_note else "")
    return Panel(_markup(_safe(view.board.rstrip("\n"))), title=_markup(_safe(title)),
                 title_align="left", expand=False)


def _outcome_line(view: ViewState) -> str:
    rets = view.returns or ()
    if view.outcome in ("forfeit", "quit") and view.forfeit_player is not None:
        verb = "forfeits" if view.outcome == "forfeit" else "quits"
        return f"[bold red]seat {view.seat(view.forfeit_player)} {verb}[/]"
    if view.outcome == "max_turns":
        return "[bold]draw: turn limit reached[/]"
    if len(rets) == 1:  # a one-player game (household): no one to draw with
        return f"[bold]return {rets[0]:+g}[/]"
    if not rets or max(rets) == min(rets):
        return "[bold]draw[/]"
    best = max(rets)
    winners = [view.seat(p) for p, r in enumerate(rets) if r == best]
    return f"[bold green]{', '.join('seat ' + w for w in winners)} "\
           f"win{'s' if len(winners) == 1 else ''}[/]"


def _status(view: ViewState) -> RenderableType:
    if not view.finished:
        if not view.to_move:
            return _markup("[dim]waiting…[/]")
        who = ", ".join(f"seat {view.seat(p)}" for p in view.to_move)
        return _markup(f"to move: [bold]{who}[/]")
    lines = [_outcome_line(view)]
    for p, r in enumerate(view.returns or ()):
        lines.append(f"seat {view.seat(p)}: {r:+g}")
    return Panel(_markup("\n".join(lines)), title=_markup(f"final ({_safe(view.outcome or '?')})"),
                 title_align="left", expand=False)


def _secret_row(d: DecisionRecord) -> tuple[list[Text], str | None]:
    """A decision as a spectator without ``--reveal`` sees it: who acted, nothing more."""
    action = "acted" if d.valid else "[bold]INVALID[/]"
    return [_markup(str(d.turn)), _markup(f"{d.player} {_safe(d.agent or '?')} (?)"),
            _markup(action), _markup("[dim](hidden; --reveal shows it)[/]")], (
        None if d.valid else "red")


def _log_row(d: DecisionRecord, raw_chars: int) -> tuple[list[Text], str | None]:
    who = f"{d.player} {_safe(d.agent or '?')} ({_safe(d.role)})"
    text = _safe(fold(d.raw, raw_chars)) or "[dim](empty)[/]"
    if d.valid:
        action = _safe(d.action or "-")
        style = None
    else:
        action = "[bold]INVALID[/]"
        text += f"\n[red]error: {_safe(fold(d.error or 'invalid', raw_chars))}[/]"
        if d.fallback:
            action += f"\n[yellow]random {_safe(d.action or '-')}[/]"
        style = "red"
    if d.attempt:
        action += f"\n[dim]retry {d.attempt}[/]"
    return [_markup(str(d.turn)), _markup(who), _markup(action), _markup(text)], style


def _log(view: ViewState, width: int, log_lines: int, raw_chars: int) -> Table:
    shown = view.log[-log_lines:] if log_lines > 0 else ()
    hidden = len(view.log) - len(shown)
    title = "decisions" + (f" (last {len(shown)} of {len(view.log)})" if hidden else "")
    table = Table(title=title, title_justify="left", width=width, show_lines=False,
                  expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("seat", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("action", max_width=28, overflow="fold")
    table.add_column("text", ratio=1, overflow="fold")
    for d in shown:
        cells, style = _secret_row(d) if view.secret else _log_row(d, raw_chars)
        table.add_row(*cells, style=style)
    return table


def build_view(view: ViewState, width: int = 80, log_lines: int = 8,
               raw_chars: int = 80) -> RenderableType:
    """The renderable of one frame: header, board, turn or final panel, decision log.

    Pure: the same ``view`` gives the same renderable. ``width`` fixes the width of the
    log (panels fit their content), so the text does not depend on the terminal;
    ``log_lines`` is how many of the latest decisions the log shows, ``raw_chars`` how
    much of each agent's text.
    """
    if width < 30:
        raise ValueError(f"width={width!r} is too narrow; the viewer needs at least 30 columns")
    return Group(_header(view), _board(view), _status(view),
                 _log(view, width, log_lines, raw_chars))


def render_text(record_or_view: MatchRecord | ViewState, width: int = 80, **kwargs: Any) -> str:
    """Plain text of a view (a record: its final frame), rendered on a console of
    ``width`` columns without colour. Keyword arguments go to :func:`build_view`."""
    if isinstance(record_or_view, MatchRecord):
        view = final_view(record_or_view)
    elif isinstance(record_or_view, ViewState):
        view = record_or_view
    else:
        raise TypeError(
            f"render_text takes a MatchRecord or a ViewState, got {type(record_or_view).__name__}"
        )
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(build_view(view, width=width, **kwargs))
    return console.file.getvalue()  # type: ignore[attr-defined]


# ----- views from a match, live or recorded -----------------------------------------


def _record_view(record: MatchRecord, hidden: bool = False) -> ViewState:
    return ViewState(game=record.game, seed=record.seed, agents=tuple(record.agents),
                     roles=tuple(record.roles), match_id=record.match_id,
                     options=dict(record.options), hidden=hidden)


def _hides(state: Any) -> bool:
    """Whether the game hides secrets from spectators (``Game.hides_from_spectators``)."""
    return state.game.hides_from_spectators


def _render(state: Any, reveal: bool) -> str:
    """The board, ``render(reveal=...)`` (a game without secrets ignores ``reveal``)."""
    return state.render(reveal=reveal)


def final_view(record: MatchRecord) -> ViewState:
    """The last frame of a record: the final board, every decision, the returns."""
    return dataclasses.replace(
        _record_view(record), board=record.final_render, log=tuple(record.decisions),
        returns=tuple(record.returns), outcome=record.outcome,
        forfeit_player=record.forfeit_player,
    )


def _rebuilt_boards(record: MatchRecord, reveal: bool = True
                    ) -> Iterator[tuple[str, tuple[int, ...]] | None]:
    """Board text and seats to move before each decision, by replaying the applied
    actions on a fresh state; None from the point where that is impossible."""
    try:
        import games

        state = games.make(record.game, **dict(record.options)).new_state(record.seed)
    except Exception as err:  # an unregistered or changed game: fall back to observations
        log.warning("cannot rebuild %r for replay (%s); showing observations", record.game, err)
        state = None
    for d in record.decisions:
        if state is None:
            yield None
            continue
        yield _render(state, reveal), () if state.is_terminal() else tuple(state.current_players())
        if d.action is not None:
            try:
                state.apply(d.player, d.action)
            except Exception as err:
                log.warning("replay of %r diverged at turn %d (%s)", record.game, d.turn, err)
                state = None


def replay_views(record: MatchRecord, reveal: bool = True) -> Iterator[ViewState]:
    """Every frame of a replay: before the first decision, after each, then the end
    (``record.num_decisions + 1`` views; the last is :func:`final_view`). ``reveal``
    False: a game that hides secrets from spectators keeps them hidden until the end."""
    hidden = not reveal and _game_hides(record)
    base = _record_view(record, hidden)
    n = record.num_decisions
    for k, rebuilt in enumerate(_rebuilt_boards(record, not hidden)):
        d = record.decisions[k]
        if rebuilt is None and hidden:
            board, note, to_move = "", "cannot be rebuilt; --reveal shows the players' views", ()
        elif rebuilt is None:
            board, note, to_move = d.observation, f"as seen by seat {d.player}", (d.player,)
        else:
            (board, to_move), note = rebuilt, ""
        yield dataclasses.replace(base, board=board, board_note=note, to_move=to_move,
                                  log=tuple(record.decisions[:k]), step=(k, n))
    yield dataclasses.replace(final_view(record), step=(n, n), hidden=hidden)


def _game_hides(record: MatchRecord) -> bool:
    try:
        import games

        return games.make(record.game, **dict(record.options)).hides_from_spectators
    except Exception:  # an unregistered game: nothing to hide by the game's own rules
        return False


def watch_match(game: Any, agents: Sequence[Any], seed: int, config: Any = None,
                delay: float = 0.5, console: Console | None = None,
                sleep: Callable[[float], None] = time.sleep,
                reveal: bool = True) -> MatchRecord:
    """Play one match with :func:`arena.runner.play_match`, drawing each decision live;
    the final view stays on screen. Returns the match record (the same as without the
    viewer: the view only observes). ``reveal`` False: a game that hides secrets from
    spectators keeps them hidden until the end (see the module doc)."""
    from arena.runner import play_match

    if not (math.isfinite(delay) and 0 <= delay <= MAX_DELAY):
        raise ValueError(f"--delay {delay!r} must be a number of seconds from 0 to "
                         f"{MAX_DELAY:g}, e.g. --delay 0.5")
    console = console or Console()
    width = max(30, console.width)
    start = game.new_state(seed)
    hidden = not reveal and _hides(start)
    view = ViewState(
        game=game.info.id, seed=seed, agents=tuple(a.name for a in agents),
        roles=tuple(start.role(p) for p in range(game.num_players)),
        board=_render(start, not hidden), to_move=tuple(start.current_players()),
        options=_options_of(game), hidden=hidden,
    )
    with Live(build_view(view, width), console=console, auto_refresh=False) as live:
        def on_decision(index: int, rec: DecisionRecord, state: Any) -> None:
            nonlocal view
            to_move = () if state.is_terminal() else tuple(state.current_players())
            view = dataclasses.replace(view, board=_render(state, not hidden),
                                       to_move=to_move, log=view.log + (rec,))
            live.update(build_view(view, width), refresh=True)
            if delay > 0:
                sleep(delay)

        record = play_match(game, agents, seed, config, on_decision=on_decision)
        live.update(build_view(dataclasses.replace(final_view(record), hidden=hidden), width),
                    refresh=True)
    return record


def _options_of(game: Any) -> dict[str, Any]:
    opts = getattr(game, "options", None)
    return dataclasses.asdict(opts) if dataclasses.is_dataclass(opts) else {}


def replay(record: MatchRecord, delay: float | None = None, console: Console | None = None,
           input_fn: Callable[[str], str] = input,
           sleep: Callable[[float], None] = time.sleep, reveal: bool = True) -> int:
    """Step through a recorded match. With ``delay`` None, wait for Enter between frames
    (``input_fn``; an answer starting with "q" stops); with a delay, advance every
    ``delay`` seconds. Returns the number of frames shown.

    Timed replays use one ``Live`` display; stepping with Enter prints each frame anew
    (typed input would otherwise push a live display out of place).
    """
    if delay is not None and not (math.isfinite(delay) and 0 <= delay <= MAX_DELAY):
        raise ValueError(f"--delay {delay!r} must be a number of seconds from 0 to "
                         f"{MAX_DELAY:g}, or left out to step with Enter")
    console = console or Console()
    width = max(30, console.width)
    views = replay_views(record, reveal)
    shown = 0
    if delay is None:
        for view in views:
            if shown:
                if input_fn("Enter: next decision, q: quit ").strip().lower().startswith("q"):
                    break
                if console.is_terminal:
                    console.clear()
            console.print(build_view(view, width))
            shown += 1
        return shown
    first = next(views)
    with Live(build_view(first, width), console=console, auto_refresh=False) as live:
        shown = 1
        for view in views:
            if delay > 0:
                sleep(delay)
            live.update(build_view(view, width), refresh=True)
            shown += 1
    return shown
