"""Agents by spec string: ``random``, ``kuhn-nash:alpha=0.2``, ``minimax``, ``expert``.

A spec is ``name`` or ``name:key=value,key=value``. Values are converted by the type of
the constructor parameter's default. Agents in other installed packages register under
the entry point group ``arena.agents`` (``name = "pkg.module:AgentClass"``).
"""

from __future__ import annotations

import importlib
import inspect
import math
from importlib.metadata import entry_points
from typing import Any

from common.specs import convert_option, parse_spec

from agents.base import Agent

__all__ = ["make_agent", "available_agents", "parse_agent_spec", "split_agent_specs"]

ENTRY_POINT_GROUP = "arena.agents"

_BUILTIN = {
    "random": "agents.random_agent:RandomAgent",
    "kuhn-nash": "agents.kuhn_nash:KuhnNashAgent",
    "minimax": "agents.minimax:MinimaxAgent",
    "negotiator": "agents.negotiator:NegotiatorAgent",
    "werewolf-rules": "agents.werewolf_rules:WerewolfRulesAgent",
    "household-expert": "agents.household_expert:HouseholdExpertAgent",
    "expert": "agents.expert:ExpertAgent",
    "mcts": "agents.mcts:MCTSAgent",
    "human": "agents.human:HumanAgent",
    "llm": "agents.llm.agent:LLMAgent",
}


def register_builtin(name: str, target: str) -> None:
    """Used by agent modules that live in later packages' issues (mcts, human, llm)."""
    _BUILTIN[name] = target


def available_agents() -> list[str]:
    eps = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return sorted(set(_BUILTIN) | eps)


def parse_agent_spec(spec: str) -> tuple[str, dict[str, str]]:
    """``"mcts:simulations=200,c=1.4"`` -> ``("mcts", {"simulations": "200", "c": "1.4"})``."""
    return parse_spec(spec, "agent", "mcts:simulations=200")


def split_agent_specs(text: str) -> list[str]:
    """Split ``A,B`` where a spec's own options continue after a comma:
    ``mcts:simulations=50,c=2,random`` is two agents (a piece with ``=`` before any ``:``
    belongs to the spec before it)."""
    specs: list[str] = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        if specs and "=" in piece and ":" not in piece.split("=", 1)[0]:
            specs[-1] += "," + piece
        else:
            specs.append(piece)
    return specs


def _agent_class(name: str) -> type[Agent]:
    if name in _BUILTIN:
        module, _, attr = _BUILTIN[name].partition(":")
        return getattr(importlib.import_module(module), attr)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            return ep.load()
    raise ValueError(f"unknown agent {name!r} (known: {', '.join(available_agents())})")


def _convert(name: str, param: inspect.Parameter, value: str) -> Any:
    default = param.default
    if default is inspect.Parameter.empty:
        return value
    what = f"agent option {param.name}={value!r} for {name!r}"
    converted = convert_option(value, default, what)
    if isinstance(converted, float) and not math.isfinite(converted):
        raise ValueError(f"{what} must be a finite number (default {default!r}); inf and nan "
                         "are refused")
    return converted


def make_agent(spec: str, seed: int = 0, **overrides: Any) -> Agent:
    """Build an agent from its spec string; ``seed`` seeds its own rng."""
    name, options = parse_agent_spec(spec)
    cls = _agent_class(name)
    params = inspect.signature(cls.__init__).parameters
    known = [p for p in params if p not in ("self", "seed") and params[p].kind is not inspect.Parameter.VAR_KEYWORD]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ValueError(
            f"unknown option(s) {', '.join(map(repr, unknown))} for agent {name!r} "
            f"(known: {', '.join(known) or 'none'})"
        )
    kwargs: dict[str, Any] = {k: _convert(name, params[k], v) for k, v in options.items()}
    kwargs.update(overrides)
    agent = cls(seed=seed, **kwargs)
    agent.name = spec.strip()
    return agent
