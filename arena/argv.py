"""Command lines where an option given twice is refused, not silently the last one.

argparse keeps the last of ``--seeds 5 --seeds 50``; a command that plays, trains or writes
for an hour on a value the user did not mean to give is worse than one line saying so.
:func:`parse_args_once` refuses any option given more than once (under any of its names,
``--opt=value`` included, into subcommands), except options meant to repeat (``append``,
``count``), with argparse's own usage line and exit status 2.
"""

from __future__ import annotations

import argparse
from typing import Sequence

__all__ = ["parse_args_once", "repeated_option"]

_REPEATABLE = (argparse._AppendAction, argparse._AppendConstAction, argparse._CountAction,
               argparse._HelpAction, argparse._VersionAction)


def _action(parser: argparse.ArgumentParser, token: str) -> argparse.Action | None:
    name = token.split("=", 1)[0]
    found = parser._option_string_actions.get(name)
    if found is None and parser.allow_abbrev and name.startswith("--"):
        matches = {a for opt, a in parser._option_string_actions.items() if opt.startswith(name)}
        found = matches.pop() if len(matches) == 1 else None
    return found


def repeated_option(parser: argparse.ArgumentParser, argv: Sequence[str]
                    ) -> tuple[argparse.ArgumentParser, str] | None:
    """(the (sub)parser, the message) for the first option of ``argv`` given twice; None
    when there is none."""
    seen: dict[argparse.Action, str] = {}
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    tokens = list(argv)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "--":
            return None
        if token.startswith("-") and token != "-":
            action = _action(parser, token)
            if action is not None and action.nargs not in (0, "?", "*", argparse.REMAINDER) \
                    and "=" not in token and not isinstance(action, _REPEATABLE):
                value = tokens[i + 1] if i + 1 < len(tokens) else ""
                i += 1
            else:
                value = token.split("=", 1)[1] if "=" in token else ""
            if action is not None and not isinstance(action, _REPEATABLE):
                if action in seen:
                    first = action.option_strings[-1]
                    return parser, (f"option {first} given twice ({seen[action] or 'set'}, "
                                    f"then {value or 'set'}); give it once")
                seen[action] = value
        else:
            for sub in subparsers:
                if token in sub.choices:
                    return repeated_option(sub.choices[token], tokens[i + 1:])
        i += 1
    return None


def parse_args_once(parser: argparse.ArgumentParser, argv: Sequence[str] | None
                    ) -> argparse.Namespace:
    """``parser.parse_args(argv)``, refusing an option given twice (``parser.error``:
    the usage line, one ``error:`` line, exit status 2)."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    found = repeated_option(parser, args)
    if found:
        found[0].error(found[1])
    return parser.parse_args(args)
