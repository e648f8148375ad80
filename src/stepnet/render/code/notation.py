"""The comments of a generated script: each quantity written in the run's own notation.

A comment shows the formula for the first neuron of a layer (net_h1, delta_o1, dE_total/dw5),
with the names the worked example uses, so that a line of code can be read next to the
matching line of stepnet's report.  Sums of more than three terms are shortened with "...".
"""

from __future__ import annotations

from .plan import LayerPlan, Plan

_ACTIVATION = {
    "sigmoid": "{out} = 1 / (1 + e^(-{net}))",
    "tanh": "{out} = tanh({net})",
    "relu": "{out} = max(0, {net})",
    "leaky_relu": "{out} = {net} if {net} > 0, else {slope} * {net}",
    "identity": "{out} = {net}",
    "softmax": "{out} = e^{net} / ({sum})",
}
_DERIVATIVE = {
    "sigmoid": "{out}/d{net} = {out} (1 - {out})",
    "tanh": "{out}/d{net} = 1 - {out}^2",
    "relu": "{out}/d{net} = 1 if {net} > 0, else 0",
    "leaky_relu": "{out}/d{net} = 1 if {net} > 0, else {slope}",
    "identity": "{out}/d{net} = 1",
}
_LOSS_TERM = {
    "half_sse": "{E} = 1/2 ({t} - {o})^2",
    "sse": "{E} = ({t} - {o})^2",
    "mse": "{E} = ({t} - {o})^2 / {n}, the mean over the {n} outputs",
    "cross_entropy": "{E} = -{t} ln({o}), with ln({o}) = {net} - ln({sum}) computed from the net inputs",
    "binary_cross_entropy": "{E} = -[{t} ln({o}) + (1 - {t}) ln(1 - {o})], computed from {net}",
}
_LOSS_DERIVATIVE = {
    "half_sse": "dE_total/d{o} = -({t} - {o})",
    "sse": "dE_total/d{o} = -2 ({t} - {o})",
    "mse": "dE_total/d{o} = -2/{n} ({t} - {o})",
}


def terms(parts: list[str], joiner: str = " + ") -> str:
    """``a + b + c``, or ``a + b + ... + z`` for more than three."""
    if len(parts) > 3:
        parts = parts[:2] + ["..."] + parts[-1:]
    return joiner.join(parts)


class Notation:
    """Formulas for the first neuron of each layer, named as the run names them."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.names = plan.names
        self.top = plan.layers[-1]

    def neuron(self, li: int, j: int = 0) -> str:
        return self.names.neuron_name(li, j)

    def out_of(self, li: int, j: int = 0) -> str:
        """out_h1; an input neuron's output is its own name (i1)."""
        return self.neuron(li, j) if li == 0 else f"out_{self.neuron(li, j)}"

    def net(self, layer: LayerPlan) -> str:
        li = layer.index
        parts = [f"{w}*{self.out_of(li - 1, i)}" for i, w in enumerate(layer.weight_names[0])]
        if layer.bias_names:
            parts.append(layer.bias_names[0])
        return f"net_{self.neuron(li)} = {terms(parts)}"

    def activation(self, layer: LayerPlan) -> str:
        li = layer.index
        exps = [f"e^net_{self.neuron(li, k)}" for k in range(layer.size)]
        return _ACTIVATION[layer.activation].format(
            out=self.out_of(li), net=f"net_{self.neuron(li)}", slope=layer.slope, sum=terms(exps))

    def bias(self, layer: LayerPlan) -> str:
        """What the layer's bias numbers are."""
        neurons = [self.neuron(layer.index, j) for j in range(layer.size)]
        trained = "" if self.plan.config.train_biases else " (not trained)"
        if layer.bias == "shared":
            return f"{layer.bias_names[0]}: one bias shared by {terms(neurons, ', ')}{trained}"
        which = "the bias" if layer.size == 1 else "the biases"
        return f"{terms(layer.bias_names, ', ')}: {which} of {terms(neurons, ', ')}{trained}"

    def weight_row(self, layer: LayerPlan, j: int) -> str:
        """The names of one row of W: the weights into one neuron."""
        below = [self.neuron(layer.index - 1, i) for i in range(layer.below_size)]
        into = f"into {self.neuron(layer.index, j)}"
        return f"{terms(layer.weight_names[j], ', ')}: {into} from {terms(below, ', ')}"

    # ------------------------------------------------------------ the loss

    def _output_symbols(self) -> dict[str, str]:
        li = self.top.index
        return {"E": f"E_{self.neuron(li)}", "t": f"target_{self.neuron(li)}", "o": self.out_of(li),
                "net": f"net_{self.neuron(li)}", "n": self.top.size,
                "sum": terms([f"e^net_{self.neuron(li, k)}" for k in range(self.top.size)])}

    def loss_term(self) -> str:
        return _LOSS_TERM[self.plan.config.loss].format(**self._output_symbols())

    def loss_total(self) -> str:
        li = self.top.index
        outputs = terms([f"E_{self.neuron(li, k)}" for k in range(self.top.size)])
        batch = ", averaged over the samples of the batch" if self.plan.config.effective_batch_size > 1 else ""
        return f"E_total = {outputs}{batch}"

    def loss_derivative(self) -> str:
        return _LOSS_DERIVATIVE[self.plan.config.loss].format(**self._output_symbols())

    def fused_delta(self) -> str:
        s = self._output_symbols()
        cross = self.plan.config.loss == "cross_entropy"
        pair = "softmax with cross-entropy" if cross else "sigmoid with binary cross-entropy"
        return f"delta_{self.neuron(self.top.index)} = {s['o']} - {s['t']}: for {pair} the chain rule collapses to this"

    # ------------------------------------------------------------ backwards

    def derivative(self, layer: LayerPlan) -> str:
        li = layer.index
        formula = _DERIVATIVE[layer.activation]
        return "d" + formula.format(out=self.out_of(li), net=f"net_{self.neuron(li)}", slope=layer.slope)

    def delta(self, layer: LayerPlan) -> str:
        n = self.neuron(layer.index)
        if layer.activation == "softmax":
            k = layer.size
            return (f"delta_{n} = sum over k of dE_total/dout_{layer.name}k * dout_{layer.name}k/dnet_{n}, "
                    f"with dout_{layer.name}k/dnet_{n} = out_{layer.name}k ([k = 1] - out_{n}), k = 1..{k}")
        return f"delta_{n} = dE_total/dout_{n} * dout_{n}/dnet_{n}"

    def error_below(self, above: LayerPlan, updated: bool) -> str:
        """dE_total/dout of the layer below ``above``: the paths through every neuron above."""
        li = above.index
        weights = [above.weight_names[k][0] + ("+" if updated else "") for k in range(above.size)]
        paths = [f"delta_{self.neuron(li, k)} * {w}" for k, w in enumerate(weights)]
        return f"dE_total/dout_{self.neuron(li - 1)} = {terms(paths)}"

    def weight_gradient(self, layer: LayerPlan) -> str:
        li = layer.index
        mean = ", the mean over the batch" if self.plan.config.effective_batch_size > 1 else ""
        return f"dE_total/d{layer.weight_names[0][0]} = delta_{self.neuron(li)} * {self.out_of(li - 1)}{mean}"

    def bias_gradient(self, layer: LayerPlan) -> str:
        li = layer.index
        if layer.bias == "shared":
            deltas = terms([f"delta_{self.neuron(li, j)}" for j in range(layer.size)])
            return f"dE_total/d{layer.bias_names[0]} = {deltas}, one shared bias"
        return f"dE_total/d{layer.bias_names[0]} = delta_{self.neuron(li)}"
