"""Agents by spec string: ``random``, ``kuhn-nash:alpha=0.2``, ``minimax``, ``expert``.

A spec is ``name`` or ``name:key=value,key=value``. Values are converted by the type of
the constructor parameter's default. Agents in other installed packages register under
the entry point group ``arena.agents`` (``name = "pkg.module:AgentClass"``).

A game's scripted expert is an agent under its own name (``kuhn-nash``, ``minimax``,
``negotiator``, ``werewolf-rules``, ``household-expert``, or a plug-in game's): the game
declares it (``Game.expert``, :mod:`games.expert`) and this registry finds it among the
installed games, so no table here lists a game's expert. Such a name plays the
``expert`` agent bound to that game, with the expert's own options.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import math
from importlib.metadata import entry_points
from typing import Any

import games
from common.specs import convert_option, parse_spec

from agents.base import Agent
from agents.expert import ExpertAgent

log = logging.getLogger(__name__)

__all__ = ["make_agent", "available_agents", "parse_agent_spec", "split_agent_specs"]

ENTRY_POINT_GROUP = "arena.agents"

_BUILTIN = {
    "random": "agents.random_agent:RandomAgent",
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
    return sorted(set(_BUILTIN) | eps | set(expert_names()))


def expert_names() -> dict[str, dict[type, list[str]]]:
    """``{expert name: {expert class: [ids of the games that declare it]}}`` over the
    installed games (``Game.expert``); a game that fails to load is left out with a
    warning. A game that subclasses another inherits its expert, so one class may serve
    several games."""
    names: dict[str, dict[type, list[str]]] = {}
    for game_id in games.available():
        try:
            expert = games.game_class(game_id).expert
        except (ImportError, TypeError) as err:
            log.warning("agents: %s", err)
            continue
        if expert is not None:
            names.setdefault(expert.name, {}).setdefault(expert, []).append(game_id)
    return names


def _expert_named(name: str) -> tuple[type, list[str]] | None:
    """(the expert class called ``name``, the games that declare it); None where no
    game's expert is called so."""
    found = expert_names().get(name)
    if not found:
        return None
    if len(found) > 1:
        owners = "; ".join(f"{cls.__module__}.{cls.__qualname__} ({', '.join(ids)})"
                           for cls, ids in found.items())
        raise ValueError(f"agent {name!r} names the experts of several games ({owners}); "
                         "use 'expert', which plays each game's own")
    return next(iter(found.items()))


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
    if _expert_named(name) is not None:
        return ExpertAgent
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
    expert = _expert_named(name) if cls is ExpertAgent and name != "expert" else None
    options_of = expert[0] if expert is not None else cls
    params = inspect.signature(options_of.__init__).parameters
    known = [p for p in params if p not in ("self", "seed") and params[p].kind not in (
        inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ValueError(
            f"unknown option(s) {', '.join(map(repr, unknown))} for agent {name!r} "
            f"(known: {', '.join(known) or 'none'})"
        )
    kwargs: dict[str, Any] = {k: _convert(name, params[k], v) for k, v in options.items()}
    kwargs.update(overrides)
    if expert is not None:
        agent: Agent = ExpertAgent.of_expert(expert[0], expert[1], seed=seed, **kwargs)
    else:
        agent = cls(seed=seed, **kwargs)
    agent.name = spec.strip()
    return agent
