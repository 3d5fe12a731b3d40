"""Shared fixtures of the training tests: the tiny local model and one short seeded run.

The run (``smoke_run``) is trained once per session and read by several tests: the smoke
test (parameters moved, exploitability fell), the resume test (an interrupted run must
end on the same parameters) and the ladder test (ratings in its metrics rows).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.training.helpers import SMOKE

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


@pytest.fixture(scope="session")
def smoke_run(tiny_model, tmp_path_factory) -> Path:
    """The run folder of :data:`SMOKE`, trained without interruption."""
    from training.config import SelfPlayConfig
    from training.loop import train

    out = tmp_path_factory.mktemp("smoke") / "run"
    return train(SelfPlayConfig(model=tiny_model, out=str(out), **SMOKE))
