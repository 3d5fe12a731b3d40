"""Fixtures shared by every test package: the tiny local model, and no network for the hub."""

from __future__ import annotations

import os
from pathlib import Path

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


SLOW_TESTS = Path(__file__).parent / "slow_tests.txt"


def slow_tests() -> frozenset[str]:
    """``path::function`` of every test in the slow lane (tests/slow_tests.txt)."""
    lines = SLOW_TESTS.read_text().splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def pytest_collection_modifyitems(config, items):  # noqa: ARG001 - pytest's signature
    """Mark the slow lane: ``python -m pytest -q -m "not slow"`` is the edit-test loop,
    ``python -m pytest -q`` (the README's command) still runs everything."""
    slow = slow_tests()
    for item in items:
        test = item.nodeid.split("[", 1)[0]
        if test in slow or test.split("::", 1)[0] in slow:
            item.add_marker(pytest.mark.slow)

