"""The matrix view's updates: W⁺ = W − η ∂C/∂W, and the forms of momentum and adam.

Each optimizer writes the rule its scalar lines write (:mod:`.updates`), for a whole weight
matrix or bias vector at once, with the state the trace recorded before and after the step.
"""

from __future__ import annotations

from decimal import localcontext

import numpy as np

from ..engine import decimal_math as dm
from ..engine.exact import adam_correction
from ..engine.rounding import decimal_rounder
from .expr import Add, Div, Expr, Func, Mul, Num, Paren, Pow, Sub, Sym
from .matrix import MatrixLines
from .matrix_expr import Grid, Hadamard, MatSym
from .matrix_symbols import biases, gradient, state, updated, weights
from .report_model import MatrixLine


class _Target:
    """One matrix an update changes: the weights or the biases of a layer, with its numbers."""

    def __init__(self, m: MatrixLines, li: int, kind: str) -> None:
        lt, names = m.it.layer(li), m.names
        self.m, self.li, self.kind = m, li, kind
        self.index = 0 if kind == "weight" else 1
        if kind == "weight":
            grid = m.matrix
            self.sym = weights(names, li, grid(li, lt.W))
            self.after, g = grid(li, lt.W_after), grid(li, lt.gW)
        else:
            shared = m.config.layers[li].bias == "shared"
            rows = [0] if shared else m.shown(li)[0]

            def grid(_li, values):
                return Grid(np.asarray(values).reshape(-1, 1), rows, [0])

            shared_sym = names.param(names.bias(li, None)) if shared else None
            self.sym = biases(names, li, grid(li, lt.b)) if not shared else MatSym(
                shared_sym.key, shared_sym.unicode, shared_sym.ascii, shared_sym.latex, grid=grid(li, lt.b))
            self.after, g = grid(li, lt.b_after), grid(li, lt.gb)
        self.grid = grid
        self.gradient = gradient(names, self.sym, g)
        self.new = updated(self.sym, self.after)

    def state(self, key: str, after: bool = False, hat: bool = False, values=None) -> MatSym:
        lt = self.m.it.layer(self.li)
        if values is None:
            values = (lt.state_after if after else lt.state_before)[key][self.index]
        return state(self.m.names, key, self.sym, updated=after, hat=hat, grid=self.grid(self.li, values))

    def link(self) -> tuple:
        names = self.m.names
        if self.kind == "weight":
            return self.m.weight_link(self.new, self.li, lambda p: names.param(p, updated=True))
        if self.m.config.layers[self.li].bias == "shared":
            return ("its one entry is ", names.param(names.bias(self.li, None), updated=True))
        size = self.m.config.layers[self.li].size
        return self.m.link(self.new, lambda r, c: (names.param(names.bias(self.li, r), updated=True),), size, 1)

    def line(self, lhs: Expr, form: Expr, value: Grid, note: str = "", numeric: bool = True, links=()) -> MatrixLine:
        return MatrixLine(lhs, [form], [form.numeric()] if numeric else [], value, note, list(links))

    def new_value(self, form: Expr, note: str = "", numeric: bool = True) -> MatrixLine:
        return self.line(self.new, form, self.after, note, numeric, [self.link()])


def update_lines(m: MatrixLines, li: int) -> list[MatrixLine]:
    """The updates of layer ``li``'s weights, then of its biases."""
    lines = []
    kinds = ["weight"] + (["bias"] if m.names.bias(li, 0) is not None else [])
    for kind in kinds:
        target = _Target(m, li, kind)
        if kind == "bias" and not m.config.train_biases:
            lines.append(target.new_value(target.sym, "not trained (train_biases: false): the gradient is "
                                                      "computed but not applied", numeric=False))
            continue
        eta = m.names.constant("eta").with_value(m.config.learning_rate)
        lines += _OPTIMIZERS[m.config.optimizer.name](m, target, eta)
    return lines


def _sgd(m: MatrixLines, t: _Target, eta: Sym) -> list[MatrixLine]:
    return [t.new_value(Sub(t.sym, Mul(eta, t.gradient)))]


def _momentum(m: MatrixLines, t: _Target, eta: Sym) -> list[MatrixLine]:
    mu = m.names.constant("mu").with_value(m.config.optimizer.momentum)
    v_new = t.state("v", after=True)
    return [
        t.line(v_new, Sub(Mul(mu, t.state("v")), Mul(eta, t.gradient)), v_new.grid,
               "momentum: the velocity keeps a share μ of the last step"),
        t.new_value(Add(t.sym, v_new)),
    ]


def _adam(m: MatrixLines, t: _Target, eta: Sym) -> list[MatrixLine]:
    opt = m.config.optimizer
    b1 = m.names.constant("beta1").with_value(opt.beta1)
    b2 = m.names.constant("beta2").with_value(opt.beta2)
    eps = m.names.constant("epsilon").with_value(opt.epsilon)
    step = m.names.constant("t").with_value(m.it.t)
    m_new, v_new = t.state("m", after=True), t.state("v", after=True)
    m_hat, v_hat = _corrected(m, t, "m", opt.beta1), _corrected(m, t, "v", opt.beta2)
    g = t.gradient
    return [
        t.line(m_new, Add(Mul(b1, t.state("m")), Mul(Paren(Sub(Num(1), b1)), g)), m_new.grid,
               "adam: first moment, a running mean of the gradient"),
        t.line(v_new, Add(Mul(b2, t.state("v")), Mul(Paren(Sub(Num(1), b2)), Hadamard(g, g))), v_new.grid,
               "second moment, a running mean of the gradient squared entry by entry"),
        t.line(m_hat, Div(m_new, Paren(Sub(Num(1), Pow(b1, step)))), m_hat.grid,
               f"bias correction at step t = {m.it.t}", numeric=False),
        t.line(v_hat, Div(v_new, Paren(Sub(Num(1), Pow(b2, step)))), v_hat.grid, numeric=False),
        t.new_value(Sub(t.sym, Mul(eta, Div(m_hat, Paren(Add(Func("sqrt", v_hat), eps))))),
                    "the square root and the division are taken entry by entry; ε is added after the root",
                    numeric=False),
    ]


def _corrected(m: MatrixLines, t: _Target, key: str, beta: float) -> MatSym:
    """m̂ or v̂ of the whole matrix: the moment divided by 1 − βᵗ; in hand mode computed in exact
    decimals and rounded to the carry, as the engine and the scalar lines compute it."""
    lt = m.it.layer(t.li)
    moment = np.asarray(lt.state_after[key][t.index], dtype=float)
    if m.it.carry is None:
        values = moment / (1 - beta ** m.it.t)
    else:
        rounded = decimal_rounder(m.it.carry)
        with localcontext(dm.CONTEXT):
            correction = adam_correction(beta, m.it.t)
            values = np.vectorize(lambda x: float(rounded(dm.dec(x) / correction)), otypes=[float])(moment)
    return t.state(key, hat=True, values=values)


_OPTIMIZERS = {"sgd": _sgd, "momentum": _momentum, "adam": _adam}
