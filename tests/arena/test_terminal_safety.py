"""No escape sequence, control or bidi character and no markup effect reaches a terminal.

Every command that prints game, model, agent or file text runs in a pseudo-terminal
(``TERM=dumb``: rich then adds no escape sequence of its own, so any escape byte in the
output came from untrusted text) against a plug-in whose agent speaks hostile negotiation
messages, whose agent spec carries hostile text into tournament and leaderboard tables,
and whose game describes itself with hostile text. Each output must be free of ESC, C1,
BEL and bidi characters, and the markup in the hostile text must print literally.
"""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from rich.console import Console

from arena.store import Store

ROOT = Path(__file__).resolve().parents[2]
MARKUP = "[link=file:///etc/passwd]M[/link] [bold red]N[/]"
HOSTILE = ("T\x1b]0;pwned-title\x07 L\x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\ "
           "C\x1b[2J\x1b[31mred\x1b[0m K\x9b31m B\x07 R\u202eevil\u202c I\u2066x\u2069 "
           + MARKUP)
DANGEROUS = ({chr(c) for c in range(0x20)} - {"\n", "\t", "\r"}) | {"\x7f"} | {
    chr(c) for c in range(0x80, 0xA0)} | set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067"
                                              "\u2068\u2069\u200e\u200f")

PLUGIN = textwrap.dedent('''
    import dataclasses
    import games
    from agents.base import Agent, Decision

    Negotiation = games.game_class("negotiation")

    HOSTILE = {hostile!r}

    class HostileAgent(Agent):
        """Passes every turn, saying hostile things (with a surrogate for good measure)."""
        name = "hostile"

        def __init__(self, seed=0, tag=""):
            super().__init__(seed)
            self.tag = tag

        def act(self, obs):
            return Decision(text="[pass] [say] " + HOSTILE + " \\ud800 " + self.tag)

    class HostileGame(Negotiation):
        info = dataclasses.replace(Negotiation.info, description=HOSTILE)
''').format(hostile=HOSTILE)


@pytest.fixture(scope="module")
def plugin(tmp_path_factory):
    """A plug-in installed the way pip would (a dist-info with entry points)."""
    root = tmp_path_factory.mktemp("plugin")
    (root / "hostile_plugin.py").write_text(PLUGIN, encoding="utf-8")
    dist = root / "hostile_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hostile-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[arena.agents]\nhostile = hostile_plugin:HostileAgent\n"
        "[arena.games]\nhostile_game = hostile_plugin:HostileGame\n")
    return root


def run_in_pty(plugin: Path, cwd: Path, *args: str, timeout: float = 120) -> tuple[int, str]:
    """``arena ARGS`` with stdin, stdout and stderr on a pseudo-terminal; (status, output)."""
    env = {**os.environ, "TERM": "dumb", "COLUMNS": "400", "LINES": "50",
           "PYTHONPATH": os.pathsep.join([str(plugin), str(ROOT)])}
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from arena.cli import main; sys.exit(main())",
         *args], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, close_fds=True)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            pytest.fail(f"arena {' '.join(args)!r} ran past {timeout} s")
        status = proc.wait(timeout=10)
    finally:
        os.close(master)
    return status, b"".join(chunks).decode("utf-8", "replace")


def assert_clean(output: str, sequences_as_text: bool = False) -> None:
    """No dangerous character; unless the output is JSON (which spells them as ``\\u001b``
    text), not even the bodies of the escape sequences."""
    found = sorted({f"U+{ord(ch):04X}" for ch in output if ch in DANGEROUS})
    assert not found, f"control characters reached the terminal: {found}\n{output[-2000:]}"
    if not sequences_as_text:
        for leaked in ("pwned-title", "8;;file", "[31m", "[2J"):
            assert leaked not in output


@pytest.fixture(scope="module")
def store(plugin, tmp_path_factory):
    """A tournament between the hostile agent (with hostile text in its spec, so in its
    name) and the negotiation expert, played through the command in a terminal."""
    cwd = tmp_path_factory.mktemp("run")
    spec = "hostile:tag=" + HOSTILE.replace(",", ";")
    status, out = run_in_pty(plugin, cwd, "tournament", "--game", "negotiation:turns=2",
                             "--agents", f"{spec},negotiator", "--rounds", "1",
                             "--db", "h.db")
    return cwd, status, out


def test_play_transcript_is_clean(plugin, tmp_path):
    status, out = run_in_pty(plugin, tmp_path, "play", "negotiation:turns=2",
                             "--agents", "hostile,negotiator")
    assert status == 0, out
    assert_clean(out)
    assert MARKUP in out and "evil" in out and "\ufffd" in out


def test_play_watch_is_clean(plugin, tmp_path):
    status, out = run_in_pty(plugin, tmp_path, "play", "negotiation:turns=2",
                             "--agents", "hostile,negotiator", "--watch", "--delay", "0")
    assert status == 0, out
    assert_clean(out)
    assert "[link=file:///etc/passwd]" in out


def test_games_table_is_clean(plugin, tmp_path):
    status, out = run_in_pty(plugin, tmp_path, "games")
    assert status == 0, out
    assert_clean(out)
    assert "hostile_game" in out and MARKUP in out


def test_tournament_table_is_clean(store):
    _, status, out = store
    assert status == 0, out
    assert_clean(out)
    assert MARKUP.replace(",", ";") in out


def test_leaderboard_table_is_clean(plugin, store):
    cwd, _, _ = store
    status, out = run_in_pty(plugin, cwd, "leaderboard", "--db", "h.db")
    assert status == 0, out
    assert_clean(out)
    assert MARKUP in out


def test_replay_is_clean(plugin, store):
    cwd, _, _ = store
    with Store(cwd / "h.db", create=False) as db:
        tid = db.tournaments()[0]["id"]
    status, out = run_in_pty(plugin, cwd, "replay", f"{tid}:0", "--db", "h.db",
                             "--delay", "0")
    assert status == 0, out
    assert_clean(out)
    assert "[link=file:///etc/passwd]" in out


def test_export_and_errors_are_clean(plugin, store):
    cwd, _, _ = store
    status, out = run_in_pty(plugin, cwd, "export", "--db", "h.db")
    assert status == 0, out
    assert_clean(out, sequences_as_text=True)
    assert "\\u001b]0;pwned-title" in out  # JSON keeps the text, as escapes
    status, out = run_in_pty(plugin, cwd, "play", "no_game" + HOSTILE, "--agents", "a,b")
    assert status == 2, out
    assert_clean(out, sequences_as_text=True)  # the message quotes the name with repr()
    assert out.count("error:") == 1 and "\n" not in out.strip()


def test_human_console_shows_model_text_inert():
    """The person playing a model sees its words, not its escape sequences or markup."""
    from agents.human import HumanAgent
    from games import Observation

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=None, width=300)
    agent = HumanAgent(input_fn=lambda prompt: "quit", output=console)
    obs = Observation(game="negotiation", player=1, role="B", turn=1,
                      text="Opponent said: " + HOSTILE + "\ud800",
                      legal_actions=None, rules="rules " + HOSTILE)
    assert agent.act(obs).info == {"quit": True}
    shown = out.getvalue()
    assert_clean(shown)
    assert MARKUP in shown and "\ufffd" in shown
