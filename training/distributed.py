"""Data-parallel self-play: the same loop in N processes, launched by ``accelerate launch``
(``arena train --processes N`` runs it for you), or by any launcher that sets torchrun's
environment (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``).

What each process (rank) does in an iteration:

- it builds the iteration's whole list of matches (game, seats, seed: from the run's seed,
  the iteration and the match index, as one process does), plays the matches whose index
  is its rank modulo N, and gathers everyone's records, put back in match order;
- so every rank holds the same records as one process would, and computes the same
  samples and advantages: RAE's role baselines, group and step credit see the whole
  iteration;
- the learner's minibatches are the same on every rank; each rank computes the gradient
  of its share (item ``i`` of a minibatch on rank ``i mod N``) and the shares' gradients
  are summed across ranks before clipping and the optimiser step, so every rank takes the
  step one process takes on the whole minibatch (every objective divides its loss by a
  constant, never by the chunk's size);
- rank 0 alone evaluates, writes metrics, checkpoints, the opponent pool and the kept
  best model, and reports to trackers; the others wait at the next collective.

Records travel between ranks as JSON (UTF-8 bytes in a tensor), never pickled. The
collectives are ``torch.distributed``'s (gloo on CPU, NCCL on GPUs); a rank that dies ends
the others through the launcher (torchrun's agent), and ``arena train --processes`` prints
one line naming it. The model is replicated on every rank (data parallel): accelerate
configs that shard it (FSDP, DeepSpeed ZeRO) are refused with a clear message.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Sequence

import torch

__all__ = ["Ranks", "SINGLE", "current_ranks"]

_SHARDING = {"ACCELERATE_USE_FSDP": "FSDP", "ACCELERATE_USE_DEEPSPEED": "DeepSpeed",
             "ACCELERATE_USE_MEGATRON_LM": "Megatron-LM"}


@dataclass(frozen=True)
class Ranks:
    """This process's place among the run's processes (``world`` 1: a single process,
    where every method is the identity)."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def mine(self, n: int) -> list[int]:
        """Indices of ``n`` work items (matches, minibatch items) this rank takes."""
        return list(range(self.rank, n, self.world))

    def share(self, items: Sequence[Any]) -> list[Any]:
        return list(items[self.rank::self.world])

    def gather_json(self, mine: Sequence[Any], n: int) -> list[Any]:
        """Every rank's JSON-able items, back in their global order: ``mine`` are items
        :meth:`mine` (``n``) of this rank, in that order."""
        if self.world == 1:
            return list(mine)
        import torch.distributed as dist

        device = _collective_device()
        data = json.dumps(list(mine), separators=(",", ":")).encode("utf-8")
        size = torch.tensor([len(data)], dtype=torch.long, device=device)
        sizes = [torch.zeros_like(size) for _ in range(self.world)]
        dist.all_gather(sizes, size)
        width = max(int(s) for s in sizes)
        buf = torch.zeros(width, dtype=torch.uint8, device=device)
        if data:
            buf[:len(data)] = torch.frombuffer(bytearray(data), dtype=torch.uint8).to(device)
        bufs = [torch.zeros_like(buf) for _ in range(self.world)]
        dist.all_gather(bufs, buf)
        out: list[Any] = [None] * n
        for r, (b, s) in enumerate(zip(bufs, sizes)):
            items = json.loads(bytes(b[:int(s)].cpu().tolist()).decode("utf-8"))
            for i, item in zip(range(r, n, self.world), items):
                out[i] = item
        return out

    def sum_grads(self, params: Sequence[torch.Tensor]) -> None:
        """Sum every parameter's gradient across ranks, in place (a missing gradient
        counts as zeros), in one flat buffer per dtype and device."""
        if self.world == 1:
            return
        import torch.distributed as dist

        groups: dict[tuple[Any, Any], list[torch.Tensor]] = {}
        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
            groups.setdefault((p.grad.dtype, p.grad.device), []).append(p)
        for members in groups.values():
            flat = torch.cat([p.grad.reshape(-1) for p in members])
            dist.all_reduce(flat)
            start = 0
            for p in members:
                n = p.grad.numel()
                p.grad.copy_(flat[start:start + n].view_as(p.grad))
                start += n

    def sum_values(self, values: dict[str, float]) -> dict[str, float]:
        """Each key's sum across ranks (every rank must pass the same keys)."""
        if self.world == 1:
            return dict(values)
        import torch.distributed as dist

        keys = sorted(values)
        t = torch.tensor([float(values[k]) for k in keys], dtype=torch.float64,
                         device=_collective_device())
        dist.all_reduce(t)
        return dict(zip(keys, t.cpu().tolist()))

    def barrier(self) -> None:
        if self.world > 1:
            import torch.distributed as dist

            dist.barrier()


SINGLE = Ranks()


def _collective_device() -> torch.device:
    import torch.distributed as dist

    return (torch.device("cuda", torch.cuda.current_device())
            if dist.get_backend() == "nccl" else torch.device("cpu"))


def current_ranks(device: str = "cpu") -> Ranks:
    """The process group of a launched run, started here if the launcher did not (gloo on
    CPU, NCCL for CUDA devices); :data:`SINGLE` outside a launch."""
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world <= 1:
        return SINGLE
    sharded = [name for env, name in _SHARDING.items()
               if os.environ.get(env, "").lower() in ("1", "true", "yes")]
    if sharded:
        raise ValueError(f"the accelerate config asks for {sharded[0]}, which shards the "
                         "model; arena train replicates it on every process (data parallel, "
                         "gradients summed): use a config without FSDP or DeepSpeed")
    import torch.distributed as dist

    local = int(os.environ.get("LOCAL_RANK", "0") or 0)
    if not dist.is_initialized():
        cuda = str(device).startswith("cuda") or (device == "auto" and torch.cuda.is_available())
        if cuda:
            torch.cuda.set_device(local)
        dist.init_process_group("nccl" if cuda else "gloo")
    return Ranks(rank=dist.get_rank(), world=dist.get_world_size(), local_rank=local)
