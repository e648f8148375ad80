"""The machine-readable trace: one JSON object, floats at full precision (repr).

Contract (kept stable for other tools): ``iterations`` (one object per traced iteration,
with ``iteration``, ``loss``, ``samples`` and ``parameters``), ``losses`` (every iteration)
and ``final``.  Extra keys may be added; these never change meaning.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from ..derive.names import Names
from ..engine.trace import IterationTrace, RunTrace


def _num(x: float) -> float | str:
    x = float(x)
    return x if math.isfinite(x) else repr(x)  # JSON has no NaN/inf: "nan", "inf", "-inf"


def _nums(values) -> list:
    out = values.tolist()
    if all(math.isfinite(v) for v in out):
        return out
    return [_num(v) for v in out]


def iteration_object(it: IterationTrace, names: Names) -> dict[str, Any]:
    cfg = names.config
    samples = []
    for s in range(it.batch_size):
        nodes = []
        for li in range(1, len(cfg.layers)):
            lt = it.layer(li)
            lname = cfg.layers[li].name
            rows = zip(lt.net[s].tolist(), lt.out[s].tolist(), lt.delta[s].tolist(), strict=True)
            for j, (net, out, delta) in enumerate(rows):
                nodes.append({"name": f"{lname}{j + 1}", "layer": lname,
                              "net": _num(net), "out": _num(out), "delta": _num(delta)})
        samples.append({
            "index": it.samples[s] if it.samples else s,
            "inputs": _nums(it.X[s]),
            "targets": _nums(it.T[s]),
            "loss": _num(it.sample_losses[s]),
            "nodes": nodes,
        })
    return {
        "iteration": it.iteration,
        "loss": _num(it.loss),
        "loss_after": None if it.loss_after is None else _num(it.loss_after),
        "samples": samples,
        "parameters": parameter_objects(it, names),
    }


def parameter_objects(it: IterationTrace, names: Names) -> list[dict[str, Any]]:
    """One object per parameter, in ``names.params`` order, built layer by layer from the arrays."""
    cfg = names.config
    frozen_biases = not cfg.train_biases
    out = []
    for li in range(1, len(cfg.layers)):
        lt = it.layer(li)
        layer, below = cfg.layers[li], cfg.layers[li - 1]
        lname = layer.name
        to_names = [names.neuron_name(li, j) for j in range(layer.size)]
        from_names = [names.neuron_name(li - 1, i) for i in range(below.size)]
        by_source = names.numbering == "by_source"
        # weights in params order: by target neuron (rows of W), or by source neuron (columns)
        flat = (lambda a: a.T.ravel()) if by_source else (lambda a: a.ravel())
        values, gradients, updated = (_values(flat(a)) for a in (lt.W, lt.gW, lt.W_after))
        pnames = names.param_names(li)
        nw = layer.size * below.size
        # the weights; pnames goes on to the biases, the arrays do not
        for k, name, v, g, u in zip(range(nw), pnames, values, gradients, updated, strict=False):
            j, i = (k % layer.size, k // layer.size) if by_source else divmod(k, below.size)
            out.append({
                "name": name, "kind": "weight", "layer": lname,
                "from": from_names[i], "to": [to_names[j]],
                "value": v, "gradient": g, "updated": u,
            })
        b, gb, ba = lt.b.tolist(), lt.gb.tolist(), lt.b_after.tolist()
        for name, p in zip(pnames[nw:], names.layer_params(li)[nw:], strict=True):
            (k,) = p.index
            feeds = range(layer.size) if p.to is None else [p.to]
            out.append({
                "name": name, "kind": "bias", "layer": lname,
                "to": [to_names[j] for j in feeds],
                "value": _num(b[k]), "gradient": _num(gb[k]), "updated": _num(ba[k]),
                "trained": not frozen_biases,
            })
    return out


def _values(a) -> list:
    """The array's values as Python floats, non-finite ones as the strings _num gives."""
    values = a.tolist()
    return values if np.isfinite(a).all() else [_num(v) for v in values]


def run_object(run: RunTrace, names: Names) -> dict[str, Any]:
    cfg = run.config
    obj: dict[str, Any] = {
        "network": {
            "name": cfg.name,
            "layers": [{"name": layer.name, "size": layer.size, "activation": layer.activation,
                        "bias": layer.bias if layer.activation else None} for layer in cfg.layers],
            "loss": cfg.loss,
            "learning_rate": cfg.learning_rate,
            "optimizer": cfg.optimizer.name,
            "batch_size": cfg.effective_batch_size,
            "notation": cfg.notation.style,
            "carry": run.carry,  # --carry: the decimals hand mode rounded every value to, or null
            "hidden_deltas_use": cfg.hidden_deltas_use,
        },
        "iterations": [iteration_object(it, names) for it in run.iterations],
        "losses": _nums(run.losses),
        "final": {
            "loss": _num(run.final_loss),
            "samples": [
                {"inputs": list(s.inputs), "targets": list(s.targets), "outputs": _nums(run.final_outputs[i])}
                for i, s in enumerate(cfg.data)
            ],
        },
    }
    if run.divergence is not None or run.interrupted:
        from ..derive.run_summary import stop_reason

        obj["stopped"] = stop_reason(run, names)
    return obj


def dumps(obj: dict[str, Any]) -> str:
    """``json.dumps(obj, indent=1, ensure_ascii=False)`` and a newline, byte for byte.

    The standard library's encoder is pure Python once ``indent`` is set; a 100,000-weight
    trace takes it seconds.  This one writes the same text several times faster for the
    plain values a trace holds, and hands anything else to ``json.dumps``.
    """
    try:
        text = _encode(obj, 0)
    except (_Unsupported, RecursionError):
        text = json.dumps(obj, indent=1, ensure_ascii=False)
    return text + "\n"


class _Unsupported(Exception):
    """A value the fast encoder leaves to json.dumps (other types, non-string keys, cycles)."""


_string = json.encoder.encode_basestring  # C-accelerated where available; what ensure_ascii=False uses
_SPECIAL = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _floats(values) -> list[str]:
    out = list(map(float.__repr__, values))
    if "nan" in out or "inf" in out or "-inf" in out:
        out = [_SPECIAL.get(v, v) for v in out]
    return out


def _float(x: float) -> str:
    text = float.__repr__(x)
    return _SPECIAL.get(text, text)


_SCALARS = {
    str: _string, float: _float, int: int.__repr__,
    bool: lambda v: "true" if v else "false", type(None): lambda v: "null",
}


def _encode(o: Any, level: int) -> str:
    scalar = _SCALARS.get(type(o))
    if scalar is not None:
        return scalar(o)
    t = type(o)
    if t is list or t is tuple:
        if not o:
            return "[]"
        inner = "\n" + " " * (level + 1)
        if len(o) == 1:
            items = [_encode(o[0], level + 1)]
        elif all(type(v) is float for v in o):
            items = _floats(o)
        else:
            items = [_encode(v, level + 1) for v in o]
        return "[" + inner + ("," + inner).join(items) + "\n" + " " * level + "]"
    if t is dict:
        if not o:
            return "{}"
        inner = "\n" + " " * (level + 1)
        items = []
        for k, v in o.items():
            if type(k) is not str:
                raise _Unsupported
            scalar = _SCALARS.get(type(v))
            items.append(_string(k) + ": " + (scalar(v) if scalar is not None else _encode(v, level + 1)))
        return "{" + inner + ("," + inner).join(items) + "\n" + " " * level + "}"
    raise _Unsupported
