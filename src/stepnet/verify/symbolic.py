"""sympy's derivative of the loss with respect to one parameter, in many-digit arithmetic.

Writing the whole loss as one expression with every parameter a symbol grows without
bound with depth and width.  Here only the asked parameter p varies: sympy differentiates
each activation and loss term (their sympy forms, not the engine's numeric derivatives),
and each layer's values and slopes with respect to p are carried up the network as
numbers, forward mode:

    net_j = Σ_i w_ji·a_i + b_j        dnet_j/dp = Σ_i w_ji·da_i/dp  (+ a_i or 1 where p sits)
    out_j = f(net_j)                   dout_j/dp = f'(net_j)·dnet_j/dp      (sympy's f')
    E = mean over the batch of Σ_k ℓ(t_k, out_k)      dE/dp = mean of Σ_k ℓ'(t_k, out_k)·dout_k/dp

None of it runs backwards, so it shares nothing with the engine's chain rule.  Every
number is an mpmath float of 30 significant digits, then 45; when the two differ (a
sigmoid so saturated that 1 − out cancels, a loss so small that out − target does) the
digits are doubled until two runs agree, relative to the slope or, for a slope that
cancels to 0, to the terms it is the sum of.  The work is counted first, and a network too
large for the budget is not started.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ..engine.functions import ACTIVATIONS, LOSSES

BUDGET = 150_000  # multiplications of many-digit numbers in one pass: about half a second
DIGITS = (30, 45, 90, 180, 360)
SETTLED = 1e-20  # two passes this close (relative) have settled
RETRIES = 4  # passes at more digits stop when the work of all of them passes this many budgets


@dataclasses.dataclass(frozen=True)
class SymbolicSlope:
    """dE/dp from many-digit forward mode, or why it was not computed."""

    value: float | None
    slope_z: np.ndarray | None = None  # dz/dp per sample and output, z the output layer's net (fused) or out
    skipped: str = ""


def work(config, it, p) -> int:
    """Many-digit multiplications one pass for ``p`` takes: every layer's values, then p's slopes."""
    sizes = [layer.size for layer in config.layers]
    values = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
    slopes = sum(a * b for a, b in zip(sizes[p.layer:], sizes[p.layer + 1:], strict=False)) + sizes[p.layer]
    return it.batch_size * (values + slopes)


def slope(config, it, p, scale: float = 0.0) -> SymbolicSlope:
    """dE/dp at the iteration's parameters, or a reason it was skipped.

    ``scale`` is the size of the terms dE/dp is a sum of (see
    :meth:`~stepnet.verify.noise.Forward.gross_slope`): a slope that cancels to 0 settles
    when two passes agree to SETTLED times it.
    """
    cost = work(config, it, p)
    if cost > BUDGET:
        return SymbolicSlope(None, skipped=f"one pass would take {cost:,} multiplications of {DIGITS[0]}-digit "
                                           f"numbers, more than the {BUDGET:,} it is given")
    import mpmath

    problem = _problem(config, it)
    previous, spent, last = None, 0.0, DIGITS[0]
    for digits in DIGITS:
        spent += cost * digits / DIGITS[0]  # longer numbers take longer
        if spent > RETRIES * BUDGET:
            return SymbolicSlope(None, skipped=f"its value had not settled at {last} digits within the budget")
        with mpmath.workdps(digits):
            value, dz = _forward_mode(problem, p, digits)
        if previous is not None and _close(previous, value, scale, mpmath):
            return SymbolicSlope(float(value), np.array([[float(v) for v in row] for row in dz]))
        previous, last = value, digits
    return SymbolicSlope(None, skipped=f"its value had not settled at {DIGITS[-1]} digits")


def _close(a, b, scale: float, mpmath) -> bool:
    if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
        return False
    return abs(a - b) <= SETTLED * max(abs(a), abs(b), scale) or a == b


# ---------------------------------------------------------------- the rules sympy derives


@functools.lru_cache(maxsize=None)
def _activation_rule(name: str, slope_: float):
    """f and f' of an elementwise activation, as mpmath functions of one number."""
    import sympy as sp

    z = sp.Symbol("z")
    f = ACTIVATIONS[name].sympy(sp, z, slope_)
    return sp.lambdify(z, f, "mpmath"), sp.lambdify(z, sp.diff(f, z), "mpmath")


@functools.lru_cache(maxsize=None)
def _softmax_rule():
    """d/dp of e^(a)/S, and of e^(a), with a and S functions of p: sympy's quotient rule."""
    import sympy as sp

    t = sp.Symbol("t")
    a, S = sp.Function("a")(t), sp.Function("S")(t)
    va, da, vS, dS = sp.symbols("va da vS dS")

    def numbers(expr):
        return expr.subs({sp.Derivative(a, t): da, sp.Derivative(S, t): dS}).subs({a: va, S: vS})

    share = numbers(sp.diff(sp.exp(a) / S, t))
    term = numbers(sp.diff(sp.exp(a), t))
    return sp.lambdify((va, da, vS, dS), share, "mpmath"), sp.lambdify((va, da), term, "mpmath")


@functools.lru_cache(maxsize=None)
def _loss_rule(name: str, n: int):
    """ℓ'(t, o), the slope of one loss term in its output."""
    import sympy as sp

    t, o = sp.symbols("t o")
    return sp.lambdify((t, o), sp.diff(LOSSES[name].sympy_term(sp, t, o, n), o), "mpmath")


# ---------------------------------------------------------------- the values, once per iteration


@dataclasses.dataclass(frozen=True)
class _Problem:
    """An iteration as the loss sees it, compared by content so its values are computed once."""

    key: tuple
    config: object = dataclasses.field(compare=False)
    it: object = dataclasses.field(compare=False)


def _problem(config, it) -> _Problem:
    arrays = tuple(a.tobytes() for lt in it.layers for a in (lt.W, lt.b))
    key = (config.loss, config.layers, it.X.shape, it.X.tobytes(), it.T.tobytes(), arrays)
    return _Problem(key, config, it)


@functools.lru_cache(maxsize=8)
def _values(problem: _Problem, digits: int) -> tuple[list, list]:
    """The weights, and per sample and layer (net inputs, outputs), as many-digit numbers."""
    import mpmath

    config, it = problem.config, problem.it
    with mpmath.workdps(digits):
        weights = [[[mpmath.mpf(w) for w in row] for row in lt.W.tolist()] for lt in it.layers]
        biases = [[mpmath.mpf(b) for b in lt.b.tolist()] for lt in it.layers]
        samples = []
        for x in it.X.tolist():
            a = [mpmath.mpf(v) for v in x]
            layers = [(None, a)]
            for spec, W, b in zip(config.layers[1:], weights, biases, strict=True):
                nets = [mpmath.fdot(row, a) for row in W]
                if b:
                    nets = [n + (b[0] if spec.bias == "shared" else b[j]) for j, n in enumerate(nets)]
                a = _activate(spec, nets, mpmath)
                layers.append((nets, a))
            samples.append(layers)
        return weights, samples


def _activate(spec, nets: list, mpmath) -> list:
    if spec.activation == "softmax":
        exps = [mpmath.exp(n) for n in nets]
        total = mpmath.fsum(exps)
        return [e / total for e in exps]
    f = _activation_rule(spec.activation, spec.slope)[0]
    return [f(n) for n in nets]


# ---------------------------------------------------------------- forward mode for one parameter


def _forward_mode(problem: _Problem, p, digits: int):
    """dE/dp and, per sample, dz/dp at the output layer."""
    import mpmath

    config, it = problem.config, problem.it
    loss_slope = _loss_rule(config.loss, config.layers[-1].size)
    fused = LOSSES[config.loss].fused_with == config.layers[-1].activation
    weights, samples = _values(problem, digits)
    total, dz_all = mpmath.mpf(0), []
    for values, targets in zip(samples, it.T.tolist(), strict=True):
        d_net = _seed(p, config.layers[p.layer], values[p.layer - 1][1])
        d_out = _slope_out(config.layers[p.layer], values[p.layer][0], d_net, mpmath)
        for li in range(p.layer + 1, len(config.layers)):
            d_net = _carry(weights[li - 1], d_out, mpmath)
            d_out = _slope_out(config.layers[li], values[li][0], d_net, mpmath)
        outs = values[-1][1]
        total += mpmath.fsum(loss_slope(mpmath.mpf(targets[k]), outs[k]) * d for k, d in d_out.items() if d)
        dz = d_net if fused else d_out
        dz_all.append([dz.get(k, 0) for k in range(len(outs))])
    return total / it.batch_size, dz_all


def _seed(p, spec, inputs: list) -> dict:
    """dnet/dp in p's own layer: the input p multiplies, or 1 for a bias, in the neurons it feeds."""
    if p.kind == "weight":
        return {p.to: inputs[p.source]}
    if p.to is None:
        return dict.fromkeys(range(spec.size), 1)
    return {p.to: 1}


def _carry(W: list, d_out: dict, mpmath) -> dict:
    """dnet/dp of the layer above: Σ_j w_kj·dout_j/dp over the neurons that moved."""
    moved = [j for j, d in d_out.items() if d]
    if not moved:
        return {}
    slopes = [d_out[j] for j in moved]
    if len(moved) == len(W[0]):
        return {k: mpmath.fdot(row, slopes) for k, row in enumerate(W)}
    return {k: mpmath.fdot([row[j] for j in moved], slopes) for k, row in enumerate(W)}


def _slope_out(spec, nets: list, d_net: dict, mpmath) -> dict:
    """dout/dp from dnet/dp through the activation, by the rules sympy derived."""
    if spec.activation != "softmax":
        f_prime = _activation_rule(spec.activation, spec.slope)[1]
        return {j: f_prime(nets[j]) * d for j, d in d_net.items()}
    share, term = _softmax_rule()
    total = mpmath.fsum(mpmath.exp(n) for n in nets)
    d_total = mpmath.fsum(term(nets[j], d) for j, d in d_net.items())
    return {k: share(nets[k], d_net.get(k, 0), total, d_total) for k in range(len(nets))}
