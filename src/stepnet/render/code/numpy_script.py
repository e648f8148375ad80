"""A run as a numpy program: forward, backward and update written out as a teacher would.

The program computes what stepnet's engine computes, operation for operation, so its numbers
agree with stepnet's to the last bit or nearly; it never imports stepnet.
"""

from __future__ import annotations

from .literals import comment, num, optimizer_constants
from .notation import Notation
from .plan import LayerPlan, Plan, plan_of
from .selfcheck import CHECK, data_block, docstring, expectations, parameter_block

_ACTIVATION = {
    "sigmoid": "sigmoid({net})",
    "tanh": "np.tanh({net})",
    "relu": "np.maximum({net}, 0.0)",
    "leaky_relu": "np.where({net} > 0, {net}, {slope} * {net})",
    "identity": "{net}",
    "softmax": "softmax({net})",
}
_DERIVATIVE = {
    "sigmoid": "{out} * (1.0 - {out})",
    "tanh": "1.0 - {out} * {out}",
    "relu": "({net} > 0).astype(float)",
    "leaky_relu": "np.where({net} > 0, 1.0, {slope})",
    "identity": "np.ones_like({net})",
}
_LOSS = {
    "half_sse": ["E = 0.5 * (T - {o}) ** 2"],
    "sse": ["E = (T - {o}) ** 2"],
    "mse": ["E = (T - {o}) ** 2 / {n}"],
    "cross_entropy": [
        "m = {net}.max(axis=1, keepdims=True)",
        "log_out = {net} - m - np.log(np.exp({net} - m).sum(axis=1, keepdims=True))",
        "E = np.where(T == 0, 0.0, -T * log_out)",
    ],
    "binary_cross_entropy": ["E = np.maximum({net}, 0.0) - T * {net} + np.log1p(np.exp(-np.abs({net})))"],
}
_LOSS_DERIVATIVE = {
    "half_sse": "-(T - {o})",
    "sse": "-2.0 * (T - {o})",
    "mse": "-2.0 * (T - {o}) / {n}",
}
_HELPERS = {
    "sigmoid": ["def sigmoid(x):",
                "    return 1.0 / (1.0 + np.exp(-x))  # e^800 is inf, which gives the right limit 0"],
    "softmax": ["def softmax(x):",
                '    """Each row\'s e^x / sum(e^x), from x - max(x): the same, and e^x stays finite."""',
                "    z = np.exp(x - x.max(axis=1, keepdims=True))",
                "    return z / z.sum(axis=1, keepdims=True)"],
}


def python_script(run) -> str:
    """A standalone numpy program that recomputes ``run`` and checks itself against its numbers.

    ``run`` is the engine's Run record (or the API's Run). A run that cannot be written out
    (hand mode, diverged, too long, too large) is a UsageError.
    """
    plan = plan_of(run)
    notation = Notation(plan)
    parts = [
        docstring(plan, "numpy"), ["", "import sys", "", "import numpy as np", ""],
        data_block(plan, notation, "np.array"), [""], _settings(plan), [""],
        parameter_block(plan, notation, "P", "np.array"), _state(plan),
        _helpers(plan), _forward(plan, notation), _loss(plan, notation), _backward(plan, notation),
        _update(plan), _batches(plan), _train(plan), CHECK, expectations(plan),
    ]
    return "\n".join(line for part in parts for line in part) + "\n"


def _settings(plan: Plan) -> list[str]:
    config = plan.config
    lines = [comment(f"LEARNING_RATE = {num(config.learning_rate)}", "eta"),
             f"ITERATIONS = {plan.iterations}"]
    if not plan.full_batch:
        lines.append(f"BATCH_SIZE = {config.effective_batch_size}")
    if config.shuffle_seed is not None:
        lines.append(comment(f"SHUFFLE_SEED = {config.shuffle_seed}", "numpy's generator, seeded as stepnet seeds it"))
    return lines + optimizer_constants(config.optimizer)


def _state(plan: Plan) -> list[str]:
    trained = "[" + ", ".join(f'"{k}"' for k in plan.trained) + "]"
    note = "" if plan.config.train_biases else "the biases are not trained (train_biases: false)"
    lines = [comment(f"TRAINED = {trained}", note)]
    name = plan.config.optimizer.name
    if name == "momentum":
        lines.append(comment("V = {key: np.zeros_like(P[key]) for key in TRAINED}", "the velocities, 0 at the start"))
    if name == "adam":
        zeros = "{key: np.zeros_like(P[key]) for key in TRAINED}"
        lines.append(comment(f"M = {zeros}", "the running mean of each gradient"))
        lines.append(comment(f"V = {zeros}", "and of its square"))
    return lines


def _helpers(plan: Plan) -> list[str]:
    used = {layer.activation for layer in plan.layers}
    lines = []
    for name in ("sigmoid", "softmax"):
        if name in used:
            lines += ["", ""] + _HELPERS[name]
    return lines


def values_of(plan: Plan) -> str:
    """``net_h, out_h, net_o, out_o``: what forward returns."""
    return ", ".join(f"{layer.net}, {layer.out}" for layer in plan.layers)


def _input_of(plan: Plan, layer: LayerPlan) -> str:
    return "X" if layer.index == 1 else plan.layers[layer.index - 2].out


def _forward(plan: Plan, notation: Notation) -> list[str]:
    lines = ["", "", "def forward(X):", '    """The net input and the output of every layer, one row per sample."""']
    for layer in plan.layers:
        net = f'{_input_of(plan, layer)} @ P["{layer.W}"].T' + (f' + P["{layer.b}"]' if layer.b else "")
        lines.append(comment(f"    {layer.net} = {net}", notation.net(layer)))
        value = _ACTIVATION[layer.activation].format(net=layer.net, slope=num(layer.slope))
        lines.append(comment(f"    {layer.out} = {value}", notation.activation(layer)))
    return lines + [f"    return {values_of(plan)}"]


def loss_arguments(plan: Plan) -> str:
    """What loss_of takes besides T: the output layer's net input where the loss is computed from it."""
    top = plan.layers[-1]
    return top.net if plan.fused else top.out


def _loss(plan: Plan, notation: Notation) -> list[str]:
    top = plan.layers[-1]
    lines = ["", "", f"def loss_of(T, {loss_arguments(plan)}):",
             '    """E_total: each sample\'s error summed over the outputs, then the mean over the samples."""']
    body = [line.format(o=top.out, net=top.net, n=top.size) for line in _LOSS[plan.config.loss]]
    lines += ["    " + line for line in body[:-1]]
    lines.append(comment("    " + body[-1], notation.loss_term()))
    lines.append(comment("    return float(E.sum(axis=1).mean())", notation.loss_total()))
    return lines


def _backward(plan: Plan, notation: Notation) -> list[str]:
    adam = plan.config.optimizer.name == "adam"
    t = ", t" if plan.updated_first and adam else ""
    lines = ["", "", f"def backward(X, T, {values_of(plan)}{t}):",
             '    """Every gradient, in the order of the worked example: the output layer first."""',
             comment("    B = len(X)", "the samples in the batch: each gradient is the mean over them"),
             "    G = {}"]
    for k in range(len(plan.layers) - 1, -1, -1):
        layer = plan.layers[k]
        lines.append(f"    # layer {layer.name}")
        if k < len(plan.layers) - 1:
            above = plan.layers[k + 1]
            paths = f'delta_{above.name} @ P["{above.W}"]'
            formula = notation.error_below(above, plan.updated_first)
            lines.append(comment(f"    dE_dout_{layer.name} = {paths}", formula))
        lines += _layer_delta(plan, notation, layer)
        lines += _layer_gradients(plan, notation, layer)
        if plan.updated_first:
            keys = ", ".join(f'"{key}"' for key in layer.keys if key in plan.trained)
            note = "at once: the layer below sees the updated weights" if k else "at once, as the layers above"
            lines.append(comment(f"    update(G, [{keys}]{t})", note))
    return lines + ["    return G"]


def _layer_delta(plan: Plan, notation: Notation, layer: LayerPlan) -> list[str]:
    name, top = layer.name, layer is plan.layers[-1]
    if top and plan.fused:
        return [comment(f"    delta_{name} = {layer.out} - T", notation.fused_delta())]
    lines = []
    if top:
        value = _LOSS_DERIVATIVE[plan.config.loss].format(o=layer.out, n=layer.size)
        lines.append(comment(f"    dE_dout_{name} = {value}", notation.loss_derivative()))
    if layer.activation == "softmax":
        jacobian = f"{layer.out} * (dE_dout_{name} - (dE_dout_{name} * {layer.out}).sum(axis=1, keepdims=True))"
        return lines + [comment(f"    delta_{name} = {jacobian}", notation.delta(layer))]
    value = _DERIVATIVE[layer.activation].format(out=layer.out, net=layer.net, slope=num(layer.slope))
    lines.append(comment(f"    dout_dnet_{name} = {value}", notation.derivative(layer)))
    lines.append(comment(f"    delta_{name} = dE_dout_{name} * dout_dnet_{name}", notation.delta(layer)))
    return lines


def _layer_gradients(plan: Plan, notation: Notation, layer: LayerPlan) -> list[str]:
    name = layer.name
    gradient = f'    G["{layer.W}"] = delta_{name}.T @ {_input_of(plan, layer)} / B'
    lines = [comment(gradient, notation.weight_gradient(layer))]
    if layer.bias == "per_neuron":
        lines.append(comment(f'    G["{layer.b}"] = delta_{name}.mean(axis=0)', notation.bias_gradient(layer)))
    elif layer.bias == "shared":
        lines.append(comment(f'    G["{layer.b}"] = np.array([delta_{name}.sum() / B])', notation.bias_gradient(layer)))
    return lines


def _update(plan: Plan) -> list[str]:
    name = plan.config.optimizer.name
    if name == "sgd":
        return ["", "", "def update(G, keys):", '    """Gradient descent: w+ = w - eta * dE_total/dw."""',
                "    for key in keys:", "        P[key] = P[key] - LEARNING_RATE * G[key]"]
    if name == "momentum":
        return ["", "", "def update(G, keys):",
                '    """Momentum: v+ = mu * v - eta * dE_total/dw, then w+ = w + v+."""',
                "    for key in keys:", "        V[key] = MOMENTUM * V[key] - LEARNING_RATE * G[key]",
                "        P[key] = P[key] + V[key]"]
    return ["", "", "def update(G, keys, t):",
            '    """Adam at update t: running means m and v of the gradient and its square, corrected',
            "    towards 0 in the first steps as m^ and v^, then w+ = w - eta * m^ / (sqrt(v^) + eps).",
            '    """',
            "    for key in keys:", "        M[key] = BETA1 * M[key] + (1 - BETA1) * G[key]",
            "        V[key] = BETA2 * V[key] + (1 - BETA2) * G[key] * G[key]",
            "        m_hat = M[key] / (1 - BETA1**t)", "        v_hat = V[key] / (1 - BETA2**t)",
            "        P[key] = P[key] - LEARNING_RATE * m_hat / (np.sqrt(v_hat) + EPSILON)"]


def _batches(plan: Plan) -> list[str]:
    if plan.full_batch:
        return []
    if plan.config.shuffle_seed is not None:
        doc = "shuffled as stepnet shuffles them"
        setup, order = ["    rng = np.random.default_rng(SHUFFLE_SEED)"], "rng.permutation(len(X))"
    else:
        doc, setup, order = "in file order", [], "np.arange(len(X))"
    return ["", "", "def batches():", f'    """The samples of each iteration, epoch after epoch, {doc}."""',
            *setup, "    while True:", f"        order = {order}",
            "        for start in range(0, len(X), BATCH_SIZE):",
            "            yield order[start:start + BATCH_SIZE]"]


def _train(plan: Plan) -> list[str]:
    Xb, Tb = ("X", "T") if plan.full_batch else ("X_batch", "T_batch")
    t = ", t" if plan.config.optimizer.name == "adam" else ""
    lines = ["", "", "def train():",
             '    """Every iteration: forward, loss, backward, update; the losses and the gradients to check."""',
             "    losses, gradients = [], {}"]
    if not plan.full_batch:
        lines.append("    batch = batches()")
    lines.append("    for t in range(1, ITERATIONS + 1):")
    if not plan.full_batch:
        lines += ["        samples = next(batch)", f"        {Xb}, {Tb} = X[samples], T[samples]"]
    lines += [f"        {values_of(plan)} = forward({Xb})",
              f"        loss = loss_of({Tb}, {loss_arguments(plan)})",
              f"        G = backward({Xb}, {Tb}, {values_of(plan)}{t if plan.updated_first else ''})"]
    if not plan.updated_first:
        lines.append(f"        update(G, TRAINED{t})")
    lines += ['        print(f"iteration {t}: loss {loss!r}")', "        losses.append(loss)",
              "        if t in EXPECTED_GRADIENTS:",
              "            gradients[t] = {key: g.tolist() for key, g in G.items()}",
              "    return losses, gradients", "", "",
              "def loss_on_all_data():", '    """E_total on every sample, after the last update."""',
              f"    {values_of(plan)} = forward(X)", f"    return loss_of(T, {loss_arguments(plan)})"]
    return lines
