"""Bridges: a PyTorch model brought into stepnet as a config, and a config written out as YAML.

torch is not a dependency of stepnet: :func:`from_torch` imports it when called and says how
to install it when it is missing.  The config it returns is a plain dict that
:func:`stepnet.run` accepts and :func:`to_yaml` writes as a file ``stepnet run`` reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .errors import UsageError

MAX_PARAMETERS = 10_000  # more is past working by hand; force=True reads it anyway

_INSTALL_HINT = "install PyTorch, whose cpu-only build is enough: pip install torch"
_KNOWN = "nn.Linear, nn.Sigmoid, nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.Identity and nn.Softmax (last layer only)"
_HIDDEN_NAMES = ("h", "g", "f", "e", "d", "c")


def from_torch(
    model,
    inputs,
    targets,
    *,
    learning_rate: float | None = None,
    loss: str | None = None,
    optimizer=None,
    batch_size: int | None = None,
    iterations: int | None = None,
    name: str = "A PyTorch model",
    force: bool = False,
) -> dict[str, Any]:
    """A stepnet config (a dict) for a ``torch.nn.Sequential``, with its current weights and the data.

    ``inputs`` and ``targets`` are one row per sample (lists, numpy arrays or tensors; a single
    sample may be one flat row).  ``loss`` defaults to cross_entropy after a softmax, else
    half_sse.  ``optimizer`` is an optimizer name, a stepnet optimizer mapping, or a
    ``torch.optim.SGD``/``Adam`` whose settings (learning rate included) are read; the learning
    rate is otherwise ``learning_rate`` or 0.5.  A layer stepnet does not know is refused by
    name, and so is a network of more than 10,000 parameters unless ``force``.
    """
    torch = _import_torch()
    layers = _read_layers(_modules(model, torch.nn), torch.nn)
    count = sum(linear.weight.numel() + (linear.bias.numel() if linear.bias is not None else 0)
                for linear, _, _ in layers)
    if count > MAX_PARAMETERS and not force:
        raise UsageError(
            f"the model has {count:,} parameters; stepnet works through every one of them by hand, "
            f"and reads at most {MAX_PARAMETERS:,} unless told to",
            hint="pass force=True to read it anyway",
        )
    output = layers[-1][1]
    config: dict[str, Any] = {"name": name, "description": f"Read from a torch.nn.Sequential of {count:,} parameters"}
    config.update(_network(layers))
    rate, opt = _optimizer(optimizer, torch)
    config["loss"] = loss or ("cross_entropy" if output == "softmax" else "half_sse")
    config["learning_rate"] = float(learning_rate if learning_rate is not None else rate if rate is not None else 0.5)
    if opt != "sgd":
        config["optimizer"] = opt
    if batch_size is not None:
        config["batch_size"] = batch_size
    if iterations is not None:
        config["iterations"] = iterations
    config["data"] = _data(torch, inputs, targets, layers[0][0].in_features, layers[-1][0].out_features)
    return config


def _import_torch():
    try:
        import torch
    except ImportError:
        raise UsageError("from_torch needs PyTorch, and it is not installed", hint=_INSTALL_HINT) from None
    return torch


def _modules(model, nn) -> list:
    """The modules of a Sequential, nested Sequentials opened up."""
    if not isinstance(model, nn.Sequential):
        raise UsageError(f"from_torch reads a torch.nn.Sequential, not a {type(model).__name__}",
                         hint=f"build the model as nn.Sequential of {_KNOWN}")
    found = []
    for module in model:
        found += _modules(module, nn) if isinstance(module, nn.Sequential) else [module]
    return found


def _activation(module, nn) -> tuple[str, float | None] | None:
    """stepnet's name (and slope) for an activation module, or None if it is not one."""
    simple = {nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu", nn.Identity: "identity"}
    for kind, label in simple.items():
        if type(module) is kind:
            return label, None
    if type(module) is nn.LeakyReLU:
        slope = float(module.negative_slope)
        if slope < 0:
            raise UsageError(f"{module!r} has a negative slope; stepnet's leaky_relu needs a slope of 0 or more")
        return ("leaky_relu", slope) if slope > 0 else ("relu", None)
    if type(module) is nn.Softmax:
        if module.dim not in (None, 1, -1):
            raise UsageError(f"{module!r} takes the softmax over dim {module.dim}; stepnet's is over the outputs",
                             hint="use nn.Softmax(dim=1)")
        return "softmax", None
    return None


def _read_layers(modules: list, nn) -> list[tuple]:
    """(nn.Linear, activation, slope) for each layer: a Linear and the activation after it."""
    layers: list[list] = []
    for position, module in enumerate(modules):
        if type(module) is nn.Linear:
            if layers and layers[-1][0].out_features != module.in_features:
                raise UsageError(f"module {position}, {module!r}, takes {module.in_features} inputs but the layer "
                                 f"before it has {layers[-1][0].out_features} outputs")
            layers.append([module, None, None])
            continue
        found = _activation(module, nn)
        if found is None:
            raise UsageError(f"module {position} of the model, {module!r}, is not a layer stepnet can work through",
                             hint=f"stepnet reads {_KNOWN}")
        if not layers:
            raise UsageError(f"module {position}, {module!r}, comes before the first nn.Linear",
                             hint="start with nn.Linear: stepnet's input layer passes the inputs on unchanged")
        if layers[-1][1] is not None and found[0] != "identity":
            raise UsageError(f"module {position}, {module!r}, follows another activation; stepnet has one "
                             "activation per layer", hint="put an nn.Linear between two activations")
        if layers[-1][1] is None:
            layers[-1][1:] = found
    if not layers:
        raise UsageError("the model has no nn.Linear layer", hint=f"stepnet reads {_KNOWN}")
    for _, activation, _ in layers[:-1]:
        if activation == "softmax":
            raise UsageError("nn.Softmax is only supported after the last nn.Linear",
                             hint="use sigmoid, tanh or relu in the hidden layers")
    return [(linear, activation or "identity", slope) for linear, activation, slope in layers]


def _layer_names(count: int) -> list[str]:
    """i, then h (or h, g, f, ...), then o; past six hidden layers ha, hb, ..."""
    hidden = count - 1
    if hidden <= len(_HIDDEN_NAMES):
        names = list(_HIDDEN_NAMES[:hidden])
    else:
        names = ["h" + _letters(k) for k in range(hidden)]
    return ["i", *names, "o"]


def _letters(k: int) -> str:
    text = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        text = "abcdefghijklmnopqrstuvwxyz"[r] + text
    return text


def _network(layers: list[tuple]) -> dict[str, Any]:
    """The layers, weights and biases of a config, from (Linear, activation, slope) triples."""
    names = _layer_names(len(layers))
    specs: list[dict] = [{"name": names[0], "size": layers[0][0].in_features}]
    weights, biases = {}, {}
    for layer_name, (linear, activation, slope) in zip(names[1:], layers, strict=True):
        spec = {"name": layer_name, "size": linear.out_features, "activation": activation,
                "bias": "per_neuron" if linear.bias is not None else "none"}
        if slope is not None:
            spec["slope"] = slope
        specs.append(spec)
        weights[layer_name] = _values(linear.weight)
        if linear.bias is not None:
            biases[layer_name] = _values(linear.bias)
    network = {"layers": specs, "weights": weights}
    if biases:
        network["biases"] = biases
    return network


def _values(tensor) -> list:
    """A tensor's numbers as Python floats, exactly (a float32 is a float64 without loss)."""
    return tensor.detach().cpu().double().tolist()


def _optimizer(optimizer, torch) -> tuple[float | None, Any]:
    """(learning rate or None, stepnet's optimizer setting) for a name, a mapping or a torch.optim instance."""
    if optimizer is None:
        return None, "sgd"
    if isinstance(optimizer, (str, Mapping)):
        return None, dict(optimizer) if isinstance(optimizer, Mapping) else optimizer
    groups = optimizer.param_groups
    group = groups[0]
    label = type(optimizer).__name__
    if any(g["lr"] != group["lr"] for g in groups):
        raise UsageError(f"the {label} optimizer has several learning rates; stepnet uses one")
    if type(optimizer) is torch.optim.SGD:
        plain = (group.get("weight_decay", 0) == 0 and group.get("dampening", 0) == 0
                 and not group.get("nesterov") and not group.get("maximize"))
        if not plain:
            raise UsageError("stepnet's SGD has no weight decay, dampening, Nesterov momentum or maximize",
                             hint="use torch.optim.SGD(params, lr, momentum) only")
        momentum = float(group.get("momentum", 0))
        return float(group["lr"]), {"name": "momentum", "momentum": momentum} if momentum else "sgd"
    if type(optimizer) is torch.optim.Adam:
        if group.get("weight_decay", 0) != 0 or group.get("amsgrad") or group.get("maximize"):
            raise UsageError("stepnet's Adam has no weight decay, AMSGrad or maximize",
                             hint="use torch.optim.Adam(params, lr, betas, eps) only")
        beta1, beta2 = (float(b) for b in group["betas"])
        return float(group["lr"]), {"name": "adam", "beta1": beta1, "beta2": beta2, "epsilon": float(group["eps"])}
    raise UsageError(f"stepnet has no optimizer like torch.optim.{label}",
                     hint="use SGD (with or without momentum) or Adam")


def _data(torch, inputs, targets, n_in: int, n_out: int) -> list[dict]:
    rows = []
    for label, values, width in (("inputs", inputs, n_in), ("targets", targets, n_out)):
        t = torch.as_tensor(values, dtype=torch.float64).detach().cpu()
        if t.dim() == 1:
            t = t.unsqueeze(0)
        if t.dim() != 2 or t.shape[1] != width:
            raise UsageError(f"{label} should have one row of {width} numbers per sample; found shape {tuple(t.shape)}")
        rows.append(t.tolist())
    if len(rows[0]) != len(rows[1]):
        raise UsageError(f"{len(rows[0])} rows of inputs but {len(rows[1])} rows of targets",
                         hint="give one row of each per sample")
    return [{"inputs": x, "targets": y} for x, y in zip(*rows, strict=True)]


# ---------------------------------------------------------------- YAML


def to_yaml(config: Mapping[str, Any]) -> str:
    """A config dict as readable YAML that ``load_config`` reads back to the same numbers.

    Floats are written as Python's repr writes them, so every number survives exactly; short
    lists and the entries of ``layers`` and ``data`` are written on one line each.
    """
    import yaml

    if not isinstance(config, Mapping):
        raise UsageError(f"to_yaml writes a config mapping, not {type(config).__name__}",
                         hint="pass the dict from_torch returns, or a mapping of config keys")
    try:
        return yaml.dump(_styled(config, top=True), Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100)
    except yaml.representer.RepresenterError as exc:
        value = exc.args[1] if len(exc.args) > 1 else None
        raise UsageError(f"the config holds a {type(value).__name__}, which cannot be written as YAML",
                         hint="a config holds only numbers, strings, true/false, lists and mappings") from None


class _FlowList(list):
    pass


class _FlowDict(dict):
    pass


@lru_cache(maxsize=1)
def _dumper():
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)  # "- item" indented under its key

    Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
    Dumper.add_representer(_FlowDict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
    return Dumper


def _scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _styled(value, top: bool = False, in_list: bool = False):
    """Plain Python values, with the short lists and mappings marked to be written on one line."""
    if hasattr(value, "tolist"):  # numpy arrays and scalars, tensors
        value = value.tolist()
    if isinstance(value, Mapping):
        items = {str(k): _styled(v) for k, v in value.items()}
        flat = all(_scalar(v) or isinstance(v, _FlowList) for v in items.values())
        short = all(_scalar(v) for v in items.values()) and len(items) <= 6
        return _FlowDict(items) if not top and ((in_list and flat) or short) else items
    if isinstance(value, (list, tuple)):
        if all(_scalar(v) for v in value):
            return _FlowList(value)
        return [_styled(v, in_list=True) for v in value]
    return value
