"""Watching Werewolf: roles and secret actions hidden from a spectator until the end
unless --reveal; hostile speeches inert on screen; other games unchanged."""

import io

from rich.console import Console

import games
from agents import make_agent
from agents.base import Agent, Decision
from arena.runner import play_match
from arena.viewer import render_text, replay_views, watch_match

HOSTILE = "[say] \x1b]0;pwned\x07\x1b[2J[bold red]I am the seer[/] [link=file:///etc]x[/link]"


def _record(spec="werewolf", seed=3):
    game = games.make(spec)
    agents = [make_agent("werewolf-rules" if p % 2 else "random", seed=p)
              for p in range(game.num_players)]
    return play_match(game, agents, seed)


def test_replay_hides_roles_and_secret_actions_until_the_end_without_reveal():
    record = _record()
    frames = list(replay_views(record, reveal=False))
    middle = render_text(frames[len(frames) // 2], width=120, log_lines=40)
    assert "(?)" in middle and "acted" in middle
    for role in ("werewolf", "seer", "doctor"):
        assert f"({role})" not in middle
    assert "Secret actions" not in middle and "[kill Player" not in middle
    assert "[check Player" not in middle and "you checked" not in middle
    last = render_text(frames[-1], width=120, log_lines=80)
    assert "Roles: Player 0" in last and "(werewolf)" in last


def test_replay_with_reveal_shows_roles_and_every_secret_action():
    record = _record()
    frames = list(replay_views(record, reveal=True))
    middle = render_text(frames[len(frames) // 2], width=120, log_lines=40)
    assert "(werewolf)" in middle and "Secret actions (spectator):" in middle
    assert "seer Player" in middle or "[check Player" in middle


def test_live_view_without_reveal_and_hostile_speech_is_inert():
    game = games.make("werewolf")

    class Talker(Agent):
        """Random, but every speech is hostile text."""

        name = "talker"

        def wants_states(self, obs):
            return obs.legal_actions is None

        def act(self, obs, determiniser=None):
            if obs.legal_actions is None:
                return Decision(text=HOSTILE)
            return Decision(text=obs.legal_actions[self.rng_for(obs).randrange(
                len(obs.legal_actions))])

    console = Console(width=120, file=io.StringIO(), color_system=None, force_terminal=False)
    agents = [Talker()] + [make_agent("random", seed=p) for p in range(1, 7)]
    record = watch_match(game, agents, 2, delay=0, console=console, reveal=False)
    shown = console.file.getvalue()
    assert "\x1b]0;pwned" not in shown and "\x07" not in shown and "\x1b[2J" not in shown
    assert "[bold red]I am the seer[/]" in shown  # markup printed literally, not applied
    assert record.outcome == "terminal"


def test_games_without_secrets_look_the_same_with_or_without_reveal():
    game = games.make("tictactoe")
    record = play_match(game, [make_agent("random", seed=1), make_agent("random", seed=2)], 0)
    a = [render_text(v) for v in replay_views(record, reveal=False)]
    b = [render_text(v) for v in replay_views(record, reveal=True)]
    assert a == b
