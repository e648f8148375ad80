"""The machine-readable trace: one JSON object, floats at full precision (repr).

Contract (kept stable for other tools): ``iterations`` (one object per traced iteration,
with ``iteration``, ``loss``, ``samples`` and ``parameters``), ``losses`` (every iteration)
and ``final``.  Extra keys may be added; these never change meaning.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..derive.names import Names
from ..engine.rounding import carry_places, carry_sig
from ..engine.trace import IterationTrace, RunTrace


def _num(x: float) -> float | str:
    x = float(x)
    return x if math.isfinite(x) else repr(x)  # JSON has no NaN/inf: "nan", "inf", "-inf"


def _nums(values) -> list:
    out = values.tolist()
    if all(math.isfinite(v) for v in out):
        return out
    return [_num(v) for v in out]


def iteration_object(it: IterationTrace, names: Names, parameters: bool = True) -> dict[str, Any]:
    """One traced iteration; with ``parameters`` False, its ``parameters`` list is left empty."""
    cfg = names.config
    samples = []
    for s in range(it.batch_size):
        nodes = []
        for li in range(1, len(cfg.layers)):
            lt = it.layer(li)
            lname = cfg.layers[li].name
            rows = zip(lt.net[s].tolist(), lt.out[s].tolist(), lt.delta[s].tolist(), lt.dE_dout[s].tolist(),
                       lt.dout_dnet[s].tolist(), strict=True)
            for j, (net, out, delta, de_dout, dout_dnet) in enumerate(rows):
                nodes.append({"name": f"{lname}{j + 1}", "layer": lname,
                              "net": _num(net), "out": _num(out), "delta": _num(delta),
                              "dE_dout": _num(de_dout), "dout_dnet": _num(dout_dnet)})
        samples.append({
            "index": it.samples[s] if it.samples else s,
            "inputs": _nums(it.X[s]),
            "targets": _nums(it.T[s]),
            "loss": _num(it.sample_losses[s]),
            "errors": _nums(it.loss_terms[s]),  # E_o of every output o; they add up to loss
            "nodes": nodes,
        })
    return {
        "iteration": it.iteration,
        "loss": _num(it.loss),
        "loss_after": None if it.loss_after is None else _num(it.loss_after),
        "samples": samples,
        "parameters": parameter_objects(it, names) if parameters else [],
    }


def parameter_objects(it: IterationTrace, names: Names) -> list[dict[str, Any]]:
    """One object per parameter, in ``names.params`` order, built layer by layer from the arrays."""
    return [p for chunk in parameter_chunks(it, names) for p in chunk]


CHUNK = 8192  # parameter objects made at a time when a traced iteration is streamed


def parameter_chunks(it: IterationTrace, names: Names, size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    """The objects of :func:`parameter_objects`, at most ``size`` at a time (biases come a layer at once)."""
    cfg = names.config
    for li in range(1, len(cfg.layers)):
        lt = it.layer(li)
        layer, below = cfg.layers[li], cfg.layers[li - 1]
        lname = layer.name
        to_names = [names.neuron_name(li, j) for j in range(layer.size)]
        from_names = [names.neuron_name(li - 1, i) for i in range(below.size)]
        by_source = names.numbering == "by_source"
        # weights in params order: by target neuron (rows of W), or by source neuron (columns)
        flat = [a.T.ravel() if by_source else a.ravel() for a in (lt.W, lt.gW, lt.W_after)]
        pnames = names.param_names(li)
        nw = layer.size * below.size
        # the weights; pnames goes on to the biases, the arrays do not
        for start in range(0, nw, size):
            stop = min(nw, start + size)
            values, gradients, updated = (_values(a[start:stop]) for a in flat)
            chunk = []
            for k, name, v, g, u in zip(range(start, stop), pnames[start:stop], values, gradients, updated,
                                        strict=True):
                j, i = (k % layer.size, k // layer.size) if by_source else divmod(k, below.size)
                chunk.append({
                    "name": name, "kind": "weight", "layer": lname,
                    "from": from_names[i], "to": [to_names[j]],
                    "value": v, "gradient": g, "updated": u,
                })
            yield chunk
        biases = _bias_objects(lt, names, li, pnames[nw:], to_names)
        if biases:
            yield biases


def _bias_objects(lt, names: Names, li: int, pnames, to_names: list[str]) -> list[dict[str, Any]]:
    b, gb, ba = lt.b.tolist(), lt.gb.tolist(), lt.b_after.tolist()
    nw = lt.W.size
    out = []
    for name, p in zip(pnames, names.layer_params(li)[nw:], strict=True):
        (k,) = p.index
        feeds = range(len(to_names)) if p.to is None else [p.to]
        out.append({
            "name": name, "kind": "bias", "layer": names.config.layers[li].name,
            "to": [to_names[j] for j in feeds],
            "value": _num(b[k]), "gradient": _num(gb[k]), "updated": _num(ba[k]),
            "trained": names.config.train_biases,
        })
    return out


def _values(a) -> list:
    """The array's values as Python floats, non-finite ones as the strings _num gives."""
    values = a.tolist()
    return values if np.isfinite(a).all() else [_num(v) for v in values]


def run_object(run: RunTrace, names: Names) -> dict[str, Any]:
    """The whole run as one JSON object: what :class:`JsonStream` writes piece by piece."""
    obj = head_object(run.config, run.carry, run.initial, run.planned, run.trace_spec)
    obj["iterations"] = [iteration_object(it, names) for it in run.iterations]
    obj.update(tail_object(run, names))
    return obj


def head_object(cfg, carry: int | None, initial, planned: int, trace_spec: str | None) -> dict[str, Any]:
    """What the document says before any iteration: the network, and the config and options as run."""
    return {
        "network": {
            "name": cfg.name,
            "layers": [{"name": layer.name, "size": layer.size, "activation": layer.activation,
                        "bias": layer.bias if layer.activation else None} for layer in cfg.layers],
            "loss": cfg.loss,
            "learning_rate": cfg.learning_rate,
            "optimizer": cfg.optimizer.name,
            "batch_size": cfg.effective_batch_size,
            "notation": cfg.notation.style,
            "carry": carry_places(carry),  # --carry: the decimals hand mode rounded every value to, or null
            "carry_sig": carry_sig(carry),  # --carry-sig: the significant digits it rounded to, or null
            "hidden_deltas_use": cfg.hidden_deltas_use,
        },
        "config": config_object(cfg, initial, planned),
        "options": {"iterations": planned, "trace": _trace_text(trace_spec, planned),
                    "carry": carry_places(carry), "carry_sig": carry_sig(carry)},
    }


def tail_object(run: RunTrace, names: Names) -> dict[str, Any]:
    """What the document says after the traced iterations: every loss, the final network, why it stopped,
    and hand mode's warnings."""
    cfg = run.config
    obj: dict[str, Any] = {
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
    if run.warnings:  # hand mode's, known only once the run is done
        obj["warnings"] = list(run.warnings)
    return obj


def _trace_text(spec: str | None, planned: int) -> str:
    """The --trace of the run as the option reads it (the default spelled out)."""
    if spec is None:
        return "all" if planned <= 20 else "first,last"
    return " ".join(spec.split()).lower()


def config_object(cfg, initial, planned: int) -> dict[str, Any]:
    """The config as run, in the keys of a config file: ``stepnet run`` reads it back to the same run.

    The weights and biases are the initial ones, drawn from ``init`` where the file did not give them.
    """
    weights, biases = initial
    layers: list[dict[str, Any]] = [{"name": cfg.layers[0].name, "size": cfg.layers[0].size}]
    for layer in cfg.layers[1:]:
        entry = {"name": layer.name, "size": layer.size, "activation": layer.activation, "bias": layer.bias}
        if layer.activation == "leaky_relu":
            entry["slope"] = layer.slope
        layers.append(entry)
    named = [layer.name for layer in cfg.layers[1:]]
    out: dict[str, Any] = {"name": cfg.name}
    if cfg.description:
        out["description"] = cfg.description
    out.update({
        "layers": layers,
        "weights": {name: w.tolist() for name, w in zip(named, weights, strict=True)},
        "biases": {name: (b[0].item() if layer.bias == "shared" else b.tolist())
                   for name, layer, b in zip(named, cfg.layers[1:], biases, strict=True) if layer.bias != "none"},
        "train_biases": cfg.train_biases,
        "loss": cfg.loss,
        "learning_rate": cfg.learning_rate,
        "optimizer": _optimizer_object(cfg.optimizer),
        "data": [{"inputs": list(s.inputs), "targets": list(s.targets)} for s in cfg.data],
    })
    if cfg.batch_size is not None:
        out["batch_size"] = cfg.batch_size
    if cfg.shuffle_seed is not None:
        out["shuffle"] = {"seed": cfg.shuffle_seed}
    out.update({"iterations": planned, "hidden_deltas_use": cfg.hidden_deltas_use,
                "notation": _notation_object(cfg.notation)})
    return out


def _optimizer_object(opt) -> dict[str, Any]:
    settings = {"sgd": (), "momentum": ("momentum",), "adam": ("beta1", "beta2", "epsilon")}[opt.name]
    return {"name": opt.name, **{key: getattr(opt, key) for key in settings}}


def _notation_object(notation) -> dict[str, Any]:
    out: dict[str, Any] = {"style": notation.style}
    if notation.style in ("flat", "mazur"):
        out["numbering"] = notation.numbering
    else:
        out["index_order"] = notation.index_order
    if notation.symbols:
        out["symbols"] = dict(notation.symbols)
    return out


class JsonStream:
    """The document of :func:`run_object`, written piece by piece to ``write`` as the run goes:
    :meth:`head` before training, :meth:`iteration` for each traced one, :meth:`tail` at the end.
    The text is byte for byte ``dumps(run_object(run, names))``."""

    def __init__(self, write, names: Names) -> None:
        self.write, self.names, self.count = write, names, 0

    def head(self, cfg, carry: int | None, initial, planned: int, trace_spec: str | None) -> None:
        items = [_member(k, v, 1) for k, v in head_object(cfg, carry, initial, planned, trace_spec).items()]
        self.write("{\n " + ",\n ".join(items) + ',\n "iterations": [')

    def iteration(self, it: IterationTrace) -> None:
        """One traced iteration; its parameters are made and written a chunk at a time."""
        text = _nested(iteration_object(it, self.names, parameters=False), 2)
        empty = '"parameters": []\n  }'
        if not text.endswith(empty):  # the fast encoder gave way to json.dumps: the whole object at once
            self.write(("," if self.count else "") + "\n  " + _nested(iteration_object(it, self.names), 2))
        else:
            self.write(("," if self.count else "") + "\n  " + text[: -len(empty)] + '"parameters": [')
            for n, chunk in enumerate(parameter_chunks(it, self.names)):
                self.write(("," if n else "") + "\n    " + ",\n    ".join(_nested(p, 4) for p in chunk))
            self.write("\n   ]\n  }")
        self.count += 1

    def tail(self, run: RunTrace) -> None:
        items = [_member(k, v, 1) for k, v in tail_object(run, self.names).items()]
        self.write(("\n ]" if self.count else "]") + ",\n " + ",\n ".join(items) + "\n}\n")


def _member(key: str, value: Any, level: int) -> str:
    return _string(key) + ": " + _nested(value, level)


def _nested(value: Any, level: int) -> str:
    """``value`` encoded as dumps() writes it ``level`` levels deep."""
    try:
        return _encode(value, level)
    except (_Unsupported, RecursionError):
        return json.dumps(value, indent=1, ensure_ascii=False).replace("\n", "\n" + " " * level)


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
