"""Loaded models, owned by whoever runs the matches.

A :class:`ModelCache` holds one (model, tokenizer) per (source, gguf file, device, dtype).
Every ``llm`` agent built with the same cache and naming the same model plays through one
copy of the weights. There is no process-wide table: a tournament's process (or worker)
owns one cache for the agents it builds, a training run owns one for its policy, its
opponent pool and its rating ladder, and a backend built without a cache loads a private
copy. Dropping the cache (or :meth:`ModelCache.drop` of one model) frees the memory once
no agent holds the model.

A caller that already holds a model in memory (a training run's policy, trained in place)
registers it with :meth:`ModelCache.put` under a name; agents naming it then play the
live model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

__all__ = ["ModelCache", "model_key", "make_agent_sharing"]

Key = tuple[str, "str | None", str, str]


def model_key(model: str, gguf: str | None, device: str, dtype: Any) -> Key:
    """The cache key of a model: an existing path by its resolved form (``runs/x`` and
    ``./runs/x/`` are one model), anything else (a hub id, a registered name) as given."""
    path = Path(model).expanduser()
    ident = str(path.resolve()) if path.exists() else model
    return (ident, gguf or None, str(device), str(dtype))


class ModelCache:
    """(model, tokenizer) pairs by :func:`model_key`; see the module docstring."""

    def __init__(self) -> None:
        self._entries: dict[Key, tuple[Any, Any]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Key) -> bool:
        return key in self._entries

    def get(self, key: Key, load: Callable[[], tuple[Any, Any]]) -> tuple[Any, Any]:
        """The entry under ``key``, loaded with ``load()`` the first time."""
        if key not in self._entries:
            self._entries[key] = load()
        return self._entries[key]

    def put(self, name: str, model: Any, tokenizer: Any, device: str, dtype: Any) -> Key:
        """Register a model held in memory; agents naming ``name`` (on that device and
        dtype) play it. Replaces an earlier entry of that name."""
        key = model_key(name, None, device, dtype)
        self._entries[key] = (model, tokenizer)
        return key

    def drop(self, name: str) -> None:
        """Forget every entry of model ``name`` (any device, dtype or gguf file)."""
        ident = model_key(name, None, "", "")[0]
        for key in [k for k in self._entries if k[0] == ident]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()


def make_agent_sharing(spec: str, seed: int, models: ModelCache) -> Any:
    """``make_agent(spec, seed=seed)``, handing ``models`` to an agent that declares
    ``shares_models`` (its constructor takes ``models=``), so agents of one owner share
    their weights."""
    from agents.registry import _agent_class, make_agent, parse_agent_spec

    shares = _agent_class(parse_agent_spec(spec)[0]).shares_models
    return make_agent(spec, seed=seed, **({"models": models} if shares else {}))
