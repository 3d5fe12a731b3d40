"""LLM agent speed: decisions per second of one model playing many matches at once (the
runner batches every pending decision into one ``act_batch``) against the same model
playing one match at a time, in both modes, on TicTacToe and Kuhn Poker.

One ``llm`` agent instance sits in every seat of every match. ``generate`` mode samples
``max_new_tokens`` tokens per decision (a tiny random model rarely writes a legal answer,
so matches use the ``random`` invalid-action policy: every decision is still one model
call, then a random legal move). Each row times ``matches`` concurrent matches and
``sequential`` matches played one after another, after one warm-up match. Memory is the
process's peak resident set (``ru_maxrss``, which only grows), read after each row, and
the peak CUDA allocation when on a GPU.

    bench_llm(matches=64, sequential=8, max_new_tokens=16, model=None, as_json=False,
              device="auto", token_budget=8192) -> dict
    python scripts/bench_llm.py --matches 64 --sequential 8 --json

Without ``model`` the tiny model is built in a temporary folder (seed 0).
"""

from __future__ import annotations

import argparse
import json as _json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import games  # noqa: E402
from arena.runner import MatchConfig, MatchSpec, play_match, run_matches  # noqa: E402

__all__ = ["bench_llm", "main"]

GAMES = ("tictactoe", "kuhn_poker")
MODES = ("choice", "generate")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _time_matches(agent, game, seeds: Sequence[int], batched: bool) -> tuple[int, float]:
    """(decisions, seconds) for the matches of ``seeds``, all at once or one by one."""
    config = MatchConfig(invalid="random")
    start = time.perf_counter()
    if batched:
        specs = [MatchSpec(game, [agent] * game.num_players, s) for s in seeds]
        records = run_matches(specs, config)
    else:
        records = [play_match(game, [agent] * game.num_players, s, config) for s in seeds]
    return sum(len(r.decisions) for r in records), time.perf_counter() - start


def _row(agent, game_name: str, matches: int, sequential: int) -> dict[str, Any]:
    game = games.make(game_name)
    _time_matches(agent, game, [10**6], batched=False)  # warm-up
    n_b, t_b = _time_matches(agent, game, range(matches), batched=True)
    n_s, t_s = _time_matches(agent, game, range(10**5, 10**5 + sequential), batched=False)
    row = {
        "batched_decisions": n_b, "batched_s": t_b, "batched_per_s": n_b / t_b,
        "sequential_decisions": n_s, "sequential_s": t_s, "sequential_per_s": n_s / t_s,
    }
    row["speedup"] = row["batched_per_s"] / row["sequential_per_s"]
    row["peak_rss_mb"] = _peak_rss_mb()
    return row


def bench_llm(matches: int = 64, sequential: int = 8, max_new_tokens: int = 16,
              model: str | None = None, as_json: bool = False, device: str = "auto",
              token_budget: int = 8192, game_names: Sequence[str] = GAMES,
              modes: Sequence[str] = MODES) -> dict[str, Any]:
    """Measure every (game, mode) row; return (and print) the figures.

    ``as_json``: print one JSON object instead of a table.
    """
    if matches < 1 or sequential < 1 or max_new_tokens < 1:
        raise ValueError(f"matches={matches!r}, sequential={sequential!r} and "
                         f"max_new_tokens={max_new_tokens!r} must all be >= 1")
    import torch

    from agents.llm.agent import LLMAgent
    from agents.llm.model_cache import ModelCache
    from agents.llm.tiny_model import build_model

    with tempfile.TemporaryDirectory() as tmp:
        path = model or str(build_model(Path(tmp) / "tiny", size="tiny", seed=0))
        rows: dict[str, Any] = {}
        models = ModelCache()  # both modes' agents play one copy of the weights
        for mode in modes:
            agent = LLMAgent(model=path, mode=mode, max_new_tokens=max_new_tokens, device=device,
                             token_budget=token_budget, models=models)
            for game_name in game_names:
                rows[f"{game_name}/{mode}"] = _row(agent, game_name, matches, sequential)
        backend = agent.backend
        figures: dict[str, Any] = {
            "model": model or "tiny (built, seed 0)", "device": backend.device,
            "dtype": str(backend.dtype).removeprefix("torch."),
            "parameters": sum(p.numel() for p in backend.model.parameters()),
            "torch_threads": torch.get_num_threads(), "token_budget": token_budget,
            "matches": matches,
            "sequential": sequential, "max_new_tokens": max_new_tokens, "rows": rows,
            "peak_rss_mb": _peak_rss_mb(),
            "peak_cuda_mb": (torch.cuda.max_memory_allocated() / 2**20
                             if torch.cuda.is_available() else None),
        }
    figures["min_speedup"] = min(r["speedup"] for r in rows.values())
    _print(figures, as_json)
    return figures


def _print(figures: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(_json.dumps(figures, indent=2))
        return
    print(f"llm agent, {figures['model']} ({figures['parameters']:,} parameters) on "
          f"{figures['device']} {figures['dtype']}, token budget {figures['token_budget']}: "
          "decisions per second, "
          f"{figures['matches']} concurrent matches vs one at a time "
          f"(generate: {figures['max_new_tokens']} new tokens)")
    print(f"{'game/mode':<22}{'batched':>10}{'one-by-one':>12}{'speedup':>9}{'peak RSS MB':>13}")
    for label, r in figures["rows"].items():
        print(f"{label:<22}{r['batched_per_s']:>10.1f}{r['sequential_per_s']:>12.1f}"
              f"{r['speedup']:>8.1f}x{r['peak_rss_mb']:>13.0f}")
    if figures["peak_cuda_mb"] is not None:
        print(f"peak CUDA memory: {figures['peak_cuda_mb']:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matches", type=int, default=64, help="concurrent matches per row")
    parser.add_argument("--sequential", type=int, default=8, help="matches played one by one")
    parser.add_argument("--max-new-tokens", type=int, default=16, help="generate-mode reply length")
    parser.add_argument("--model", default=None, help="model folder or hub id (default: tiny)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda")
    parser.add_argument("--token-budget", type=int, default=8192, help="tokens per forward pass")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    bench_llm(args.matches, args.sequential, args.max_new_tokens, args.model, args.json,
              args.device, args.token_budget)
    return 0


if __name__ == "__main__":
    sys.exit(main())
