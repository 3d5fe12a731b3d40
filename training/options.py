"""Options declared once: a dataclass field made with :func:`option` carries its help,
range, flag and group, and everything else is derived from it.

- :func:`check_fields`: the range and choice checks (one line naming the field, the value
  and what is expected);
- :func:`add_arguments` / :func:`values_from_args`: the command line (``--lr``, with help
  that states the range and default);
- :func:`read_toml` / :func:`to_toml`: config files (``--config FILE.toml``; a run folder's
  ``config.toml``), with unknown keys refused naming the nearest valid one;
- :func:`declarations`: the list the documentation pages are generated from.

A field's type comes from its annotation: ``int``, ``float``, ``str``, ``X | None``,
``Literal[...]`` (choices) and ``list[str]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import math
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

__all__ = ["option", "Declaration", "declarations", "check_fields", "add_arguments",
           "values_from_args", "read_toml", "to_toml", "flag_of"]

_MISSING = dataclasses.MISSING


def option(default: Any = _MISSING, *, help: str, low: float | None = None,
           high: float | None = None, expected: str = "", flag: str = "", group: str = "",
           factory: Callable[[], Any] | None = None, metavar: str | None = None,
           split: str = "", cli: bool = True) -> Any:
    """A dataclass field declared with everything the command line, config files, checks
    and docs need. ``low``/``high``: inclusive numeric bounds, with ``expected`` the words
    an error gives; ``flag``: the option's name when it is not the field's (``--matches``);
    ``split``: a list option given as one string on the command line, split on it;
    ``cli``: False for a field that has no flag of its own."""
    meta = {"help": help, "low": low, "high": high, "expected": expected, "flag": flag,
            "group": group, "metavar": metavar, "split": split, "cli": cli}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata={"option": meta})
    return dataclasses.field(default=default, metadata={"option": meta})


@dataclass(frozen=True)
class Declaration:
    """One option as declared: what :func:`option` was given, with the field's type."""

    name: str
    kind: str
    """``int``, ``float``, ``str`` or ``list``."""
    optional: bool
    """``None`` is allowed (``X | None``)."""
    choices: tuple[str, ...]
    default: Any
    help: str
    low: float | None
    high: float | None
    expected: str
    flag: str
    group: str
    metavar: str | None
    split: str
    cli: bool

    def describe(self) -> str:
        """The help line: what it does, its range or choices, its default."""
        parts = [self.help.rstrip(".") + "."]
        if self.choices:
            parts.append(f"One of: {', '.join(self.choices)}.")
        elif self.expected:
            parts.append(f"Expected: {self.expected}.")
        parts.append(f"Default: {_shown(self.default)}.")
        return " ".join(parts)


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return ",".join(map(str, value)) or "none"
    if value == "":
        return '""'
    return str(value)


def declarations(cls: type) -> list[Declaration]:
    """Every field of the dataclass ``cls`` declared with :func:`option`, in order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        meta = f.metadata.get("option")
        if meta is None:
            continue
        kind, optional, choices = _kind(hints[f.name])
        default = f.default_factory() if f.default is _MISSING else f.default
        flag = meta["flag"] or "--" + f.name.replace("_", "-")
        out.append(Declaration(f.name, kind, optional, choices, default, meta["help"],
                               meta["low"], meta["high"], meta["expected"], flag,
                               meta["group"], meta["metavar"], meta["split"], meta["cli"]))
    return out


def _kind(hint: Any) -> tuple[str, bool, tuple[str, ...]]:
    args = typing.get_args(hint)
    optional = type(None) in args
    if optional:
        (hint,) = [a for a in args if a is not type(None)]
    if typing.get_origin(hint) is Literal:
        return "str", optional, tuple(typing.get_args(hint))
    if typing.get_origin(hint) is list:
        return "list", optional, ()
    return hint.__name__, optional, ()


# ----- checks -------------------------------------------------------------------------------
def check_fields(obj: Any) -> None:
    """Raise ``ValueError("name=value must be ...")`` for the first field of the dataclass
    instance ``obj`` outside its declared range or choices."""
    for d in declarations(type(obj)):
        value = getattr(obj, d.name)
        if value is None and d.optional:
            continue
        if d.choices:
            if value not in d.choices:
                raise ValueError(f"{d.name}={value!r} must be {_or(d.choices)}")
        elif d.kind in ("int", "float") and d.low is not None:
            if not _in_range(value, d.low, d.high, integer=d.kind == "int"):
                raise ValueError(f"{d.name}={value!r} must be {d.expected}")
        elif d.kind == "str" and not isinstance(value, str):
            raise ValueError(f"{d.name}={value!r} must be a string")
        elif d.kind == "list" and not (isinstance(value, list)
                                       and all(isinstance(v, str) for v in value)):
            raise ValueError(f"{d.name}={value!r} must be a list of strings")


def _or(choices: tuple[str, ...]) -> str:
    return choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"


def _in_range(value: object, low: float, high: float | None, integer: bool) -> bool:
    """Whether ``value`` is a number (a whole one if ``integer``) in [low, high]; NaN and
    infinities are out of range, and so is a bool."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if integer and not isinstance(value, int):
        return False
    return math.isfinite(value) and low <= value <= (math.inf if high is None else high)


# ----- the command line ---------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser, cls: type) -> None:
    """One option per declared field, grouped as declared. Defaults are left out of the
    namespace (``argparse.SUPPRESS``), so :func:`values_from_args` returns only what was
    given and a config file's values can sit under the command line's."""
    groups: dict[str, Any] = {"": parser}
    for d in declarations(cls):
        if not d.cli:
            continue
        target = groups.get(d.group)
        if target is None:
            target = groups[d.group] = parser.add_argument_group(d.group)
        kwargs: dict[str, Any] = {"dest": d.name, "default": argparse.SUPPRESS,
                                  "help": d.describe().replace("%", "%%")}
        kwargs["metavar"] = d.metavar or {"int": "N", "float": "X"}.get(d.kind)
        if kwargs["metavar"] is None:
            del kwargs["metavar"]
        if d.kind == "list":
            if d.split:
                kwargs["type"] = lambda text, sep=d.split: [s for s in text.split(sep) if s]
            else:
                kwargs["action"] = "append"
        elif d.choices:
            kwargs["choices"] = list(d.choices)
        else:
            kind = {"int": int, "float": float, "str": str}[d.kind]
            kwargs["type"] = _or_none(kind) if d.optional else kind
        target.add_argument(d.flag, **kwargs)


def _or_none(kind: type) -> Callable[[str], Any]:
    """An optional option's type on the command line: ``none`` unsets it (overriding a
    config file's value)."""
    def convert(text: str) -> Any:
        return None if text == "none" else kind(text)
    convert.__name__ = kind.__name__  # argparse names the type in its error message
    return convert


def values_from_args(args: argparse.Namespace, cls: type) -> dict[str, Any]:
    """The declared options given on the command line, by field name."""
    names = {d.name for d in declarations(cls)}
    return {k: v for k, v in vars(args).items() if k in names}


def flag_of(cls: type, name: str) -> str:
    """The command-line flag of the field ``name`` ("" when it has none)."""
    for d in declarations(cls):
        if d.name == name and d.cli:
            return d.flag
    return ""


# ----- config files -------------------------------------------------------------------------
def read_toml(path: str | Path, cls: type, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """The options a TOML file gives, by field name, type-converted where exact (an
    integer for a float). Unknown keys, tables and values of the wrong type are one line
    naming the file and key; ranges are checked when the dataclass is built."""
    path = Path(path)
    if path.exists() and not path.is_file():  # a folder, a FIFO (reading it would block), a device
        raise ValueError(f"config file {path} cannot be read: it is not a regular file (a "
                         "folder, a FIFO or a device); give a TOML file, e.g. runs/x/config.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"config file {path} does not exist; give the path of a "
                                "TOML file, e.g. runs/x/config.toml") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"config file {path} is not valid TOML ({err}); fix it, or "
                         "write one with arena train and copy its config.toml") from None
    except OSError as err:  # a folder, no permission
        raise ValueError(f"config file {path} cannot be read ({err.strerror or err}); give "
                         "a TOML file, e.g. runs/x/config.toml") from None
    known = {d.name: d for d in declarations(cls) if d.name not in leave_out}
    out = {}
    for key, value in data.items():
        d = known.get(key)
        if d is None:
            raise ValueError(f"config file {path}: unknown option {key!r}{_nearest(key, known)}")
        out[key] = _typed(path, d, value)
    return out


def _nearest(key: str, known: dict[str, Declaration]) -> str:
    by_flag = {d.flag.lstrip("-").replace("-", "_"): d.name for d in known.values()}
    norm = key.replace("-", "_")
    if norm in known or norm in by_flag:
        return f"; did you mean {known.get(norm, known.get(by_flag.get(norm, ''))).name!r}?"
    close = difflib.get_close_matches(norm, list(known) + list(by_flag), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {by_flag.get(close[0], close[0])!r}?"
    return f" (known: {', '.join(known)})"


def _typed(path: Path, d: Declaration, value: Any) -> Any:
    if d.kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    ok = {"int": int, "float": float, "str": str, "list": list}[d.kind]
    if isinstance(value, bool) or not isinstance(value, ok) or (
            d.kind == "list" and not all(isinstance(v, str) for v in value)):
        what = {"int": "a whole number", "float": "a number", "str": "a string",
                "list": 'a list of strings, e.g. ["kuhn_poker"]'}[d.kind]
        raise ValueError(f"config file {path}: {d.name} = {value!r} must be {what}")
    return value


def to_toml(values: dict[str, Any], cls: type, header: str = "",
            leave_out: tuple[str, ...] = ()) -> str:
    """``values`` (field name to value) as TOML that :func:`read_toml` reads back equal.
    TOML has no null: an option that is None is written as a comment."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    group = None
    for d in declarations(cls):
        if d.name in leave_out or d.name not in values:
            continue
        if d.group != group:
            group = d.group
            lines.append(f"\n# --- {group or 'run'} ---")
        value = values[d.name]
        if value is None:
            lines.append(f"# {d.name} = (none)")
        else:
            lines.append(f"{d.name} = {_toml_value(value)}")
    return "\n".join(lines).lstrip("\n") + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            # a lone surrogate (an undecodable byte in a command-line argument) has no
            # TOML form: it is written as U+FFFD (config.json keeps it exactly)
            out.append("\\uFFFD" if ord(ch) >= 0xD800 else f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _cell(text: str) -> str:
    """Text in a Markdown table cell: pipes and brackets escaped (``[:OPTIONS]`` is no link)."""
    for ch in "\\|[]*_<>":
        if not text.startswith("`"):
            text = text.replace(ch, "\\" + ch)
    return text


def markdown_table(cls: type) -> str:
    """The declared options as a Markdown table per group (the docs' options page is
    rendered from it at build time, so it cannot fall behind the declarations)."""
    out: list[str] = []
    group = None
    for d in declarations(cls):
        if d.group != group:
            group = d.group
            out += ["", f"**{group or 'run'}**", "", "| option | config key | range or choices "
                    "| default | what it does |", "|---|---|---|---|---|"]
        allowed = ", ".join(f"`{c}`" for c in d.choices) if d.choices else (
            d.expected or ("comma-separated list" if d.split else "repeatable" if d.kind == "list"
                           else {"str": "text"}.get(d.kind, d.kind)))
        flag = f"`{d.flag}`" if d.cli else "(config file only)"
        cells = [flag, f"`{d.name}`", allowed, f"`{_shown(d.default)}`", d.help]
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(out).lstrip("\n") + "\n"
