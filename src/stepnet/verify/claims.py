"""Checking a text's numbers: each claim against the true value, and why it differs.

A claim (``claims:`` in a config, or a claims file) names a quantity of one iteration and
the number a document gives for it.  It holds when the true value, rounded half away
from zero to the claim's own number of decimals, is the claim: "0.75136507" (8 decimals)
holds for 0.7513650695...  Per-sample quantities are those of the batch's first sample
unless the name ends in ``@N`` (see :mod:`stepnet.quantities`).

For a claim that does not hold, :func:`check_claims` looks for the likely cause, in
this order, and names the first that explains the number exactly:

(a) rounded (or wrong) numbers carried forward: the step redone from the text's own
    numbers for its inputs (other claims of the same iteration), its result rounded or cut
    off; hand mode (``--carry N``) for N = the claim's decimals and N±1..3; the true value
    cut off instead of rounded; the step redone from its inputs rounded, then cut off, to
    N decimals;
(b) a slip of the pen: the sign; in a number of 4 or more significant digits, one digit
    wrong, two adjacent digits swapped, a digit inserted or dropped;
(c) the value of another quantity of the same iteration (out_h1 written for net_h1, ...),
    or the step redone with a net input where the activation belongs;
(d) the other ordering of the hidden deltas (``hidden_deltas_use: updated_weights``);
(e) a bias left out;
and otherwise says how many decimals agree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal, InvalidOperation, localcontext
from typing import Callable, Iterable

from ..config.model import Claim, NetworkConfig
from ..errors import ConfigError
from ..derive.names import Names
from ..derive.quantities import Quantity, QuantityError, all_quantities, forms_hint, name, parse, recompute, value
from ..engine.rounding import format_number, round_half_away
from ..engine.training import train

MAX_SEARCHED = 200_000  # quantities compared in cause (c)
MIN_SLIP_DIGITS = 4  # significant digits a claim needs before a digit slip is a likely cause


@dataclass(frozen=True)
class ClaimResult:
    quantity: str  # as the claim writes it
    iteration: int
    text: str  # the number as written
    true: float | None  # None: the iteration was not reached (training diverged)
    ok: bool
    difference: float | None  # claimed − true
    cause: str | None  # for a claim that does not hold: the likely cause, or what is known
    name: str = ""  # stepnet's name for the quantity
    places: int = 0  # decimals the claim is written with
    line: int | None = None


# ---------------------------------------------------------------- entry points


def check_claims(
    config: NetworkConfig, claims: Iterable[Claim] | None = None, source: str | None = None
) -> list[ClaimResult]:
    """Check ``claims`` (default: the config's own) against a run of ``config``.

    ``source`` names the file the claims came from, for error messages.  An unknown
    quantity is a :class:`ConfigError` at the claim's line, before anything is run.
    """
    claims = tuple(config.claims if claims is None else claims)
    names = Names(config)
    resolved = [resolve(c, names, source or config.source) for c in claims]
    if not claims:
        return []
    runs = Runs(config, max(c.iteration for c in claims), sorted({c.iteration for c in claims}))
    stated = {(c.iteration, q): c for c, q in zip(claims, resolved)}
    return [Judge(c, q, names, runs, stated).result() for c, q in zip(claims, resolved)]


def resolve(claim: Claim, names: Names, source: str | None) -> Quantity:
    try:
        return parse(claim.quantity, names)
    except QuantityError as exc:
        key = "claims." + (f"iteration {claim.iteration}." if claim.iteration > 1 else "") + claim.quantity
        raise ConfigError(str(exc), file=source, line=claim.line, key=key, hint=forms_hint(names)) from None


def load_claims_file(path: str) -> tuple[Claim, ...]:
    """The ``claims:`` mapping of a YAML file (a claims file, or a whole config)."""
    from ..config.load import _read_text
    from ..config.reader import Checker
    from ..config.sections import check_claims as read_claims
    from ..config.document import read_yaml

    doc = read_yaml(_read_text(path, path), path)
    if not isinstance(doc.value, dict) or "claims" not in doc.value:
        raise ConfigError("no claims: mapping in this file", file=path,
                          hint="write claims: {out_o1: 0.75136507, 'iteration 2': {E_total: 0.291027924}}")
    return read_claims(Checker(doc, path), "claims", doc.value["claims"], None)


def format_result(r: ClaimResult) -> str:
    """One line: ``✓ out_o1 = 0.75136507 (true 0.751365070)``, or for a wrong claim
    ``✗ ...: true value ..., off by ...; likely cause: ...``."""
    where = f" at iteration {r.iteration}" if r.iteration != 1 else ""
    head = f"{r.quantity} = {r.text}{where}"
    if r.true is None or not math.isfinite(r.true):
        return f"✗ {head}: {r.cause}"
    true = show(r.true, r.places)
    if r.ok:
        return f"✓ {head} (true {true})"
    return f"✗ {head}: true value {true}, off by {_magnitude(r.difference)}; {r.cause}"


def summary(results: list[ClaimResult]) -> str:
    wrong = sum(not r.ok for r in results)
    if not wrong:
        return f"All {len(results)} claims agree with the true values."
    return f"{wrong} of {len(results)} claims do not agree with the true values; {len(results) - wrong} do."


def show(x: float, places: int) -> str:
    return format_number(x, max(9, places))


def _magnitude(d: float) -> str:
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{abs(d):.2g}")


# ---------------------------------------------------------------- precision


def decimals(text: str) -> int:
    """The decimals a number is written with: 0.75136507 → 8, 5e-1 → 1, 12 → 0."""
    exponent = _decimal(text).as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace("_", "").strip())
    except InvalidOperation:
        return Decimal(repr(float(text)))


def rounds_to(x: float | None, text: str, places: int | None = None) -> bool:
    """Whether ``x`` rounded half away from zero at the decimals of ``text`` is ``text``.

    A value within float noise of a tie (0.3925 computed as 0.39249999999999996) is
    taken to round either way: the float cannot say which side the exact value is on.
    """
    if x is None or not math.isfinite(x):
        return False
    places = decimals(text) if places is None else places
    want, noise = _decimal(text), 16 * math.ulp(x)
    return any(round_half_away(y, places) == want for y in (x, x - noise, x + noise))


# ---------------------------------------------------------------- runs


@dataclass(frozen=True)
class Variant:
    carry: int | None = None
    ordering: str | None = None  # hidden_deltas_use, when not the config's
    no_bias: tuple[int, ...] = ()  # layers run without their bias


BASE = Variant()


class Runs:
    """The config run as given and as varied (hand mode, ordering, biases), each run once."""

    def __init__(self, config: NetworkConfig, iterations: int, traced: list[int]) -> None:
        self.config = config
        self.iterations = iterations
        self.trace = ",".join(str(i) for i in traced)
        self._runs: dict[Variant, object] = {}

    def value(self, q: Quantity, iteration: int, variant: Variant = BASE) -> float | None:
        it = self._run(variant).traced(iteration)
        if it is None:
            return None
        try:
            return value(q, it)
        except IndexError:  # e.g. a bias in a run without biases
            return None

    def iteration(self, iteration: int, variant: Variant = BASE):
        return self._run(variant).traced(iteration)

    def _run(self, variant: Variant):
        if variant not in self._runs:
            cfg = vary(self.config, variant)
            self._runs[variant] = train(cfg, self.iterations, trace=self.trace, carry=variant.carry)
        return self._runs[variant]


def vary(config: NetworkConfig, variant: Variant) -> NetworkConfig:
    if variant.ordering:
        config = replace(config, hidden_deltas_use=variant.ordering)
    if variant.no_bias:
        dropped = {config.layers[i].name for i in variant.no_bias}
        layers = tuple(replace(l, bias="none") if i in variant.no_bias else l for i, l in enumerate(config.layers))
        biases = {k: v for k, v in config.biases.items() if k not in dropped}
        config = replace(config, layers=layers, biases=biases)
    return config


# ---------------------------------------------------------------- one claim


class Judge:
    """One claim: its true value, and for a wrong one the likely cause."""

    def __init__(self, claim: Claim, q: Quantity, names: Names, runs: Runs, stated: dict) -> None:
        self.claim, self.q, self.names, self.runs, self.stated = claim, q, names, runs, stated
        self.places = decimals(claim.text)
        self.true = runs.value(q, claim.iteration)

    def result(self) -> ClaimResult:
        c = self.claim
        if self.true is None:
            return self._result(False, None, f"not computed: training did not reach iteration {c.iteration}")
        if not math.isfinite(self.true):
            return self._result(False, None, f"the true value is {self.true}: training diverged")
        if rounds_to(self.true, c.text, self.places):
            return self._result(True, c.value - self.true, None)
        return self._result(False, c.value - self.true, self.cause())

    def _result(self, ok: bool, difference: float | None, cause: str | None) -> ClaimResult:
        c = self.claim
        return ClaimResult(c.quantity, c.iteration, c.text, self.true, ok, difference, cause,
                           name(self.q, self.names), self.places, c.line)

    def cause(self) -> str:
        for finder in (self.own_numbers, self.carried, self.truncated, self.rounded_inputs, self.slip,
                       self.other_quantity, self.ordering, self.forgotten_bias):
            found = finder()
            if found:
                return "likely cause: " + found
        return self.agreement()

    # -- helpers ----------------------------------------------------------------------

    def matches(self, x: float | None) -> bool:
        return rounds_to(x, self.claim.text, self.places)

    def carries(self) -> list[int]:
        p = self.places
        order = [p, p - 1, p + 1, p - 2, p + 2, p - 3, p + 3]
        return [n for n in order if 0 <= n <= 15]

    def label(self, q: Quantity) -> str:
        return name(q, self.names)

    def redo(self, get: Callable[[Quantity], float]):
        it = self.runs.iteration(self.claim.iteration)
        return recompute(self.q, self.names, it.batch_size, get)

    def true_of(self, q: Quantity) -> float:
        return self.runs.value(q, self.claim.iteration)

    # -- (a) rounded numbers carried forward ------------------------------------------

    def carried(self) -> str | None:
        for n in self.carries():
            hand = self.runs.value(self.q, self.claim.iteration, Variant(carry=n))
            if self.matches(hand):
                return (f"rounded intermediates carried forward: with every intermediate value rounded to {n} "
                        f"decimals (stepnet run --carry {n}) it is {format_number(hand, max(n, self.places))}")
        return None

    def own_numbers(self) -> str | None:
        own = lambda q: self.stated.get((self.claim.iteration, q))
        done = self.redo(lambda q: own(q).value if own(q) else self.true_of(q))
        used = [q for q in done[1] if own(q)] if done else []
        if not used or not (self.matches(done[0]) or self.cut_to_claim(done[0])):
            return None
        wrong = [q for q in used if not rounds_to(self.true_of(q), own(q).text)]
        listed = ", ".join(f"{self.label(q)} = {own(q).text}" for q in used)
        verb = "give" if len(used) > 1 else "gives"
        result = self.claim.text
        if not self.matches(done[0]):
            result = f"{format_number(done[0], self.places + 3)}, cut off (not rounded) after {self.places} decimals"
        if not wrong:
            return (f"rounded numbers carried forward: the text's own {listed} {verb} {result}; "
                    f"the exact values give {show(self.true, self.places)}")
        bad = ", ".join(self.label(q) for q in wrong)
        return (f"an earlier wrong number carried forward: the text's own {listed} {verb} {result}, "
                f"but {bad} {'is itself' if len(wrong) == 1 else 'are themselves'} wrong")

    def cut_to_claim(self, x: float) -> bool:
        return _truncate(x, self.places) == _decimal(self.claim.text)

    def rounded_inputs(self) -> str | None:
        for how, n in [(how, n) for how in ("rounded", "truncated") for n in self.carries()]:
            get = self._rounder(n, how == "truncated")
            done = self.redo(get)
            if done and self.matches(done[0]) and any(get(q) != self.true_of(q) for q in done[1]):
                shown = ", ".join(f"{self.label(q)} = {format_number(get(q), n)}" for q in done[1][:3])
                more = ", ..." if len(done[1]) > 3 else ""
                return f"inputs {how} to {n} decimals: from {shown}{more} this step gives {self.claim.text}"
        return None

    def _rounder(self, n: int, truncate: bool = False) -> Callable[[Quantity], float]:
        def get(q: Quantity) -> float:
            x = self.true_of(q)
            given = q.kind == "target" or (q.kind == "out" and q.layer == 0)
            if given or (q.kind == "param" and self.claim.iteration == 1) or not math.isfinite(x):
                return x  # numbers the config gives are used as given
            return float(_truncate(x, n) if truncate else round_half_away(x, n))

        return get

    def truncated(self) -> str | None:
        if not self.cut_to_claim(self.true):
            return None
        return f"truncated, not rounded: {format_number(self.true, self.places + 3)} cut after {self.places} decimals"

    # -- (b) a slip of the pen ------------------------------------------------------

    def slip(self) -> str | None:
        if self.matches(-self.true) and round_half_away(self.true, self.places) != 0:
            return f"the sign is wrong ({self.claim.text} vs {format_number(self.true, self.places)})"
        if len(_decimal(self.claim.text).as_tuple().digits) < MIN_SLIP_DIGITS:
            return None  # in a short number almost any digit change is a coincidence
        return digit_slip(self.claim.text, self.true, self.places)

    # -- (c) another quantity's value -----------------------------------------------

    def other_quantity(self) -> str | None:
        return self.other_value() or self.net_for_out()

    def net_for_out(self) -> str | None:
        """The step redone with a net input where the activation belongs (the text's own, else the true one)."""
        own = lambda q: self.stated.get((self.claim.iteration, q))
        num = lambda q: own(q).value if own(q) else self.true_of(q)
        swap = lambda q: replace(q, kind="net") if q.kind == "out" and q.layer > 0 else q
        done = self.redo(lambda q: num(swap(q)))
        swapped = [q for q in (done[1] if done else []) if swap(q) != q]
        if not swapped or not self.matches(done[0]):
            return None
        shown = ", ".join(f"{self.label(swap(q))} = {_text(own(swap(q)), num(swap(q)))} for {self.label(q)}"
                          for q in swapped)
        return f"the net input used where the activation belongs: with {shown} this step gives {self.claim.text}"

    def other_value(self) -> str | None:
        it = self.runs.iteration(self.claim.iteration)
        sample = self.q.sample or 0
        hits = []
        for i, q in enumerate(all_quantities(self.names, it.batch_size)):
            if i >= MAX_SEARCHED or len(hits) == 3:
                break
            if q == self.q or (q.sample is not None and q.sample != sample) or q.kind == "dnet_dparam":
                continue
            x = value(q, it)
            if x != self.true and self.matches(x):
                hits.append(f"{self.label(q)} = {format_number(x, max(9, self.places))}")
        if not hits:
            return None
        return f"the value of another quantity of iteration {self.claim.iteration}: {' or '.join(hits)}"

    # -- (d) the other ordering -------------------------------------------------------

    def ordering(self) -> str | None:
        if len(self.names.layers) < 3:
            return None
        other = "updated_weights" if self.runs.config.hidden_deltas_use == "current_weights" else "current_weights"
        what = ("the output deltas sent back through the already updated weights" if other == "updated_weights"
                else "the deltas sent back through the weights before their update")
        for carry in [None] + self.carries():
            x = self.runs.value(self.q, self.claim.iteration, Variant(carry=carry, ordering=other))
            if self.matches(x):
                rounded = f", every intermediate rounded to {carry} decimals" if carry is not None else ""
                return f"the other ordering: {what} (hidden_deltas_use: {other}{rounded}) give {show(x, self.places)}"
        return None

    # -- (e) a bias left out ----------------------------------------------------------

    def forgotten_bias(self) -> str | None:
        with_bias = [li for li, layer in enumerate(self.names.layers) if layer.bias != "none" and self._bias_used(li)]
        options = [tuple(with_bias)] + ([(li,) for li in with_bias] if len(with_bias) > 1 else [])
        for layers in options if with_bias else []:
            x = self.runs.value(self.q, self.claim.iteration, Variant(no_bias=layers))
            if self.matches(x):
                which = ", ".join(p.name for p in self.names.params if p.kind == "bias" and p.layer in layers)
                return f"a bias left out: without {which} the value is {show(x, self.places)}"
        return None

    def _bias_used(self, li: int) -> bool:
        biases = self.runs.iteration(self.claim.iteration).layer(li).b
        return bool(biases.size) and bool((biases != 0).any())

    # -- otherwise --------------------------------------------------------------------

    def agreement(self) -> str:
        for k in range(self.places - 1, 0, -1):
            agreed = round_half_away(self.true, k)
            if round_half_away(self.claim.value, k) == agreed and len(agreed.as_tuple().digits) >= 2:
                return (f"no single slip found; it agrees with the true value to {k} decimals "
                        f"({format_number(self.true, k)}), not to {self.places}")
        return "no likely cause found (not rounding, a digit slip, another quantity, the ordering or a bias)"


def _truncate(x: float, places: int) -> Decimal | None:
    """``x`` cut off (rounded toward zero) after ``places`` decimals; None if not finite."""
    if not math.isfinite(x):
        return None
    exact = Decimal(repr(float(x)))
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, exact.adjusted() + places + 2)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def _text(claim: Claim | None, x: float) -> str:
    return claim.text if claim else format_number(x, 9)


# ---------------------------------------------------------------- digit slips


def digit_slip(text: str, true: float, places: int) -> str | None:
    """One digit wrong, two adjacent swapped, one inserted or one dropped, as a phrase."""
    claim = _fixed(_decimal(text))
    same = _fixed(round_half_away(true, places))
    for check in (_one_digit, _swapped):
        found = check(claim, same)
        if found:
            return f"{found} ({claim} vs {same})"
    if places >= 1:
        shorter = _fixed(round_half_away(true, places - 1))
        if _removes_to(claim, shorter):
            return f"a digit inserted ({claim} vs {shorter})"
    longer = _fixed(round_half_away(true, places + 1))
    if _removes_to(longer, claim):
        return f"a digit dropped ({claim} vs {longer})"
    return None


def _fixed(d: Decimal) -> str:
    text = format(d, "f")
    return text[1:] if text.startswith("-") and d == 0 else text


def _one_digit(a: str, b: str) -> str | None:
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(a) != len(b) or len(diff) != 1 or not a[diff[0]].isdigit():
        return None
    i = diff[0]
    if i == len(a) - 1 and abs(int(a[i]) - int(b[i])) == 1:
        return "the last digit is off by one"
    return f"one digit wrong: {a[i]} where {b[i]} belongs"


def _swapped(a: str, b: str) -> str | None:
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(a) == len(b) and len(diff) == 2 and diff[1] == diff[0] + 1:
        i = diff[0]
        if a[i] == b[i + 1] and a[i + 1] == b[i] and "." not in (a[i], a[i + 1]):
            return f"two digits swapped: {a[i]}{a[i + 1]} for {b[i]}{b[i + 1]}"
    return None


def _removes_to(longer: str, shorter: str) -> bool:
    """Whether deleting one decimal digit of ``longer``, not its last, gives ``shorter``."""
    if len(longer) != len(shorter) + 1 or "." not in longer:
        return False
    point = longer.index(".")
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(point + 1, len(longer) - 1))
