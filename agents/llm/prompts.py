"""Prompts for language-model agents: the game's rules, the player's observation, then the
answer instruction, through the tokenizer's chat template when it has one.

The generate-mode instruction asks for step-by-step reasoning and a final answer in
``\\boxed{}``; the shared parser (``games.parse``) reads the last boxed answer. A player's
reasoning stays in that player's record; observations never carry another player's text
except what the game itself shows (a negotiation message, a day speech).

Long transcripts (:func:`fit_prompt`): a prompt longer than the model can take is cut, by
one policy: the rules stay (the system message, and an observation's first message where
it opens with a ``[TAG]`` as TextArena transcripts do, when that takes at most half the
room), then a line marking the cut (:data:`CUT_MARK`), then as many of the most recent
lines as fit.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, Literal

from games import Observation

__all__ = ["GENERATE_INSTRUCTION", "CHOICE_INSTRUCTION", "prompt_messages", "render_prompt",
           "CHAT_TEMPLATE", "CUT_MARK", "fit_prompt", "PROMPTS", "bare_prompt"]

PROMPTS = ("full", "bare")
"""Prompt styles: ``full`` (rules, seat, observation, instruction, through the chat
template: pretrained models) and ``bare`` (:func:`bare_prompt`: models that learn the game
from reward, best with a game's ``view=compact``)."""

GENERATE_INSTRUCTION = (
    "Think step by step about the best move, then give your final answer as "
    "\\boxed{action}, with the action written exactly as the game writes it."
)
"""Generic: it names no game's actions (each game's rules and observation show its own)."""
CHOICE_INSTRUCTION = "Your move:"

# A ChatML-style template for locally built tokenizers (no tokenizer from a hub needed).
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def prompt_messages(obs: Observation, mode: Literal["choice", "generate"]) -> list[dict[str, str]]:
    instruction = GENERATE_INSTRUCTION if mode == "generate" else CHOICE_INSTRUCTION
    # The rules come first: every prompt of a game then starts with the same tokens, which
    # a batched backend computes once for the whole batch (a shared prefix).
    seat = f"You are playing {obs.game} as player {obs.player} ({obs.role})."
    system = f"{obs.rules}\n\n{seat}" if obs.rules else seat
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"{obs.text}\n\n{instruction}"},
    ]


def bare_prompt(obs: Observation, mode: Literal["choice", "generate"]) -> str:
    """``prompt=bare``: the observation text and a line break, nothing else (no rules, no
    seat line, no instruction, no chat template). Choice mode scores each legal action
    right after it, so the candidates are the legal actions; generate mode adds a line
    with the legal actions (``[a] [b]``) when the game lists them, for the reply to copy."""
    if mode == "generate" and obs.legal_actions:
        return f"{obs.text}\n{' '.join(obs.legal_actions)}\n"
    return f"{obs.text}\n"


def render_prompt(obs: Observation, mode: Literal["choice", "generate"], tokenizer: Any = None,
                  style: str = "full") -> str:
    """The prompt text: ``style="bare"``: :func:`bare_prompt`; else the chat template when
    the tokenizer has one, else a plain layout."""
    if style == "bare":
        return bare_prompt(obs, mode)
    messages = prompt_messages(obs, mode)
    template = getattr(tokenizer, "chat_template", None) if tokenizer is not None else None
    if template:
        kwargs = {"tokenize": False, "add_generation_prompt": True}
        try:  # reasoning models: keep the thinking switch off in choice mode
            return tokenizer.apply_chat_template(messages, enable_thinking=(mode == "generate"),
                                                 **kwargs)
        except TypeError:
            return tokenizer.apply_chat_template(messages, **kwargs)
    return "\n\n".join(m["content"] for m in messages) + "\n\nAnswer: "


CUT_MARK = "[... {n} earlier lines of this game are left out to fit the model's context ...]"
_TAG = re.compile(r"^\[[^\]\n]{1,40}\]")


def _head(lines: list[str]) -> list[str]:
    """The observation's first message (its rules, in a TextArena transcript): the lines
    before the next line that starts with the first line's ``[TAG]``; none without a tag."""
    tag = _TAG.match(lines[0]) if lines else None
    if tag is None:
        return []
    for i in range(1, len(lines)):
        if lines[i].startswith(tag[0]):
            return lines[:i]
    return []


SURE_FIT_SLACK = 16
"""A prompt of at most ``limit - SURE_FIT_SLACK`` UTF-8 bytes fits without being counted:
the tokenizers the arena uses (byte-level BPE, pieces with byte fallback) never make more
tokens than bytes, give or take a few added at the start (a start token, a word-start
piece); the slack covers those."""


def fit_prompt(obs: Observation, mode: Literal["choice", "generate"], tokenizer: Any,
               limit: int, count: Callable[[str], int], style: str = "full") -> tuple[str, int]:
    """``(prompt, lines_cut)``: the prompt of ``obs`` within ``limit`` tokens (``count``
    measures a prompt) by the policy in the module docstring; ``lines_cut`` is 0 when the
    whole observation fits. Where even the rules and the last line do not fit, the
    shortest such prompt is returned (the caller warns)."""
    full = render_prompt(obs, mode, tokenizer, style)
    if len(full.encode("utf-8")) + SURE_FIT_SLACK <= limit or count(full) <= limit:
        return full, 0  # the byte test spares the tokenizer on every prompt of a short game
    lines = obs.text.splitlines()
    head = _head(lines)

    def build(keep_head: list[str], tail: int) -> str:
        cut = len(lines) - len(keep_head) - tail
        body = keep_head + [CUT_MARK.format(n=cut)] + (lines[len(lines) - tail:] if tail else [])
        return render_prompt(dataclasses.replace(obs, text="\n".join(body)), mode, tokenizer,
                             style)

    if head and count(build(head, 0)) > limit // 2:
        head = []
    low, high = 0, len(lines) - len(head) - 1  # keep at least one line out: the cut is real
    if count(build(head, low)) > limit:
        return build(head, 1), len(lines) - len(head) - 1
    while low < high:  # the most recent lines that fit
        mid = (low + high + 1) // 2
        if count(build(head, mid)) <= limit:
            low = mid
        else:
            high = mid - 1
    return build(head, low), len(lines) - len(head) - low
