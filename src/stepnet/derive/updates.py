"""The updates' lines: one class per optimizer, from a parameter's gradient to its new value.

:data:`UPDATE_LINES` finds the class for a config's ``optimizer.name``; each writes the
rule its optimizer applies, with the state the trace recorded before and after the step.
"""

from __future__ import annotations

from decimal import localcontext

from ..engine import decimal_math as dm
from ..engine.exact import adam_correction
from ..engine.rounding import decimal_rounder
from .derivation import Line
from .expr import Add, Div, Expr, Func, Mul, Num, Paren, Partial, Pow, Sub, Sym
from .index import Param
from .phase import Phase


class UpdateLines(Phase):
    """A parameter's update: its optimizer's lines, or the note that it is not trained."""

    def update_lines(self, p: Param) -> list[Line]:
        if self.frozen(p):
            return [self.line(self.names.param(p, updated=True), [self.param(p)], self.param(p, updated=True).value,
                              "not trained (train_biases: false): the gradient is computed but not applied")]
        g = Partial(self.E(None), self.names.param(p), self.gradient_value(p))
        eta = self.names.constant("eta").with_value(self.config.learning_rate)
        return self.step_lines(p, g, eta)

    def frozen(self, p: Param) -> bool:
        return p.kind == "bias" and not self.config.train_biases

    def step_value(self, p: Param) -> float:
        """The change the optimizer makes to p as its lines compute it (−η·g for gradient descent),
        rounded in hand mode; 0 for a parameter that is not trained."""
        if self.frozen(p):
            return 0.0
        return self.step_of(p)

    def step_of(self, p: Param) -> float:
        raise NotImplementedError

    def _hand(self, compute) -> float:
        """``compute()`` in hand mode's exact decimals, rounded to the carry."""
        with localcontext(dm.CONTEXT):
            return float(decimal_rounder(self.it.carry)(compute()))

    def step_lines(self, p: Param, g: Partial, eta: Sym) -> list[Line]:
        """The optimizer's lines, given the gradient g and the learning rate eta with their values."""
        raise NotImplementedError

    def _new_value(self, p: Param, form: Expr, note: str = "") -> Line:
        return self.line(self.names.param(p, updated=True), [form], self.param(p, updated=True).value, note)

    def _state(self, key: str, p: Param, updated: bool = False) -> Sym:
        """The optimizer's state of p, as the trace recorded it before or after the step."""
        lt = self.it.layer(p.layer)
        arrays = (lt.state_after if updated else lt.state_before)[key][0 if p.kind == "weight" else 1]
        return self.names.state(key, p, updated=updated).with_value(float(arrays[p.index]))


class SgdLines(UpdateLines):
    """p⁺ = p − η·∂E/∂p."""

    def step_lines(self, p: Param, g: Partial, eta: Sym) -> list[Line]:
        return [self._new_value(p, Sub(self.param(p), Mul(eta, g)))]

    def step_of(self, p: Param) -> float:
        g, lr = self.gradient_value(p), self.config.learning_rate
        if self.it.carry is None:
            return -lr * g
        return self._hand(lambda: -dm.dec(lr) * dm.dec(g))


class MomentumLines(UpdateLines):
    """v⁺ = μ·v − η·∂E/∂p, then p⁺ = p + v⁺."""

    def step_lines(self, p: Param, g: Partial, eta: Sym) -> list[Line]:
        mu = self.names.constant("mu").with_value(self.config.optimizer.momentum)
        v_new = self._state("v", p, updated=True)
        return [
            self.line(self.names.state("v", p, updated=True), [Sub(Mul(mu, self._state("v", p)), Mul(eta, g))],
                      v_new.value, "momentum: the velocity keeps a share μ of the last step"),
            self._new_value(p, Add(self.param(p), v_new)),
        ]

    def step_of(self, p: Param) -> float:
        return self._state("v", p, updated=True).value  # the velocity is the step


class AdamLines(UpdateLines):
    """Both moments, their bias correction at step t, then p⁺ = p − η·m̂/(√v̂ + ε)."""

    def step_lines(self, p: Param, g: Partial, eta: Sym) -> list[Line]:
        opt = self.config.optimizer
        b1 = self.names.constant("beta1").with_value(opt.beta1)
        b2 = self.names.constant("beta2").with_value(opt.beta2)
        eps = self.names.constant("epsilon").with_value(opt.epsilon)
        m_new, v_new = self._state("m", p, updated=True), self._state("v", p, updated=True)
        m_hat, v_hat = self._corrected("m", p, m_new, opt.beta1), self._corrected("v", p, v_new, opt.beta2)
        return [
            self.line(self.names.state("m", p, updated=True),
                      [Add(Mul(b1, self._state("m", p)), Mul(Paren(Sub(Num(1), b1)), g))], m_new.value,
                      "adam: first moment, a running mean of the gradient"),
            self.line(self.names.state("v", p, updated=True),
                      [Add(Mul(b2, self._state("v", p)), Mul(Paren(Sub(Num(1), b2)), Pow(g, Num(2))))], v_new.value,
                      "second moment, a running mean of the squared gradient"),
            self._correction_line("m", p, m_new, m_hat, b1, f"bias correction at step t = {self.it.t}"),
            self._correction_line("v", p, v_new, v_hat, b2),
            self._new_value(p, Sub(self.param(p), Mul(eta, Div(m_hat, Paren(Add(Func("sqrt", v_hat), eps))))),
                            "ε is added after the square root"),
        ]

    def step_of(self, p: Param) -> float:
        opt = self.config.optimizer
        m_hat = self._corrected("m", p, self._state("m", p, updated=True), opt.beta1).value
        v_hat = self._corrected("v", p, self._state("v", p, updated=True), opt.beta2).value
        lr, eps = self.config.learning_rate, opt.epsilon
        if self.it.carry is None:
            return -lr * m_hat / (v_hat**0.5 + eps)
        return self._hand(lambda: -dm.dec(lr) * dm.dec(m_hat) / (dm.sqrt(dm.dec(v_hat)) + dm.dec(eps)))

    def _corrected(self, key: str, p: Param, moment: Sym, beta: float) -> Sym:
        """m̂ or v̂: the moment divided by 1 − βᵗ, in hand mode exactly as the engine did and rounded."""
        if self.it.carry is None:
            value = moment.value / (1 - beta**self.it.t)
        else:
            value = self._hand(lambda: dm.dec(moment.value) / adam_correction(beta, self.it.t))
        return self.names.state(key, p, hat=True).with_value(value)

    def _correction_line(self, key: str, p: Param, moment: Sym, hat: Sym, beta: Sym, note: str = "") -> Line:
        t = self.names.constant("t").with_value(self.it.t)
        return self.line(self.names.state(key, p, hat=True), [Div(moment, Paren(Sub(Num(1), Pow(beta, t))))],
                         hat.value, note)


UPDATE_LINES: dict[str, type[UpdateLines]] = {"sgd": SgdLines, "momentum": MomentumLines, "adam": AdamLines}
"""The update lines for each name a config's ``optimizer.name`` may give."""
