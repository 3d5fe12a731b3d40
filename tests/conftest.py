"""Fixtures shared by every test package: the tiny local model, and no network for the hub."""

from __future__ import annotations

import os

import pytest

# Set before transformers / huggingface_hub are imported: a hub id fails at once instead
# of waiting on the network.
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    """A tiny Qwen3-style model with its tokenizer, built once per test session."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from agents.llm.tiny_model import build_model

    return str(build_model(tmp_path_factory.mktemp("models") / "tiny", size="tiny", seed=0))
