"""A run as a PyTorch program: nn.Sequential in float64, gradients from autograd, torch.optim updates.

stepnet's optimizers are torch's (SGD, SGD with momentum, Adam) written in another form, so the
program uses torch.optim and says where the forms differ.  Only the variant that sends the
error down through already updated weights needs more than one backward call, and the seeded
shuffle is written out as the orders it gave, so that the program needs nothing but torch.
"""

from __future__ import annotations

from ...errors import UsageError
from ...verify.sensitivity import rounding_sensitivity
from .literals import WIDTH, comment, note, num, optimizer_constants, packed
from .notation import Notation
from .plan import Plan, plan_of
from .selfcheck import CHECK, data_block, docstring, expectations, parameter_block

# A nudge of NUDGE is a few hundred roundings. A run that it moves by more than 10 tolerances
# magnifies rounding so much that autograd, which sums in another order than stepnet, would end
# further from stepnet's numbers than the check allows (runs moved by a few hundred do).
MAX_SENSITIVITY = 10.0

_MODULE = {
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU({slope})",
    "identity": "nn.Identity()",
    "softmax": "nn.Softmax(dim=1)",
}
_LOSS = {
    "half_sse": "(0.5 * (T - {x}) ** 2).sum(dim=1).mean()",
    "sse": "((T - {x}) ** 2).sum(dim=1).mean()",
    "mse": "((T - {x}) ** 2 / {n}).sum(dim=1).mean()",
    "cross_entropy": "nn.functional.cross_entropy({x}, T)",
    "binary_cross_entropy":
        'nn.functional.binary_cross_entropy_with_logits({x}, T, reduction="none").sum(dim=1).mean()',
}
_SHARED_BIAS = [
    "", "",
    "class SharedBias(nn.Module):",
    '    """One bias added to every neuron of a layer, a plain tensor: PyTorch has no layer for it."""',
    "",
    "    def __init__(self):",
    "        super().__init__()",
    "        self.bias = nn.Parameter(torch.zeros(1))",
    "",
    "    def forward(self, x):",
    "        return x + self.bias",
]
_OPTIMIZER_NOTES = {
    "momentum": [
        "# stepnet writes momentum as v+ = mu * v - eta * dE/dw, w+ = w + v+; torch.optim.SGD keeps",
        "# u+ = mu * u + dE/dw and steps w+ = w - eta * u+. With a constant eta, v = -eta * u: the same",
        "# update written differently.",
    ],
    "adam": [
        "# stepnet's Adam is torch's: m+ = beta1 * m + (1 - beta1) * g, v+ = beta2 * v + (1 - beta2) * g^2,",
        "# w+ = w - eta * m^ / (sqrt(v^) + eps) with m^ = m+ / (1 - beta1^t), v^ = v+ / (1 - beta2^t).",
        "# torch divides sqrt(v+) by sqrt(1 - beta2^t) instead: the same number, up to rounding.",
    ],
}


def pytorch_script(run) -> str:
    """A standalone PyTorch program that recomputes ``run`` and checks itself against its numbers.

    ``run`` is the engine's Run record (or the API's Run). A run that cannot be written out
    (hand mode, diverged, too long, too large) is a UsageError.
    """
    plan = plan_of(run)
    _refuse_sensitive(run)
    notation = Notation(plan)
    parts = [
        docstring(plan, "PyTorch"), ["", "import sys", "", "import torch", "from torch import nn", ""],
        [comment("torch.set_default_dtype(torch.float64)", "every tensor in float64, as stepnet computes"), ""],
        data_block(plan, notation, "torch.tensor"), [""], _settings(plan), [""],
        parameter_block(plan, notation, "START", ""), _SHARED_BIAS if _shared(plan) else [],
        _model(plan, notation), _optimizers(plan), _loss(plan, notation), _batches(plan),
        _step(plan), _train(plan), CHECK, expectations(plan, _orders(plan)),
    ]
    return "\n".join(line for part in parts for line in part) + "\n"


def _refuse_sensitive(run) -> None:
    sensitivity = rounding_sensitivity(getattr(run, "trace", run))
    if sensitivity > MAX_SENSITIVITY:
        raise UsageError(
            "this run magnifies rounding: a change in the 13th digit of its starting weights moves its "
            "losses by more than the 1e-9 a script checks; PyTorch's autograd rounds differently from "
            "stepnet, so a PyTorch script could not agree with stepnet's numbers",
            hint="--format python writes a numpy script that computes as stepnet does; or lower learning_rate",
        )


def _shared(plan: Plan) -> bool:
    return any(layer.bias == "shared" for layer in plan.layers)


def _settings(plan: Plan) -> list[str]:
    config = plan.config
    lines = [comment(f"LEARNING_RATE = {num(config.learning_rate)}", "eta"), f"ITERATIONS = {plan.iterations}"]
    if not plan.full_batch:
        lines.append(f"BATCH_SIZE = {config.effective_batch_size}")
    return lines + optimizer_constants(config.optimizer)


def _modules(plan: Plan, notation: Notation) -> tuple[list[str], dict[str, str], list[tuple[int, int]]]:
    """The lines inside nn.Sequential(...), where each parameter lives, and each layer's slice."""
    lines, where, spans, k = [], {}, [], 0
    for layer in plan.layers:
        first = k
        bias = "True" if layer.bias == "per_neuron" else "False"
        linear = f"    nn.Linear({layer.below_size}, {layer.size}, bias={bias}),"
        lines.append(comment(linear, f"layer {layer.name}: {notation.net(layer)}"))
        where[layer.W] = f"model[{k}].weight"
        if layer.bias == "per_neuron":
            where[layer.b] = f"model[{k}].bias"
        k += 1
        if layer.bias == "shared":
            lines.append(comment("    SharedBias(),", notation.bias(layer)))
            where[layer.b] = f"model[{k}].bias"
            k += 1
        module = _MODULE[layer.activation].format(slope=num(layer.slope))
        lines.append(comment(f"    {module},", notation.activation(layer)))
        k += 1
        spans.append((first, k))
    return lines, where, spans


def _model(plan: Plan, notation: Notation) -> list[str]:
    body, where, _ = _modules(plan, notation)
    trained = "[" + ", ".join(f'"{key}"' for key in plan.trained) + "]"
    note = "" if plan.config.train_biases else "the biases are not trained (train_biases: false)"
    lines = ["", "", "model = nn.Sequential(", *body, ")",
             "# The model's parameter tensors, under the names of their numbers above.",
             "PARAMS = {", *packed([f'"{key}": {value}' for key, value in where.items()], "    "), "}",
             "with torch.no_grad():", "    for key, p in PARAMS.items():", "        p.copy_(torch.tensor(START[key]))",
             comment(f"TRAINED = {trained}", note)]
    return lines


def _optimizer_call(plan: Plan, params: str) -> str:
    opt = plan.config.optimizer
    if opt.name == "momentum":
        return f"torch.optim.SGD({params}, lr=LEARNING_RATE, momentum=MOMENTUM)"
    if opt.name == "adam":
        return f"torch.optim.Adam({params}, lr=LEARNING_RATE, betas=(BETA1, BETA2), eps=EPSILON)"
    return f"torch.optim.SGD({params}, lr=LEARNING_RATE)"


def _optimizers(plan: Plan) -> list[str]:
    lines = _OPTIMIZER_NOTES.get(plan.config.optimizer.name, [])
    if not plan.updated_first:
        line = f"optimizer = {_optimizer_call(plan, '[PARAMS[key] for key in TRAINED]')}"
        if len(line) > WIDTH:
            head, _, rest = line.partition("(")
            line = f"{head}(\n    {rest[:-1]}\n)"
        return lines + [line]
    _, _, spans = _modules(plan, Notation(plan))
    slices = ", ".join(f"model[{a}:{b}]" for a, b in spans)
    per_layer = [[key for key in layer.keys if key in plan.trained] for layer in plan.layers]
    return lines + [
        "# hidden_deltas_use: updated_weights: each layer is updated as soon as its gradients are known,",
        "# and the error goes on down through its updated weights. One backward pass would use the",
        "# weights of the forward pass throughout, so autograd runs one layer at a time, the error is",
        "# passed down by hand, and each layer has its own optimizer.",
        comment(f"LAYERS = [{slices}]", "one nn.Sequential per layer, sharing the model's modules"),
        "LAYER_PARAMS = [", *packed([_params_list(keys) for keys in per_layer], "    "), "]",
        "OPTIMIZERS = [", f"    {_optimizer_call(plan, 'params')}", "    for params in LAYER_PARAMS", "]",
    ]


def _params_list(keys: list[str]) -> str:
    return "[" + ", ".join(f'PARAMS["{key}"]' for key in keys) + "]"


def _loss_input(plan: Plan) -> str:
    top = plan.layers[-1]
    return top.net if plan.fused else top.out


def _loss(plan: Plan, notation: Notation) -> list[str]:
    top = plan.layers[-1]
    value = _LOSS[plan.config.loss].format(x=_loss_input(plan), n=top.size)
    lines = ["", "", f"def loss_of(T, {_loss_input(plan)}):",
             '    """E_total: each sample\'s error summed over the outputs, then the mean over the samples."""']
    if plan.fused:
        lines.append("    # from the output layer's net input, the stable way, as stepnet computes it")
    lines += note("    ", notation.loss_term())
    return lines + [comment(f"    return {value}", notation.loss_total())]


def _batches(plan: Plan) -> list[str]:
    if plan.full_batch:
        return []
    if plan.config.shuffle_seed is not None:
        doc = "in stepnet's shuffled order"
        loop = ["    for order in ORDERS:"]
    else:
        doc, loop = "in file order", ["    order = list(range(len(X)))", "    while True:"]
    return ["", "", "def batches():", f'    """The samples of each iteration, epoch after epoch, {doc}."""',
            *loop, "        for start in range(0, len(X), BATCH_SIZE):",
            "            yield order[start:start + BATCH_SIZE]"]


def _step(plan: Plan) -> list[str]:
    forward = "model[:-1](X)" if plan.fused else "model(X)"
    head = ["", "", "def step(X, T):",
            '    """One iteration on one batch: forward, loss, gradients by autograd, update; the loss."""',
            "    model.zero_grad()"]
    if not plan.updated_first:
        note = "the output layer's net input: softmax or sigmoid is part of the loss" if plan.fused else ""
        return head + [comment(f"    loss = loss_of(T, {forward})", note),
                       comment("    loss.backward()", "every dE_total/dw and dE_total/db, into p.grad"),
                       "    optimizer.step()", "    return loss.item()"]
    top = "nets[-1]" if plan.fused else "outs[-1]"
    return head + [
        "    nets, outs, a = [], [], X", "    for layer in LAYERS:",
        comment("        net = layer[:-1](a.detach())", "detached: autograd stops at the layer's input"),
        comment("        net.retain_grad()", "to read delta = dE_total/dnet (over the batch size)"),
        "        a = layer[-1](net)", "        nets.append(net)", "        outs.append(a)",
        f"    loss = loss_of(T, {top})",
        comment("    loss.backward()", "the output layer's gradients"),
        "    for k in reversed(range(len(LAYERS))):",
        comment("        OPTIMIZERS[k].step()", "this layer is updated now"),
        "        if k:",
        comment("            error = nets[k].grad @ LAYERS[k][0].weight.detach()",
                "dE_total/dout below, through the updated weights"),
        comment("            outs[k - 1].backward(error)", "the gradients of the layer below"),
        "    return loss.item()",
    ]


def _train(plan: Plan) -> list[str]:
    lines = ["", "", "def train():",
             '    """Every iteration in turn; the losses, and the gradients to check."""',
             "    losses, gradients = [], {}"]
    if plan.full_batch:
        lines += ["    for t in range(1, ITERATIONS + 1):", "        loss = step(X, T)"]
    else:
        lines += ["    batch = batches()", "    for t in range(1, ITERATIONS + 1):", "        samples = next(batch)",
                  "        loss = step(X[samples], T[samples])"]
    forward = "model[:-1](X)" if plan.fused else "model(X)"
    return lines + [
        '        print(f"iteration {t}: loss {loss!r}")', "        losses.append(loss)",
        "        if t in EXPECTED_GRADIENTS:",
        "            gradients[t] = {key: p.grad.tolist() for key, p in PARAMS.items()}",
        "    return losses, gradients", "", "",
        "def loss_on_all_data():", '    """E_total on every sample, after the last update."""',
        "    with torch.no_grad():", f"        return loss_of(T, {forward}).item()",
    ]


def _orders(plan: Plan) -> list[str]:
    if not plan.orders:
        return []
    seed = plan.config.shuffle_seed
    lines = ["", f"# The samples of each epoch in the order numpy's default_rng({seed}).permutation gives them, as",
             "# stepnet shuffles; written out so that this script needs nothing but torch.", "ORDERS = ["]
    lines += packed(["[" + ", ".join(map(str, order)) + "]" for order in plan.orders], "    ")
    return lines + ["]", ""]
