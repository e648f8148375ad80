"""Which numbers of a worked iteration an exercise asks for: ``--ask forward,update`` or ``--ask out_o1,w5+``.

The asked quantities are always in the order a worked iteration computes them (the order of
:func:`~stepnet.derive.quantities.computed_quantities`), whatever order the request names them
in.  Each has one ASCII answer name, :func:`answer_name`, the key of an answers file.

>>> from stepnet.api import load
>>> from stepnet.derive.names import Names
>>> names = Names(load("mazur"))
>>> [answer_name(q, names) for q in parse_ask("w5+,out_o1", names, 1)]
['out_o1', 'w5+']
"""

from __future__ import annotations

import difflib
import re

from ..derive.names import Names
from ..derive.quantities import Quantity, QuantityError, computed_quantities, name
from ..errors import UsageError

GROUPS = ("forward", "backward", "update")
ALL = "all"
SMALL_NETWORK = 12  # parameters: up to this many, the default asks for everything

_GROUP_OF_KIND = {
    "net": "forward", "out": "forward", "E": "forward", "E_total": "forward", "E_after": "forward",
    "dE_dout": "backward", "dout_dnet": "backward", "delta": "backward", "path": "backward",
    "dnet_dparam": "backward", "dnet_dout": "backward", "grad": "backward",
    "param+": "update",
}
# what a group asks for: forward the net input and output of every neuron and the errors,
# backward every delta and every gradient, update every updated parameter
_KINDS_OF_GROUP = {"forward": ("net", "out", "E", "E_total"), "backward": ("delta", "grad"), "update": ("param+",)}


def group_of(q: Quantity) -> str:
    """The group a quantity belongs to: ``forward``, ``backward`` or ``update``.

    Inputs, targets and the parameters before the update are givens: asking for one is a
    :class:`ValueError`.
    """
    if q.kind in ("target", "param") or (q.kind == "out" and q.layer == 0):
        raise ValueError(f"{q.kind} is given on a worksheet, never asked")
    return _GROUP_OF_KIND[q.kind]


def answer_name(q: Quantity, names: Names) -> str:
    """The ASCII name of an asked quantity, the key of an answers file: out_o1, dE_total/dw5, w5+, net_h1@2."""
    return name(q, names)


def parse_ask(spec: str | None, names: Names, batch: int) -> list[Quantity]:
    """The quantities ``spec`` asks for, in the order of computation, each once.

    ``spec`` is a comma list of groups (``forward``, ``backward``, ``update``, ``all``) and
    quantity names (``out_o1``, ``delta_h1``, ``dE_total/dw5``, ``w5+``), mixed freely.
    None asks for everything in a network of at most 12 parameters, else for the output
    layer's forward pass and updated parameters.  A name that is not a computed quantity of
    this network raises :class:`~stepnet.errors.UsageError` naming the closest.
    """
    computed = [q for q in computed_quantities(names, batch) if not _frozen(q, names)]
    if spec is None:
        return _default(computed, names)
    items = [item.strip() for item in re.split(r",(?![0-9])", spec)]  # w^2_12,3 is one name
    if not any(items):
        raise UsageError("--ask is empty", hint=_hint(names))
    wanted: set[Quantity] = set()
    for item in items:
        if not item:
            raise UsageError(f"--ask '{spec}' has an empty item between commas", hint=_hint(names))
        wanted.update(_one(item, computed, names))
    return [q for q in computed if q in wanted]


def _default(computed: list[Quantity], names: Names) -> list[Quantity]:
    if len(names.params) <= SMALL_NETWORK:
        return [q for q in computed if _in_group(q, ALL)]
    last = len(names.layers) - 1
    return [q for q in computed
            if (_in_group(q, "forward") and (q.layer == last or q.kind == "E_total")) or
            (_in_group(q, "update") and q.layer == last)]


def _frozen(q: Quantity, names: Names) -> bool:
    """A bias the config does not train (``train_biases: false``): its updated value is a given."""
    return q.kind == "param+" and q.param.kind == "bias" and not names.config.train_biases


def _in_group(q: Quantity, group: str) -> bool:
    groups = GROUPS if group == ALL else (group,)
    return any(q.kind in _KINDS_OF_GROUP[g] for g in groups)


def _one(item: str, computed: list[Quantity], names: Names) -> list[Quantity]:
    key = item.lower()
    if key in GROUPS or key == ALL:
        return [q for q in computed if _in_group(q, key)]
    from ..derive.quantity_parser import parse

    try:
        q = parse(item, names)
    except QuantityError as exc:
        close = difflib.get_close_matches(key, [*GROUPS, ALL], n=1, cutoff=0.6)
        message = f"--ask: {exc}"
        if close and "did you mean" not in message:
            message += f" (did you mean the group '{close[0]}'?)"
        raise UsageError(message, hint=_hint(names)) from None
    if _frozen(q, names):
        raise UsageError(f"--ask: '{item}' is not updated (the config has train_biases: false), so it is "
                         "a given", hint=_hint(names))
    if q not in computed:
        raise UsageError(f"--ask: '{item}' is {_why_not(q)}, not a number the exercise can ask for",
                         hint=_hint(names))
    return [q]


def _why_not(q: Quantity) -> str:
    if q.kind in ("target", "param") or (q.kind == "out" and q.layer == 0):
        return "given on the worksheet"
    if q.kind in ("dnet_dparam", "dnet_dout"):
        return "a factor read straight off the network"
    return "not computed in this network's iteration"


def _hint(names: Names) -> str:
    last = len(names.layers) - 1
    o = names.neuron_name(last, 0)
    w = names.layer_params(last)[0].name
    return (f"give groups ({', '.join(GROUPS)}, {ALL}) or quantity names, comma separated, "
            f"e.g. --ask forward,{w}+ or --ask out_{o},delta_{o},dE_total/d{w}")
