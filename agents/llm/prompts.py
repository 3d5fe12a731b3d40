"""Prompts for language-model agents: the game's rules, the player's observation, then the
answer instruction, through the tokenizer's chat template when it has one.

The generate-mode instruction asks for step-by-step reasoning and a final answer in
``\\boxed{}``; the shared parser (``games.parse``) reads the last boxed answer. A player's
reasoning stays in that player's record; observations never carry another player's text
except what the game itself shows (a negotiation message, a day speech).
"""

from __future__ import annotations

from typing import Any, Literal

from games import Observation

__all__ = ["GENERATE_INSTRUCTION", "CHOICE_INSTRUCTION", "prompt_messages", "render_prompt",
           "CHAT_TEMPLATE"]

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


def render_prompt(obs: Observation, mode: Literal["choice", "generate"], tokenizer: Any = None) -> str:
    """The prompt text: the chat template when the tokenizer has one, else a plain layout."""
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
