"""TRL's GRPOTrainer trains a local model at TicTacToe against ``random``, through ``arena serve``.

    arena model new --out models/tiny            # once: the local tiny model
    python scripts/trl_grpo_tictactoe.py --steps 2
    python scripts/trl_grpo_tictactoe.py --url http://127.0.0.1:8000   # a running server

What it shows: a trainer that knows nothing of the arena (TRL) training on our games over
OpenEnv's protocol. The arena is reached only through the server (``arena.serve``'s
OpenEnv client); the model is trained only by TRL.

- Server: ``arena serve tictactoe:view=compact --opponents random --invalid forfeit``,
  started in this process on a free loopback port unless ``--url`` names one (with
  ``--db`` every game goes to the store: ``arena leaderboard --db FILE`` shows the model).
- Rollouts (TRL's ``rollout_func``): each dataset row names a start seed; GRPO's group is
  ``--generations`` whole games from that seed (same start, same opponent seeds: the games
  differ only by the model's moves). A game is one sequence: the first observation is the
  prompt; the completion is the model's reply to each move, with the server's next
  observation between replies (masked out of the loss: ``env_mask``). The model reads the
  compact board and the legal moves (``agents.llm.prompts.bare_prompt``). Its move:
  ``--decode legal`` (default) draws one of the legal moves by the model's likelihood of
  each, as the arena's ``choice`` mode does, and TRL trains those tokens; ``--decode
  free`` lets it write freely and the server parses the reply (last ``[...]``; a reply
  naming no legal move forfeits, -1).
- Reward: the game's return to the model's seat (+1 win, 0 draw, -1 loss or forfeit),
  passed from the rollout to TRL's reward function as ``env_reward``.

On a 2-core CPU, 2 steps of 4 games take seconds with the tiny model (start-up
dominates). With ``--decode free`` an untrained model forfeits nearly every game, so its
group's rewards are all -1 and GRPO's advantage is 0: it has to find the move format
first, which plain GRPO from an untrained model rarely does.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

INSTALL = "pip install trl datasets \"torch==2.13.0\" 'selfplay-arena[serve]'"


@dataclass
class Args:
    model: str = "models/tiny"
    """the model folder GRPO trains (arena model new --out models/tiny builds one)"""
    game: str = "tictactoe:view=compact"
    """game spec served when this script starts the server"""
    opponent: str = "random"
    """agent spec of the other seat when this script starts the server"""
    url: str | None = None
    """an arena serve server to train against; none: start one in this process"""
    db: str | None = None
    """store for the served games (with the server this script starts)"""
    steps: int = 2
    """GRPO optimiser steps"""
    generations: int = 4
    """games per start seed: GRPO's group"""
    decode: str = "legal"
    """legal: the move is drawn among the legal moves by the model's likelihood of each
    (the arena's choice mode); free: the model writes --max-new-tokens tokens and the
    server parses them (a reply naming no legal move forfeits)"""
    max_new_tokens: int = 6
    """tokens the model may write per move with --decode free"""
    lr: float = 1e-4
    """learning rate"""
    seed: int = 0
    """seeds torch and the start seeds (seed, seed + 1, ...)"""
    out: str | None = None
    """TRL's output folder; none: a temporary one"""

    def __post_init__(self) -> None:
        for name, low in (("steps", 1), ("generations", 2), ("max_new_tokens", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or value < low:
                raise ValueError(f"--{name.replace('_', '-')} {value!r} must be a whole "
                                 f"number >= {low}")
        if self.decode not in ("legal", "free"):
            raise ValueError(f"--decode {self.decode!r} must be legal or free")
        if not 0 < self.lr <= 1:
            raise ValueError(f"--lr {self.lr!r} must be in (0, 1], e.g. 1e-4")


# ---- the server ------------------------------------------------------------------------
@contextlib.contextmanager
def arena_server(args: Args) -> Iterator[str]:
    """The URL of the server to play: ``args.url``, or one started here for the run."""
    if args.url is not None:
        yield args.url
        return
    from arena.serve.hub import Hub
    from arena.serve.server import Server, build_app
    from arena.serve.sink import RecordSink

    sink = RecordSink(args.db, "trl-grpo", {"kind": "serve", "game": args.game,
                                            "opponent": args.opponent}) if args.db else None
    hub = Hub(args.game, [args.opponent], seat=0, invalid="forfeit", sink=sink)
    server = Server(build_app(hub, max_sessions=4), "127.0.0.1", 0).start()
    try:
        yield server.url
    finally:
        server.stop()
        hub.close()


# ---- one game, one sequence ------------------------------------------------------------
def sample(model: Any, ids: list[int], max_new_tokens: int, eos: int) -> tuple[list[int],
                                                                                 list[float]]:
    """The model's next tokens after ``ids`` (sampled at temperature 1 from the whole
    distribution) and their log-probabilities."""
    import torch

    inputs = torch.tensor([ids], device=model.device)
    out = model.generate(inputs, attention_mask=torch.ones_like(inputs), do_sample=True,
                         max_new_tokens=max_new_tokens, temperature=1.0, top_k=0, top_p=1.0,
                         eos_token_id=eos, pad_token_id=eos, output_logits=True,
                         return_dict_in_generate=True)
    tokens = out.sequences[0, len(ids):].tolist()
    logprobs = [torch.log_softmax(logits[0].float(), -1)[t].item()
                for logits, t in zip(out.logits, tokens)]
    return tokens, logprobs


def choose(model: Any, ids: list[int], candidates: list[list[int]]) -> tuple[int, list[float]]:
    """One of ``candidates`` (token sequences) drawn by the model's likelihood of each after
    ``ids`` (a softmax over their summed log-probabilities), with its tokens'
    log-probabilities."""
    import torch

    longest = max(map(len, candidates))
    rows = [ids + c + [0] * (longest - len(c)) for c in candidates]
    inputs = torch.tensor(rows, device=model.device)
    with torch.no_grad():
        logits = model(inputs).logits[:, len(ids) - 1:-1].float()  # [A, longest, V]
    logp = torch.log_softmax(logits, -1).gather(-1, inputs[:, len(ids):, None])[..., 0]
    per_token = [logp[i, :len(c)].tolist() for i, c in enumerate(candidates)]
    totals = torch.tensor([sum(lps) for lps in per_token])
    pick = int(torch.multinomial(torch.softmax(totals, 0), 1))
    return pick, per_token[pick]


def play_game(env: Any, model: Any, tokenizer: Any, seed: int, decode: str,
              max_new_tokens: int) -> dict[str, Any]:
    """One whole game in the session ``env``: the token sequence TRL trains on and the
    game's return."""
    from agents.llm.prompts import bare_prompt
    from games import Observation

    def text_of(result) -> str:
        obs = Observation.from_dict(result.observation.model_dump())
        return bare_prompt(obs, "generate")

    def encode(text: str) -> list[int]:
        return tokenizer(text, add_special_tokens=False)["input_ids"]

    result = env.reset(seed=seed, agent="trl-grpo")
    prompt = encode(text_of(result))
    completion: list[int] = []
    logprobs: list[float] = []
    mask: list[int] = []
    while not result.done:
        legal = result.observation.legal_actions
        if decode == "legal" and legal:
            candidates = [encode(action) for action in legal]
            pick, lps = choose(model, prompt + completion, candidates)
            tokens, reply = candidates[pick], legal[pick]
        else:
            tokens, lps = sample(model, prompt + completion, max_new_tokens,
                                 tokenizer.eos_token_id)
            reply = tokenizer.decode(tokens, skip_special_tokens=True)
        completion += tokens
        logprobs += lps
        mask += [1] * len(tokens)
        result = env.step(reply)
        if not result.done:  # the server's answer: read by the model, not trained on
            feedback = encode("\n" + text_of(result))
            completion += feedback
            logprobs += [0.0] * len(feedback)
            mask += [0] * len(feedback)
    return {"prompt_ids": prompt, "completion_ids": completion, "logprobs": logprobs,
            "env_mask": mask, "env_reward": float(result.reward),
            "valid": bool(result.observation.last_valid),
            "match_id": result.observation.match_id or ""}


def make_rollout(url: str, decode: str, max_new_tokens: int):
    """TRL's ``rollout_func``: one game per prompt it is handed (a prompt names a start
    seed; TRL 1.16 hands each of a group's prompts over, ``num_generations`` in a row, so
    a group is that many games from one start)."""
    from arena.serve.client import ArenaClient

    def rollout(prompts: list[str], trainer: Any) -> dict[str, list]:
        model = trainer.accelerator.unwrap_model(trainer.model)
        tokenizer = trainer.processing_class
        games = []
        with ArenaClient(base_url=url).sync() as env:
            for prompt in prompts:
                seed = int(str(prompt).rsplit(" ", 1)[-1])
                games.append(play_game(env, model, tokenizer, seed, decode, max_new_tokens))
        return {key: [g[key] for g in games] for key in games[0]}

    return rollout


def game_return(completions: list, env_reward: list[float], **_: Any) -> list[float]:
    """TRL reward function: the game's return, as the rollout measured it."""
    return list(env_reward)


# ---- training --------------------------------------------------------------------------
def train(args: Args) -> dict[str, Any]:
    """Run GRPO for ``args.steps`` steps; returns TRL's log rows and the games' rewards."""
    try:
        import torch
        from datasets import Dataset
        from transformers import AutoTokenizer
        from trl import GRPOConfig, GRPOTrainer
    except ImportError as err:
        raise ImportError(f"this example needs TRL ({err.name} is missing): {INSTALL}") from None
    if not (Path(args.model) / "config.json").is_file():
        raise FileNotFoundError(f"no model at {args.model!r}: build one with arena model new "
                                f"--out {args.model}, or pass --model PATH")
    torch.manual_seed(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(args.model, padding_side="left")
    prompts = Dataset.from_dict({"prompt": [f"start seed {args.seed + i}"
                                            for i in range(args.steps)]})
    rewards: list[float] = []

    def recorded(completions: list, env_reward: list[float], **kw: Any) -> list[float]:
        rewards.extend(env_reward)
        return game_return(completions, env_reward)

    recorded.__name__ = "game_return"
    with arena_server(args) as url, tempfile.TemporaryDirectory() as tmp:
        config = GRPOConfig(
            output_dir=args.out or tmp, max_steps=args.steps, learning_rate=args.lr,
            per_device_train_batch_size=args.generations, num_generations=args.generations,
            max_completion_length=1024, beta=0.0, temperature=1.0, use_cpu=True,
            logging_steps=1, report_to="none", save_strategy="no", seed=args.seed,
            shuffle_dataset=False, disable_dropout=True)
        trainer = GRPOTrainer(model=args.model, reward_funcs=[recorded], args=config,
                              train_dataset=prompts, processing_class=tokenizer,
                              rollout_func=make_rollout(url, args.decode,
                                                        args.max_new_tokens))
        before = {k: v.detach().clone() for k, v in trainer.model.named_parameters()}
        trainer.train()
        logs = [row for row in trainer.state.log_history if "loss" in row]
        moved = max((p.detach() - before[k]).abs().max().item()
                    for k, p in trainer.model.named_parameters())
    return {"logs": logs, "rewards": rewards, "url": url, "largest_weight_change": moved}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="trl_grpo_tictactoe.py",
                                description=__doc__.split("\n")[0])
    for f in dataclasses.fields(Args):
        kind = {"int": int, "float": float}.get(str(f.type), str)
        p.add_argument("--" + f.name.replace("_", "-"), dest=f.name, type=kind,
                       default=f.default, help=f"{_field_help(f.name)} (default: {f.default})")
    return p


def _field_help(name: str) -> str:
    source = Path(__file__).read_text(encoding="utf-8")
    after = source.split(f"    {name}: ", 1)[1]
    return after.split('"""', 2)[1].strip()


def main(argv: Sequence[str] | None = None) -> int:
    from common.untrusted import terminal_safe

    try:
        args = Args(**vars(_parser().parse_args(argv)))
        result = train(args)
    except (ValueError, ImportError, FileNotFoundError, OSError) as err:
        print(terminal_safe(f"error: {err}", multiline=False), file=sys.stderr)
        return 2
    for i, row in enumerate(result["logs"], 1):
        print(f"step {i}: reward {row.get('reward', float('nan')):+.3f} (std "
              f"{row.get('reward_std', float('nan')):.3f}), loss {row['loss']:.4f}, grad norm "
              f"{row.get('grad_norm', float('nan')):.4f}, model tokens per game "
              f"{row.get('completions/mean_length', float('nan')):.1f}")
    games_won = sum(r > 0 for r in result["rewards"])
    print(f"{len(result['rewards'])} games through {result['url']}: {games_won} won, "
          f"{sum(r == 0 for r in result['rewards'])} drawn, "
          f"{sum(r < 0 for r in result['rewards'])} lost or forfeited; largest weight change "
          f"{result['largest_weight_change']:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
