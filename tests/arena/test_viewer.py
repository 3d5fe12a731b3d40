"""The terminal viewer: rendered text of known matches, escaping of untrusted text,
invalid moves, replays stepped by a scripted input, and the live view of a match."""

import dataclasses
import io

import pytest
from rich.console import Console

import games
from agents import Agent, Decision, make_agent
from arena.records import MatchRecord
from arena.runner import MatchConfig, play_match
from arena.viewer import (
    ViewState, build_view, clean, final_view, fold, render_text, replay, replay_views,
    watch_match,
)


class Scripted(Agent):
    """Answers from a fixed list of texts."""

    def __init__(self, texts, name="scripted"):
        super().__init__(0)
        self.texts = list(texts)
        self.name = name

    def act(self, obs):
        return Decision(text=self.texts.pop(0))


def _randoms():
    """Two seats named ``random`` that play a fixed X win (the frames below are its text)."""
    return [Scripted(["[2]", "[6]", "[1]", "[0]"], name="random"),
            Scripted(["[4]", "[5]", "[8]"], name="random")]


@pytest.fixture
def record():
    return play_match(games.make("tictactoe"), _randoms(), seed=3)


def _console(**kwargs):
    return Console(width=80, file=io.StringIO(), color_system=None, **kwargs)


def _strip_timing(rec: MatchRecord) -> dict:
    d = rec.to_dict()
    d["elapsed_s"] = 0.0
    for dec in d["decisions"]:
        dec["elapsed_s"] = 0.0
    return d


FINAL = """\
tictactoe view=text  ·  seed 3  ·  decision 7
seat 0 random (X)   seat 1 random (O)
╭─ board ─────╮
│  X | X | X  │
│ ---+---+--- │
│  . | O | O  │
│ ---+---+--- │
│  X | . | O  │
│ X wins.     │
╰─────────────╯
╭─ final (terminal) ─────╮
│ seat 0 random (X) wins │
│ seat 0 random (X): +1  │
│ seat 1 random (O): -1  │
╰────────────────────────╯
decisions
┏━━━┳━━━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ # ┃ seat         ┃ action ┃ text                                             ┃
┡━━━╇━━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ 0 │ 0 random (X) │ [2]    │ [2]                                              │
│ 1 │ 1 random (O) │ [4]    │ [4]                                              │
│ 2 │ 0 random (X) │ [6]    │ [6]                                              │
│ 3 │ 1 random (O) │ [5]    │ [5]                                              │
│ 4 │ 0 random (X) │ [1]    │ [1]                                              │
│ 5 │ 1 random (O) │ [8]    │ [8]                                              │
│ 6 │ 0 random (X) │ [0]    │ [0]                                              │
└───┴──────────────┴────────┴──────────────────────────────────────────────────┘
"""

FRAME_3 = """\
tictactoe view=text  ·  seed 3  ·  replay 3/7
seat 0 random (X)   seat 1 random (O)
╭─ board ─────╮
│  . | . | X  │
│ ---+---+--- │
│  . | O | .  │
│ ---+---+--- │
│  X | . | .  │
│ O to move.  │
╰─────────────╯
to move: seat 1 random (O)
decisions
┏━━━┳━━━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ # ┃ seat         ┃ action ┃ text                                             ┃
┡━━━╇━━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ 0 │ 0 random (X) │ [2]    │ [2]                                              │
│ 1 │ 1 random (O) │ [4]    │ [4]                                              │
│ 2 │ 0 random (X) │ [6]    │ [6]                                              │
└───┴──────────────┴────────┴──────────────────────────────────────────────────┘
"""


def _lines(text):
    return [ln.rstrip() for ln in text.splitlines()]


# ----- rendered text of a known match ------------------------------------------------


def test_final_frame_of_a_seeded_match(record):
    assert [d.action for d in record.decisions] == ["[2]", "[4]", "[6]", "[5]", "[1]", "[8]", "[0]"]
    assert _lines(render_text(record)) == _lines(FINAL)


def test_replay_frame_rebuilds_the_board(record):
    views = list(replay_views(record))
    assert _lines(render_text(views[3])) == _lines(FRAME_3)


def test_replay_views_cover_every_decision(record):
    views = list(replay_views(record))
    n = record.num_decisions
    assert len(views) == n + 1
    assert [v.step for v in views] == [(k, n) for k in range(n + 1)]
    assert views[0].board == games.make("tictactoe").new_state(3).render()
    assert views[-1].board == record.final_render and views[-1].returns == (1.0, -1.0)
    assert all(len(v.log) == k for k, v in enumerate(views[:-1]))
    assert [v.to_move for v in views[:-1]] == [(d.player,) for d in record.decisions]


def test_replay_falls_back_to_observations_when_the_game_cannot_be_rebuilt(record):
    broken = dataclasses.replace(record, game="no_such_game")
    views = list(replay_views(broken))
    assert views[2].board == record.decisions[2].observation
    assert "as seen by seat 0" in render_text(views[2])
    assert views[-1].board == record.final_render


def test_build_view_is_pure_and_checks_width(record):
    view = final_view(record)
    assert render_text(view) == render_text(view)
    with pytest.raises(ValueError, match="width=10"):
        build_view(view, width=10)
    with pytest.raises(TypeError, match="MatchRecord or a ViewState"):
        render_text("not a record")


def test_log_shows_only_the_last_decisions(record):
    text = render_text(final_view(record), log_lines=2)
    assert "decisions (last 2 of 7)" in text
    assert "│ 6 │" in text and "│ 4 │" not in text


# ----- untrusted text ----------------------------------------------------------------


def test_markup_and_escape_sequences_in_agent_text_are_inert():
    raw = "I pick [bold red]x[/] \x1b[31mred\x1b[0m :smile: \x07bell\x1b]0;title\x07 [4]"
    agents = [Scripted([raw], name="[blink]evil[/]"), make_agent("random", seed=2)]
    rec = play_match(games.make("tictactoe"), agents, seed=0, config=MatchConfig(max_turns=1))
    assert rec.decisions[0].action == "[4]"
    text = render_text(rec, width=120)
    assert "[bold red]x[/]" in text
    assert "[blink]evil[/]" in text
    assert ":smile:" in text
    assert "red" in text and "bell" in text
    assert "\x1b" not in text and "\x07" not in text
    assert "title" not in text  # an OSC sequence (window title) is removed whole


def test_markup_in_agent_text_is_not_styled_on_a_colour_terminal():
    raw = "[bold red]x[/] [4]"
    agents = [Scripted([raw]), make_agent("random", seed=2)]
    rec = play_match(games.make("tictactoe"), agents, seed=0, config=MatchConfig(max_turns=1))
    console = Console(width=100, file=io.StringIO(), color_system="standard", force_terminal=True)
    console.print(build_view(final_view(rec), width=100))
    out = console.file.getvalue()
    assert "[bold red]x[/]" in out
    assert "\x1b[1;31m" not in out and "\x1b[31m" not in out  # nothing red on a valid match


def test_clean_and_fold():
    assert clean("a\x1b[31mb\x1b[0mc\td\r\ne\x00") == "abc    d\ne\ufffd"
    assert fold("thinking\nmore thinking\n\nanswer: [4]\n") == "… answer: [4]"
    long = "x" * 200
    assert fold(long) == "x" * 79 + "…"
    assert fold("step\n" + "y" * 200, limit=10) == "… …" + "y" * 9
    assert fold("   \n ") == ""


# ----- invalid moves -----------------------------------------------------------------


def test_invalid_move_is_highlighted_with_its_error():
    agents = [Scripted(["I will play [9]"]), make_agent("random", seed=2)]
    rec = play_match(games.make("tictactoe"), agents, seed=0)
    assert rec.outcome == "forfeit" and not rec.decisions[0].valid
    text = render_text(rec, width=100)
    assert "INVALID" in text
    assert "error: " in text and "[9]" in text
    assert "seat 0 scripted (X) forfeits" in text
    console = Console(width=100, file=io.StringIO(), color_system="standard", force_terminal=True)
    console.print(build_view(final_view(rec), width=100))
    assert "\x1b[31m" in console.file.getvalue() or "\x1b[1;31m" in console.file.getvalue()


def test_retry_and_random_fallback_are_marked():
    game = games.make("tictactoe")
    rec = play_match(game, [Scripted(["nonsense", "[4]"]), make_agent("random", seed=2)],
                     seed=0, config=MatchConfig(invalid="retry:1", max_turns=1))
    text = render_text(rec, width=100)
    assert "INVALID" in text and "retry 1" in text
    rec = play_match(game, [Scripted(["nonsense"]), make_agent("random", seed=2)],
                     seed=0, config=MatchConfig(invalid="random", max_turns=1))
    assert rec.decisions[0].fallback
    assert f"random {rec.decisions[0].action}" in render_text(rec, width=100)
    assert "draw: turn limit reached" in render_text(rec, width=100)


# ----- replay and live view ----------------------------------------------------------


def test_replay_steps_with_enter_and_stops_on_q(record):
    answers, prompts = iter(["", "", "q"]), []

    def scripted(prompt):
        prompts.append(prompt)
        return next(answers)

    console = _console()
    assert replay(record, console=console, input_fn=scripted) == 3
    assert len(prompts) == 3
    out = console.file.getvalue()
    assert "replay 0/7" in out and "replay 2/7" in out and "replay 3/7" not in out


def test_replay_to_the_end_with_enter(record):
    console = _console()
    assert replay(record, console=console, input_fn=lambda _: "") == record.num_decisions + 1
    assert "seat 0 random (X) wins" in console.file.getvalue()


def test_replay_with_a_delay_needs_no_input(record):
    console, slept = _console(), []

    def no_input(prompt):
        raise AssertionError("a timed replay must not ask for input")

    assert replay(record, delay=0, console=console, input_fn=no_input) == 8
    assert replay(record, delay=0.25, console=_console(), input_fn=no_input,
                  sleep=slept.append) == 8
    assert slept == [0.25] * 7
    assert _lines(console.file.getvalue()) == _lines(FINAL.replace("decision 7", "replay 7/7"))
    with pytest.raises(ValueError, match="--delay -1 must be a number of seconds"):
        replay(record, delay=-1, console=_console())


def test_watch_match_returns_the_same_record_as_play_match(record):
    console, slept = _console(), []
    watched = watch_match(games.make("tictactoe"), _randoms(), seed=3, delay=0, console=console)
    assert _strip_timing(watched) == _strip_timing(record)
    assert _lines(console.file.getvalue()) == _lines(FINAL)
    watch_match(games.make("tictactoe"), _randoms(), seed=3, delay=0.5, console=_console(),
                sleep=slept.append)
    assert slept == [0.5] * record.num_decisions


def test_watch_match_draws_each_decision_as_it_happens():
    console = Console(width=80, file=io.StringIO(), color_system=None, force_terminal=True)
    watch_match(games.make("tictactoe"), _randoms(), seed=3, delay=0, console=console)
    out = console.file.getvalue()
    for k in range(8):
        assert f"decision {k}" in out
    assert "to move: seat 1 random (O)" in out and "seat 0 random (X) wins" in out


def test_view_state_defaults():
    view = ViewState(game="tictactoe", seed=0, agents=("a", "b"), roles=("X", "O"))
    assert not view.finished
    text = render_text(view)
    assert "decision 0" in text and "waiting" in text
