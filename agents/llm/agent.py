"""``llm``: a language model as a player, in two modes, always batched.

Spec: ``llm:model=PATH_OR_HUB_ID[,mode=choice|generate][,prompt=full|bare][,temperature=1.0][,top_p=1.0]
[,max_new_tokens=256][,backend=hf|openai|vllm][,length_norm=false][,greedy=false]
[,gguf=FILE][,base_url=URL][,api_key_env=OPENAI_API_KEY][,token_budget=8192][,device=auto]
[,timeout=60][,max_retries=3][,deadline=180]`` (the last three bound backend=openai calls).

Modes
    ``choice``: every legal action of every pending observation is scored in one
    ``backend.score`` call (log-likelihood of the action's tokens after the prompt); the
    policy is ``softmax(logp / temperature)`` over the legal actions (``length_norm``:
    ``logp / tokens``), an action is drawn from it with ``rng_for(obs)`` (``greedy``: the
    most likely, ties to the first). ``policy(obs)`` returns that exact distribution, so
    exact evaluation (``arena eval kuhn_poker --agent llm:model=...``) works. Needs legal
    actions: a free-text game (``legal_actions`` None) needs ``mode=generate``.
    ``generate``: one ``backend.generate`` call samples a reply for every pending
    observation (reasoning, then ``\\boxed{action}``); the runner parses it with
    ``games.parse`` and applies the match's invalid-action policy.

Prompts
    ``prompt=full`` (default): the game's rules, the seat, the observation and the answer
    instruction, through the tokenizer's chat template: what a pretrained model reads.
    ``prompt=bare``: the observation text alone (:func:`agents.llm.prompts.bare_prompt`),
    for a model trained from scratch that learns the game from reward; pair it with the
    game's ``view=compact`` (``arena train --game tictactoe:view=compact --prompt bare``).

Decisions (what training reads)
    ``text``: the chosen action (choice) or the whole reply (generate); ``token_ids``: the
    chosen action's or the reply's tokens; ``logprobs``: the model's log-probability of each
    of them (temperature 1, before any truncation); ``info["prompt_ids"]``: the prompt's
    token ids (a tuple of ints); ``info["prompt"]``: the prompt text. Choice mode also
    records ``info["action_logprobs"]`` ({action: summed log-probability}). Draws come from
    ``rng_for(obs)`` (choice) or a seed taken from it (generate), so a decision depends on
    the agent's seed and the decision's seed only, never on the batch it ran in.

Long transcripts
    A prompt is fitted to ``min(model context, token_budget)`` tokens, less the room for
    the answer (``max_new_tokens`` in generate mode, the candidates' tokens in choice
    mode), by :func:`agents.llm.prompts.fit_prompt`: the rules and the most recent history
    stay, a marked line says how many lines were left out. So a forward pass never exceeds
    the token budget, whatever the length of the game. The first cut of a match logs one
    warning; every cut decision records ``info["prompt_cut"]`` (lines left out). Backends
    that do not expose a tokenizer and a context (``openai``) send the whole prompt.

Backends
    ``hf`` (transformers, :mod:`agents.llm.hf`; agents built with one ``models=ModelCache``
    share the weights of a model they both name: :mod:`agents.llm.model_cache`), ``openai`` (an OpenAI-compatible server at ``base_url``, key from the
    environment variable ``api_key_env``), ``vllm``. They are imported on first use.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Sequence

from games import Observation

from common.draws import sample_from

from agents.base import Agent, Decision
from agents.llm.backend import Backend, Generation, Scores
from agents.llm.model_cache import ModelCache
from agents.llm.prompts import PROMPTS, fit_prompt, render_prompt

log = logging.getLogger(__name__)

__all__ = ["LLMAgent", "choice_policy"]

MODES = ("choice", "generate")
BACKENDS = ("hf", "openai", "vllm")


def choice_policy(scores: Scores, actions: Sequence[str], temperature: float,
                  length_norm: bool = False, greedy: bool = False) -> dict[str, float]:
    """``{action: probability}`` from the candidates' log-likelihoods."""
    values = [lp / n if length_norm and n else lp
              for lp, n in zip(scores.logprob, scores.num_tokens)]
    if greedy or temperature == 0:
        best = values.index(max(values))
        return {a: float(i == best) for i, a in enumerate(actions)}
    top = max(values)
    weights = [math.exp((v - top) / temperature) for v in values]
    total = sum(weights)
    return {a: w / total for a, w in zip(actions, weights)}


def _validate(model: str, mode: str, backend: str, temperature: float, top_p: float,
              max_new_tokens: int, token_budget: int, prompt: str = "full") -> None:
    if not model:
        raise ValueError("llm needs model=PATH_OR_HUB_ID, e.g. llm:model=models/tiny "
                         "(build one with `arena model new --out models/tiny`)")
    problems = {
        "mode": (mode not in MODES, "choice or generate, e.g. llm:model=...,mode=generate"),
        "prompt": (prompt not in PROMPTS, "full or bare, e.g. llm:model=...,prompt=bare"),
        "backend": (backend not in BACKENDS, f"one of {', '.join(BACKENDS)}"),
        "temperature": (not temperature >= 0, ">= 0 (0 or greedy=true: the most likely)"),
        "top_p": (not 0 < top_p <= 1, "in (0, 1] (1: no truncation)"),
        "max_new_tokens": (max_new_tokens < 1, ">= 1, e.g. 256"),
        "token_budget": (token_budget < 1, ">= 1 tokens per forward pass, e.g. 8192"),
    }
    values = {"mode": mode, "prompt": prompt, "backend": backend, "temperature": temperature, "top_p": top_p,
              "max_new_tokens": max_new_tokens, "token_budget": token_budget}
    for key, (bad, expected) in problems.items():
        if bad:
            raise ValueError(f"llm {key}={values[key]!r} not allowed: expected {expected}")


class LLMAgent(Agent):
    name = "llm"
    shares_models = True
    samples_replies = True

    def __init__(self, seed: int = 0, model: str = "", mode: str = "choice",
                 temperature: float = 1.0, top_p: float = 1.0, max_new_tokens: int = 256,
                 backend: str = "hf", length_norm: bool = False, greedy: bool = False,
                 gguf: str = "", base_url: str = "", api_key_env: str = "OPENAI_API_KEY",
                 token_budget: int = 8192, device: str = "auto",
                 timeout: float = 60.0, max_retries: int = 3, deadline: float = 180.0,
                 prompt: str = "full", models: ModelCache | None = None) -> None:
        super().__init__(seed)
        _validate(model, mode, backend, temperature, top_p, max_new_tokens, token_budget, prompt)
        self.prompt_style = prompt
        if models is not None and not isinstance(models, ModelCache):
            raise ValueError(f"llm models={models!r} is not a spec option: it takes the model "
                             "cache of the program running the matches; leave it out")
        self.models = models
        # bounds of remote calls (backend=openai): seconds per attempt, retries, and
        # seconds per decision overall (see agents.llm.openai_backend)
        self.remote = {"timeout": timeout, "max_retries": max_retries, "deadline": deadline}
        self.model, self.mode, self.backend_name = model, mode, backend
        self.temperature, self.top_p = float(temperature), float(top_p)
        self.max_new_tokens = max_new_tokens
        self.length_norm, self.greedy = length_norm, greedy or temperature == 0
        self.backend: Backend | None = self._make_backend(gguf, base_url, api_key_env,
                                                          token_budget, device)
        self.token_budget = token_budget
        self._warned: set[tuple] = set()
        """Matches already warned about a cut prompt (see :meth:`_fit`)."""

    def _make_backend(self, gguf: str, base_url: str, api_key_env: str, token_budget: int,
                      device: str) -> Backend:
        if self.backend_name == "hf":
            from agents.llm.hf import HFBackend

            return HFBackend(self.model, device=device, token_budget=token_budget,
                             gguf=gguf or None, models=self.models)
        if self.backend_name == "openai":
            from agents.llm.openai_backend import OpenAIBackend

            if not base_url:
                raise ValueError("llm backend=openai needs base_url=URL, "
                                 "e.g. base_url=http://localhost:8000/v1")
            return OpenAIBackend(base_url=base_url, model=self.model, api_key_env=api_key_env,
                                 **self.remote)
        from agents.llm.vllm_backend import VLLMBackend

        return VLLMBackend(self.model)

    @property
    def tokenizer(self) -> Any:
        return getattr(self.backend, "tokenizer", None)

    def _backend(self) -> Backend:
        if self.backend is None:
            raise RuntimeError(f"llm agent {self.name!r} is closed; build a new one")
        return self.backend

    def prompt(self, obs: Observation) -> str:
        """The prompt for ``obs``, fitted to the model's context (see the module docstring)."""
        return self._fit(obs)[0]

    def _context(self) -> int | None:
        """Tokens one forward pass may hold: the model's context and the token budget."""
        config = getattr(getattr(self.backend, "model", None), "config", None)
        context = getattr(config, "max_position_embeddings", None)
        return None if not isinstance(context, int) else min(context, self.token_budget)

    def _room(self, obs: Observation) -> int:
        """Tokens to leave for the answer: the reply, or every candidate (choice)."""
        if self.mode == "generate" or not obs.legal_actions:
            return self.max_new_tokens
        encode = getattr(self.backend, "encode_continuation", None)
        if encode is None:
            return sum(len(a) for a in obs.legal_actions)
        return sum(len(encode(a)) for a in obs.legal_actions)

    def _fit(self, obs: Observation) -> tuple[str, int]:
        """``(prompt, lines_cut)``; the first cut of a match logs one warning."""
        context, tokenizer = self._context(), self.tokenizer
        if context is None or tokenizer is None:
            return render_prompt(obs, self.mode, tokenizer,  # type: ignore[arg-type]
                                 self.prompt_style), 0
        limit = max(context - self._room(obs), 1)
        def count(text: str) -> int:  # tokens of a prompt, a start token included
            return len(tokenizer(text, add_special_tokens=False)["input_ids"]) + 1

        prompt, cut = fit_prompt(obs, self.mode, tokenizer, limit, count,  # type: ignore[arg-type]
                                 self.prompt_style)
        if cut:
            match = (obs.game, obs.player, obs.text[:200])
            if match not in self._warned:
                if len(self._warned) > 4096:
                    self._warned.clear()
                self._warned.add(match)
                log.warning("%s: the prompt for player %d of %s at turn %d exceeds %d tokens; "
                            "the rules and the most recent history are kept, %d earlier lines "
                            "left out (a marked cut; warned once per match)", self.name,
                            obs.player, obs.game, obs.turn, limit, cut)
        return prompt, cut

    # ----- choice mode ----------------------------------------------------------------
    def _check_choice(self, obs: Observation) -> tuple[str, ...]:
        if obs.legal_actions is None:
            raise ValueError(
                f"llm mode=choice cannot play {obs.game!r}: its actions are free text (no list "
                "of legal actions to score); use mode=generate, e.g. llm:model=...,mode=generate"
            )
        if not obs.legal_actions:
            raise ValueError(
                f"llm got an observation of {obs.game!r} with no legal action for player "
                f"{obs.player}: ask only the players whose move it is"
            )
        return obs.legal_actions

    def _score(self, obs: Sequence[Observation]
               ) -> tuple[list[tuple[str, int]], list[Scores]]:
        """((prompt, lines cut) per observation, scores of its legal actions)."""
        legal = [self._check_choice(o) for o in obs]
        fitted = [self._fit(o) for o in obs]
        return fitted, self._backend().score([p for p, _ in fitted], [list(a) for a in legal])

    def policy(self, obs: Observation) -> dict[str, float] | None:
        """The exact choice-mode distribution over the legal actions (None in generate mode)."""
        if self.mode != "choice":
            return None
        if not obs.legal_actions and obs.legal_actions is not None:
            return None
        _, (scores,) = self._score([obs])
        return choice_policy(scores, obs.legal_actions, self.temperature, self.length_norm,
                             self.greedy)

    def policy_batch(self, obs: Sequence[Observation]) -> list[dict[str, float] | None]:
        """``policy`` for many observations in one batched scoring call."""
        obs = list(obs)
        if self.mode != "choice":
            return [None] * len(obs)
        scored = [o for o in obs if o.legal_actions]
        _, scores = self._score(scored) if scored else ([], [])
        it = iter(scores)
        return [choice_policy(next(it), o.legal_actions, self.temperature, self.length_norm,
                              self.greedy) if o.legal_actions else None for o in obs]

    def _choose(self, obs: Observation, fitted: tuple[str, int], scores: Scores) -> Decision:
        prompt, cut = fitted
        actions = obs.legal_actions
        dist = choice_policy(scores, actions, self.temperature, self.length_norm, self.greedy)
        if self.greedy:
            action = max(dist, key=dist.__getitem__)
        else:
            action = sample_from(dist, self.rng_for(obs))
        k = actions.index(action)
        token_lps = scores.token_logprobs[k] if scores.token_logprobs else None
        return Decision(
            text=action, distribution=dist,
            token_ids=scores.candidate_ids[k] if scores.candidate_ids else None,
            logprobs=tuple(token_lps) if token_lps is not None else None,
            info={"mode": "choice", "prompt_ids": tuple(scores.prompt_ids), "prompt": prompt,
                  "action_logprobs": dict(zip(actions, scores.logprob)),
                  **({"prompt_cut": cut} if cut else {})},
        )

    # ----- generate mode --------------------------------------------------------------
    @property
    def generates(self) -> bool:  # type: ignore[override]
        """True in generate mode: decisions are free-text replies."""
        return self.mode == "generate"

    def complete(self, prompts: Sequence[str], seeds: Sequence[int]) -> list[Generation]:
        """One reply per (already fitted) prompt, sampled as generate mode samples (its
        temperature, top_p and max_new_tokens), ``seeds[i]`` for row i; one batched call.
        Step preferences sample several replies to one decision's prompt with it."""
        temperature = 0.0 if self.greedy else self.temperature
        return self._backend().generate(list(prompts), temperature=temperature,
                                        top_p=self.top_p, max_new_tokens=self.max_new_tokens,
                                        seeds=list(seeds))

    def _generate(self, obs: Sequence[Observation]) -> list[Decision]:
        fitted = [self._fit(o) for o in obs]
        prompts = [p for p, _ in fitted]
        seeds = [self.rng_for(o).getrandbits(63) for o in obs]
        gens = self.complete(prompts, seeds)
        return [
            Decision(text=g.text, token_ids=tuple(g.token_ids), logprobs=tuple(g.logprobs),
                     info={"mode": "generate", "prompt_ids": tuple(g.prompt_ids), "prompt": p,
                           **({"prompt_cut": cut} if cut else {})})
            for g, (p, cut) in zip(gens, fitted)
        ]

    def act_batch(self, obs: Sequence[Observation]) -> list[Decision]:
        obs = list(obs)
        if not obs:
            return []
        if self.mode == "generate":
            return self._generate(obs)
        fitted, scores = self._score(obs)
        return [self._choose(o, f, s) for o, f, s in zip(obs, fitted, scores)]

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
        self.backend = None
