"""The matrix view's equations: each layer at once, its numbers written out as matrices.

The numbers are the trace's, only arranged: one column per sample of the batch (a
single column for one sample), one row per neuron, and a weight matrix with one row per
neuron of its layer and one column per neuron below.  A wide layer shows the rows and
columns the scalar view would show (the first few and any named with --only), and a
batch its first samples.  Each equation says which scalar quantity its entries are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .deriver import Deriver
from .expr import Add, Div, Expr, Mul, Num, Paren, Partial, Sub
from .limits import Limits, pick
from .matrix_expr import Apply, Grid, Hadamard, MatMul, MatSym, Transpose
from .matrix_symbols import ONES, activation, biases, gradient, ones, output_gradient, targets, vector, weights
from .report_model import MatrixLine

Entry = Callable[[int, int], tuple]  # (row, column) -> the pieces naming that entry's scalar quantity


class MatrixLines:
    """The matrix equations of one traced iteration, layer by layer."""

    def __init__(self, d: Deriver, limits: Limits) -> None:
        self.d, self.it, self.names, self.config = d, d.it, d.names, d.config
        self.limits = limits
        self.top = len(self.config.layers) - 1
        self.batch = self.it.batch_size
        self.samples = list(range(min(self.batch, limits.samples)))

    # -------------------------------------------------------------- what is shown

    def shown(self, li: int) -> tuple[list[int], int]:
        """The neurons of layer ``li`` shown (as the scalar view picks them) and how many are not."""
        layer = self.config.layers[li]
        names = [self.names.neuron_name(li, j) for j in range(layer.size)]
        return pick(layer.size, self.limits.neurons, names, self.limits.only)

    def neurons(self, li: int, array: np.ndarray) -> Grid:
        """A (batch, neurons) array as a grid of one row per neuron, one column per sample."""
        return Grid(np.asarray(array).T, self.shown(li)[0], self.samples)

    def matrix(self, li: int, array: np.ndarray) -> Grid:
        """A (neurons, neurons below) array of layer ``li``, with the rows and columns shown."""
        return Grid(array, self.shown(li)[0], self.shown(li - 1)[0])

    def bias_grid(self, li: int, values: np.ndarray) -> Grid:
        """A layer's biases, one per neuron, as a column."""
        return Grid(np.asarray(values).reshape(-1, 1), self.shown(li)[0], [0])

    def act(self, li: int) -> str:
        return self.config.layers[li].activation

    # -------------------------------------------------------------- links to the scalar view

    def link(self, sym: Expr, entry: Entry, rows: int, cols: int) -> tuple:
        """("entry (1,1) of ", W, " is ", w5, ", (1,2) is ", w6, …): which scalar each entry is."""
        pairs = [(r, c) for r in range(rows) for c in range(cols)]
        picked = pairs if len(pairs) <= 4 else pairs[:2] + [None] + pairs[-1:]
        pieces: list = []
        for n, rc in enumerate(picked):
            if rc is None:
                pieces.append(", …")
                continue
            where = f"({rc[0] + 1},{rc[1] + 1})" if cols > 1 else f"{rc[0] + 1}"
            pieces += (["entry ", where, " of ", sym, " is "] if n == 0 else [", ", where, " is "]) + list(entry(*rc))
        return tuple(pieces)

    def per_neuron(self, make: Callable[[int], Expr]) -> Entry:
        """The entry of a (neurons × samples) grid: the neuron's quantity, of its sample in a batch."""
        if self.batch == 1:
            return lambda r, c: (make(r),)
        return lambda r, c: (make(r), f" of sample {c + 1}")

    def neuron_link(self, sym: Expr, li: int, make: Callable[[int], Expr] | None = None,
                    entry: Entry | None = None) -> tuple:
        link = self.link(sym, entry or self.per_neuron(make), self.config.layers[li].size, self.batch)
        return link + (("; column s is sample s of the batch",) if self.batch > 1 else ())

    def gradient_link(self, sym: Expr, li: int) -> tuple:
        """Entries of ∂E/∂out: ∂E_total/∂out_h1, or in a batch ∂E⁽ˢ⁾/∂out_h1, each sample's own."""
        def entry(r: int, c: int) -> tuple:
            return (Partial(self.d.forward.E(c if self.batch > 1 else None), self.names.out(li, r)),)

        return self.neuron_link(sym, li, entry=entry)

    def weight_link(self, sym: Expr, li: int, make: Callable) -> tuple:
        rows, cols = self.config.layers[li].size, self.config.layers[li - 1].size
        return self.link(sym, lambda r, c: (make(self.names.weight(li, r, c)),), rows, cols)

    # -------------------------------------------------------------- forward

    def forward(self, li: int) -> list[MatrixLine]:
        """z = W a + b and a = σ(z) for layer ``li``."""
        lt, names = self.it.layer(li), self.names
        W = weights(names, li, self.matrix(li, lt.W))
        below = vector(names, "out", li - 1, self.neurons(li - 1, self.it.outputs_of(li - 1)))
        z = vector(names, "net", li, self.neurons(li, lt.net))
        form: Expr = MatMul(W, below)
        mode = self.config.layers[li].bias
        if mode == "shared":  # one number added to every neuron: b times a column of ones
            shared = names.bias(li, None)
            form = Add(form, Mul(self.d.param(shared), ones(self.shown(li)[0], self.config.layers[li].size)))
        elif mode == "per_neuron":
            form = Add(form, biases(names, li, self.bias_grid(li, lt.b)))
        links = [self.weight_link(W, li, names.param), self.neuron_link(z, li, lambda r: names.net(li, r))]
        notes = ["the shared bias is added to every neuron: 𝟏 is a column of ones"] if mode == "shared" else []
        if self.batch > 1 and mode != "none":
            notes.append("the bias is added to every column (every sample of the batch)")
        note = "; ".join(notes)
        net_line = MatrixLine(z, [form], [form.numeric()], z.grid, note, links)
        a = vector(names, "out", li, self.neurons(li, lt.out))
        f = activation(self.act(li))
        how = "softmax of each column" if self.act(li) == "softmax" else "entry by entry"
        out_line = MatrixLine(a, [Apply(f, z)], [Apply(f, z.grid)], a.grid, how,
                              [self.neuron_link(a, li, lambda r: names.out(li, r))])
        return [net_line, out_line]

    # -------------------------------------------------------------- backward

    def delta_lines(self, li: int) -> list[MatrixLine]:
        """δ of layer ``li``: from the loss at the output, through the transposed weights below it."""
        lt, names = self.it.layer(li), self.names
        delta = vector(names, "delta", li, self.neurons(li, lt.delta))
        slope = Apply(activation(self.act(li), derivative=True), vector(names, "net", li),
                      self.neurons(li, lt.dout_dnet))
        link = self.neuron_link(delta, li, lambda r: names.delta(li, r))
        if li == self.top:
            return self._output_delta(li, delta, slope, link)
        above = self.it.layer(li + 1)
        W = weights(names, li + 1, self.matrix(li + 1, above.W_backprop))
        back = Paren(MatMul(Transpose(W), vector(names, "delta", li + 1, self.neurons(li + 1, above.delta))))
        form = Hadamard(back, slope)
        grad = self.layer_gradient(li)
        steps = [form.numeric(), Hadamard(grad.grid, slope.numeric())]
        note = ("the transposed weights send each δ back along the connection it came in on: entry j of the "
                "product is the sum over every path from neuron j to the layer above")
        if self.config.hidden_deltas_use == "updated_weights":
            note += "; the weights are those already updated in this iteration (hidden_deltas_use)"
        paths = self.gradient_link(grad, li)
        return [MatrixLine(delta, [form], steps, delta.grid, note, [link, paths])]

    def layer_gradient(self, li: int):
        """∂C/∂a of layer ``li`` as one vector (∇ₐC at the output)."""
        return output_gradient(self.names, li, self.neurons(li, self.it.layer(li).dE_dout))

    def _output_delta(self, li: int, delta: MatSym, slope: Apply, link: tuple) -> list[MatrixLine]:
        lt, names = self.it.layer(li), self.names
        a = vector(names, "out", li, self.neurons(li, lt.out))
        if self.it.fused:
            y = targets(names, Grid(self.it.T.T, self.shown(li)[0], self.samples))
            note = (f"{self.act(li)} with {self.config.loss}: the product of the loss's and the activation's "
                    "derivatives simplifies to this difference")
            return [MatrixLine(delta, [Sub(a, y)], [Sub(a.grid, y.grid)], delta.grid, note, [link])]
        grad = self.layer_gradient(li)
        grad_line = MatrixLine(grad, [], [], grad.grid, "the loss's derivative, entry by entry",
                               [self.gradient_link(grad, li)])
        if lt.softmax:
            form = Hadamard(a, Paren(Sub(grad, MatMul(ONES, Transpose(a), grad))))
            note = "the softmax form: the Jacobian of softmax applied to each column, with 𝟏 a column of ones"
            return [grad_line, MatrixLine(delta, [form], [], delta.grid, note, [link])]
        form = Hadamard(grad, slope)
        return [grad_line, MatrixLine(delta, [form], [Hadamard(grad.grid, slope.numeric())], delta.grid, "", [link])]

    # -------------------------------------------------------------- gradients

    def gradient_lines(self, li: int) -> list[MatrixLine]:
        """∂C/∂W = δ aᵀ (over a batch, the mean) and ∂C/∂b."""
        lt, names = self.it.layer(li), self.names
        delta = vector(names, "delta", li, self.neurons(li, lt.delta))
        below = vector(names, "out", li - 1, self.neurons(li - 1, self.it.outputs_of(li - 1)))
        gW = gradient(names, weights(names, li), self.matrix(li, lt.gW))
        product: Expr = MatMul(delta, Transpose(below))
        numbers: Expr = MatMul(delta.grid, below.grid.transposed)
        if self.batch > 1:
            mean = Div(Num(1), Num(self.batch))
            product, numbers = Mul(mean, product), Mul(mean, numbers)
        link = self.weight_link(gW, li, self.d.gradients.grad_lhs)
        lines = [MatrixLine(gW, [product], [numbers], gW.grid, self._batch_note(), [link])]
        if names.bias(li, 0) is not None:
            lines.append(self._bias_gradient(li, delta))
        return lines

    def _batch_note(self) -> str:
        if self.batch == 1:
            return "the outer product of δ and the layer's inputs"
        return (f"the batch as columns: the product adds up the {self.batch} samples' outer products, "
                f"and 1/{self.batch} takes their mean")

    def _bias_gradient(self, li: int, delta: MatSym) -> MatrixLine:
        lt, names = self.it.layer(li), self.names
        shared = self.config.layers[li].bias == "shared"
        of = names.param(names.bias(li, None)) if shared else biases(names, li)
        gb = gradient(names, of, Grid(lt.gb.reshape(-1, 1), [0] if shared else self.shown(li)[0], [0]))
        form: Expr = delta
        numbers: Expr | None = None
        if shared:
            ones_row = Grid(np.ones((1, lt.delta.shape[1])), [0], self.shown(li)[0])
            form, numbers = MatMul(Transpose(ONES), delta), MatMul(ones_row, delta.grid)
        if self.batch > 1:
            mean = Div(Num(1), Num(self.batch))
            ones_col = Grid(np.ones((self.batch, 1)), self.samples, [0])
            form = Mul(mean, MatMul(*(form.args if isinstance(form, MatMul) else (form,)), ONES))
            numbers = Mul(mean, MatMul(numbers if numbers is not None else delta.grid, ones_col))
        grad = self.d.gradients.grad_lhs
        if shared:
            link = ("its one entry is ", grad(names.bias(li, None)), ": the shared bias adds to every neuron")
        else:
            link = self.link(gb, lambda r, c: (grad(names.bias(li, r)),), lt.gb.size, 1)
        note = "𝟏 is a column of ones: it adds up " + ("the layer's δ" if shared else "each row")
        return MatrixLine(gb, [form], [numbers] if numbers is not None else [], gb.grid,
                          note if (shared or self.batch > 1) else "", [link])
