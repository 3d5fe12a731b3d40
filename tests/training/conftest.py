"""Shared fixture of the training tests: one short seeded run (the tiny model: tests/conftest.py).

The run (``smoke_run``) is trained once per session and read by several tests: the smoke
test (parameters moved, exploitability fell), the resume test (an interrupted run must
end on the same parameters) and the ladder test (ratings in its metrics rows).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.training.helpers import SMOKE


@pytest.fixture(scope="session")
def smoke_run(tiny_model, tmp_path_factory) -> Path:
    """The run folder of :data:`SMOKE`, trained without interruption."""
    from training.config import SelfPlayConfig
    from training.loop import train

    out = tmp_path_factory.mktemp("smoke") / "run"
    return train(SelfPlayConfig(model=tiny_model, out=str(out), **SMOKE))
