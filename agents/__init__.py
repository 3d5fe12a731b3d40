"""Agents: anything that picks an action from an observation. Imports games/ only."""

from agents.base import Agent, Decision, sample_from
from agents.registry import available_agents, make_agent, parse_agent_spec

__all__ = ["Agent", "Decision", "sample_from", "available_agents", "make_agent", "parse_agent_spec"]
