"""The training loop: batches, which iterations to trace, progress, and stopping cleanly.

Iteration k is the k-th update.  Its loss is the forward pass before that update (k − 1
updates done); the final loss is measured on all the data after the last update.
"""

from __future__ import annotations

import bisect
import math
from typing import Callable, Iterator

import numpy as np

from ..config.model import NetworkConfig
from ..errors import UsageError
from .network import Network
from .trace import Run

Progress = Callable[[int, int], None]


def batch_order(n_samples: int, batch_size: int, seed: int | None) -> Iterator[np.ndarray]:
    """Indices of each batch, epoch after epoch: file order, or reshuffled every epoch."""
    rng = np.random.default_rng(seed) if seed is not None else None
    while True:
        order = rng.permutation(n_samples) if rng is not None else np.arange(n_samples)
        for start in range(0, n_samples, batch_size):
            yield order[start : start + batch_size]


def batches_per_epoch(config: NetworkConfig) -> int:
    return math.ceil(len(config.data) / config.effective_batch_size)


def traced_set(spec: str | None, total: int) -> set[int]:
    """Which iterations to record in full: 'all', 'first,last', or a list like '1,5,10'."""
    if spec is None:
        spec = "all" if total <= 20 else "first,last"
    spec = spec.strip().lower()
    if spec == "all":
        return set(range(1, total + 1))
    chosen: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if part == "first":
            chosen.add(1)
        elif part == "last":
            chosen.add(total)
        elif part.isdigit() and 1 <= int(part) <= total:
            chosen.add(int(part))
        elif "-" in part and all(p.strip().isdigit() for p in part.split("-", 1)):
            lo, hi = (int(p) for p in part.split("-", 1))
            if not 1 <= lo <= hi <= total:
                raise UsageError(f"--trace {spec}: range {part} is outside 1..{total}")
            chosen.update(range(lo, hi + 1))
        else:
            raise UsageError(
                f"--trace {spec}: '{part}' is not an iteration between 1 and {total}",
                hint="use 'all', 'first', 'last', numbers and ranges: --trace 1,5,10-12,last",
            )
    return chosen


def train(
    config: NetworkConfig,
    iterations: int | None = None,
    epochs: int | None = None,
    trace: str | None = None,
    carry: int | None = None,
    progress: Progress | None = None,
) -> Run:
    """Run the network; record the chosen iterations in full and every iteration's loss."""
    per_epoch = batches_per_epoch(config)
    if iterations is not None and epochs is not None:
        raise UsageError("give --iterations or --epochs, not both")
    total = epochs * per_epoch if epochs is not None else iterations or config.iterations or 1
    chosen = traced_set(trace, total)
    net = Network(config, carry=carry)
    initial = ([w.copy() for w in net.W], [b.copy() for b in net.b])
    X_all = np.array([s.inputs for s in config.data], dtype=float)
    T_all = np.array([s.targets for s in config.data], dtype=float)
    full_batch = config.effective_batch_size >= len(config.data) and config.shuffle_seed is None
    order = batch_order(len(config.data), config.effective_batch_size, config.shuffle_seed)
    losses = np.empty(total)
    traced = []
    divergence = None
    interrupted = False
    done = 0
    step_every = max(1, total // 200)
    in_stretch = False  # inside Network.run_untraced, where ``done`` is not kept up to date
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        try:
            every = np.arange(len(config.data))  # what batch_order yields for a full batch
            traced_order = sorted(chosen)
            k = 1
            while k <= total:
                if full_batch and k not in chosen:
                    # untraced iterations on the same batch, up to the next traced one or the
                    # next progress report, in one call: the engine's loop without ours around it
                    end = _stretch_end(k, total, traced_order, step_every if progress is not None else None)
                    in_stretch = True
                    done = net.run_untraced(X_all, T_all, losses, k - 1, end)
                    in_stretch = False
                    if not math.isfinite(losses[done - 1]):
                        divergence = net.find_divergence(X_all, T_all)
                        divergence.iteration = done
                        break
                    if progress is not None and (done % step_every == 0 or done == total):
                        progress(done, total)
                    k = done + 1
                    continue
                if full_batch:
                    idx, X, T = every, X_all, T_all
                else:
                    idx = next(order)
                    X, T = X_all[idx], T_all[idx]
                record = k in chosen
                loss, it = net.step(X, T, record=record)
                losses[k - 1] = loss
                done = k
                if not math.isfinite(loss) or (record and not _params_finite(net)):
                    divergence = net.find_divergence(X, T)
                    divergence.iteration = k
                    if it is not None:
                        it.iteration, it.samples = k, tuple(int(i) for i in idx)
                        traced.append(it)
                    break
                if it is not None:
                    it.iteration, it.samples = k, tuple(int(i) for i in idx)
                    it.loss_after = net.evaluate(X, T)[0]
                    traced.append(it)
                if progress is not None and (k % step_every == 0 or k == total):
                    progress(k, total)
                k += 1
        except KeyboardInterrupt:
            interrupted = True
            if in_stretch:  # every iteration whose update finished has its loss written
                done = net.t
        if divergence is None and not interrupted and not _params_finite(net):
            divergence = net.find_divergence(X_all, T_all)
            divergence.iteration = done
    final_loss, final_out = net.evaluate(X_all, T_all)
    return Run(
        config=config,
        iterations=traced,
        losses=losses if done == total else losses[:done].copy(),  # no second copy of a long history
        planned=total,
        initial=initial,
        final_params=(net.W, net.b),
        final_loss=final_loss,
        final_outputs=final_out,
        carry=carry,
        batches_per_epoch=per_epoch,
        divergence=divergence,
        interrupted=interrupted,
    )


def _stretch_end(k: int, total: int, traced: list[int], step_every: int | None) -> int:
    """The last iteration of the untraced run starting at ``k``: before the next traced
    iteration, and no later than the next progress report."""
    i = bisect.bisect_right(traced, k)
    end = min(total, traced[i] - 1) if i < len(traced) else total
    if step_every is not None:
        end = min(end, -(-k // step_every) * step_every)
    return end


def _params_finite(net: Network) -> bool:
    return all(np.isfinite(w).all() and np.isfinite(b).all() for w, b in zip(net.W, net.b))
