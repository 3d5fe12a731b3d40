"""Tensor work of the transformers backend (:mod:`agents.llm.hf`): budgeted batches,
padding, a shared-prefix prefill, candidates packed behind their prompt, KV-cache forks and
the seeded choice of a token.

Shared prefix
    The prompts of one call usually share a long prefix (the chat template and the game's
    rules come first). :func:`shared_prefix` runs it once, as a batch of one; every batch
    of the call starts from a copy of its KV cache and runs only the remainders,
    left-padded. Pad tokens may then sit between the prefix and a remainder: masks exclude
    them and position ids are counted from the mask, so every real token keeps the
    position it has in an unpadded pass.

Packed candidates ("tree" scoring)
    A scoring row is ``[pads | prompt remainder | candidate 1 | candidate 2 | ... | pads]``:
    every candidate of the prompt sits in the same row, at the positions it would have
    straight after the prompt, under a 4D mask in which a candidate token sees the prompt
    and the earlier tokens of its own candidate, never another candidate. One forward pass
    scores all candidates of all prompts of a batch; the prompt is computed once. The mask
    is additive (0 or the dtype's minimum: never NaN), which the ``sdpa`` and ``eager``
    attention implementations accept. Models whose layers are not all full attention
    (sliding windows, linear attention) or that use another implementation are scored in
    two passes instead: :func:`prefill` of the prompts, then one row per candidate on a
    copy of its prompt's cache (:func:`fork_cache`) with an ordinary 2D mask.
"""

from __future__ import annotations

import copy
import functools
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import torch

__all__ = ["forward", "budget_chunks", "pad", "common_prefix", "shared_prefix", "start_cache", "fork_cache",
           "Prefill", "prefill", "pack", "tree_mask", "supports_tree", "pick", "TREE_ATTENTION",
           "tree_token_logprobs", "forked_token_logprobs"]

TREE_ATTENTION = ("sdpa", "eager")
"""Attention implementations that take a custom 4D mask (packed candidates)."""


def supports_tree(config) -> bool:
    """Whether candidates may share a row under a 4D mask: a mask-taking attention
    implementation and full attention in every layer."""
    layer_types = getattr(config, "layer_types", None) or ["full_attention"]
    window = getattr(config, "sliding_window", None)
    sliding = bool(getattr(config, "use_sliding_window", True) and window)
    return (getattr(config, "_attn_implementation", None) in TREE_ATTENTION and not sliding
            and all(t == "full_attention" for t in layer_types))


@functools.lru_cache(maxsize=None)
def _cache_keyword(model_class: type) -> str:
    """The keyword under which ``model_class.forward`` takes a KV cache: ``cache`` in the
    current transformers (which deprecates ``past_key_values``), ``past_key_values`` before."""
    params = inspect.signature(model_class.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def forward(model, cache: Any = None, **inputs: Any) -> tuple[Any, Any]:
    """``model(**inputs)`` with ``use_cache`` on, starting from ``cache`` (None: empty);
    returns (output, the cache after it), through whichever cache API the model has."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model  # peft
    out = model(**inputs, **{_cache_keyword(type(base)): cache}, use_cache=True)
    fields = getattr(out, "__dataclass_fields__", {})
    return out, (out.cache if "cache" in fields else out.past_key_values)


def budget_chunks(items: Sequence[Any], length: Callable[[Any], int],
                  budget: int) -> Iterator[list]:
    """Consecutive groups whose rows x longest length stays within ``budget`` (>= 1 row)."""
    chunk: list = []
    width = 0
    for item in items:
        w = max(width, length(item))
        if chunk and (len(chunk) + 1) * w > budget:
            yield chunk
            chunk, w = [], length(item)
        chunk.append(item)
        width = w
    if chunk:
        yield chunk


def pad(rows: Sequence[Sequence[int]], fill: int, device,
        left: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, mask) of shape [rows, longest], padded on the left or the right with ``fill``."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), fill, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        if r:
            span = slice(width - len(r), width) if left else slice(0, len(r))
            ids[i, span] = torch.tensor(r, dtype=torch.long)
            mask[i, span] = 1
    return ids.to(device), mask.to(device)


def common_prefix(rows: Sequence[Sequence[int]]) -> int:
    """Length of the longest shared prefix, leaving every row at least one token of its own."""
    limit = min(len(r) for r in rows) - 1
    first = rows[0]
    n = 0
    while n < limit and all(r[n] == first[n] for r in rows):
        n += 1
    return n


def fork_cache(cache, index: torch.Tensor):
    """A copy of ``cache`` holding rows ``index`` (repeats allowed); ``cache`` is untouched."""
    fork = copy.copy(cache)
    fork.layers = [copy.copy(layer) for layer in cache.layers]
    for layer in fork.layers:
        layer.batch_select_indices(index)
    return fork


@dataclass
class Prefill:
    logits: torch.Tensor
    """[rows, vocab] float32 logits after each prompt's last token."""
    cache: Any
    mask: torch.Tensor
    """[rows, cached positions] attention mask of the cache (1: a real token)."""
    last_pos: torch.Tensor
    """[rows] position id of each prompt's last token."""


def shared_prefix(model, rows: Sequence[Sequence[int]], device) -> tuple[int, Any]:
    """(length, batch-of-one KV cache) of the prefix every row shares; (0, None) if none."""
    n = common_prefix(rows) if len(rows) > 1 else 0
    if not n:
        return 0, None
    _, cache = forward(model, input_ids=torch.tensor([list(rows[0][:n])], device=device),
                       logits_to_keep=1)
    return n, cache


def start_cache(prefix: tuple[int, Any], rows: int, device):
    """A cache of ``rows`` copies of the shared prefix (None when there is none)."""
    n, cache = prefix
    return fork_cache(cache, torch.zeros(rows, dtype=torch.long, device=device)) if n else None


def prefill(model, rows: Sequence[Sequence[int]], fill: int, device,
            prefix: tuple[int, Any] = (0, None)) -> Prefill:
    """Run the prompts ``rows`` (whose first ``prefix[0]`` tokens are in the prefix cache)."""
    n = prefix[0]
    ids, tail = pad([r[n:] for r in rows], fill, device, left=True)
    mask = torch.cat([torch.ones((len(rows), n), dtype=torch.long, device=device), tail], dim=1)
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    out, cache = forward(model, start_cache(prefix, len(rows), device), input_ids=ids,
                         attention_mask=mask, position_ids=pos[:, n:], logits_to_keep=1)
    return Prefill(out.logits[:, -1].float(), cache, mask, pos[:, -1])


def pack(groups: Sequence[Sequence[Sequence[int]]]) -> tuple[list[list[int]], ...]:
    """Per row (the candidates of one prompt): the packed inputs (each candidate but its last
    token, one after another), their offsets after the prompt and their candidate numbers."""
    inputs, offsets, segments = [], [], []
    for group in groups:
        inp, off, seg = [], [], []
        for n, cand in enumerate(group):
            inp += cand[:-1]
            off += range(len(cand) - 1)
            seg += [n] * (len(cand) - 1)
        inputs.append(inp)
        offsets.append(off)
        segments.append(seg)
    return inputs, offsets, segments


def tree_mask(real: torch.Tensor, segments: torch.Tensor, prefix: int, dtype) -> torch.Tensor:
    """[rows, 1, C, prefix + C] additive mask of packed rows of C columns: a column sees the
    shared prefix, and the earlier real columns that are prompt (segment -1) or of its own
    candidate (segment k)."""
    cols = torch.arange(segments.shape[1], device=segments.device)
    causal = (cols[None, :] <= cols[:, None])[None]
    visible = (segments[:, None, :] == -1) | (segments[:, None, :] == segments[:, :, None])
    allowed = causal & visible & real.bool()[:, None, :]
    head = torch.ones((*allowed.shape[:2], prefix), dtype=torch.bool, device=allowed.device)
    allowed = torch.cat([head, allowed], dim=2)[:, None]
    blocked = torch.zeros(allowed.shape, dtype=dtype, device=allowed.device)
    return blocked.masked_fill(~allowed, torch.finfo(dtype).min)


def pick(logits: torch.Tensor, temperature: float, top_p: float,
         uniform: torch.Tensor) -> torch.Tensor:
    """Token per row: greedy at temperature 0, else inverse CDF of ``uniform`` over the
    tempered probabilities in token-id order; with top_p < 1, over the nucleus, sorted by
    probability (a stable sort, so ties keep token-id order)."""
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits.double() / temperature, dim=-1)
    order = None
    if top_p < 1:
        probs, order = probs.sort(dim=-1, descending=True, stable=True)
        probs = probs.masked_fill(probs.cumsum(dim=-1) - probs >= top_p, 0.0)
    cum = probs.cumsum(dim=-1)
    target = (uniform * cum[:, -1])[:, None]
    k = torch.searchsorted(cum, target, right=True).clamp(max=cum.shape[1] - 1)
    return (k if order is None else order.gather(-1, k))[:, 0]


def _flat(cands: Sequence[Sequence[Sequence[int]]]) -> list[tuple[int, int]]:
    return [(j, k) for j, group in enumerate(cands) for k in range(len(group))]


def tree_token_logprobs(model, prompts: Sequence[Sequence[int]],
                        cands: Sequence[Sequence[Sequence[int]]], prefix: tuple[int, Any],
                        fill: int, device) -> torch.Tensor:
    """Log-probability of every candidate token, one packed forward pass (see "Packed
    candidates" above). Flat, in order: prompt 0's candidate 0 token by token, its
    candidate 1, ..., then prompt 1's. Differentiable unless called under no-grad."""
    n = prefix[0]
    inputs, offsets, segments = pack(cands)
    width_s = max(len(p) - n for p in prompts)
    width_w = max(len(i) for i in inputs)
    rows, real, segs, pos = [], [], [], []
    for p, inp, off, seg in zip(prompts, inputs, offsets, segments):
        lead, trail = width_s - (len(p) - n), width_w - len(inp)
        rows.append([fill] * lead + list(p[n:]) + inp + [fill] * trail)
        real.append([0] * lead + [1] * (len(p) - n + len(inp)) + [0] * trail)
        segs.append([-1] * width_s + seg + [-1] * trail)
        after = [len(p) + o for o in off]  # a candidate starts right after the prompt
        pos.append([0] * lead + list(range(n, len(p))) + after + [0] * trail)
    t = lambda x: torch.tensor(x, dtype=torch.long, device=device)  # noqa: E731
    mask = tree_mask(t(real), t(segs), n, model.dtype)
    result, _ = forward(model, start_cache(prefix, len(prompts), device), input_ids=t(rows),
                        attention_mask=mask, position_ids=t(pos), logits_to_keep=width_w + 1)
    logits = result.logits.float()  # [rows, 1 + packed width, vocab]; 0: last prompt token
    where_r, where_c, targets = [], [], []
    for j, group in enumerate(cands):
        start = 1
        for c in group:
            where_r += [j] * len(c)
            where_c += [0] + list(range(start, start + len(c) - 1))
            targets += c
            start += max(len(c) - 1, 0)
    sel = logits[t(where_r), t(where_c)]  # [tokens, vocab]
    return sel.gather(-1, t(targets)[:, None])[:, 0] - torch.logsumexp(sel, dim=-1)


def forked_token_logprobs(model, prompts: Sequence[Sequence[int]],
                          cands: Sequence[Sequence[Sequence[int]]], prefix: tuple[int, Any],
                          fill: int, device, budget: int) -> torch.Tensor:
    """The same flat log-probabilities as :func:`tree_token_logprobs`, in two passes: the
    prompts, then one row per candidate on a copy of its prompt's KV cache (rows grouped
    within the token ``budget``). For models that cannot take a 4D mask."""
    pre = prefill(model, prompts, fill, device, prefix)
    first = torch.log_softmax(pre.logits, dim=-1)
    flat = [(j, k) for j, k in _flat(cands) if cands[j][k]]
    t = lambda x: torch.tensor(x, dtype=torch.long, device=device)  # noqa: E731
    parts: dict[tuple[int, int], list[torch.Tensor]] = {
        (j, k): [first[j, cands[j][k][0]][None]] for j, k in flat}
    width = pre.mask.shape[1]
    longer = [(j, k) for j, k in flat if len(cands[j][k]) > 1]
    cost = lambda r: width + len(cands[r[0]][r[1]]) - 1  # noqa: E731
    for sub in budget_chunks(longer, cost, budget):
        group = [cands[j][k] for j, k in sub]
        index = t([j for j, _ in sub])
        inp, inp_mask = pad([c[:-1] for c in group], fill, device, left=False)
        tgt, _ = pad([c[1:] for c in group], fill, device, left=False)
        steps = torch.arange(inp.shape[1], device=device)
        result, _ = forward(model, fork_cache(pre.cache, index), input_ids=inp,
                            attention_mask=torch.cat([pre.mask[index], inp_mask], 1),
                            position_ids=pre.last_pos[index, None] + 1 + steps)
        logits = result.logits.float()
        picked = logits.gather(-1, tgt[..., None])[..., 0] - torch.logsumexp(logits, dim=-1)
        for r, (key, c) in enumerate(zip(sub, group)):
            parts[key].append(picked[r, : len(c) - 1])
    pieces = [torch.cat(parts[key]) for key in flat]
    return torch.cat(pieces) if pieces else torch.zeros(0, device=device)
