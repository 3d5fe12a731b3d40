"""LoRA through peft: only adapters train, and a checkpoint is a plain model folder."""

from __future__ import annotations

import pytest

pytest.importorskip("peft")

import torch  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402

from training import SelfPlayConfig, train  # noqa: E402


def test_lora_run_writes_plain_checkpoints_that_moved(tiny_model, tmp_path):
    run = train(SelfPlayConfig(model=tiny_model, out=str(tmp_path / "run"), lora_rank=4,
                               iterations=1, matches_per_iteration=16, lr=1e-2,
                               eval_every=0, checkpoint_every=1, seed=3))
    start = AutoModelForCausalLM.from_pretrained(tiny_model)
    done = AutoModelForCausalLM.from_pretrained(run / "checkpoint-1")
    names = set(dict(done.named_parameters()))
    assert names == set(dict(start.named_parameters())), "adapters must be merged away"
    moved = [n for n, p in done.named_parameters()
             if not torch.equal(p, dict(start.named_parameters())[n])]
    # all-linear adapters: attention and MLP projections move; embeddings and norms do not
    assert any("q_proj" in n for n in moved) and any("down_proj" in n for n in moved)
    assert not any("norm" in n or "embed_tokens" in n for n in moved)


@pytest.mark.filterwarnings("ignore:.*is_gradient_checkpointing:FutureWarning")  # peft's own call
def test_lora_trains_only_the_adapters(tiny_model):
    from agents.llm.hf import HFBackend
    from training.learner import Learner
    from peft import LoraConfig, get_peft_model

    backend = HFBackend(tiny_model)
    backend.model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(tiny_model),
        LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", task_type="CAUSAL_LM"))
    learner = Learner(backend, SelfPlayConfig(model=tiny_model))
    trained = [p for g in learner.optimizer.param_groups for p in g["params"]]
    total = sum(p.numel() for p in backend.model.parameters())
    assert 0 < sum(p.numel() for p in trained) < total // 4
