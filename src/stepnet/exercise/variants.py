"""The variants of an exercise: the config's structure with fresh, "nice" numbers, drawn reproducibly.

Variant K of seed S is drawn from its own generator, seeded with the text ``S:K``, so it is the
same whether 3 or 30 variants are drawn.  Weights, biases and inputs are two-decimal numbers in
[−1, 1], never 0; targets are two-decimal numbers in [0.01, 0.99], or one-hot (softmax with
cross-entropy) and 0/1 (binary cross-entropy) for a classifier.  A draw is thrown away and drawn
again when its exercise would be a poor one (see :func:`flaw`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .ask import parse_ask

if TYPE_CHECKING:
    from ..api import Run
    from ..config.model import NetworkConfig
    from ..derive.quantities import Quantity

SHOWN_DECIMALS = 4  # answers are asked to this many decimals, unless the exercise carries --carry N
TIE_DECIMALS = 6  # no asked value may sit on a rounding tie at this many decimals (nor at the asked ones)
TIE_TOLERANCE = 1e-12
SATURATED = 0.01  # an output this close to where its activation flattens makes a poor exercise
ATTEMPTS = 1000  # draws tried for one variant before giving up
MAX_VARIANTS = 500


@dataclass
class Exercise:
    """One variant: its config (as a mapping and loaded), the asked quantities and its worked run."""

    variant: int
    mapping: dict[str, Any]
    run: Run
    asked: list[Quantity]
    carry: int | None

    @property
    def decimals(self) -> int:
        """How many decimals each answer is asked to."""
        return SHOWN_DECIMALS if self.carry is None else self.carry

    def value(self, q: Quantity) -> float:
        from ..derive.quantities import value

        return value(q, self.run.traced(1))


def exercises(cfg: NetworkConfig, ask: str | None, variants: int | None, seed: int,
              carry: int | None = None) -> list[Exercise]:
    """The exercises: the config's own numbers when ``variants`` is None, else that many fresh draws."""
    from ..api import run

    base = run(cfg, iterations=1, carry=carry)
    if variants is None:
        mapping = config_mapping(cfg, base)
        return [_exercise(1, mapping, ask, carry)]
    if not 1 <= variants <= MAX_VARIANTS:
        raise ValueError(f"variants must lie in 1..{MAX_VARIANTS}")
    return [draw(cfg, base, ask, seed, k, carry) for k in range(1, variants + 1)]


def _exercise(k: int, mapping: dict[str, Any], ask: str | None, carry: int | None) -> Exercise:
    from ..api import run

    result = run(mapping, iterations=1, carry=carry)
    asked = parse_ask(ask, result.names, result.traced(1).batch_size)
    return Exercise(k, mapping, result, asked, carry)


def draw(cfg: NetworkConfig, base: Run, ask: str | None, seed: int, k: int, carry: int | None) -> Exercise:
    """Variant ``k`` of ``seed``: the first draw with no :func:`flaw`."""
    rng = random.Random(f"{seed}:{k}")
    reasons: dict[str, int] = {}
    for _ in range(ATTEMPTS):
        ex = _exercise(k, drawn_mapping(cfg, base, rng, k), ask, carry)
        reason = flaw(ex)
        if reason is None:
            return ex
        reasons[reason] = reasons.get(reason, 0) + 1
    common = max(reasons, key=reasons.get)
    raise ConfigError(f"no usable variant {k} in {ATTEMPTS} draws: the most common fault was {common}",
                      file=cfg.source, hint="ask for fewer quantities (--ask), give --carry with more decimals, "
                      "or try another --seed")


# ---------------------------------------------------------------- the config as a mapping


def config_mapping(cfg: NetworkConfig, result: Run) -> dict[str, Any]:
    """``cfg`` as a mapping :func:`stepnet.api.load` reads, its starting weights written out (no claims)."""
    W, b = result.trace.initial
    weights = {layer.name: W[li - 1].tolist() for li, layer in enumerate(cfg.layers) if li}
    biases = {}
    for li, layer in enumerate(cfg.layers):
        if li and layer.bias != "none":
            values = b[li - 1].tolist()
            biases[layer.name] = values[0] if layer.bias == "shared" else values
    data = [{"inputs": list(s.inputs), "targets": list(s.targets)} for s in cfg.data]
    return _mapping(cfg, weights, biases, data)


def _mapping(cfg: NetworkConfig, weights: dict, biases: dict, data: list) -> dict[str, Any]:
    out: dict[str, Any] = {"name": cfg.name}
    if cfg.description:
        out["description"] = cfg.description
    n = cfg.notation
    out["notation"] = {"style": n.style, "numbering": n.numbering, "index_order": n.index_order}
    if n.symbols:
        out["notation"]["symbols"] = dict(n.symbols)
    out["layers"] = [_layer(layer, i) for i, layer in enumerate(cfg.layers)]
    out["weights"], out["biases"] = weights, biases
    out["train_biases"] = cfg.train_biases
    out["loss"], out["learning_rate"] = cfg.loss, cfg.learning_rate
    out["optimizer"] = _optimizer(cfg)
    if cfg.batch_size is not None:
        out["batch_size"] = cfg.batch_size
    if cfg.shuffle_seed is not None:
        out["shuffle"] = {"seed": cfg.shuffle_seed}
    if cfg.hidden_deltas_use != "current_weights":
        out["hidden_deltas_use"] = cfg.hidden_deltas_use
    out["iterations"] = 1
    out["data"] = data
    return out


def _layer(layer, index: int) -> dict[str, Any]:
    out: dict[str, Any] = {"name": layer.name, "size": layer.size}
    if index:
        out["activation"], out["bias"] = layer.activation, layer.bias
        if layer.activation == "leaky_relu":
            out["slope"] = layer.slope
    return out


def _optimizer(cfg: NetworkConfig) -> dict[str, Any]:
    o = cfg.optimizer
    if o.name == "momentum":
        return {"name": "momentum", "momentum": o.momentum}
    if o.name == "adam":
        return {"name": "adam", "beta1": o.beta1, "beta2": o.beta2, "epsilon": o.epsilon}
    return {"name": o.name}


# ---------------------------------------------------------------- drawing


def nice(rng: random.Random, low: int = -100, high: int = 100) -> float:
    """A two-decimal number in [low/100, high/100], never 0."""
    while True:
        k = rng.randint(low, high)
        if k:
            return k / 100


def drawn_mapping(cfg: NetworkConfig, base: Run, rng: random.Random, k: int) -> dict[str, Any]:
    """``cfg``'s structure with fresh numbers for every weight, bias, input and target."""
    weights, biases = {}, {}
    for li, layer in enumerate(cfg.layers):
        if not li:
            continue
        below = cfg.layers[li - 1].size
        weights[layer.name] = [[nice(rng) for _ in range(below)] for _ in range(layer.size)]
        if layer.bias == "shared":
            biases[layer.name] = nice(rng)
        elif layer.bias == "per_neuron":
            biases[layer.name] = [nice(rng) for _ in range(layer.size)]
    inputs, outputs = cfg.layers[0].size, cfg.layers[-1].size
    data = [{"inputs": [nice(rng) for _ in range(inputs)], "targets": _targets(cfg, rng, outputs)}
            for _ in cfg.data]
    out = _mapping(cfg, weights, biases, data)
    out["name"] = f"{cfg.name}, variant {k}"
    out.pop("description", None)  # it may speak of the config's own numbers
    return out


def _targets(cfg: NetworkConfig, rng: random.Random, outputs: int) -> list[float]:
    if cfg.loss == "cross_entropy":
        hot = rng.randrange(outputs)
        return [1 if j == hot else 0 for j in range(outputs)]
    if cfg.loss == "binary_cross_entropy":
        return [rng.randint(0, 1) for _ in range(outputs)]
    return [nice(rng, 1, 99) for _ in range(outputs)]


# ---------------------------------------------------------------- what makes a poor exercise


def flaw(ex: Exercise) -> str | None:
    """Why this exercise is a poor one, or None: a saturated unit, an asked gradient or δ that rounds
    to 0, an asked update that leaves its parameter as it was when rounded, an answer that equals a
    given number when rounded (it could be copied off the worksheet), or an asked value on a rounding
    tie at the asked decimals or at 6."""
    it = ex.run.traced(1)
    for li, layer in enumerate(ex.run.config.layers):
        if li and saturated(layer.activation, it.layer(li).out):
            return "a saturated unit"
    places = ex.decimals
    givens = {rounded(v, places) for v in _givens(ex)}
    for q in ex.asked:
        v = ex.value(q)
        if v != 0 and rounded(v, places) in givens:  # an exact 0 (E_o of a 0 target) is copied from nothing
            return "an answer equal to a given number"
        if q.kind in ("grad", "delta") and rounded(v, places) == 0:
            return "a gradient that rounds to 0"
        if q.kind == "param+" and rounded(v, places) == rounded(q.param.of(it.layer(q.layer)), places):
            return "an update too small to show"
        if any(on_tie(v, p) for p in {places, TIE_DECIMALS}):
            return "a value on a rounding tie"
    return None


def _givens(ex: Exercise) -> list[float]:
    """Every number a worksheet shows: η, the batch's inputs and targets, the parameters before the update."""
    it = ex.run.traced(1)
    values = [ex.run.config.learning_rate, *it.X.ravel().tolist(), *it.T.ravel().tolist()]
    return values + [p.of(it.layer(p.layer)) for p in ex.run.names.params]


def saturated(activation: str, out) -> bool:
    """Whether any output of a layer sits where its activation is flat (or, for relu, dead)."""
    import numpy as np

    if activation in ("sigmoid", "softmax"):
        return bool(np.any((out < SATURATED) | (out > 1 - SATURATED)))
    if activation == "tanh":
        return bool(np.any(np.abs(out) > 1 - SATURATED))
    if activation in ("relu", "leaky_relu"):
        return bool(np.any(np.abs(out) < SATURATED))
    return False


def rounded(x: float, places: int) -> Decimal:
    """``x`` rounded half away from zero to ``places`` decimals, exactly."""
    return Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def on_tie(x: float, places: int) -> bool:
    """Whether ``x`` lies within 1e-12 of a halfway point at ``places`` decimals (…5 at the next one)."""
    step = Decimal(1).scaleb(-places)
    d = abs(Decimal(x))
    halfway = (d / step).to_integral_value(rounding="ROUND_FLOOR") * step + step / 2
    return abs(d - halfway) < Decimal(TIE_TOLERANCE)
