"""A default language model that needs no download: ``arena model new --out models/tiny``.

A byte-level BPE tokenizer is trained with the ``tokenizers`` library on text from every
registered game (rules, observations of seeded random playouts in every view the game
renders, legal actions, the answer instructions; so a compact view's codes, `` X`` or
`` .`` for a TicTacToe cell, are single tokens), wrapped as a ``PreTrainedTokenizerFast`` with a ChatML-style chat template;
a small Qwen3-style causal LM is initialised under the seed. Both are written with
``save_pretrained``, so loading goes through ``from_pretrained``: exactly the code path a
hub model such as ``Qwen/Qwen3-4B`` takes on a GPU machine. Same seed, same files.
"""

from __future__ import annotations

import errno
import logging
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal, Sequence

log = logging.getLogger(__name__)

__all__ = ["SIZES", "ModelSize", "game_corpus", "build_tokenizer", "build_model",
           "check_output_folder"]

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|pad|>"]


@dataclass(frozen=True)
class ModelSize:
    vocab: int
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    intermediate: int


SIZES = {
    "tiny": ModelSize(vocab=1024, hidden=64, layers=2, heads=4, kv_heads=2, intermediate=192),
    "small": ModelSize(vocab=2048, hidden=256, layers=4, heads=8, kv_heads=4, intermediate=768),
    # about 80M parameters: the size of a model a GPU check trains (scripts/gpu_check.py)
    "base": ModelSize(vocab=8192, hidden=768, layers=12, heads=12, kv_heads=4,
                      intermediate=2048),
}


CORPUS_CHARS = 100_000
"""Text budget of each game in the tokenizer corpus: long-winded games (Werewolf, household
worlds) cannot crowd the short ones (Kuhn Poker) out of the vocabulary."""


def game_corpus(seed: int = 0, playouts: int = 30, names: Sequence[str] | None = None
                ) -> Iterator[str]:
    """Rules, observations, legal actions and instructions of the built-in games (or of
    ``names``), at most :data:`CORPUS_CHARS` of each game's playouts. Installed plug-ins
    are not read by default, so the default model is the same on every machine."""
    import games
    from games.registry import builtin

    from agents.llm.prompts import CHOICE_INSTRUCTION, GENERATE_INSTRUCTION

    rng = random.Random(seed)
    yield GENERATE_INSTRUCTION
    yield CHOICE_INSTRUCTION
    for name in builtin() if names is None else names:
        try:
            game = games.make(name)
        except Exception as err:  # a broken plug-in must not stop the default model
            log.warning("skipping game %s in the tokenizer corpus: %s", name, err)
            continue
        yield game.rules
        yield f"You are playing {name}. {game.info.description} {game.info.action_grammar}"
        yield from _playouts(game, rng, playouts)
        for view in game.views[1:]:  # every other view (compact) tokenizes densely too
            yield from _playouts(games.make(name, view=view), rng, playouts)


def _playouts(game, rng: random.Random, playouts: int) -> Iterator[str]:
    """Random playouts' observation texts and answers, up to the game's text budget."""
    budget = CORPUS_CHARS
    for _ in range(playouts):
        state = game.new_state(rng.randrange(2**31))
        while not state.is_terminal():
            p = state.current_players()[0]
            text = state.observation(p).text
            action = state.random_action(p, rng)
            yield text
            yield f"\\boxed{{{action}}} {action}"
            budget -= len(text)
            if budget <= 0:
                return
            state.apply(p, action)


def build_tokenizer(size: ModelSize, seed: int = 0):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from agents.llm.prompts import CHAT_TEMPLATE

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=size.vocab, special_tokens=SPECIAL_TOKENS, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(list(game_corpus(seed)), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|pad|>",
        bos_token=None, unk_token=None,
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


MODEL_ENTRIES = re.compile(
    r"(config|generation_config|tokenizer_config|special_tokens_map|added_tokens|vocab|"
    r"preprocessor_config)\.json|tokenizer\.(json|model)|merges\.txt|chat_template\.jinja|"
    r"model(-\d+-of-\d+)?\.safetensors|model\.safetensors\.index\.json|"
    r"pytorch_model(-\d+-of-\d+)?\.bin|pytorch_model\.bin\.index\.json|README\.md|"
    r"\.gitattributes|trainer_state\.(json|safetensors|pt)|COMPLETE")
"""What a model folder (``save_pretrained``, a hub download, a run's checkpoint) holds."""
RUN_ENTRIES = re.compile(
    r"config\.(json|toml)|metrics\.jsonl|(\.tmp-)?checkpoint-\d+(\.damaged)?|pool|plots|"
    r"best|\.best\.(tmp|old)|tensorboard|wandb")
"""What a training run folder holds (:mod:`training.loop`)."""


def _replaceable(out: Path, held: list[str]) -> bool:
    """Whether ``out`` holds a model or a training run and nothing else."""
    return (all(MODEL_ENTRIES.fullmatch(n) for n in held)
            or all(RUN_ENTRIES.fullmatch(n) for n in held))


def check_output_folder(out: Path, force: bool) -> None:
    """Refuse to write a model into anything but a new or empty folder, unless ``force``
    and the folder holds a model or a training run and nothing else (then it is replaced
    as a whole once the new model is complete). The working directory and the folders
    above it are refused in any case: replacing one would pull the floor from under the
    command (``--out .`` emptied the working directory)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} is a file, not a folder: choose a folder path")
    resolved = out.resolve()
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise ValueError(f"--out {str(out)!r} is the working directory or a folder above it: "
                         "refused (the model replaces the folder as a whole); pass a new "
                         "folder, e.g. --out models/tiny")
    held = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    shown = ", ".join(held[:3]) + (", ..." if len(held) > 3 else "")
    if held and not force:
        raise ValueError(f"--out {str(out)!r} is not empty ({len(held)} entries: {shown}); "
                         "choose a new folder, or add --force to replace its contents")
    if held and not _replaceable(out, held):
        strays = [n for n in held
                  if not (MODEL_ENTRIES.fullmatch(n) or RUN_ENTRIES.fullmatch(n))][:3]
        raise ValueError(f"--out {str(out)!r} holds more than a model or a training run "
                         f"({', '.join(strays)}...): --force replaces only those; move "
                         "those files away or choose a new folder")


def build_model(out: str | Path, size: Literal["tiny", "small", "base"] = "tiny", seed: int = 0,
                force: bool = False) -> Path:
    """Write a tokenizer and a freshly initialised Qwen3-style model to ``out``, a new or
    empty folder (``force``: replace a folder that holds a model or a training run; see
    :func:`check_output_folder`). The new model is written in full beside ``out`` first;
    only then is the old folder moved aside, the new one renamed into place and the old
    one deleted, so a failure at any point leaves the old contents in place."""
    import shutil
    import tempfile

    if size not in SIZES:
        raise ValueError(f"unknown model size {size!r} (known: {', '.join(SIZES)})")
    out = Path(out)
    check_output_folder(out, force)
    final = out.resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".new", dir=final.parent))
    old: Path | None = None
    try:
        try:
            _write_model(tmp, SIZES[size], size, seed)
        except Exception as err:
            if "No space left" in str(err) or "code: 28" in str(err) or (
                    isinstance(err, OSError) and err.errno == errno.ENOSPC):
                raise OSError(errno.ENOSPC, f"no space left on the device writing the model "
                              f"for --out {str(out)!r}; "
                              f"{'its old contents are kept' if final.exists() else 'nothing was written'}"
                              ": free some space and run the command again") from err
            raise
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp's 0700 is no model folder's mode
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old",
                                        dir=final.parent))
            old.rmdir()
            final.rename(old)
        tmp.rename(final)
    except BaseException:
        if old is not None and not final.exists():
            old.rename(final)  # the old contents back where they were
            old = None
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return out


def _write_model(out: Path, spec: ModelSize, size: str, seed: int) -> None:
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    tokenizer = build_tokenizer(spec, seed)
    config = Qwen3Config(
        vocab_size=len(tokenizer), hidden_size=spec.hidden, intermediate_size=spec.intermediate,
        num_hidden_layers=spec.layers, num_attention_heads=spec.heads,
        num_key_value_heads=spec.kv_heads, head_dim=spec.hidden // spec.heads,
        max_position_embeddings=4096, tie_word_embeddings=True,
        bos_token_id=None, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    model = Qwen3ForCausalLM(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    n = sum(p.numel() for p in model.parameters())
    log.info("built a %s model (%d parameters, vocab %d)", size, n, len(tokenizer))
