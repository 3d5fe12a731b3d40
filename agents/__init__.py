"""Agents: anything that picks an action from an observation. Imports common/ and games/ only."""

from agents.base import Agent, Decision
from agents.registry import available_agents, make_agent, parse_agent_spec

__all__ = ["Agent", "Decision", "available_agents", "make_agent", "parse_agent_spec"]
