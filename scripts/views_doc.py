"""Write docs/views.md: every built-in game's views side by side, with token counts.

    python scripts/views_doc.py [--model models/tiny] [--out docs/views.md]

For each game, one decision point of a seeded random game is shown in every view the
game renders, with its length in characters and in tokens of ``--model``'s tokenizer
(the observation alone, and the whole prompt the policy reads: ``prompt=full`` for the
text view, ``prompt=bare`` for the compact one), and the mean over the decisions of 20
random games.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SPECS = [("kuhn_poker", 1), ("tictactoe", 4), ("negotiation", 3), ("werewolf:speech=claims", 12),
         ("household", 5)]
PROMPT_OF = {"text": "full", "compact": "bare"}


def _decisions(spec: str, view: str, seeds: range):
    import games

    name, _, opts = spec.partition(":")
    kwargs = dict(o.split("=", 1) for o in opts.split(",") if o)
    game = games.make(name, view=view, **kwargs)
    for seed in seeds:
        state, rng = game.new_state(seed), random.Random(seed)
        while not state.is_terminal():
            players = state.current_players()
            for p in players:
                yield state.turn, state.observation(p)
            moves = [(p, state.random_action(p, rng)) for p in players]
            for p, a in moves:
                state.apply(p, a)


def main(argv: list[str] | None = None) -> int:
    from transformers import AutoTokenizer

    from agents.llm.prompts import render_prompt

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="models/tiny")
    ap.add_argument("--out", default="docs/views.md")
    args = ap.parse_args(argv)
    tok = AutoTokenizer.from_pretrained(args.model)

    def count(text: str) -> int:
        return len(tok(text, add_special_tokens=False)["input_ids"])

    out = ["# Views: what a player reads", "",
           "Every built-in game renders two views of the same decision point (the game "
           "option `view`): `text`, prose for pretrained models, and `compact`, the state "
           "and nothing else, for models trained from scratch. The information state and "
           "the legal actions are the same in both (`arena check`'s `views` check); only "
           "the text differs. Werewolf's and Simple Negotiation's compact views expand back "
           "to the text view character for character (in Werewolf's free speech mode, a speech "
           "that itself writes a seat as `P3` reads back as `Player 3`).", "",
           f"Token counts use the tokenizer of `{args.model}` as `arena model new` builds it. "
           "*Prompt* is the whole prompt the policy reads: `prompt=full` (rules, seat, "
           "instruction, chat template) with the text view, `prompt=bare` (the observation "
           "alone) with the compact view. Means are over every decision of 20 seeded random "
           "games. Regenerate this page with `python scripts/views_doc.py`.", "",
           "| game | view | characters (mean) | tokens (mean) | prompt tokens (mean) |",
           "|---|---|---|---|---|"]
    examples = []
    for spec, turn in SPECS:
        for view in ("text", "compact"):
            rows = list(_decisions(spec, view, range(20)))
            chars = statistics.mean(len(o.text) for _, o in rows)
            toks = statistics.mean(count(o.text) for _, o in rows)
            prompt = statistics.mean(count(render_prompt(o, "choice", tok, PROMPT_OF[view]))
                                     for _, o in rows[:400])
            out.append(f"| `{spec}` | `{view}` | {chars:.0f} | {toks:.0f} | {prompt:.0f} |")
            seen = list(_decisions(spec, view, range(3, 4)))
            shown = next((o for t, o in seen if t >= turn), seen[-1][1])
            examples.append((spec, view, shown))
    for spec, view, obs in examples:
        if view == "text":
            out += ["", f"## `{spec}`", "", f"A decision of seed 3 at turn {obs.turn}, player "
                    f"{obs.player} ({obs.role}).", ""]
        out += [f"`view={view}` ({len(obs.text)} characters, {count(obs.text)} tokens):", "",
                "```text", obs.text, "```", ""]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(out).rstrip() + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
