"""How far can a model get on TicTacToe's optimal-move share with perfect labels?

An upper bound for what self-play (RAE, step-DPO) can reach with the same model in the
same time: supervised learning on every reachable position (4,520) with the minimax
solver's optimal moves as labels. Each step is a minibatch of positions; the loss is
``-log sum_{a optimal} pi(a|s)`` under the choice-mode policy (``training.scoring``); after
each pass over the positions the optimal-move share (probability mass, as ``arena eval``
measures it) is printed. Nothing is saved.

    OMP_NUM_THREADS=1 python scripts/ttt_supervised_bound.py --model models/tiny --minutes 12
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import torch

from agents.llm.hf import HFBackend
from agents.llm.prompts import render_prompt
from games.tictactoe.evaluation import positions
from games.tictactoe.solver import optimal_actions
from training.scoring import score_actions


def _shares(model, backend, prompts, actions, best, order) -> torch.Tensor:
    """Log-probability mass on the optimal moves of each position in ``order``."""
    scores = score_actions(model, backend, [prompts[i] for i in order],
                           [actions[i] for i in order], 10**6)
    out, start = [], 0
    for i in order:
        n = len(actions[i])
        logp = torch.log_softmax(scores[start:start + n], dim=0)
        start += n
        out.append(torch.logsumexp(logp[best[i]], dim=0))
    return torch.stack(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="models/tiny")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--minutes", type=float, default=12.0)
    ap.add_argument("--minibatch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    backend = HFBackend(args.model, device="cpu")
    model = backend.model
    states, observations = positions()
    prompts = backend.encode_prompts([render_prompt(o, "choice", backend.tokenizer)
                                      for o in observations])
    actions = [list(o.legal_actions) for o in observations]
    best = []
    for state, acts in zip(states, actions):
        good = set(optimal_actions(state))
        best.append(torch.tensor([a in good for a in acts]))
    order = list(range(len(states)))

    def rate() -> float:
        with torch.no_grad():
            return float(torch.cat([_shares(model, backend, prompts, actions, best,
                                            order[i:i + 256]).exp()
                                    for i in range(0, len(order), 256)]).mean())

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    print(f"positions {len(order)}  optimal-move share before {rate():.3f}", flush=True)
    passes = 0
    while time.perf_counter() - t0 < args.minutes * 60:
        rng.shuffle(order)
        for i in range(0, len(order), args.minibatch):
            loss = -_shares(model, backend, prompts, actions, best,
                            order[i:i + args.minibatch]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        passes += 1
        print(f"pass {passes}  {time.perf_counter() - t0:6.0f} s  optimal-move share "
              f"{rate():.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
