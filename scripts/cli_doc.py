"""The `arena` command line reference, written from the argparse parsers themselves.

    python scripts/cli_doc.py [--out FILE]      # the Markdown page (stdout by default)

Nothing here restates an option: every command's parser is built the way `arena` builds
it and its own ``--help`` text is printed, so the page follows the code. The documentation
site renders this page at build time (``docs/hooks/cli_reference.py``), and the docs tests
use :func:`parser_for` to parse the README's command lines without running them.

The built-in commands are the subparsers of ``arena.cli.build_parser()``. Delegated
commands (``arena tournament``, and those of the ``arena.commands`` entry points such as
``arena train``) build their parser inside the function that runs them; that function is
called with ``parse_known_args`` replaced by a trap, which hands back the parser at the
moment it would parse, before the command does any work.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from pathlib import Path
from typing import Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WIDTH = 92
"""Help text width, fixed so that the page does not depend on the terminal."""
PACKAGES = ("arena", "training", "games", "agents")
"""Delegated commands are documented when they come from this project's packages (an
installed plug-in's command is not part of this reference)."""


class _Parsed(BaseException):
    """Raised by the trap in place of parsing: carries the parser that was about to parse."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        super().__init__(parser.prog)
        self.parser = parser


@contextlib.contextmanager
def _trap() -> Iterator[None]:
    original = argparse.ArgumentParser.parse_known_args

    def trap(self, args=None, namespace=None):  # noqa: ARG001 - argparse's signature
        raise _Parsed(self)

    argparse.ArgumentParser.parse_known_args = trap
    try:
        yield
    finally:
        argparse.ArgumentParser.parse_known_args = original


def delegated() -> dict[str, tuple[str, str, str]]:
    """The project's delegated commands: (module, function, help) by name."""
    from arena.cli import commands

    return {name: entry for name, entry in commands().items()
            if entry[0].split(".")[0] in PACKAGES}


def delegated_parser(name: str) -> argparse.ArgumentParser:
    """The parser that ``arena NAME`` parses its arguments with."""
    known = delegated()
    if name not in known:
        raise LookupError(f"no delegated arena command {name!r} (known: {', '.join(known)})")
    module, func, _ = known[name]
    run = getattr(importlib.import_module(module), func)
    with _trap():
        try:
            run([])
        except _Parsed as found:
            return found.parser
    raise LookupError(f"arena {name} ({module}:{func}) returned without parsing its "
                      "arguments with argparse, so its options cannot be documented")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _summaries(parser: argparse.ArgumentParser) -> dict[str, str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: a.help or "" for a in action._choices_actions}
    return {}


def parser_for(argv: Sequence[str]) -> tuple[argparse.ArgumentParser, list[str]]:
    """(parser, arguments) that ``arena ARGV`` parses, as ``arena.cli.main`` does: a
    delegated command's own parser with the arguments after its name, else the top-level
    parser with the whole line."""
    from arena.cli import build_parser

    argv = list(argv)
    if argv and argv[0] in delegated():
        return delegated_parser(argv[0]), argv[1:]
    return build_parser(), argv


def command_parsers() -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(command, one-line help, parser) for ``arena`` and every subcommand, in the order
    ``arena --help`` lists them (``arena model``'s own subcommands after it)."""
    from arena.cli import build_parser

    top = build_parser()
    summaries = _summaries(top)
    found = [("arena", top.description or "", top)]
    names = delegated()
    for name, parser in _subparsers(top).items():
        if name in names:  # its own parser; its description says more than the entry point's help
            own = delegated_parser(name)
            found.append((f"arena {name}", own.description or summaries.get(name, ""), own))
            continue
        found.append((f"arena {name}", summaries.get(name, ""), parser))
        inner = _summaries(parser)
        for sub, subparser in _subparsers(parser).items():
            found.append((f"arena {name} {sub}", inner.get(sub, ""), subparser))
    return found


def help_text(parser: argparse.ArgumentParser, width: int = WIDTH) -> str:
    """``parser``'s ``--help`` output at a fixed width."""
    kind = parser.formatter_class
    parser.formatter_class = lambda prog: kind(prog, width=width)
    try:
        return parser.format_help().rstrip()
    finally:
        parser.formatter_class = kind


def _anchor(command: str) -> str:
    return command.replace(" ", "-")


def render() -> str:
    """The reference as Markdown: a table of the commands, then each one's ``--help``."""
    parsers = command_parsers()
    out = ["| command | what it does |", "|---|---|"]
    for command, summary, _ in parsers[1:]:
        out.append(f"| [`{command}`](#{_anchor(command)}) | {summary} |")
    for command, _, parser in parsers:
        out += ["", f"## `{command}` {{#{_anchor(command)}}}", "", "```text",
                help_text(parser), "```"]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="write the page here (default: stdout)")
    args = ap.parse_args(argv)
    page = "# Command line reference\n\n" + render()
    if args.out:
        Path(args.out).write_text(page)
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
