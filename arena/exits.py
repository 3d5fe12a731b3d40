"""The exit statuses of every ``arena`` command, and how a failure is reported.

One convention (``EXIT_*``), one reporting function (:func:`exit_status`): ``arena.cli``'s
``main`` applies it to every command, and commands that report their own errors when
called directly (``except COMMAND_ERRORS as err: return exit_status(err)``) apply the
same. A failure is one line on stderr, cleaned like any untrusted text.
"""

from __future__ import annotations

import os
import sys

__all__ = ["EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE", "EXIT_INTERRUPTED", "EXIT_PIPE",
           "COMMAND_ERRORS", "exit_status", "error_line"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_PIPE = 0, 1, 2, 130, 141
"""Exit statuses of every ``arena`` command: 0 done; 2 a usage or input error (a bad
option or value, an unknown name, a missing, damaged or unwritable file: fix the command);
1 a failure at run time (a model server's fault, a worker that died, a disk that filled:
the command was right); 130 interrupted (Ctrl-C; what was finished is kept); 141 the
reader of the output went away (``arena leaderboard --json | head``), quietly."""

_INPUT_ERRORS = (ValueError, LookupError, ImportError, FileNotFoundError, IsADirectoryError,
                 NotADirectoryError, PermissionError, FileExistsError)
COMMAND_ERRORS = (*_INPUT_ERRORS, RuntimeError, OSError)
"""What a command reports as one line (with :func:`exit_status`) rather than a traceback;
anything else is a bug and keeps its traceback."""


def exit_status(err: BaseException) -> int:
    """Report ``err`` the arena's way and return its exit status (see ``EXIT_*``): one
    clean line on stderr; nothing for a closed output pipe. Commands that catch their own
    errors (``except COMMAND_ERRORS as err: return exit_status(err)``) use it too."""
    if isinstance(err, BrokenPipeError):
        _quiet_stdout()
        return EXIT_PIPE
    if isinstance(err, KeyboardInterrupt):
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    error_line(err)
    return EXIT_USAGE if isinstance(err, _INPUT_ERRORS) else EXIT_FAILURE


def error_line(err: BaseException | str) -> None:
    """One line on stderr, cleaned like any untrusted text (messages quote names and
    server replies)."""
    from common.untrusted import terminal_safe

    if isinstance(err, KeyError) and err.args:
        err = str(err.args[0])
    text = terminal_safe(str(err), multiline=False).strip()
    print(text if text.startswith("error:") else f"error: {text}", file=sys.stderr)


def _quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the exit flush stays silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
