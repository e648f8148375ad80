"""The parts both scripts share: the opening docstring, and the self-check against stepnet's numbers.

The check compares every iteration's loss, every gradient of the first and last iterations
stepnet traced, and the final loss, each to 1e-9 relative, and names each quantity that
differs.  stepnet's numbers sit at the end of the script as exact float literals.
"""

from __future__ import annotations

from ...verify.sensitivity import absolute_tolerance
from .literals import WIDTH, comment, matrix, names_table, num, packed, vector
from .plan import Plan

RELATIVE = "1e-9"  # as the scripts write it

_BIAS_TEXT = {"per_neuron": "one bias per neuron", "shared": "one shared bias", "none": "no bias"}


def _docstring_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _optimizer_text(config) -> str:
    opt, lr = config.optimizer, f"learning rate {config.learning_rate!r}"
    if opt.name == "momentum":
        return f"gradient descent with momentum {opt.momentum!r}, {lr}"
    if opt.name == "adam":
        return f"Adam (beta1 {opt.beta1!r}, beta2 {opt.beta2!r}, epsilon {opt.epsilon!r}), {lr}"
    return f"gradient descent, {lr}"


def _batch_text(plan: Plan) -> str:
    config, n = plan.config, len(plan.inputs)
    samples = f"{n} sample" + ("s" if n != 1 else "")
    shuffled = f", reshuffled every epoch (seed {config.shuffle_seed})" if config.shuffle_seed is not None else ""
    if config.effective_batch_size >= n:
        return f"each on the whole data set ({samples}){shuffled}"
    order = shuffled or ", in file order"
    return f"each on a mini-batch of {config.effective_batch_size} of the {samples}{order}"


def _network_text(plan: Plan) -> str:
    inputs = ", ".join(plan.names.neuron_name(0, i) for i in range(len(plan.inputs[0])))
    parts = [f"The network: inputs {inputs}"]
    for layer in plan.layers:
        act = layer.activation + (f" (slope {layer.slope!r})" if layer.activation == "leaky_relu" else "")
        parts.append(f"layer {layer.name}: {layer.size} {act} neuron{'s' if layer.size > 1 else ''}, "
                     f"{_BIAS_TEXT[layer.bias]}")
    return "; ".join(parts) + "."


def _wrap(text: str, width: int = WIDTH) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def docstring(plan: Plan, needs: str) -> list[str]:
    """The script's opening docstring: what network, what training, how to run it."""
    config = plan.config
    runs = f"{plan.iterations} iteration" + ("s" if plan.iterations != 1 else "")
    batches = _batch_text(plan) if plan.iterations > 1 else _batch_text(plan).removeprefix("each ")
    training = [f"Loss {config.loss}; {_optimizer_text(config)}; {runs}, {batches}."]
    if not config.train_biases:
        training.append("The biases are not trained.")
    if plan.updated_first:
        training.append("Each layer is updated as soon as its gradients are known, and the error goes on "
                        "down through its updated weights (hidden_deltas_use: updated_weights).")
    usage = (f"Needs only {needs}. Running it prints the loss of every iteration and the final loss, "
             "after checking its numbers against the ones stepnet computed (at the end of this file): "
             f"it exits 1, naming the quantity, if any differs by more than {RELATIVE} relative.")
    title = _wrap('"""' + _docstring_text(_sentence(config.name)))
    description = _wrap(_docstring_text(_sentence(config.description))) + [""] if config.description.strip() else []
    what = "stepnet's run of this network, as a program that recomputes it. "
    body = _wrap(what + _docstring_text(_network_text(plan)) + " " + " ".join(training))
    return [*title, "", *description, *body, "", *_wrap(usage), '"""']


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


CHECK = f'''

def check(losses, gradients, final_loss):
    """Every number this script computed against stepnet's: a line for each one that differs."""
    wrong = []

    def compare(quantity, got, expected):
        if not abs(got - expected) <= RELATIVE * abs(expected) + ABSOLUTE:
            wrong.append(f"{{quantity}}: this script gives {{got!r}}, stepnet {{expected!r}}")

    if len(losses) != len(EXPECTED_LOSSES):
        wrong.append(f"iterations: this script ran {{len(losses)}}, stepnet {{len(EXPECTED_LOSSES)}}")
    for t, (got, expected) in enumerate(zip(losses, EXPECTED_LOSSES), start=1):
        compare(f"E_total at iteration {{t}}", got, expected)
    for t, expected in EXPECTED_GRADIENTS.items():
        for key, layout in NAMES.items():
            for name, got in zip(flat(layout), flat(gradients[t][key])):
                compare(f"dE_total/d{{name}} at iteration {{t}}", got, expected[name])
    compare("final loss", final_loss, EXPECTED_FINAL_LOSS)
    return wrong


def flat(rows):
    """The entries of a matrix row by row; a vector as it is."""
    return [x for row in rows for x in row] if rows and isinstance(rows[0], list) else list(rows)


def main():
    losses, gradients = train()
    final_loss = loss_on_all_data()
    wrong = check(losses, gradients, final_loss)
    for line in wrong:
        print(f"differs from stepnet: {{line}}", file=sys.stderr)
    if not wrong:
        count = len(losses) + sum(len(g) for g in EXPECTED_GRADIENTS.values()) + 1
        print(f"all {{count}} numbers checked agree with stepnet's to {RELATIVE} relative")
    print(f"final loss: {{final_loss!r}}")
    return 1 if wrong else 0
'''.splitlines()


def names_layout(plan: Plan) -> dict[str, list]:
    layout: dict[str, list] = {}
    for layer in plan.layers:
        layout[layer.W] = layer.weight_names
        if layer.b:
            layout[layer.b] = layer.bias_names
    return layout


def expectations(plan: Plan, extra: list[str] = ()) -> list[str]:
    """stepnet's numbers, then the line that runs the script."""
    traced = sorted(plan.gradients)
    if not traced:
        which = "no iteration: none"
    elif len(traced) == 1:
        which = f"iteration {traced[0]}, the one"
    else:
        which = f"iterations {traced[0]} and {traced[-1]}, the first and last"
    lines = ["", "", "# " + "-" * (WIDTH - 2), *_tolerance(plan), ""]
    lines += ["# " + line for line in _wrap(
        "stepnet's numbers, written as Python reads them back exactly. NAMES gives the name, in the "
        "run's notation, of every number of each parameter array; the gradients are those of "
        f"{which} that stepnet traced in full.", WIDTH - 2)]
    lines += list(extra)
    lines += ["NAMES = {", *names_table(names_layout(plan)), "}"]
    lines += ["", "# E_total of every iteration, before its update",
              "EXPECTED_LOSSES = [", *packed([num(v) for v in plan.losses], "    "), "]", ""]
    lines.append("EXPECTED_GRADIENTS = {")
    for t in traced:
        lines.append(f"    {t}: {{")
        lines += packed([f'"{name}": {num(v)}' for name, v in plan.gradients[t].items()], "        ")
        lines.append("    },")
    lines.append("}")
    final = f"EXPECTED_FINAL_LOSS = {num(plan.final_loss)}"
    lines.append(comment(final, "E_total on all the data after the last update"))
    lines += ["", "", 'if __name__ == "__main__":', "    sys.exit(main())"]
    return lines


def parameter_block(plan: Plan, notation, name: str, array: str) -> list[str]:
    """``name = {"W_h": array([...]), ...}``: every starting value, each row named in a comment.

    ``array`` wraps each literal ("np.array" or "" for plain lists).
    """
    lines = ["# The weights and biases before the first update. Each W has one row per neuron of its layer",
             "# and one column per neuron of the layer below, as in the config file.", f"{name} = {{"]
    for layer in plan.layers:
        notes = [notation.weight_row(layer, j) for j in range(layer.size)]
        rows = matrix(plan.start[layer.W], "    ", notes)
        opener, closer = (f"{array}(", ")") if array else ("", "")
        rows[0] = f'    "{layer.W}": {opener}{rows[0]}'
        rows[-1] = rows[-1] + closer + ","
        lines += rows
        if layer.b:
            text = f'    "{layer.b}": {opener}{vector(plan.start[layer.b])}{closer},'
            lines.append(comment(text, notation.bias(layer)))
    return lines + ["}"]


def data_block(plan: Plan, notation, array: str) -> list[str]:
    """X and T, one row per sample."""
    top = plan.layers[-1]
    inputs = ", ".join(notation.neuron(0, i) for i in range(len(plan.inputs[0])))
    outputs = ", ".join(notation.neuron(top.index, k) for k in range(top.size))
    lines = [f"# The data, one row per sample: the inputs {inputs} and the targets of {outputs}."]
    for symbol, rows in (("X", plan.inputs), ("T", plan.targets)):
        body = matrix(rows, "")
        body[0] = f"{symbol} = {array}({body[0]}"
        body[-1] += ")"
        lines += body
    return lines



def _tolerance(plan: Plan) -> list[str]:
    """RELATIVE and ABSOLUTE: how close a number must be to stepnet's to agree."""
    return [
        "# A number agrees with stepnet's if it is within RELATIVE of it, or within ABSOLUTE for numbers",
        "# that are 0 up to rounding (terms that cancel), whose last bits depend on the order of a sum.",
        f"RELATIVE = {RELATIVE}",
        f"ABSOLUTE = {num(absolute_tolerance(plan.config))}",
    ]
