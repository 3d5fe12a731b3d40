"""Step preferences as data: ``arena preferences`` writes them, ``arena train --pref-data``
reads them.

The file is JSON Lines, one pair a line, in the form Hugging Face TRL's DPO trainer reads
(``prompt``, ``chosen``, ``rejected``: strings; the chosen and rejected texts continue the
prompt as the model scores them) plus the search's own fields: ``game``, ``role``,
``q_chosen``, ``q_rejected``, ``visits_chosen``, ``visits_rejected``, ``confidence``.
Pairs of sampled replies (generate mode: an agent with ``mode=generate``, ``--completions
K`` replies per searched decision) add ``mode`` ("generate"), ``chosen_action`` and
``rejected_action`` (the actions the replies parse to; null for an invalid reply, whose
``q_rejected`` lies below the game's worst return).
It is written to a temporary file in the same folder and renamed, so a reader never sees
half a file.

    arena preferences --game tictactoe --agent llm:model=models/tiny \\
        --search mcts:simulations=32 --matches 64 --out prefs.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, Sequence

from arena.argv import parse_args_once
from common.untrusted import valid_text
from training.preferences import SearchReport, StepPair

__all__ = ["write_pairs", "read_pairs", "preferences_from_argv", "parse_search", "COLUMNS"]

COLUMNS = ("prompt", "chosen", "rejected", "game", "role", "q_chosen", "q_rejected",
           "visits_chosen", "visits_rejected", "confidence")
MAX_MATCHES = 10_000
"""The most self-play matches one ``arena preferences`` run plays and searches."""
GENERATE_COLUMNS = ("mode", "chosen_action", "rejected_action")
"""Columns that pairs of sampled replies add."""


def _row(pair: StepPair) -> dict[str, Any]:
    row = {k: getattr(pair, k) for k in COLUMNS}
    if pair.mode == "generate":
        row.update(mode="generate", chosen_action=pair.chosen_action,
                   rejected_action=pair.rejected_action or None)
    return row


def write_pairs(path: str | Path, pairs: Sequence[StepPair]) -> Path:
    """Write ``pairs`` as JSONL where :mod:`arena.outfile` says: a regular file through a
    temporary file renamed into place (a link's target, keeping its permission bits; a new
    file ``0666`` less the umask), ``-``, a FIFO or a terminal written through, a device
    node or directory refused. Every non-ASCII character is written as a JSON escape, so
    the file holds no raw control, bidirectional or lone-surrogate character; a reader
    gets the same strings back."""
    from arena.outfile import open_output, plan_output

    plan = plan_output(path, make_folders=True)
    if plan.kind == "replace":
        plan.path.parent.mkdir(parents=True, exist_ok=True)
    with open_output(plan) as fh:
        for p in pairs:
            fh.write(json.dumps(_row(p)) + "\n")
    return Path(path)


def _numbers(path: Path, n: int, row: dict) -> tuple[float, float, float, int, int]:
    """(confidence, q_chosen, q_rejected, visits_chosen, visits_rejected) of line ``n``:
    finite numbers (a NaN confidence would make the loss NaN), refused naming the line."""
    try:
        out = (float(row.get("confidence", 1.0)), float(row.get("q_chosen", 0.0)),
               float(row.get("q_rejected", 0.0)), int(row.get("visits_chosen", 0)),
               int(row.get("visits_rejected", 0)))
        if all(math.isfinite(x) for x in out[:3]):
            return out
        err: Exception = ValueError("not finite")
    except (ValueError, TypeError, OverflowError) as caught:
        err = caught
    raise ValueError(f"{path} line {n}: confidence, q_chosen, q_rejected must be finite "
                     f"numbers and visits_chosen, visits_rejected whole numbers ({err}); "
                     "write the file with arena preferences")


def read_pairs(path: str | Path, encode_prompt: Any) -> list[StepPair]:
    """The pairs of a preferences file, prompts tokenized with ``encode_prompt``. A line
    without the columns, or not JSON, is refused naming the line."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"preferences file {path} does not exist; write one with "
                                "arena preferences --out FILE")
    pairs = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                strings = [row[k] for k in ("prompt", "chosen", "rejected")]
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f"{path} line {n}: not a preference row ({err}); each line "
                                 "needs JSON with prompt, chosen and rejected") from err
            if not all(isinstance(s, str) and s for s in strings):
                raise ValueError(f"{path} line {n}: prompt, chosen and rejected must be "
                                 "non-empty strings")
            # a lone surrogate (a JSON "\\ud800") would stop the tokenizer: U+FFFD instead
            strings = [valid_text(s) for s in strings]
            conf, q_c, q_r, n_c, n_r = _numbers(path, n, row)
            pairs.append(StepPair(
                game=str(row.get("game", "")), role=str(row.get("role", "")), prompt=strings[0],
                prompt_ids=tuple(encode_prompt(strings[0])), chosen=strings[1],
                rejected=strings[2], q_chosen=q_c, q_rejected=q_r, visits_chosen=n_c,
                visits_rejected=n_r, confidence=min(max(conf, 0.5), 1.0),
                mode="generate" if row.get("mode") == "generate" else "choice",
                chosen_action=str(row.get("chosen_action") or ""),
                rejected_action=str(row.get("rejected_action") or "")))
    if not pairs:
        raise ValueError(f"preferences file {path} holds no pairs")
    return pairs


def parse_search(spec: str) -> dict[str, Any]:
    """``mcts:simulations=32,c=1.0,playout=random`` -> its options (defaults filled)."""
    head, _, rest = spec.partition(":")
    if head != "mcts":
        raise ValueError(f"--search {spec!r} must be mcts[:simulations=N,c=X,playout=P], "
                         "e.g. mcts:simulations=32")
    out: dict[str, Any] = {"simulations": 32, "c": 1.0, "playout": "random"}
    for part in filter(None, rest.split(",")):
        key, eq, value = part.partition("=")
        if not eq or key not in out:
            raise ValueError(f"--search option {part!r} unknown (known: simulations=N, c=X, "
                             "playout=random|policy|AGENT)")
        try:
            out[key] = int(value) if key == "simulations" else float(value) if key == "c" else value
        except ValueError as err:
            raise ValueError(f"--search {key}={value!r} must be a number") from err
    if out["simulations"] < 1 or not out["c"] >= 0:
        raise ValueError(f"--search {spec!r}: simulations must be >= 1 and c >= 0")
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="arena preferences",
        description="Self-play matches of one agent; PUCT search at its decisions; step "
                    "preference pairs written as JSONL (TRL's prompt/chosen/rejected).")
    p.add_argument("--game", required=True)
    p.add_argument("--agent", required=True,
                   help="the policy (priors from its choice-mode distribution), e.g. "
                        "llm:model=models/tiny; with mode=generate, pairs of sampled replies")
    p.add_argument("--search", default="mcts:simulations=32",
                   help="mcts:simulations=N,c=X,playout=random|policy|AGENT")
    p.add_argument("--matches", type=int, default=32)
    p.add_argument("--prob", type=float, default=1.0, help="share of decisions searched")
    p.add_argument("--min-gap", type=float, default=0.0)
    p.add_argument("--rejected", choices=["random", "lowest"], default="random")
    p.add_argument("--completions", type=int, default=4, metavar="K",
                   help="generate mode (--agent llm:...,mode=generate): replies sampled and "
                        "paired at each searched decision, 2..64")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True,
                   help="the JSONL file to write (replaced whole once complete), or - for "
                        "stdout")
    return p


def collect_preferences(game_name: str, agent: Any, search: dict[str, Any], matches: int,
                        prob: float, seed: int, min_gap: float = 0.0,
                        rejected: str = "random", completions: int = 4) -> SearchReport:
    """Self-play ``matches`` of ``agent`` on ``game_name``, then the step pairs of a share
    ``prob`` of its decisions (see :func:`training.preferences.search_pairs`); an agent in
    generate mode gives pairs of ``completions`` sampled replies."""
    import games
    from arena.runner import MatchConfig
    from arena.schedule import play, selfplay_schedule
    from training.preferences import search_pairs, searchable

    game = games.make(game_name)
    why = searchable(game)
    if why:
        raise ValueError(f"game {game_name!r} cannot be searched for step preferences: {why}")
    planned = selfplay_schedule([game_name], agent.name, matches, seed, "preferences")
    records = play(planned, {agent.name: agent}, MatchConfig(invalid="forfeit"), "pref:")
    report = search_pairs(records, agent.name, agent, [game_name], prob, search["simulations"],
                          ("preferences", seed), search["c"], search["playout"], min_gap, 1,
                          rejected,
                          completions if agent.generates else 0)
    return report


def preferences_from_argv(argv: Sequence[str] | None = None) -> int:
    """``arena preferences``: exit 2 for a bad option, 0 when the file is written."""
    args = parse_args_once(_parser(), argv)
    try:
        if not 1 <= args.matches <= MAX_MATCHES:
            raise ValueError(f"--matches {args.matches} must be a whole number from 1 to "
                             f"{MAX_MATCHES} (their records are searched in memory), e.g. 32")
        if not 0 < args.prob <= 1:
            raise ValueError(f"--prob {args.prob} must be in (0, 1]")
        if args.min_gap < 0:
            raise ValueError(f"--min-gap {args.min_gap} must be >= 0")
        if not 2 <= args.completions <= 64:
            raise ValueError(f"--completions {args.completions} must be a whole number in "
                             "[2, 64], e.g. 4")
        search = parse_search(args.search)
        from arena.outfile import plan_output

        plan_output(args.out, make_folders=True)  # refused before the search, not after
        from agents.registry import make_agent

        agent = make_agent(args.agent, seed=args.seed)
        if agent.generates and agent.greedy:
            raise ValueError(f"--agent {args.agent}: a greedy agent (greedy=true or "
                             "temperature=0) samples the same reply K times, so no pair "
                             "differs; drop greedy and give temperature > 0, e.g. "
                             "temperature=1.0")
        if agent.generates and search["playout"] == "policy":
            raise ValueError(f"--search {args.search}: playout=policy needs an agent in "
                             "choice mode (a generate-mode agent has no move distribution "
                             "to play out with); use playout=random or an agent spec, e.g. "
                             "--search mcts:simulations=32,playout=expert")
        report = collect_preferences(args.game, agent, search, args.matches, args.prob,
                                     args.seed, args.min_gap, args.rejected, args.completions)
    except (ValueError, FileNotFoundError, ImportError, PermissionError,
            IsADirectoryError) as err:
        return _error(err, 2)
    try:
        path = write_pairs(args.out, report.pairs)
    except OSError as err:  # the folder went away, a full disk: the old file is kept
        return _error(err, 2 if isinstance(err, (FileNotFoundError, PermissionError)) else 1)
    from common.untrusted import terminal_safe

    shown = "stdout" if args.out == "-" else terminal_safe(str(path), multiline=False)
    print(f"{len(report.pairs)} pairs written to {shown}{_why_none(report)}",
          file=sys.stderr if args.out == "-" else sys.stdout)
    return 0


def _error(err: BaseException, status: int) -> int:
    from common.untrusted import terminal_safe

    print(f"arena preferences: error: {terminal_safe(str(err), multiline=False)}",
          file=sys.stderr)
    return status


def _why_none(report: SearchReport) -> str:
    """Why a search gave no pair, when it gave none."""
    if report.pairs:
        return ""
    if not report.searches:
        return " (no decision was searched: raise --prob or --matches)"
    if report.completions and report.invalid == report.completions:
        return (f" (all {report.completions} sampled replies were invalid: the model never "
                "wrote a legal move, so every reply had the same value)")
    return (f" ({report.searches} searches found no two moves of different value: more "
            "simulations, or a lower --min-gap)")


if __name__ == "__main__":
    sys.exit(preferences_from_argv())
