"""Activations, losses and their derivatives on exact decimals, for hand mode.

Hand mode rounds every intermediate value before it is used again; the numbers it then
uses are short decimals (0.5933, 0.0287), and everything computed from them is computed
here exactly: sums, differences and products of decimals exactly, quotients to
:data:`CONTEXT`'s 80 significant digits and the functions (e^x, ln, tanh, √) to 40, far
more than any rounding afterwards keeps.  So a value that lies exactly on a tie (−0.00015) rounds away
from zero, as by hand, and never the way binary noise happens to push it.

Arrays are numpy arrays of ``Decimal`` objects (dtype object); every function here expects
to run inside ``localcontext(CONTEXT)``.  The float forms, in :mod:`.functions`, are left as
they are: full precision never comes here.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_EVEN, Context, Decimal, localcontext
from fractions import Fraction

import numpy as np

CONTEXT = Context(prec=80, rounding=ROUND_HALF_EVEN, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])
"""The arithmetic of hand mode: 80 digits, no exception on overflow or 0/0 (they give ±inf, NaN)."""
_FUNCTIONS = Context(prec=40, rounding=ROUND_HALF_EVEN, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])

ZERO, ONE, TWO = Decimal(0), Decimal(1), Decimal(2)
TINY = Decimal(repr(float(np.finfo(float).tiny)))  # what the float engine divides by instead of 0
_HUGE = Decimal(10_000)  # e^±10000 is 0 or infinite at any precision hand mode keeps


def dec(x: float) -> Decimal:
    """A float as the shortest decimal that reads back as it: 0.15 is 0.15, not 0.1499999999999999944…"""
    return Decimal(repr(float(x)))


def dec_array(a: np.ndarray) -> np.ndarray:
    """A float array as an array of those decimals."""
    out = np.empty(np.shape(a), dtype=object)
    out.flat[:] = [dec(x) for x in np.ravel(a)]
    return out


def floats(a: np.ndarray) -> np.ndarray:
    """An array of decimals as floats, each the float nearest to its decimal."""
    return np.asarray(a, dtype=object).astype(float)


def elementwise(f):
    """``f`` on one decimal, made to take and give arrays of them."""
    vector = np.frompyfunc(f, 1, 1)

    def apply(a):
        out = vector(a)
        return out if isinstance(out, np.ndarray) else np.array(out, dtype=object)

    return apply


def exp(x: Decimal) -> Decimal:
    if x > _HUGE:
        return Decimal("Infinity")
    return ZERO if x < -_HUGE else _FUNCTIONS.exp(x)


def ln(x: Decimal) -> Decimal:
    return _FUNCTIONS.ln(x)


def sqrt(x: Decimal) -> Decimal:
    return _FUNCTIONS.sqrt(x)


def tanh(x: Decimal) -> Decimal:
    if abs(x) > 100:  # 1 − tanh is below 10^−86 there
        return ONE if x > 0 else -ONE
    if abs(x) < Decimal("1e-40"):  # tanh x = x − x³/3 + …: x to every digit kept
        return +x
    e2 = exp(2 * x)
    return (e2 - ONE) / (e2 + ONE)


def sigmoid(x: Decimal) -> Decimal:
    return ONE / (ONE + exp(-x))


def mean(a: np.ndarray, axis: int | None = None):
    """The mean of decimals, divided once: the sum over ``axis`` over the count."""
    count = a.shape[axis] if axis is not None else a.size
    return a.sum(axis=axis) / Decimal(count)


# ---------------------------------------------------------------- activations


def activation_value(name: str, net: np.ndarray, slope: Decimal) -> np.ndarray:
    """out = f(net) for a whole layer, (batch, neurons)."""
    if name == "sigmoid":
        return elementwise(sigmoid)(net)
    if name == "tanh":
        return elementwise(tanh)(net)
    if name == "relu":
        return elementwise(lambda x: x if x > 0 else ZERO)(net)
    if name == "leaky_relu":
        return elementwise(lambda x: x if x > 0 else slope * x)(net)
    if name == "softmax":
        return np.array([_softmax(row) for row in net], dtype=object).reshape(net.shape)
    return net.copy()  # identity


def _softmax(row: np.ndarray) -> list[Decimal]:
    top = max(row)
    z = [exp(v - top) for v in row]  # e^net_k / Σ e^net_j, each power divided by e^max
    total = sum(z, ZERO)
    return [v / total for v in z]


def activation_derivative(name: str, net: np.ndarray, out: np.ndarray, slope: Decimal) -> np.ndarray:
    """∂out/∂net elementwise; for softmax the diagonal of its Jacobian, out·(1 − out)."""
    if name in ("sigmoid", "softmax"):
        return out * (ONE - out)
    if name == "tanh":
        return ONE - out * out
    if name == "relu":
        return elementwise(lambda x: ONE if x > 0 else ZERO)(net)
    if name == "leaky_relu":
        return elementwise(lambda x: ONE if x > 0 else slope)(net)
    return elementwise(lambda x: ONE)(net)  # identity


def softmax_delta(out: np.ndarray, dE_dout: np.ndarray) -> np.ndarray:
    """δ_k = out_k·(∂E/∂out_k − Σ_j ∂E/∂out_j·out_j), exactly."""
    inner = (dE_dout * out).sum(axis=-1, keepdims=True)
    return out * (dE_dout - inner)


# ---------------------------------------------------------------- losses


def loss_terms(name: str, t: np.ndarray, out: np.ndarray, net: np.ndarray, fused: bool) -> np.ndarray:
    """Each output's E_k from the target and the (rounded) output, as the error lines show it.

    Where that needs ln 0 and the loss is fused with the output activation, the term is
    taken from the net input instead, as the float engine does.
    """
    n = Decimal(t.shape[-1])
    if name == "half_sse":
        return (t - out) ** 2 / TWO
    if name == "sse":
        return (t - out) ** 2
    if name == "mse":
        return (t - out) ** 2 / n
    terms = np.empty(t.shape, dtype=object)
    for s in range(t.shape[0]):
        for k in range(t.shape[1]):
            terms[s, k] = _log_term(name, t[s, k], out[s, k], net[s] if fused else None, k)
    return terms


def _xlny(x: Decimal, y: Decimal) -> Decimal:
    """x·ln y with 0·ln 0 = 0."""
    return ZERO if x == 0 else x * ln(y) if y > 0 else (-x * Decimal("Infinity") if y == 0 else Decimal("NaN"))


def _log_term(name: str, t: Decimal, o: Decimal, net_row, k: int) -> Decimal:
    if name == "cross_entropy":
        if t != 0 and o <= 0 and net_row is not None:
            top = max(net_row)
            log_sum = ln(sum((exp(v - top) for v in net_row), ZERO)) + top
            return -t * (net_row[k] - log_sum)
        return -_xlny(t, o)
    if (t != 0 and o <= 0) or (t != 1 and o >= 1):  # binary cross-entropy meeting ln 0
        if net_row is not None:
            x = net_row[k]
            return max(x, ZERO) - t * x + ln(ONE + exp(-abs(x)))
    return -(_xlny(t, o) + _xlny(ONE - t, ONE - o))


def loss_derivative(name: str, t: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """∂E_total/∂out_k, and where it divided by a rounded output that was 0 (a boolean array)."""
    zero = np.zeros(t.shape, dtype=bool)
    if name == "half_sse":
        return -(t - out), zero
    if name == "sse":
        return -TWO * (t - out), zero
    if name == "mse":
        return -TWO * (t - out) / Decimal(t.shape[-1]), zero
    d = np.empty(t.shape, dtype=object)
    for idx in np.ndindex(t.shape):
        ti, o = t[idx], out[idx]
        if name == "cross_entropy":
            if ti == 0:
                d[idx] = ZERO
            else:
                zero[idx] = o == 0
                d[idx] = -ti / (o if o != 0 else TINY)
        else:
            den = o * (ONE - o)
            zero[idx] = den == 0
            d[idx] = (o - ti) / max(den, TINY)
    return d, zero


# ---------------------------------------------------------------- exact fractions, for checking lines


def exact_function(name: str, *args: Fraction) -> Fraction:
    """e^x (``exp``), ``ln``, ``tanh``, ``sqrt`` or ``max`` of exact arguments, to 40 digits, as a fraction.

    Raises ValueError where the function is undefined (ln 0, √ of a negative number) and
    OverflowError for e^x past any number shown.
    """
    if name == "max":
        return max(args)
    (x,) = args
    if name == "exp" and x > _HUGE:
        raise OverflowError("e^x beyond any number shown")
    if (name == "ln" and x <= 0) or (name == "sqrt" and x < 0):
        raise ValueError(f"{name} of {float(x):g} is undefined")
    f = {"exp": exp, "ln": ln, "tanh": tanh, "sqrt": sqrt}[name]
    with localcontext(CONTEXT):
        return Fraction(f(Decimal(x.numerator) / Decimal(x.denominator)))
