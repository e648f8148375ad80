"""What a worksheet and its key say, whatever the format: the givens, the instructions and the blanks.

Only givens appear here: the layers, the loss, η, the batch's inputs and targets and the
parameters before the update.  No computed value of the iteration is read.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

from ..derive.expr import Expr, Partial, Sym
from ..derive.report_model import Table
from .ask import answer_name, group_of

if TYPE_CHECKING:
    from ..derive.names import Names
    from ..derive.quantities import Quantity
    from .variants import Exercise

LOSSES = {
    "half_sse": "the sum over the outputs of ½ (target − out)²",
    "sse": "the sum over the outputs of (target − out)²",
    "mse": "the mean over the outputs of (target − out)²",
    "cross_entropy": "−Σ target · ln(out) over the outputs",
    "binary_cross_entropy": "−Σ [target · ln(out) + (1 − target) · ln(1 − out)] over the outputs",
}
OPTIMIZERS = {"sgd": "plain gradient descent, w⁺ = w − η · ∂E/∂w",
              "momentum": "momentum, v⁺ = μ · v − η · ∂E/∂w (v starts at 0), w⁺ = w + v⁺",
              "adam": "Adam, bias-corrected, ε added after the square root (its moments start at 0)"}


def title(ex: Exercise) -> str:
    return f"Exercise: {ex.run.config.name}"


def answers_file(ex: Exercise) -> str:
    return f"answers-{ex.variant}.yaml"


def diagram(ex: Exercise) -> SimpleNamespace:
    """What the renderers' network drawings read: the diagram of the givens (the starting weights only)."""
    from ..derive.diagram import build_diagram

    return SimpleNamespace(diagram=build_diagram(ex.run.trace, ex.run.names))


def setup_table(ex: Exercise) -> Table:
    cfg = ex.run.config
    layers = " → ".join(f"{layer.name} ({layer.size})" if not i else
                        f"{layer.name} ({layer.size}, {layer.activation}, bias {layer.bias.replace('_', ' ')})"
                        for i, layer in enumerate(cfg.layers))
    opt = cfg.optimizer
    optimizer = OPTIMIZERS.get(opt.name, opt.name)
    if opt.name == "momentum":
        optimizer += f", μ = {opt.momentum}"
    elif opt.name == "adam":
        optimizer += f", β₁ = {opt.beta1}, β₂ = {opt.beta2}, ε = {opt.epsilon}"
    batch = ex.run.traced(1).batch_size
    rows: list[list] = [["layers", layers], ["loss", f"{cfg.loss}: {LOSSES.get(cfg.loss, cfg.loss)}"],
                        ["learning rate η", ex.run.fmt(cfg.learning_rate)], ["optimizer", optimizer]]
    if batch > 1:
        rows.append(["batch", f"{batch} samples: the error is the mean of their errors, each gradient the mean "
                              "of theirs"])
    rows.append(["biases", "trained" if cfg.train_biases else "not trained (they keep their values)"])
    return Table("Set-up", ["", ""], rows)


def data_table(ex: Exercise) -> Table:
    """The batch of iteration 1: each sample's inputs and targets."""
    it, names = ex.run.traced(1), ex.run.names
    last = len(names.layers) - 1
    columns = ["sample"] + [names.out(0, i).unicode for i in range(it.X.shape[1])]
    columns += [names.target(j).unicode for j in range(it.T.shape[1])]
    rows = [[str(s + 1), *map(float, it.X[s]), *map(float, it.T[s])] for s in range(it.batch_size)]
    return Table("The data", columns, rows, layer=names.layers[last].name)


def parameter_table(ex: Exercise) -> Table:
    """Every weight and bias before the update, with where it sits."""
    names, it = ex.run.names, ex.run.traced(1)
    rows = []
    for p in names.params:
        to = names.neuron_name(p.layer, p.to) if p.to is not None else f"every neuron of {names.layers[p.layer].name}"
        where = f"{names.neuron_name(p.layer - 1, p.source)} → {to}" if p.kind == "weight" else f"bias of {to}"
        rows.append([p.unicode, where, p.of(it.layer(p.layer))])
    return Table("The parameters before the update", ["parameter", "where", "value"], rows)


def instructions(ex: Exercise) -> list[str]:
    cfg = ex.run.config
    groups = {group_of(q) for q in ex.asked}
    parts = [g for g in ("forward", "backward", "update") if g in groups]
    say = {"forward": "the forward pass and the error", "backward": "the backward pass (the δ and the gradients)",
           "update": "the update"}
    out = [f"Work out one training iteration of this network on the data above: {', then '.join(say[p] for p in parts)}"
           f", with learning rate η = {cfg.learning_rate}."]
    if ex.carry is None:
        out.append(f"Keep full precision in your working, and give every answer to at least {ex.decimals} decimal "
                   "places, rounded half away from zero.")
    else:
        out.append(f"Work as by hand: round every intermediate result to {ex.carry} decimal places (half away "
                   f"from zero) before you use it again, and give every answer to {ex.carry} decimal places.")
    out.append(f"Fill in the {len(ex.asked)} blanks below in order. Write each answer into {answers_file(ex)}, "
               "under answers:, in place of its null.")
    return out


def blanks(ex: Exercise) -> list[tuple[int, Quantity, Expr, str]]:
    """Each blank: its number, the quantity, its symbol and its key in the answers file."""
    names = ex.run.names
    return [(k, q, symbol(q, names), answer_name(q, names)) for k, q in enumerate(ex.asked, 1)]


def sample_note(q: Quantity, batch: int) -> str:
    """Which sample of the batch a per-sample blank is about, when the batch has several."""
    return f"sample {q.sample + 1}" if batch > 1 and q.sample is not None else ""


def symbol(q: Quantity, names: Names) -> Expr:
    """The quantity as the run's notation writes it, as an expression every printer can set."""
    li, j = q.layer, q.index
    plain = {
        "net": lambda: names.net(li, j), "out": lambda: names.out(li, j), "delta": lambda: names.delta(li, j),
        "E": lambda: names.error(j), "E_total": lambda: names.error(),
        "param+": lambda: names.param(q.param, updated=True),
        "grad": lambda: Partial(names.error(), names.param(q.param)),
        "dE_dout": lambda: Partial(names.error(), names.out(li, j)),
        "dout_dnet": lambda: Partial(names.out(li, j), names.net(li, j)),
    }
    if q.kind in plain:
        return plain[q.kind]()
    from ..derive.quantity_names import quantity_name
    from ..render.tex_text import tex_escape

    text = quantity_name(q, names)
    return Sym(("exercise", text), quantity_name(q, names, unicode=True), text, rf"\text{{{tex_escape(text)}}}")
