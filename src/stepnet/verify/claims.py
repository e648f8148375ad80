"""Judging a text's numbers: each claim against the true value, and why it differs.

A claim (``claims:`` in a config, or a claims file) names a quantity of one iteration and
the number a document gives for it.  It holds when the true value, rounded half away
from zero to the claim's own number of decimals, is the claim: "0.75136507" (8 decimals)
holds for 0.7513650695...  Per-sample quantities are those of the batch's first sample
unless the name ends in ``@N`` (see :mod:`stepnet.derive.quantities`).  For a claim that
does not hold, :mod:`stepnet.verify.judge` names the likely cause.
"""

from __future__ import annotations

import math
import re
from typing import Iterable

from ..config.claims import check_claims as validate_claims
from ..config.document import read_yaml
from ..config.load import _read_text
from ..config.model import Claim, NetworkConfig
from ..config.reader import Checker
from ..derive.names import Names
from ..derive.quantities import Quantity, QuantityError
from ..derive.quantity_names import notation_forms_hint
from ..derive.quantity_parser import parse
from ..errors import ConfigError
from .judge import ClaimResult, Judge, show
from .variants import Runs


def judge_claims(
    config: NetworkConfig, claims: Iterable[Claim] | None = None, source: str | None = None
) -> list[ClaimResult]:
    """Judge ``claims`` (default: the config's own) against a run of ``config``.

    ``source`` names the file the claims came from, for error messages.  An unknown
    quantity is a :class:`ConfigError` at the claim's line, before anything is run.
    """
    claims = tuple(config.claims if claims is None else claims)
    names = Names(config)
    resolved = resolve_all(config, claims, names, source)
    if not claims:
        return []
    runs = Runs(config, max(c.iteration for c in claims), sorted({c.iteration for c in claims}))
    stated = {(c.iteration, q): c for c, q in zip(claims, resolved, strict=True)}
    return [Judge(c, q, names, runs, stated).result() for c, q in zip(claims, resolved, strict=True)]


def resolve_all(config: NetworkConfig, claims: Iterable[Claim] | None = None, names: Names | None = None,
                source: str | None = None) -> list[Quantity]:
    """The quantity each claim names; a :class:`ConfigError` at the first that names none.

    This is what ``stepnet validate`` checks of the claims, without running anything:
    every name is one the network has, and every ``@N`` a sample of its batch.
    """
    names = names or Names(config)
    claims = config.claims if claims is None else claims
    return [resolve(c, names, source or config.source, config.effective_batch_size) for c in claims]


def resolve(claim: Claim, names: Names, source: str | None, batch: int | None = None) -> Quantity:
    key = "claims." + (f"iteration {claim.iteration}." if claim.iteration > 1 else "") + claim.quantity
    try:
        q = parse(claim.quantity, names)
    except QuantityError as exc:
        raise ConfigError(str(exc), file=source, line=claim.line, key=key, hint=notation_forms_hint(names)) from None
    if batch is not None and q.sample is not None and q.sample >= batch:
        samples = f"{batch} sample{'' if batch == 1 else 's'}"
        raise ConfigError(
            f"'{claim.quantity}' names sample {q.sample + 1}, but each batch has {samples}",
            file=source, line=claim.line, key=key,
            hint="drop the @N: each batch has one sample" if batch == 1
            else f"samples are numbered @1 to @{batch} within the batch of one iteration",
        )
    return q


def read_claims_file(path: str) -> tuple[Claim, ...]:
    """The ``claims:`` mapping of a YAML file (a claims file, or a whole config)."""
    doc = read_yaml(_read_text(path, path), path)
    if not isinstance(doc.value, dict) or "claims" not in doc.value:
        raise ConfigError("no claims: mapping in this file", file=path,
                          hint="write claims: {out_o1: 0.75136507, 'iteration 2': {E_total: 0.291027924}}")
    return validate_claims(Checker(doc, path), "claims", doc.value["claims"], None)


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


def _magnitude(d: float) -> str:
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{abs(d):.2g}")
