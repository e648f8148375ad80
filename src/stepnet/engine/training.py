"""The training loop: batches, which iterations to trace, progress, and stopping cleanly.

Iteration k is the k-th update.  Its loss is the forward pass before that update (k − 1
updates done); the final loss is measured on all the data after the last update.
"""

from __future__ import annotations

import bisect
import math
import re
from typing import Callable, Iterator

import numpy as np

from ..config.model import NetworkConfig
from ..errors import UsageError
from .network import Network
from .rounding import hand_carry
from .trace import Divergence, IterationTrace, RunTrace

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


# ASCII digits only: '²' and '١' pass str.isdigit() but not int(); 12 digits pass any run's length
_NUMBER = re.compile(r"[0-9]{1,12}", re.ASCII)
_RANGE = re.compile(r"([0-9]{1,12})\s*-\s*([0-9]{1,12})", re.ASCII)


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
        elif _NUMBER.fullmatch(part) and 1 <= int(part) <= total:
            chosen.add(int(part))
        elif match := _RANGE.fullmatch(part):
            lo, hi = int(match[1]), int(match[2])
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
    on_traced: Callable[[IterationTrace], None] | None = None,
    on_start: Callable[[tuple[list[np.ndarray], list[np.ndarray]]], None] | None = None,
    carry_sig: int | None = None,
) -> RunTrace:
    """RunTrace the network; record the chosen iterations in full and every iteration's loss.

    With ``on_traced``, each traced iteration is handed to it as soon as it is complete
    (its number, samples and ``loss_after`` set) and is not kept: memory stays at one traced
    iteration and the loss history, and the RunTrace counts them in ``streamed``.
    ``on_start`` receives the initial (weights, biases) before the first update.
    ``carry_sig`` is hand mode with that many significant digits instead of ``carry`` decimals.
    """
    carry = hand_carry(carry, carry_sig)
    per_epoch = batches_per_epoch(config)
    if iterations is not None and epochs is not None:
        raise UsageError("give --iterations or --epochs, not both")
    total = epochs * per_epoch if epochs is not None else iterations or config.iterations or 1
    training = _Training(config, total, traced_set(trace, total), carry, progress)
    initial = ([w.copy() for w in training.net.W], [b.copy() for b in training.net.b])
    training.on_traced = on_traced
    if on_start is not None:
        on_start(initial)
    training.run()
    net, done, losses = training.net, training.done, training.losses
    final_loss, final_out = net.evaluate(training.X, training.T)
    return RunTrace(
        config=config,
        iterations=training.traced,
        losses=losses if done == total else losses[:done].copy(),  # no second copy of a long history
        planned=total,
        initial=initial,
        final_params=(net.W, net.b),
        final_loss=final_loss,
        final_outputs=final_out,
        carry=carry,
        batches_per_epoch=per_epoch,
        divergence=training.divergence,
        interrupted=training.interrupted,
        trace_spec=trace,
        streamed=training.streamed,
        warnings=net.warnings,
    )


class _Training:
    """One run under way: the network, the losses so far, the traced iterations, and why it stopped.

    Iterations on the whole data that are not traced go to the engine's untraced loop in
    stretches; every other iteration is one :meth:`Network.step`.
    """

    def __init__(self, config: NetworkConfig, total: int, chosen: set[int], carry: int | None,
                 progress: Progress | None) -> None:
        self.net = Network(config, carry=carry)
        self.X = np.array([s.inputs for s in config.data], dtype=float)
        self.T = np.array([s.targets for s in config.data], dtype=float)
        self.full_batch = config.effective_batch_size >= len(config.data) and config.shuffle_seed is None
        self.every = np.arange(len(config.data))  # what batch_order yields for a full batch
        self.order = batch_order(len(config.data), config.effective_batch_size, config.shuffle_seed)
        self.total, self.chosen, self.traced_order = total, chosen, sorted(chosen)
        self.progress = progress
        self.step_every = max(1, total // 200)
        self.losses = np.empty(total)
        self.traced: list[IterationTrace] = []
        self.on_traced: Callable[[IterationTrace], None] | None = None  # set: traced iterations go there, not kept
        self.streamed = 0
        self.done = 0
        self.divergence: Divergence | None = None
        self.interrupted = False
        self.in_stretch = False  # inside Network.run_untraced, where ``done`` is not kept up to date

    def run(self) -> None:
        """Every planned iteration, until training diverges or is interrupted."""
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            try:
                k = 1
                while k <= self.total and self.divergence is None:
                    k = self._stretch(k) if self.full_batch and k not in self.chosen else self._step(k)
            except KeyboardInterrupt:
                self.interrupted = True
                if self.in_stretch:  # every iteration whose update finished has its loss written
                    self.done = self.net.t
            if self.divergence is None and not self.interrupted:
                self._diverged(self.X, self.T, self.done, params=True)

    def _stretch(self, k: int) -> int:
        """Untraced iterations from ``k`` on, up to the next traced one or the next progress report,
        in one call: the engine's loop without ours around it.  Returns the next iteration."""
        end = _stretch_end(k, self.total, self.traced_order, self.step_every if self.progress is not None else None)
        self.in_stretch = True
        self.done = self.net.run_untraced(self.X, self.T, self.losses, k - 1, end)
        self.in_stretch = False
        if not self._diverged(self.X, self.T, self.done, loss=self.losses[self.done - 1]):
            self._report(self.done)
        return self.done + 1

    def _step(self, k: int) -> int:
        """Iteration ``k`` on its batch, recorded if traced.  Returns the next iteration."""
        if self.full_batch:
            idx, X, T = self.every, self.X, self.T
        else:
            idx = next(self.order)
            X, T = self.X[idx], self.T[idx]
        record = k in self.chosen
        loss, it = self.net.step(X, T, record=record)
        self.losses[k - 1] = loss
        self.done = k
        diverged = self._diverged(X, T, k, loss=loss, params=record, trace=it)
        if it is not None:
            it.iteration, it.samples = k, tuple(int(i) for i in idx)
            if not diverged:
                it.loss_after = self.net.evaluate(X, T)[0]
            self._keep(it)
        if not diverged:
            self._report(k)
        return k + 1

    def _keep(self, it: IterationTrace) -> None:
        """A finished traced iteration: kept, or handed on and dropped."""
        if self.on_traced is None:
            self.traced.append(it)
            return
        self.streamed += 1
        self.on_traced(it)

    def _diverged(self, X: np.ndarray, T: np.ndarray, iteration: int, loss: float | None = None,
                  params: bool = False, trace: IterationTrace | None = None) -> bool:
        """Whether training has diverged by ``iteration``: the loss given, or (if asked) a parameter,
        is NaN or infinite.  If so, keeps where the first such value appears on this batch."""
        if (loss is None or math.isfinite(loss)) and (not params or _params_finite(self.net)):
            return False
        self.divergence = self.net.find_divergence(X, T, trace)
        self.divergence.iteration = iteration
        return True

    def _report(self, done: int) -> None:
        if self.progress is not None and (done % self.step_every == 0 or done == self.total):
            self.progress(done, self.total)


def _stretch_end(k: int, total: int, traced: list[int], step_every: int | None) -> int:
    """The last iteration of the untraced run starting at ``k``: before the next traced
    iteration, and no later than the next progress report."""
    i = bisect.bisect_right(traced, k)
    end = min(total, traced[i] - 1) if i < len(traced) else total
    if step_every is not None:
        end = min(end, -(-k // step_every) * step_every)
    return end


def _params_finite(net: Network) -> bool:
    return all(np.isfinite(w).all() and np.isfinite(b).all() for w, b in zip(net.W, net.b, strict=True))
