"""The machine-readable trace: one JSON object, floats at full precision (repr).

Contract (kept stable for other tools): ``iterations`` (one object per traced iteration,
with ``iteration``, ``loss``, ``samples`` and ``parameters``), ``losses`` (every iteration)
and ``final``.  Extra keys may be added; these never change meaning.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..notation import Names
from ..trace import IterationTrace, Run


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
            for j, (net, out, delta) in enumerate(zip(lt.net[s].tolist(), lt.out[s].tolist(), lt.delta[s].tolist())):
                nodes.append({"name": f"{lname}{j + 1}", "layer": lname, "net": _num(net), "out": _num(out), "delta": _num(delta)})
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
    cfg = names.config
    frozen_biases = not cfg.train_biases
    per_layer = {}
    for li in range(1, len(cfg.layers)):
        lt = it.layer(li)
        per_layer[li] = (lt.W.tolist(), lt.gW.tolist(), lt.W_after.tolist(), lt.b.tolist(), lt.gb.tolist(), lt.b_after.tolist())
    out = []
    for p in names.params:
        W, gW, Wa, b, gb, ba = per_layer[p.layer]
        lname = cfg.layers[p.layer].name
        if p.kind == "weight":
            out.append({
                "name": p.name, "kind": "weight", "layer": lname,
                "from": names.neuron_name(p.layer - 1, p.source), "to": [names.neuron_name(p.layer, p.to)],
                "value": _num(W[p.to][p.source]), "gradient": _num(gW[p.to][p.source]), "updated": _num(Wa[p.to][p.source]),
            })
        else:
            k = 0 if p.to is None else p.to
            feeds = range(cfg.layers[p.layer].size) if p.to is None else [p.to]
            out.append({
                "name": p.name, "kind": "bias", "layer": lname,
                "to": [names.neuron_name(p.layer, j) for j in feeds],
                "value": _num(b[k]), "gradient": _num(gb[k]), "updated": _num(ba[k]),
                "trained": not frozen_biases,
            })
    return out


def run_object(run: Run, names: Names) -> dict[str, Any]:
    cfg = run.config
    obj: dict[str, Any] = {
        "network": {
            "name": cfg.name,
            "layers": [{"name": l.name, "size": l.size, "activation": l.activation, "bias": l.bias if l.activation else None}
                       for l in cfg.layers],
            "loss": cfg.loss,
            "learning_rate": cfg.learning_rate,
            "optimizer": cfg.optimizer.name,
            "batch_size": cfg.effective_batch_size,
            "notation": cfg.notation.style,
            "hand_mode_decimals": run.carry,
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
        from ..report import stop_reason

        obj["stopped"] = stop_reason(run, names)
    return obj


def dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"
