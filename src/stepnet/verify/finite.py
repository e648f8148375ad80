"""Central finite differences of the loss, many parameters at once, each with its error bound.

The loss is evaluated again with one parameter nudged, for many parameters in one batched
forward pass: the layers below the parameter's do not change and are computed once; in
its own layer only the net input it feeds moves (by the step times what it multiplies),
and the layer above takes that one change as a rank-one update; every layer higher up is
computed again for each nudge.

Each estimate comes with a bound on its distance from the true derivative of the float64
loss, from the two ways a central difference D(h) = (E(p + h) − E(p − h))/2h goes wrong:

* truncation, about c·h²: at most |D(2h) − D(h)|, three times the usual estimate;
* rounding, at most ε/h, where ε bounds the rounding error of the part of the loss that
  is computed again for the nudge (see :mod:`.noise`), so a loss of 10⁶ gets a bound that
  grows with it.

The step starts at 10⁻⁶·max(1, |p|).  Where that difference's bound is more than ten
relative tolerances of its value (a large loss, whose rounding grows with it; a tiny one,
where c·h² is not small beside the slope), larger steps (×16, ×256, ×4096) and
Richardson's extrapolation R(h) = (4·D(h) − D(2h))/3, whose truncation is about c·h⁴, are
tried too, and the estimate with the smallest bound is kept.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .noise import Forward, layer_output

BASE_STEP = 1e-6
LADDER = (16.0, 256.0, 4096.0)  # larger steps, tried where the base step is not accurate enough
KEEP = 10.0  # the base step stands while its bound is within this many relative tolerances
CHUNK_VALUES = 1 << 21  # floats per array of one batched pass (16 MB)


@dataclasses.dataclass(frozen=True)
class Estimate:
    """One parameter's central difference and how far from the true slope it may be."""

    value: float
    step: float  # h: the smallest step in the formula
    richardson: bool  # (4·D(h) − D(2h))/3 rather than D(h)
    error: float  # bound on |value − the derivative of the float64 loss|
    rounding: float  # bound on the error any float64 gradient carries from the rounded outputs

    @property
    def tolerance(self) -> float:
        """The absolute difference from a float64 chain-rule value that still agrees."""
        return self.error + 2 * self.rounding

    def agrees(self, chain_rule: float, rel: float) -> bool:
        diff = abs(chain_rule - self.value)
        return bool(diff <= rel * max(abs(chain_rule), abs(self.value)) + self.tolerance)


class Perturbed:
    """The loss of one iteration's batch with single parameters nudged, batched."""

    def __init__(self, config, it) -> None:
        weights = [lt.W.astype(float) for lt in it.layers]
        biases = [lt.b.astype(float) for lt in it.layers]
        self.base = Forward(config, weights, biases, np.asarray(it.X, float), np.asarray(it.T, float))
        self.specs = self.base.specs
        self.z = self.base.output_of(self.base.nets[-1], self.base.outs[-1])
        self.weight = np.nan_to_num(self.base.slope_error, nan=np.inf, posinf=np.inf)

    def value(self, p) -> float:
        return p.read(self.base.W[p.layer - 1], self.base.b[p.layer - 1])

    def _rank_one(self, p) -> bool:
        """Whether a nudge of ``p`` moves one neuron, which the layer above takes as a rank-one update."""
        return p.to is not None and self.specs[p.layer - 1].activation != "softmax"

    def loss_error(self, p) -> float:
        """Bound on the rounding error of E with ``p`` nudged, in what differs between the two nudges."""
        return self.base.fresh_loss_error(p.layer, self._rank_one(p))

    def losses(self, params: list, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """E with ``params[k]`` moved by ``steps[k]``, and how far that moved the output quantity z,
        weighted by the error bound of the loss's slope in z: both (K,)."""
        E, moved = np.empty(len(params)), np.empty(len(params))
        B, n = self.base.T.shape
        size = max(1, CHUNK_VALUES // (B * max(n, *(s.size for s in self.specs))))
        groups: dict[tuple[int, bool], list[int]] = {}  # the same path through the layers, as loss_error assumes
        for k, p in enumerate(params):
            groups.setdefault((p.layer, self._rank_one(p)), []).append(k)
        with np.errstate(all="ignore"):
            for (li, _), ks in groups.items():
                for start in range(0, len(ks), size):
                    idx = np.array(ks[start:start + size])
                    E[idx], z = self._nudged(li, [params[k] for k in idx], steps[idx])
                    moved[idx] = (np.abs(z - self.z) * self.weight).sum(axis=-1).mean(axis=-1)
        return E, np.nan_to_num(moved, nan=np.inf)

    def _nudged(self, li: int, params: list, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        base, spec = self.base, self.specs[li - 1]
        net = base.nets[li - 1]  # (B, n) of the parameter's layer
        if all(self._rank_one(p) for p in params):
            cols = np.array([p.to for p in params])
            feed = np.stack([base.outs[li - 1][:, p.source] if p.kind == "weight" else np.ones(net.shape[0])
                             for p in params])  # what each parameter multiplies, (K, B)
            moved_net = net[:, cols].T + steps[:, None] * feed
            moved_out = layer_output(spec, moved_net)
            if li == len(self.specs):
                nets = np.repeat(net[None], len(params), axis=0)
                outs = np.repeat(base.outs[li][None], len(params), axis=0)
                rows = np.arange(len(params))
                nets[rows, :, cols], outs[rows, :, cols] = moved_net, moved_out
                return self._loss(nets, outs)
            change = moved_out - base.outs[li][:, cols].T  # (K, B)
            above = base.W[li][:, cols].T  # the weights out of each moved neuron, (K, n_above)
            nets = base.nets[li][None] + change[:, :, None] * above[:, None, :]
            return self._loss(*self._up(li + 1, nets))
        nets = np.repeat(net[None], len(params), axis=0)
        for k, p in enumerate(params):
            if p.to is None:
                nets[k] += steps[k]
            else:
                nets[k][:, p.to] += steps[k] * (base.outs[li - 1][:, p.source] if p.kind == "weight" else 1.0)
        return self._loss(*self._up(li, nets))

    def _up(self, li: int, nets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """From layer ``li``'s net inputs (K, B, n) to the output layer's net and outputs."""
        out = layer_output(self.specs[li - 1], nets)
        for lj in range(li + 1, len(self.specs) + 1):
            W, b = self.base.W[lj - 1], self.base.b[lj - 1]
            nets = out @ W.T + (b if b.size else 0.0)
            out = layer_output(self.specs[lj - 1], nets)
        return nets, out

    def _loss(self, nets: np.ndarray, outs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        terms = self.base.terms(nets, outs)
        return terms.sum(axis=-1).mean(axis=-1), self.base.output_of(nets, outs)


def _differences(perturbed: Perturbed, params: list, h: np.ndarray, multiples: tuple[float, ...]):
    """D(m·h) for each multiple m, as (K,) arrays; and the rounding bound (K,) of any float64
    slope, from how far the first step moves z (each way from the unmoved z, so at least |dz/dp|)."""
    steps = np.concatenate([s * m * h for m in multiples for s in (1.0, -1.0)])
    E, moved = perturbed.losses(list(params) * (2 * len(multiples)), steps)
    K = len(params)
    D = [(E[2 * j * K:(2 * j + 1) * K] - E[(2 * j + 1) * K:(2 * j + 2) * K]) / (2 * m * h)
         for j, m in enumerate(multiples)]
    return D, (moved[:K] + moved[K:2 * K]) / (2 * multiples[0] * h)


def estimates(perturbed: Perturbed, params: list, rel: float) -> list[Estimate]:
    """A central difference for each parameter, with its bound; see the module's docstring."""
    params = list(params)
    x = np.array([perturbed.value(p) for p in params])
    h0 = BASE_STEP * np.maximum(1.0, np.abs(x))
    (D1, D2), rounding = _differences(perturbed, params, h0, (1.0, 2.0))
    eps = np.array([perturbed.loss_error(p) for p in params])
    bound = _finite(np.abs(D2 - D1) + 1.5 * eps / h0)
    best = [(D1[k], h0[k], False, bound[k]) for k in range(len(params))]
    again = [k for k in range(len(params)) if not bound[k] <= KEEP * rel * abs(D1[k])]
    if again:
        for k, found in zip(again, _refine(perturbed, [params[k] for k in again], h0[again], eps[again]),
                            strict=True):
            if found[3] < best[k][3]:
                best[k] = found
    return [Estimate(float(v), float(h), rich, float(err), float(r))
            for (v, h, rich, err), r in zip(best, rounding, strict=True)]


def _refine(perturbed: Perturbed, params: list, h0: np.ndarray, eps: np.ndarray) -> list[tuple]:
    """For each parameter the estimate with the smallest bound over the step ladder."""
    best: list[tuple] = [(np.nan, 0.0, False, np.inf)] * len(params)
    for scale in (1.0, *LADDER):
        h = h0 * scale
        D1, D2, D4 = _differences(perturbed, params, h, (1.0, 2.0, 4.0))[0]
        R1, R2 = (4 * D1 - D2) / 3, (4 * D2 - D4) / 3
        plain = _finite(np.abs(D2 - D1) + 1.5 * eps / h)
        extrapolated = _finite(np.abs(R2 - R1) + 2 * eps / h)
        for k in range(len(params)):
            for value, err, rich in ((D1[k], plain[k], False), (R1[k], extrapolated[k], True)):
                if err < best[k][3]:
                    best[k] = (value, h[k], rich, err)
    return best


def _finite(a: np.ndarray) -> np.ndarray:
    """nan (a step that overflowed the loss) counts as an unbounded error."""
    return np.nan_to_num(a, nan=np.inf)
