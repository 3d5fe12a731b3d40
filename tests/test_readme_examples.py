"""README's match commands run as written: every ``arena play``, ``arena eval`` and
``arena tournament`` example in README.md (fenced code blocks, and complete commands in
inline code) is read at test time and run in-process through the CLI entry point, in a
temporary folder, made brief where it asks for many games (``--games``/``--episodes`` 1,
``--rounds`` 1, ``--workers`` 1, no ``--watch``). It must exit 0, and no random or
scripted agent may make a move the game refuses (so no match ends in such a forfeit).
An example whose shown output is ``error: ...`` must fail with exactly that one line
(exit 2).

Examples that cannot run here are skipped with the reason: a ``human`` seat, a model
folder other than ``models/tiny`` (the tests' tiny model stands in for it), a policy file
of the reader's own.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

import arena.backends
import arena.runner
import arena.schedule
from arena.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
MATCH_COMMANDS = ("play", "eval", "tournament")
_FENCE = re.compile(r"^\s*```\s*([\w-]*)")
_SHELL = ("", "bash", "sh", "shell", "console")
_INLINE = re.compile(r"`(arena (?:play|eval|tournament) [^`]+)`")
_SHOWN_ERROR = re.compile(r"\A\s*(?:[:,]|->|\u2192|prints|says|shows|gives)?\s*`(error: [^`]+)`")
_PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*$|\.\.\.|[\[\]<>]")
_MODEL = re.compile(r"\bmodel=([^,\s]+)")


@dataclass(frozen=True)
class Example:
    argv: tuple[str, ...]
    """The command's arguments after ``arena``."""
    line: int
    """Where README.md shows it (1-based)."""
    error: str | None = None
    """The ``error: ...`` line README shows as its output, if any."""

    def __str__(self) -> str:
        return f"README.md:{self.line}: arena {shlex.join(self.argv)}"


def _commands(tokens: list[str]) -> list[list[str]]:
    """The ``arena`` commands of one shell line (``a && arena play ...; b``), each without
    leading ``VAR=value`` assignments."""
    out, current = [], []
    for token in tokens + [";"]:
        if token in ("&&", "||", ";", "|", "&"):
            while current and re.fullmatch(r"[A-Za-z_]\w*=\S*", current[0]):
                current.pop(0)
            if current[:1] == ["arena"]:
                out.append(current[1:])
            current = []
        else:
            current.append(token)
    return out


def _complete(argv: list[str]) -> bool:
    """A runnable example, not a template (``arena eval GAME --agent A [--games N]``)."""
    if len(argv) < 2 or any(_PLACEHOLDER.search(t) for t in argv):
        return False
    if argv[0] in ("play", "eval"):
        wanted = ("--agents",) if argv[0] == "play" else ("--agent", "--policy")
        return not argv[1].startswith("-") and any(w in argv for w in wanted)
    return "--game" in argv and "--agents" in argv


def _fenced(lines: list[str]) -> list[Example]:
    found: list[Example] = []
    fence: str | None = None
    logical, start = "", 0
    for number, raw in enumerate(lines, 1):
        m = _FENCE.match(raw)
        if m:
            fence = None if fence is not None else m[1].lower()
            continue
        if fence is None or fence not in _SHELL:
            continue
        if not logical:
            start = number
        if raw.rstrip().endswith("\\"):
            logical += raw.rstrip()[:-1] + " "
            continue
        text, logical = (logical + raw).strip(), ""
        shown = None
        if text.startswith("$ "):
            text = text[2:]
            after = lines[number] if number < len(lines) else ""
            shown = after.strip() if after.strip().startswith("error:") else None
        try:
            tokens = shlex.split(text, comments=True)
        except ValueError:  # unbalanced quotes: not a command line
            continue
        found += [Example(tuple(argv), start, shown) for argv in _commands(tokens)
                  if argv and argv[0] in MATCH_COMMANDS and _complete(argv)]
    return found


def _inline(text: str) -> list[Example]:
    """Complete commands in inline code outside fenced blocks."""
    outside = []
    fenced = False
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
            outside.append("\n")
        else:
            outside.append("\n" if fenced else line)
    prose = "".join(outside)
    found = []
    for m in _INLINE.finditer(prose):
        argv = shlex.split(m[1])[1:]
        if not _complete(argv):
            continue
        shown = _SHOWN_ERROR.match(prose[m.end():])
        error = " ".join(shown[1].split()) if shown else None
        found.append(Example(tuple(argv), prose.count("\n", 0, m.start()) + 1, error))
    return found


def examples_in(text: str) -> list[Example]:
    """The match examples of a markdown text, each command once, fenced ones first."""
    seen, out = set(), []
    for example in _fenced(text.splitlines()) + _inline(text):
        if example.argv not in seen:
            seen.add(example.argv)
            out.append(example)
    return out


EXAMPLES = examples_in(README.read_text(encoding="utf-8"))


# ----- making an example brief and runnable here ---------------------------------------
def _set(argv: list[str], names: tuple[str, ...], value: str | None) -> list[str]:
    """``argv`` with every option in ``names`` set to ``value`` (None: removed, with its
    value); the first name is added when ``value`` is given and none is present."""
    out, i, found = [], 0, False
    while i < len(argv):
        token = argv[i]
        name = token.split("=", 1)[0]
        if name in names:
            found = True
            if value is not None:
                out += [name, value]
            i += 1 if "=" in token else 2
            continue
        out.append(token)
        i += 1
    if not found and value is not None:
        out += [names[0], value]
    return out


def _runnable(example: Example, request) -> list[str]:
    argv = list(example.argv)
    text = " ".join(argv)
    if re.search(r"(^|[\s,:=])human\b", text):
        pytest.skip(f"{example}: a human seat needs a person at the keyboard")
    for path in _MODEL.findall(text):
        if path != "models/tiny":
            pytest.skip(f"{example}: needs the model folder {path} (downloaded or trained "
                        "by an earlier command)")
    if "--policy" in argv:
        pytest.skip(f"{example}: needs the reader's own policy file")
    if "models/tiny" in text:
        tiny = request.getfixturevalue("tiny_model")
        argv = [re.sub(r"\bmodel=models/tiny\b", f"model={tiny}", t) for t in argv]
    command = argv[0]
    if command == "play":
        argv = _set([t for t in argv if t not in ("--watch", "--reveal")], ("--delay",), None)
    elif command == "eval":
        argv = _set(argv, ("--games", "--episodes"), "1")
    else:
        argv = _set(_set(argv, ("--rounds",), "1"), ("--workers",), "1")
        argv = _set(_set(argv, ("--backend",), None), ("--ray-address",), None)
    return argv


@pytest.fixture
def played(monkeypatch) -> list:
    """Every match record the command plays (the runner's ``run_matches``, wherever it is
    called from: ``arena play``, evaluation's schedule, a tournament's backend)."""
    records: list = []
    real = arena.runner.run_matches

    def recording(*args, **kwargs):
        out = real(*args, **kwargs)
        records.extend(out)
        return out

    for module in (arena.runner, arena.schedule, arena.backends):
        monkeypatch.setattr(module, "run_matches", recording)
    return records


def _is_model(agent: str) -> bool:
    return agent.startswith(("llm", "human"))


SAMPLE = """\
Play one:

```bash
pip install -e . && OMP_NUM_THREADS=1 arena play tictactoe --agents minimax,random  # a comment
arena tournament --game tictactoe \\
    --agents random,expert --rounds 9
arena replay t1:0
```

```python
arena play not_a_shell_block --agents x
```

```
$ arena play kuhn_poker:hands=3000 --agents random,random
error: option hands=3000 is out of range
```

Inline: `arena play textarena:LiarsDice-v0 --agents random,random --seed 1`, a template
`arena eval GAME --agent SPEC [--games N]`, and refusals (`arena eval tictactoe
--agent nosuch`: `error: unknown agent
'nosuch'`; `arena play nosuch --agents random` prints `error: unknown game 'nosuch'`).
"""


def test_examples_are_read_from_fenced_blocks_and_inline_code():
    found = [(e.line, e.argv, e.error) for e in examples_in(SAMPLE)]
    assert found == [
        (4, ("play", "tictactoe", "--agents", "minimax,random"), None),
        (5, ("tournament", "--game", "tictactoe", "--agents", "random,expert", "--rounds", "9"),
         None),
        (15, ("play", "kuhn_poker:hands=3000", "--agents", "random,random"),
         "error: option hands=3000 is out of range"),
        (19, ("play", "textarena:LiarsDice-v0", "--agents", "random,random", "--seed", "1"),
         None),
        (20, ("eval", "tictactoe", "--agent", "nosuch"), "error: unknown agent 'nosuch'"),
        (22, ("play", "nosuch", "--agents", "random"), "error: unknown game 'nosuch'"),
    ]


def test_examples_are_made_brief():
    assert _set(["eval", "g", "--episodes", "200", "--json"], ("--games", "--episodes"), "1") \
        == ["eval", "g", "--episodes", "1", "--json"]
    assert _set(["eval", "g"], ("--games", "--episodes"), "1") == ["eval", "g", "--games", "1"]
    assert _set(["play", "g", "--delay=0.5", "--seed", "1"], ("--delay",), None) == \
        ["play", "g", "--seed", "1"]


def test_readme_has_match_examples():
    assert any(e.argv[0] == "play" and e.error is None for e in EXAMPLES), \
        [str(e) for e in EXAMPLES]


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_readme_example_plays_to_a_normal_end(example, request, tmp_path, monkeypatch,
                                              played, capsys):
    monkeypatch.chdir(tmp_path)  # --db, --out and arena.db land in the test's folder
    if example.error is not None:
        assert main(list(example.argv)) == 2, example
        assert " ".join(capsys.readouterr().err.split()) == example.error
        return
    argv = _runnable(example, request)
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 0, f"{example} -> arena {shlex.join(argv)}: exit {status}: {err}"
    assert played, f"{example} played no match"
    for record in played:
        for d in record.decisions:
            assert d.valid or _is_model(d.agent), (
                f"{example}: {d.agent} made a move {record.game} refused at turn {d.turn}: "
                f"{d.raw!r} ({d.error})")
        if record.outcome in ("forfeit", "quit"):
            assert _is_model(record.agents[record.forfeit_player]), (
                f"{example}: {record.game} ended in a {record.outcome} by "
                f"{record.agents[record.forfeit_player]}")
