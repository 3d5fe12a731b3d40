"""The documentation: the site builds under ``mkdocs build --strict`` (a broken link or
anchor fails it), its command line reference comes from the parsers, and every ``arena``
command line in the README parses with the parser of its command (parsed only, never run)."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import cli_doc  # noqa: E402
from arena.argv import parse_args_once  # noqa: E402

FENCE = re.compile(r"^\s*```\s*([\w-]*)")
SHELL = ("", "bash", "sh", "shell", "console")
"""Fences whose lines are commands (an info string such as ``text`` marks output)."""
COMMAND = re.compile(r"^(\$ )?([A-Za-z_][A-Za-z0-9_]*=\S*\s+)*arena(\s|$)")
ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
ASSIGNED = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)="([^"]*)"$')
PLACEHOLDERS = {"ADV": "rae", "$ADV": "rae", "[--reveal]": None}
"""Words of the docs' command templates and what stands for them when parsing (None: left
out): ``--advantage ADV`` is run once per advantage, ``[--reveal]`` is optional."""


def shell_blocks(markdown: str) -> list[str]:
    """The text of every fenced block of shell commands, fences paired in order."""
    blocks, lines, shell, inside = [], [], False, False
    for line in markdown.splitlines():
        fence = FENCE.match(line)
        if fence and not inside:
            inside, shell, lines = True, fence.group(1) in SHELL, []
        elif fence:
            inside = False
            if shell:
                blocks.append("\n".join(lines) + "\n")
        elif inside:
            lines.append(line)
    return blocks


def arena_commands(markdown: str) -> list[str]:
    """Every command line in ``markdown``'s fenced blocks that runs ``arena``: continuation
    lines joined, comments dropped, a leading ``$ `` prompt and ``VAR=value`` settings
    skipped, ``$NAME`` replaced by a ``NAME="..."`` line of the same block."""
    found = []
    for block in shell_blocks(markdown):
        lines = [line.strip() for line in block.replace("\\\n", " ").splitlines()]
        assigned = dict(m.groups() for m in map(ASSIGNED.match, lines) if m)
        for line in lines:
            if not COMMAND.match(line):
                continue
            for name, value in assigned.items():
                line = line.replace(f"${name}", value)
            line = line[2:] if line.startswith("$ ") else line
            words = shlex.split(line, comments=True)
            while words and ENV.match(words[0]):
                words.pop(0)
            for i, word in enumerate(words):  # the command ends where the shell's syntax begins
                if word in ("&", "&&", ";", "|", "||") or word.startswith((">", "2>")):
                    words = words[:i]
                    break
            if words and words[0] == "arena":
                found.append(shlex.join(words))
    return found


README_COMMANDS = arena_commands((ROOT / "README.md").read_text())


def test_the_readme_has_a_tour():
    assert len(README_COMMANDS) >= 8, README_COMMANDS
    used = {shlex.split(c)[1] for c in README_COMMANDS}
    assert {"games", "play", "eval", "tournament", "train"} <= used, used


@pytest.mark.parametrize("command", README_COMMANDS, ids=README_COMMANDS)
def test_readme_command_parses(command, capsys):
    parser, args = cli_doc.parser_for(shlex.split(command)[1:])
    try:
        parse_args_once(parser, args)
    except SystemExit as err:  # argparse's usage line and error are on stderr
        pytest.fail(f"{command!r} does not parse (exit {err.code}): {capsys.readouterr().err}")


DOCS_COMMANDS = [(str(page.relative_to(ROOT)), command)
                 for page in sorted((ROOT / "docs").rglob("*.md"))
                 for command in arena_commands(page.read_text())]


@pytest.mark.parametrize("page, command", DOCS_COMMANDS,
                         ids=[f"{page}: {command}" for page, command in DOCS_COMMANDS])
def test_docs_command_parses(page, command, capsys):
    """The docs' commands too, results pages included: a command that no longer parses no
    longer reproduces its figure."""
    words = [PLACEHOLDERS.get(w, w) for w in shlex.split(command)[1:]]
    parser, args = cli_doc.parser_for([w for w in words if w is not None])
    try:
        parse_args_once(parser, args)
    except SystemExit as err:
        pytest.fail(f"{page}: {command!r} does not parse (exit {err.code}): "
                    f"{capsys.readouterr().err}")


def test_a_bad_command_is_caught():
    """The check above can fail: a misspelt option of a delegated command does not parse."""
    parser, args = cli_doc.parser_for(["train", "--game", "kuhn_poker", "--iteratoins", "3"])
    assert parser.prog == "arena train"
    with pytest.raises(SystemExit):
        parse_args_once(parser, args)


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {opt for action in parser._actions for opt in action.option_strings}


def test_the_cli_reference_lists_every_command_and_option():
    from arena.cli import build_parser
    from training.cli import build_train_parser

    page = cli_doc.render()
    top = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name in top.choices:
        assert f"## `arena {name}`" in page, name
    for option in _options(build_train_parser()):
        assert option in page, option


def test_the_site_builds_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    pytest.importorskip("mkdocstrings_handlers.python")
    from training.cli import build_train_parser

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OMP_NUM_THREADS": "1"}
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
         "-d", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cli = (site / "reference" / "cli" / "index.html").read_text()
    assert 'id="arena-train"' in cli and 'id="arena-model-new"' in cli
    for option in _options(build_train_parser()):
        assert option in cli, option
    api = (site / "reference" / "api" / "index.html").read_text()
    for name in ("games.core", "training.config.SelfPlayConfig", "arena.runner.play_match"):
        assert f'id="{name}"' in api, name
