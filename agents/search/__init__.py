"""The search engine: every Monte Carlo tree search of the arena runs here.

- :mod:`agents.search.nodes`: the node, selection (UCT and PUCT), backup, root statistics;
- :mod:`agents.search.engine`: one search as a generator: determinisation (IS-MCTS or
  determinised trees where information is hidden, a linked tree where it is not),
  expansion, playouts; it yields an observation wherever it needs the policy;
- :mod:`agents.search.lockstep`: many searches driven together, one batched policy call
  per step.

Its users: :class:`agents.mcts.MCTSAgent` (the ``mcts`` agent: its prior is a spec or any
:class:`agents.Agent`, e.g. the live policy) and the step-preference search of training
(:func:`training.preferences.search_pairs`).
"""

from agents.search.engine import Playout, PlayoutFn, Policy, SearchGen, agent_playout, search
from agents.search.lockstep import LockstepResult, PolicyBatch, run_lockstep
from agents.search.nodes import RootStats

__all__ = ["search", "run_lockstep", "agent_playout", "RootStats", "LockstepResult",
           "Playout", "PlayoutFn", "Policy", "PolicyBatch", "SearchGen"]
