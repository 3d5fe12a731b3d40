"""A backend on vLLM's offline engine (``vllm.LLM``): fast batched sampling on one GPU.

Optional: ``pip install selfplay-arena[vllm]`` (vLLM needs a CUDA GPU). ``vllm`` is only
imported when a ``VLLMBackend`` is built, so the rest of the arena never needs it.

- ``generate``: each prompt is tokenized here (without added special tokens: prompts come
  from the chat template; a BOS token is put first only for tokenizers that add one and
  only when the text lacks it, as the ``hf`` backend does) and sent as token ids with its
  own ``SamplingParams(temperature, top_p, max_tokens, seed=seeds[i], logprobs=0)``;
  ``logprobs=0`` makes vLLM return the log-probability of each sampled token (in vLLM
  >= 0.10 by default from the raw model output, before temperature and top-p). The
  ``Generation`` carries prompt ids, sampled ids and their log-probabilities for training.
- ``score``: prompt and candidate are tokenized separately and concatenated (the ids
  go into ``Scores.prompt_ids`` / ``candidate_ids``), then run with
  ``SamplingParams(max_tokens=1, prompt_logprobs=0)``; for every prompt position after
  the first, vLLM returns a mapping from token id to its ``Logprob`` that always includes
  the actual token. The candidate's log-likelihood is the sum over its positions.

vLLM seeds per request, so row i's sample depends only on ``seeds[i]`` and its prompt,
not on the rest of the batch. Engine options beyond ``dtype`` and ``seed`` (for example
``gpu_memory_utilization=0.5`` to leave room for training, ``max_model_len``) pass
through as keyword arguments to ``vllm.LLM``.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Sequence

from agents.llm.backend import Generation, Scores

log = logging.getLogger(__name__)

__all__ = ["VLLMBackend", "VLLM_MISSING"]

VLLM_MISSING = (
    "the vllm backend needs the vllm package: pip install selfplay-arena[vllm]; "
    "vLLM needs a CUDA GPU (on a CPU-only machine use backend=hf)"
)


def _token_logprob(position: Any, token_id: int) -> float:
    """The log-probability of ``token_id`` in one position of vLLM's logprob output."""
    entry = position[token_id]
    return float(getattr(entry, "logprob", entry))


class VLLMBackend:
    """Scores and samples with a ``vllm.LLM`` engine on the local GPU."""

    name = "vllm"

    def __init__(self, model: str, *, dtype: str = "auto", seed: int = 0, **engine_kwargs: Any):
        try:
            import vllm
        except ImportError as err:
            raise ImportError(VLLM_MISSING) from err
        self._vllm = vllm
        self.model_path = str(model)
        start = time.perf_counter()
        try:
            self.llm = vllm.LLM(model=self.model_path, dtype=dtype, seed=seed, **engine_kwargs)
        except Exception as err:  # vLLM raises many kinds; name the model and the usual causes
            raise RuntimeError(
                f"vLLM could not load model {self.model_path!r} (dtype={dtype!r}): {err}; "
                "check the path or hub name, that a CUDA GPU is visible, and lower "
                "gpu_memory_utilization if the GPU is shared"
            ) from err
        self.tokenizer = self.llm.get_tokenizer()
        # BOS goes first only for tokenizers that add it themselves
        bos = getattr(self.tokenizer, "bos_token_id", None)
        self._bos = bos if bos is not None and self.tokenizer.encode("a")[:1] == [bos] else None
        log.info("vLLM loaded %s in %.1f s", self.model_path, time.perf_counter() - start)

    def _encode(self, text: str, prompt: bool = True) -> list[int]:
        ids = list(self.tokenizer.encode(text, add_special_tokens=False))
        if prompt and self._bos is not None and ids[:1] != [self._bos]:
            ids.insert(0, self._bos)
        return ids

    def _run(self, token_lists: list[list[int]], params: list[Any]) -> list[Any]:
        prompts = [{"prompt_token_ids": ids} for ids in token_lists]
        return self.llm.generate(prompts, sampling_params=params, use_tqdm=False)

    def generate(self, prompts: Sequence[str], *, temperature: float, top_p: float,
                 max_new_tokens: int, seeds: Sequence[int]) -> list[Generation]:
        if len(seeds) != len(prompts):
            raise ValueError(f"got {len(seeds)} seeds for {len(prompts)} prompts; "
                             "pass one seed per prompt")
        if not prompts:
            return []
        SamplingParams = self._vllm.SamplingParams
        ids = [self._encode(p) for p in prompts]
        params = [SamplingParams(temperature=float(temperature), top_p=float(top_p),
                                 max_tokens=int(max_new_tokens), seed=int(seed), logprobs=0)
                  for seed in seeds]
        out = []
        for prompt_ids, result in zip(ids, self._run(ids, params)):
            completion = result.outputs[0]
            tokens = tuple(int(t) for t in completion.token_ids)
            positions = completion.logprobs or []
            if len(positions) != len(tokens):
                raise RuntimeError(f"vLLM returned {len(positions)} logprobs for "
                                   f"{len(tokens)} sampled tokens; expected one per token")
            logprobs = tuple(_token_logprob(pos, t) for pos, t in zip(positions, tokens))
            out.append(Generation(text=completion.text, token_ids=tokens, logprobs=logprobs,
                                  prompt_ids=tuple(prompt_ids)))
        return out

    def score(self, prompts: Sequence[str], candidates: Sequence[Sequence[str]]) -> list[Scores]:
        if len(candidates) != len(prompts):
            raise ValueError(f"got {len(candidates)} candidate lists for {len(prompts)} "
                             "prompts; pass one list per prompt")
        prompt_ids = [self._encode(p) for p in prompts]
        cand_ids = [[self._encode(c, prompt=False) for c in cands] for cands in candidates]
        rows = [(i, j) for i, cands in enumerate(cand_ids) for j in range(len(cands))]
        empty = sorted({i for i, _ in rows if not prompt_ids[i]})
        if empty:
            raise ValueError(f"prompt(s) {empty} are empty; scoring needs at least one "
                             "prompt token before the candidate")
        params = self._vllm.SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0)
        results = self._run([prompt_ids[i] + cand_ids[i][j] for i, j in rows],
                            [params] * len(rows))
        per_token: list[list[tuple[float, ...]]] = [[()] * len(c) for c in cand_ids]
        for (i, j), result in zip(rows, results):
            positions, start = result.prompt_logprobs, len(prompt_ids[i])
            per_token[i][j] = tuple(_token_logprob(positions[k], t)
                                    for k, t in enumerate(cand_ids[i][j], start=start))
        return [Scores(logprob=tuple(float(sum(t)) for t in per_token[i]),
                       num_tokens=tuple(len(c) for c in cand_ids[i]),
                       prompt_ids=tuple(prompt_ids[i]),
                       candidate_ids=tuple(tuple(c) for c in cand_ids[i]),
                       token_logprobs=tuple(per_token[i]))
                for i in range(len(prompts))]

    def close(self) -> None:
        """Drop the engine so its GPU memory can be reclaimed."""
        llm, self.llm = getattr(self, "llm", None), None
        del llm
        try:
            import gc

            import torch

            gc.collect()
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass
