"""Can the model learn the game at all? Supervised learning on the game's own labels.

``python scripts/bench.py learnable --game G [--view V] [--prompt full|bare] [--model M]
[--minutes N]``: the ceiling that self-play is measured against. The model reads each
position as the policy would (the game in view ``V``, the prompt style ``P``), scores the
legal actions through ``training.scoring`` (the path training uses) and learns from:

- ``tictactoe``: the solver's optimal moves on all 4,520 reachable positions (loss
  ``-log`` of the probability on the optimal moves); measured: the optimal-move share
  (probability mass on optimal moves, as ``arena eval`` measures it) over all positions;
- ``kuhn_poker``: the equilibrium's action probabilities on the 12 information sets
  (cross-entropy); measured: the exact exploitability of the model's policy;
- ``household``: the expert's decisions in ``--episodes`` train worlds; measured: the
  share of the expert's decisions in ``--eval-episodes`` valid_unseen worlds where the
  model's most likely action is the expert's (teacher-forced agreement);
- ``werewolf`` (claims mode): ``werewolf-rules``' decisions in ``--episodes`` games, and
  agreement on ``--eval-episodes`` other games (the rule agent draws among equals, so
  agreement stays below 1).

It prints the measure before training and after each pass (with the seconds spent), then
the best; ``--json`` prints the rows as JSON lines. Nothing is saved. One thread is the
measured setting: ``OMP_NUM_THREADS=1``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

GAMES = ("tictactoe", "kuhn_poker", "household", "werewolf")


@dataclass
class Task:
    """Positions as prompts, their legal actions, and a target per position: a 0/1 mask
    of the acceptable actions (``mask``) or a distribution (``probs``)."""

    observations: list[Any]
    targets: list[list[float]]
    kind: str  # "mask" (loss -log mass on the accepted actions) or "probs" (cross-entropy)


def _expert_task(spec: str, expert: str, seeds: Sequence[int]) -> Task:
    """The expert's decisions in the games ``seeds`` of ``spec``, played by it in every seat."""
    import games
    from agents.registry import make_agent
    from games.parse import parse_action
    from common.seeds import derive_seed

    game = games.make(spec)
    agent = make_agent(expert, seed=derive_seed("learnable", spec))
    obs_out, targets = [], []
    for seed in seeds:
        state = game.new_state(seed)
        while not state.is_terminal():
            moves = []
            for p in state.current_players():
                obs = state.observation(p)
                obs = type(obs)(*obs[:8], derive_seed("learnable", seed, state.turn, p))
                action = parse_action(agent.act(obs).text, obs.legal_actions, game)
                if obs.legal_actions and len(obs.legal_actions) > 1:
                    obs_out.append(obs)
                    targets.append([float(a == action) for a in obs.legal_actions])
                moves.append((p, action))
            for p, action in moves:
                state.apply(p, action)
    return Task(obs_out, targets, "mask")


def _tictactoe(view: str) -> tuple[Task, Task]:
    import games
    from games.tictactoe.evaluation import positions
    from games.tictactoe.expert import optimal_actions

    states, observations = positions(games.make("tictactoe", view=view))
    targets = [[float(a in set(optimal_actions(s))) for a in o.legal_actions]
               for s, o in zip(states, observations)]
    task = Task(observations, targets, "mask")
    return task, task


def _kuhn(view: str) -> tuple[Task, Task]:
    import games
    from games.kuhn_poker.expert import equilibrium_distribution

    game = games.make("kuhn_poker", view=view)
    seen: dict[str, Any] = {}
    for deal in ("JQ", "JK", "QJ", "QK", "KJ", "KQ"):
        for history in ((), ("[check]",), ("[bet]",), ("[check]", "[bet]")):
            state = game.deal_state(deal)
            for a in history:
                state.apply(state.current_players()[0], a)
            p = state.current_players()[0]
            obs = state.observation(p)
            seen.setdefault(obs.info_state, obs)
    observations = list(seen.values())
    targets = [[equilibrium_distribution(o.info_state)[a] for a in o.legal_actions]
               for o in observations]
    task = Task(observations, targets, "probs")
    return task, task


def build_tasks(game: str, view: str, episodes: int, eval_episodes: int) -> tuple[Task, Task]:
    """(training task, measured task) of ``game`` in ``view``."""
    if game == "tictactoe":
        return _tictactoe(view)
    if game == "kuhn_poker":
        return _kuhn(view)
    if game == "household":
        train = _expert_task(f"household:view={view}", "household-expert", range(episodes))
        held = _expert_task(f"household:view={view},split=valid_unseen", "household-expert",
                            range(eval_episodes))
        return train, held
    spec = f"werewolf:view={view},speech=claims"
    return (_expert_task(spec, "werewolf-rules", range(episodes)),
            _expert_task(spec, "werewolf-rules", range(10**6, 10**6 + eval_episodes)))


class Learner:
    """The model, its prompts for both tasks, and the measure of the game."""

    def __init__(self, game: str, model_path: str, prompt: str, train: Task, held: Task,
                 lr: float, seed: int) -> None:
        import torch

        from agents.llm.hf import HFBackend
        from agents.llm.prompts import render_prompt

        torch.manual_seed(seed)
        self.torch, self.game = torch, game
        self.backend = HFBackend(model_path, device="cpu")
        self.model = self.backend.model
        tok = self.backend.tokenizer

        def encode(task: Task) -> list[list[int]]:
            return self.backend.encode_prompts([render_prompt(o, "choice", tok, prompt)
                                                for o in task.observations])

        self.train, self.held = train, held
        self.train_ids = encode(train)
        self.held_ids = self.train_ids if held is train else encode(held)
        self.prompt_tokens = sum(map(len, self.train_ids)) / max(len(self.train_ids), 1)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=lr)

    def _logp(self, ids: Sequence[Sequence[int]], task: Task, rows: Sequence[int]) -> list[Any]:
        from training.scoring import score_actions

        torch = self.torch
        scores = score_actions(self.model, self.backend, [ids[i] for i in rows],
                               [list(task.observations[i].legal_actions) for i in rows], 10**6)
        out, start = [], 0
        for i in rows:
            n = len(task.observations[i].legal_actions)
            out.append(torch.log_softmax(scores[start:start + n], dim=0))
            start += n
        return out

    def step(self, rows: Sequence[int]) -> float:
        torch = self.torch
        losses = []
        for i, logp in zip(rows, self._logp(self.train_ids, self.train, rows)):
            target = torch.tensor(self.train.targets[i])
            if self.train.kind == "mask":
                losses.append(-torch.logsumexp(logp[target > 0], dim=0))
            else:
                losses.append(-(target * logp).sum())
        loss = torch.stack(losses).mean()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return float(loss.detach())

    def measure(self) -> dict[str, float]:
        torch, task = self.torch, self.held
        with torch.no_grad():
            dists = []
            for i in range(0, len(task.observations), 256):
                rows = range(i, min(i + 256, len(task.observations)))
                dists += [lp.exp() for lp in self._logp(self.held_ids, task, rows)]
        if self.game == "tictactoe":
            mass = [float((d * torch.tensor(t)).sum()) for d, t in zip(dists, task.targets)]
            return {"optimal_move_share": sum(mass) / len(mass)}
        if self.game == "kuhn_poker":
            return {"exploitability": _kuhn_exploitability(task, dists)}
        agree = [float(t[int(d.argmax())] > 0) for d, t in zip(dists, task.targets)]
        return {"expert_agreement": sum(agree) / len(agree)}


def _kuhn_exploitability(task: Task, dists: Sequence[Any]) -> float:
    import games
    from games.algorithms.exploitability import exploitability
    from games.kuhn_poker.betting import LEGAL
    from games.kuhn_poker.evaluation import table_policy
    from games.kuhn_poker.expert import current_hand

    table = {}
    for obs, d in zip(task.observations, dists):
        card, history = current_hand(obs.info_state)
        table[f"{card}:{history}"] = float(d[list(obs.legal_actions).index(LEGAL[history][1])])
    return exploitability(games.make("kuhn_poker"), table_policy(table))["exploitability"]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return _parser().parse_args(argv)


def run(args: argparse.Namespace, emit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    t0 = time.perf_counter()
    train, held = build_tasks(args.game, args.view, args.episodes, args.eval_episodes)
    learner = Learner(args.game, args.model, args.prompt, train, held, args.lr, args.seed)
    head = {"game": args.game, "view": args.view, "prompt": args.prompt, "model": args.model,
            "positions": len(train.observations), "measured_on": len(held.observations),
            "prompt_tokens_mean": round(learner.prompt_tokens, 1),
            "setup_s": round(time.perf_counter() - t0, 1)}
    emit({"event": "start", **head})
    rng = random.Random(args.seed)
    order = list(range(len(train.observations)))
    start = time.perf_counter()
    rows = [{"pass": 0, "seconds": 0.0, **learner.measure()}]
    emit(rows[-1])
    interrupted = False
    try:
        while (time.perf_counter() - start < args.minutes * 60
               and (args.passes is None or rows[-1]["pass"] < args.passes)):
            rng.shuffle(order)
            for i in range(0, len(order), args.minibatch):
                learner.step(order[i:i + args.minibatch])
                if time.perf_counter() - start >= args.minutes * 60:
                    break
            rows.append({"pass": rows[-1]["pass"] + 1,
                         "seconds": round(time.perf_counter() - start, 1), **learner.measure()})
            emit(rows[-1])
    except KeyboardInterrupt:  # Ctrl-C: the passes measured so far are summed up below
        interrupted = True
    key = next(k for k in rows[0] if k not in ("pass", "seconds"))
    pick = min if key == "exploitability" else max
    best = pick(rows, key=lambda r: r[key])
    summary = {"event": "end", **head, "measure": key, "before": rows[0][key],
               "after": rows[-1][key], "best": best[key], "best_at_s": best["seconds"],
               "passes": rows[-1]["pass"], "interrupted": interrupted}
    emit(summary)
    return summary


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="bench.py learnable", description=__doc__.splitlines()[0])
    ap.add_argument("--game", choices=GAMES, required=True)
    ap.add_argument("--view", choices=("text", "compact"), default="compact")
    ap.add_argument("--prompt", choices=("full", "bare"), default="bare")
    ap.add_argument("--model", default="models/tiny")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--passes", type=int, default=None,
                    help="stop after this many passes (default: only --minutes)")
    ap.add_argument("--minibatch", type=int, default=64)
    ap.add_argument("--episodes", type=int, default=200,
                    help="household/werewolf: expert games to learn from")
    ap.add_argument("--eval-episodes", type=int, default=50,
                    help="household/werewolf: held-out games measured")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    if not (math.isfinite(args.minutes) and args.minutes > 0):
        ap.error(f"--minutes {args.minutes} must be > 0, e.g. --minutes 10")
    if not (math.isfinite(args.lr) and 0 < args.lr <= 1):
        ap.error(f"--lr {args.lr} must be a number in (0, 1], e.g. --lr 1e-3")
    for flag, value, low, most in (("--passes", args.passes, 1, 1_000_000),
                                   ("--minibatch", args.minibatch, 1, 65_536),
                                   ("--episodes", args.episodes, 1, 10_000),
                                   ("--eval-episodes", args.eval_episodes, 1, 10_000)):
        if value is not None and not low <= value <= most:
            ap.error(f"{flag} {value} must be a whole number from {low} to {most}")

    def emit(row: dict[str, Any]) -> None:
        if args.json:
            print(json.dumps(row), flush=True)
        elif row.get("event") == "start":
            print(f"{row['game']} view={row['view']} prompt={row['prompt']} model={row['model']}"
                  f": {row['positions']} positions ({row['prompt_tokens_mean']} prompt tokens "
                  f"on average), measured on {row['measured_on']}", flush=True)
        elif row.get("event") == "end":
            print(f"{row['measure']}: {row['before']:.3f} -> {row['after']:.3f} "
                  f"(best {row['best']:.3f} at {row['best_at_s']:.0f} s, {row['passes']} "
                  f"passes{', interrupted' if row['interrupted'] else ''})", flush=True)
        else:
            values = "  ".join(f"{k} {v:.3f}" for k, v in row.items()
                               if k not in ("pass", "seconds"))
            print(f"pass {row['pass']:4d}  {row['seconds']:7.1f} s  {values}", flush=True)

    try:
        summary = run(args, emit)
    except (ValueError, OSError) as err:  # a missing model, an unreadable folder
        print(f"bench.py learnable: error: {err}", file=sys.stderr)
        return 2
    return 130 if summary["interrupted"] else 0


if __name__ == "__main__":
    sys.exit(main())
