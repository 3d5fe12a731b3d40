"""scripts/gpu_check.py runs its every path on CPU with the tiny model (so nothing reaches
a GPU untested), and the model it builds there has 50-150M parameters."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "scripts" / "gpu_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gpu_check_passes_on_cpu(tiny_model, capsys):
    assert _script().main(["--device", "cpu", "--model", tiny_model, "--iterations", "2",
                           "--matches", "8"]) == 0
    out = capsys.readouterr().out.splitlines()
    choice = next(line for line in out if line.startswith("choice: ok"))
    assert "same_records=True" in choice and "non_finite=0" in choice
    assert "exploitability=0.451 -> " in choice
    assert any(line.startswith("generate: ok") for line in out)


def test_without_cuda_it_says_how_to_run_on_cpu(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    assert _script().main(["--device", "cuda"]) == 2
    assert "--device cpu --size tiny" in capsys.readouterr().err


def test_the_base_size_has_50_to_150_million_parameters():
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    from agents.llm.tiny_model import SIZES

    s = SIZES["base"]
    config = Qwen3Config(vocab_size=s.vocab, hidden_size=s.hidden,
                         intermediate_size=s.intermediate, num_hidden_layers=s.layers,
                         num_attention_heads=s.heads, num_key_value_heads=s.kv_heads,
                         head_dim=s.hidden // s.heads, tie_word_embeddings=True)
    with torch.device("meta"):
        model = Qwen3ForCausalLM(config)
    assert 50e6 <= sum(p.numel() for p in model.parameters()) <= 150e6
