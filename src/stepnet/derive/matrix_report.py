"""The sections of one iteration in the matrix view: each layer's equations as one block.

The sections are those of the scalar view (forward pass, error, backward pass, updates),
so a reader can put the two side by side; the error, one number per sample, is written
as the scalar view writes it.
"""

from __future__ import annotations

from .deriver import Deriver
from .limits import Limits, omitted
from .matrix import MatrixLines
from .matrix_updates import update_lines
from .report_model import MatrixBlock, Section
from .report_sections import errors

INTRO = ("Each layer at once: entry j of a vector is neuron j of its layer, and a weight matrix has one row "
         "per neuron of its layer and one column per neuron of the layer below.")


def matrix_sections(d: Deriver, cfg, samples, limits: Limits) -> list[Section]:
    m = MatrixLines(d, limits)
    top = len(cfg.layers) - 1
    forward = Section("Forward pass", blocks=[MatrixBlock("", text=[INTRO + _batch_words(m)])])
    for li in range(1, top + 1):
        forward.blocks.append(_block(m, li, f"Layer {cfg.layers[li].name} ({cfg.layers[li].activation})",
                                     m.forward(li), below=True))
    backward = Section("Backward pass")
    for li in range(top, 0, -1):
        name = cfg.layers[li].name
        backward.blocks.append(_block(m, li, f"Layer {name}: δ of every neuron", m.delta_lines(li)))
        backward.blocks.append(_block(m, li, f"Layer {name}: gradient of every parameter", m.gradient_lines(li),
                                      below=True))
    updates = Section("Updates")
    for li in range(1, top + 1):
        updates.blocks.append(_block(m, li, f"Layer {cfg.layers[li].name}: new weights and biases",
                                     update_lines(m, li), below=True))
    if d.it.loss_after is not None:
        updates.text.append(f"E_total after the update{' (same batch)' if d.it.batch_size > 1 else ''}: "
                            f"{d.fmt(d.it.loss_after)} (before: {d.fmt(d.it.loss)})")
    return [forward, errors(d, samples), backward, updates]


def _batch_words(m: MatrixLines) -> str:
    if m.batch == 1:
        return ""
    return (f" The batch is written as columns: column s of z, a and δ is sample s, so one matrix product "
            f"works on all {m.batch} samples.")


def _block(m: MatrixLines, li: int, title: str, equations, below: bool = False) -> MatrixBlock:
    block = MatrixBlock(title, layer=m.config.layers[li].name, equations=equations)
    block.omitted = _cut(m, li, below)
    return block


def _cut(m: MatrixLines, li: int, below: bool) -> str:
    """What a wide layer's matrices leave out, in the words the scalar view uses for wide layers."""
    notes = []
    for lj in ([li - 1] if below else []) + [li]:
        chosen, hidden = m.shown(lj)
        if hidden:
            layer = m.config.layers[lj]
            names = [m.names.neuron_name(lj, j) for j in range(layer.size)]
            notes.append(omitted(hidden, "neurons", layer.name, "--only " + ",".join(names[-2:])))
    if m.batch > len(m.samples):
        notes.append(f"samples {len(m.samples) + 1} to {m.batch} of the batch are computed the same way "
                     "(their values are in --format json)")
    return "; ".join(notes)
