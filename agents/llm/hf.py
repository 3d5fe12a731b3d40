"""The transformers backend of the ``llm`` agent: scoring and sampling in batched forward passes.

Loading
    ``HFBackend(model)`` loads ``AutoTokenizer`` and ``AutoModelForCausalLM`` with
    ``from_pretrained`` from a local folder (written by ``save_pretrained``, e.g.
    ``arena model new --out models/tiny``) or a hub id (``Qwen/Qwen3-0.6B``); ``gguf=FILE``
    reads a GGUF file of that folder (``gguf_file``), or a path to a ``.gguf`` file. Device
    ``auto`` is CUDA when present, else CPU; dtype ``auto`` is bfloat16 on CUDA, float32 on
    CPU. ``models=ModelCache`` shares loaded models: every backend built with the same
    cache and naming the same (model, gguf, device, dtype) uses one copy of the weights
    (:mod:`agents.llm.model_cache`; the owner of the matches owns the cache). Without one
    a backend loads its own copy.

Tokens
    A prompt is tokenised without special tokens, with the tokenizer's BOS in front when
    the tokenizer adds one by itself. A continuation (candidate action) is tokenised on its
    own and its ids are appended to the prompt ids: re-tokenising prompt + candidate could
    merge tokens across the boundary, change the prompt's last tokens and give candidates
    of one prompt different prefixes. Sampling appends tokens to the prompt ids the same way.

Scoring (:meth:`HFBackend.score`)
    The prefix that all prompts of the call share (the template and the game's rules) is
    run once; then one forward pass per batch holds, per row, the rest of a prompt followed
    by all its candidates packed under a tree mask, each candidate at the positions it has
    right after the prompt (:mod:`agents.llm.hf_batch`). The log-probability of a
    candidate's first token comes from the prompt's last position, the others from the
    candidate's own positions. Models that cannot take the tree mask are scored in two
    passes (the prompts with ``use_cache``, then every candidate on a copy of its prompt's
    KV cache). Either way a prompt is computed once, not once per candidate.

Sampling (:meth:`HFBackend.generate`)
    The prompts (shared prefix once), then one token per step for all rows with a KV
    cache, up to EOS or ``max_new_tokens``. Row i draws one uniform number per token from a
    ``torch.Generator`` seeded by ``seeds[i]`` and picks the token by inverse CDF over the
    tempered (and top-p truncated) probabilities (:func:`agents.llm.hf_batch.pick`), so a
    row's output depends on its seed and prompt, not on its batch (up to float rounding,
    about 1e-7, which flips a token only when the uniform lands that close to a boundary).
    Temperature 0 is greedy. The returned log-probabilities are the model's own
    (temperature 1, no top-p truncation): what a learner recomputes from the same tokens;
    the sampling distribution differs from it when temperature != 1 or top_p < 1. The EOS
    token, when sampled, is the last of ``token_ids``; the text leaves it out.

Batches
    Work is cut by ``token_budget``: the rows of one forward pass times their padded length
    (prompt + packed candidates, prompt + ``max_new_tokens``) stays within it; that bounds
    the KV cache and the activations. A row longer than the budget runs alone. Masks come
    from attention masks, never from pad ids.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Sequence

import torch

from agents.llm.backend import Generation, Scores
from agents.llm.model_cache import ModelCache, model_key
from agents.llm.hf_batch import (budget_chunks, forked_token_logprobs, forward, pick, prefill,
                                 shared_prefix, supports_tree, tree_token_logprobs)

log = logging.getLogger(__name__)

__all__ = ["HFBackend"]

_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")
_DTYPES = {"float32": "float32", "fp32": "float32", "bfloat16": "bfloat16", "bf16": "bfloat16",
           "float16": "float16", "fp16": "float16"}


def _resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(device)
    except RuntimeError as err:
        raise ValueError(
            f"device={device!r} is not a torch device: use auto, cpu, cuda or cuda:N"
        ) from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available here: use device=auto or cpu"
        )
    return device


def _resolve_dtype(dtype: str, device: str):
    if dtype == "auto":
        cuda = device.startswith("cuda")
        return torch.bfloat16 if cuda and torch.cuda.is_bf16_supported() else torch.float32
    if dtype not in _DTYPES:
        raise ValueError(
            f"dtype={dtype!r} not understood: use auto, {', '.join(sorted(set(_DTYPES.values())))}"
        )
    return getattr(torch, _DTYPES[dtype])


def _source(model: str, gguf: str | None) -> tuple[str, str | None, bool]:
    """(folder or hub id, gguf file name, is local); raises for paths that do not exist."""
    if gguf and Path(gguf).suffix.lower() == ".gguf" and Path(gguf).expanduser().is_file():
        path = Path(gguf).expanduser().resolve()
        return str(path.parent), path.name, True
    path = Path(model).expanduser()
    if path.exists():
        if gguf and not (path / gguf).is_file():
            raise ValueError(
                f"GGUF file {gguf!r} not found in {model!r}: give a file of that folder or a "
                "path to a .gguf file"
            )
        if not gguf and not (path / "config.json").is_file():
            raise ValueError(
                f"model folder {model!r} has no config.json: expected a folder written by "
                f"save_pretrained (e.g. `arena model new --out {model}`) or gguf=FILE.gguf"
            )
        return str(path.resolve()), gguf, True
    if not _HUB_ID.fullmatch(model) or model.startswith((".", "~")):
        raise ValueError(
            f"model path {model!r} does not exist: build the default tiny model with "
            f"`arena model new --out {model}`, or name a Hugging Face hub id such as "
            "Qwen/Qwen3-0.6B"
        )
    return model, gguf, False


def _load(model: str, gguf: str | None, device: str, dtype) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src, gguf_file, local = _source(model, gguf)
    kwargs = {"gguf_file": gguf_file} if gguf_file else {}
    where = f"folder {src!r}" if local else f"hub id {src!r}"
    tokenizer_files = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json")
    if local and not gguf_file and not any((Path(src) / f).exists() for f in tokenizer_files):
        raise ValueError(
            f"model {where} has no tokenizer ({', '.join(tokenizer_files)}): save one next to "
            "the weights with tokenizer.save_pretrained(FOLDER)"
        )
    from safetensors import SafetensorError

    what = "tokenizer"
    try:
        tokenizer = AutoTokenizer.from_pretrained(src, **kwargs)
        what = "model"
        net = AutoModelForCausalLM.from_pretrained(src, dtype=dtype, **kwargs)
    except SafetensorError as err:  # truncated or scribbled weights
        raise ValueError(f"could not load the model of {where}: its weights are damaged or "
                         f"truncated ({err}); rebuild or download the model again, or pass "
                         "another model") from err
    except (OSError, ValueError, KeyError) as err:
        hint = ("check that it is a causal language model supported by the installed transformers"
                if local else
                "check the id and the network (HF_HUB_OFFLINE=1 forbids downloads), or download "
                "it first and pass model=LOCAL_FOLDER")
        raise ValueError(f"could not load the {what} of {where}: {err}; {hint}") from err
    net.to(device).eval()
    log.info("loaded %s on %s (%s)", src, device, dtype)
    return net, tokenizer


class HFBackend:
    """Scores and samples with a transformers causal LM; see the module docstring."""

    name = "hf"

    def __init__(self, model: str, device: str = "auto", dtype: str = "auto",
                 token_budget: int = 8192, gguf: str | None = None,
                 models: ModelCache | None = None) -> None:
        if not isinstance(model, str) or not model:
            raise ValueError(
                f"model={model!r}: expected a model folder or a hub id, e.g. models/tiny"
            )
        if isinstance(token_budget, bool) or not isinstance(token_budget, int) or token_budget < 1:
            raise ValueError(
                f"token_budget={token_budget!r} must be a whole number >= 1 (tokens per forward "
                "pass), e.g. 8192"
            )
        self.device = _resolve_device(device)
        self.dtype = _resolve_dtype(dtype, self.device)
        self.token_budget = token_budget
        key = model_key(model, gguf, self.device, self.dtype)
        cache = models if models is not None else ModelCache()
        self.model, self.tokenizer = cache.get(
            key, lambda: _load(model, gguf or None, self.device, self.dtype))
        self.tree = supports_tree(self.model.config)
        """Score all candidates of a prompt in one row (see :mod:`agents.llm.hf_batch`)."""
        self._continuations: dict[str, list[int]] = {}
        tok = self.tokenizer
        eos = self.model.generation_config.eos_token_id
        eos = [eos] if isinstance(eos, int) else list(eos or [])
        own = [tok.eos_token_id] if tok.eos_token_id is not None else []
        self.eos_ids = sorted({*eos, *own})
        fill = tok.pad_token_id if tok.pad_token_id is not None else (self.eos_ids or [0])[0]
        self.pad_id = int(fill)
        """Filler for padded positions; masks, not this id, say what is padding."""
        bos = tok.bos_token_id
        self._bos = bos if bos is not None and tok("a")["input_ids"][:1] == [bos] else None

    def close(self) -> None:
        """Drop this backend's references; a shared model stays in its cache."""
        self.model = self.tokenizer = None

    def _tensor(self, rows) -> torch.Tensor:
        return torch.tensor(rows, dtype=torch.long, device=self.device)

    # ----- tokens ---------------------------------------------------------------------
    def encode_prompts(self, texts: Sequence[str]) -> list[list[int]]:
        rows = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"] if texts else []
        for i, ids in enumerate(rows):
            if self._bos is not None and ids[:1] != [self._bos]:
                rows[i] = [self._bos, *ids]
            if not rows[i]:
                raise ValueError(
                    f"prompt {i} is empty: a prompt needs at least one token to condition on"
                )
        return rows

    def encode_prompt(self, text: str) -> list[int]:
        return self.encode_prompts([text])[0]

    def encode_continuation(self, text: str) -> list[int]:
        """Token ids of ``text`` on its own (remembered: legal actions repeat all the time)."""
        ids = self._continuations.get(text)
        if ids is None:
            if len(self._continuations) >= 65536:
                self._continuations.clear()
            ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
            self._continuations[text] = ids
        return list(ids)

    # ----- scoring --------------------------------------------------------------------
    def score(self, prompts: Sequence[str], candidates: Sequence[Sequence[str]]) -> list[Scores]:
        if len(prompts) != len(candidates):
            raise ValueError(
                f"score got {len(prompts)} prompts but {len(candidates)} candidate lists; "
                "give one list of candidates per prompt"
            )
        p_ids = self.encode_prompts(prompts)
        c_ids = [[self.encode_continuation(c) for c in cands] for cands in candidates]
        lps: list[list[list[float]]] = [[[] for _ in cands] for cands in candidates]
        packed = [sum(max(len(c) - 1, 0) for c in cands) if self.tree else 0 for cands in c_ids]
        order = sorted((i for i in range(len(prompts)) if c_ids[i]), key=lambda i: len(p_ids[i]))
        score_rows = self._score_tree if self.tree else self._score_forked
        with torch.inference_mode():
            prefix = shared_prefix(self.model, [p_ids[i] for i in order], self.device)
            cost = lambda i: len(p_ids[i]) + packed[i]  # noqa: E731
            for chunk in budget_chunks(order, cost, self.token_budget):
                score_rows([p_ids[i] for i in chunk], [c_ids[i] for i in chunk],
                           [lps[i] for i in chunk], prefix)
        return [
            Scores(
                logprob=tuple(sum(lp) for lp in lps[i]),
                num_tokens=tuple(len(c) for c in c_ids[i]),
                prompt_ids=tuple(p_ids[i]),
                candidate_ids=tuple(tuple(c) for c in c_ids[i]),
                token_logprobs=tuple(tuple(lp) for lp in lps[i]),
            )
            for i in range(len(prompts))
        ]

    def _score_tree(self, prompts, cands, out, prefix) -> None:
        """One forward pass: each row is a prompt's remainder, then all its candidates."""
        flat = tree_token_logprobs(self.model, prompts, cands, prefix, self.pad_id, self.device)
        self._split(flat.tolist(), cands, out)

    def _score_forked(self, prompts, cands, out, prefix) -> None:
        """Two passes: the prompts, then one row per candidate on a copy of its prompt's cache."""
        flat = forked_token_logprobs(self.model, prompts, cands, prefix, self.pad_id,
                                     self.device, self.token_budget)
        self._split(flat.tolist(), cands, out)

    @staticmethod
    def _split(picked: list[float], cands, out) -> None:
        """Hand the flat token log-probabilities back to their (prompt, candidate)."""
        at = 0
        for j, group in enumerate(cands):
            for k, c in enumerate(group):
                out[j][k].extend(picked[at:at + len(c)])
                at += len(c)

    # ----- sampling -------------------------------------------------------------------
    def generate(self, prompts: Sequence[str], *, temperature: float = 1.0, top_p: float = 1.0,
                 max_new_tokens: int = 256, seeds: Sequence[int]) -> list[Generation]:
        if not temperature >= 0 or not 0 < top_p <= 1 or max_new_tokens < 1:
            raise ValueError(
                "generate needs temperature >= 0 (0: greedy), 0 < top_p <= 1 and "
                f"max_new_tokens >= 1; got temperature={temperature!r}, top_p={top_p!r}, "
                f"max_new_tokens={max_new_tokens!r}"
            )
        if len(seeds) != len(prompts):
            raise ValueError(
                f"generate got {len(prompts)} prompts but {len(seeds)} seeds: one seed per prompt"
            )
        p_ids = self.encode_prompts(prompts)
        results: list[Generation | None] = [None] * len(prompts)
        order = sorted(range(len(prompts)), key=lambda i: len(p_ids[i]))
        length = lambda i: len(p_ids[i]) + max_new_tokens  # noqa: E731
        with torch.inference_mode():
            prefix = shared_prefix(self.model, p_ids, self.device)
            for chunk in budget_chunks(order, length, self.token_budget):
                rows = self._sample_rows([p_ids[i] for i in chunk], [seeds[i] for i in chunk],
                                         temperature, top_p, max_new_tokens, prefix)
                for i, (ids, lps) in zip(chunk, rows):
                    text_ids = ids[:-1] if ids and ids[-1] in self.eos_ids else ids
                    text = self.tokenizer.decode(text_ids, skip_special_tokens=True)
                    results[i] = Generation(text=text, token_ids=tuple(ids), logprobs=tuple(lps),
                                            prompt_ids=tuple(p_ids[i]))
        return results  # type: ignore[return-value]

    def _sample_rows(self, rows, seeds, temperature, top_p, max_new, prefix):
        """Sampled ids and model log-probs per row, each row cut after its first EOS."""
        uniforms = torch.stack([
            torch.rand(max_new, dtype=torch.float64,
                       generator=torch.Generator().manual_seed(int(s) % 2**64))
            for s in seeds
        ]).to(self.device)
        pre = prefill(self.model, rows, self.pad_id, self.device, prefix)
        logits, cache, mask, pos = pre.logits, pre.cache, pre.mask, pre.last_pos[:, None]
        eos = self._tensor(self.eos_ids or [-1])
        done = torch.zeros(len(rows), dtype=torch.bool, device=self.device)
        steps_ids, steps_lps = [], []
        for step in range(max_new):
            token = pick(logits, temperature, top_p, uniforms[:, step])
            steps_ids.append(token)
            steps_lps.append(torch.log_softmax(logits, dim=-1).gather(-1, token[:, None])[:, 0])
            done = done | torch.isin(token, eos)
            if step == max_new - 1 or bool(done.all()):
                break
            mask = torch.cat([mask, (~done).long()[:, None]], dim=1)
            pos = pos + 1
            out, cache = forward(self.model, cache, input_ids=token[:, None],
                                 attention_mask=mask, position_ids=pos)
            logits = out.logits[:, -1].float()
        ids = torch.stack(steps_ids, dim=1).tolist()
        lps = torch.stack(steps_lps, dim=1).tolist()
        out_rows = []
        for r_ids, r_lps in zip(ids, lps):
            end = next((t + 1 for t, tok in enumerate(r_ids) if tok in self.eos_ids), len(r_ids))
            out_rows.append((r_ids[:end], r_lps[:end]))
        return out_rows
