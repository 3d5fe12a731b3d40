"""The learner's token budget, sized by memory: the configured budget where it fits, the
largest power of two that does where it does not, kept across a resume."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, strategies as st

from training.memory import activation_bytes_per_token, available_bytes, fitted_token_budget

SMOLLM2 = SimpleNamespace(hidden_size=576, num_hidden_layers=30, intermediate_size=1536)


def test_smollm2_estimate_is_above_the_measured_cost_per_token():
    per_token = activation_bytes_per_token(SMOLLM2, 4)
    assert per_token == 30 * (16 * 576 + 3 * 1536) * 4 == 1_658_880
    # measured: 16.27 GB at 16,384 tokens, 5.72 GB at 4,096, 2.35 GB at 1,024
    measured = max((16.27e9 - 5.72e9) / (16384 - 4096), (5.72e9 - 2.35e9) / (4096 - 1024))
    assert measured < per_token < 2 * measured
    assert activation_bytes_per_token(SMOLLM2, 2) == per_token // 2  # bfloat16


def test_the_configured_budget_stands_where_it_fits():
    assert fitted_token_budget(16384, 1000, 10**12) == 16384
    assert fitted_token_budget(16384, 1000, None) == 16384  # memory unknown: as configured


def test_smollm2_on_this_machine_gets_the_budget_that_measured_5_7_gb():
    per_token = activation_bytes_per_token(SMOLLM2, 4)
    assert fitted_token_budget(16384, per_token, 20 * 2**30) == 4096
    assert fitted_token_budget(16384, per_token, 20 * 2**30, processes_here=2) == 2048
    assert fitted_token_budget(16384, per_token, 20 * 2**30, processes_here=4) == 1024
    assert fitted_token_budget(16384, per_token, 10**6) == 256  # the floor


@given(configured=st.integers(1, 1 << 20), per_token=st.integers(1, 1 << 24),
       free=st.integers(0, 1 << 40), here=st.integers(1, 16))
def test_fitted_budget_never_exceeds_the_configured_one_nor_half_the_memory(
        configured, per_token, free, here):
    budget = fitted_token_budget(configured, per_token, free, here)
    assert 1 <= budget <= configured
    if budget < configured:
        assert budget == 256 or budget * per_token * 2 * here <= free
        assert budget & (budget - 1) == 0  # a power of two


def test_available_memory_reads_on_this_machine():
    free = available_bytes("cpu")
    if Path("/proc/meminfo").exists():  # Linux: MemAvailable, below the machine's total
        total = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0]) * 1024
        assert 0 < free <= total
    else:
        assert free is None or free > 0


def test_a_learner_on_a_large_model_cuts_its_budget_and_says_so(tiny_model, caplog,
                                                                 monkeypatch):
    from agents.llm.hf import HFBackend
    from training.config import SelfPlayConfig
    from training.learner import Learner
    import training.memory as memory

    backend = HFBackend(tiny_model, device="cpu")
    config = SelfPlayConfig(model=tiny_model, games=["kuhn_poker"], device="cpu")
    assert Learner(backend, config).token_budget == config.token_budget
    monkeypatch.setattr(memory, "available_bytes", lambda device: 64 * 2**20)
    learner = Learner(backend, config)
    per_token = activation_bytes_per_token(backend.model.config, 4)
    assert learner.token_budget < config.token_budget
    assert learner.token_budget * per_token * 2 <= 64 * 2**20 or learner.token_budget == 256
    assert f"token budget {config.token_budget} -> {learner.token_budget}" in caplog.text
