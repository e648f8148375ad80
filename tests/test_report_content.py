"""What a report says: nothing used but unseen, every batch named, untraced iterations stated,
each note once per section, per-sample terms marked with their sample.

Most checks read the report model (the same objects every renderer prints); the oracles
are the engine's own batch order, the trace set, and the network's shape.
"""

from __future__ import annotations

import random
import re

import pytest

import stepnet
from stepnet.derive.expr import Partial, Sum, Sym, Text, Valued
from stepnet.derive.limits import Cut, Limits, resolve
from stepnet.derive.names import Names
from stepnet.derive.report_sections import batch_phrase
from stepnet.derive.run_summary import untraced_text
from stepnet.engine.training import batch_order, traced_set

GIVEN = {"param", "param+", "target", "eta", "mu", "beta1", "beta2", "epsilon", "t", "k", "E", "generic",
         "index", "delta_k", "w_k", "v", "m"}


def _config(sizes, seed, *, samples=1, batch_size=None, activation="sigmoid", softmax=False, notation="mazur"):
    rng = random.Random(seed)
    names = ["i", "h", "g", "o"] if len(sizes) == 4 else ["i", "h", "o"]
    layers = [{"name": names[0], "size": sizes[0]}]
    for name, size in zip(names[1:-1], sizes[1:-1], strict=True):
        layers.append({"name": name, "size": size, "activation": activation})
    layers.append({"name": names[-1], "size": sizes[-1], "activation": "softmax" if softmax else "sigmoid"})
    data = []
    for s in range(samples):
        target = [0.0] * sizes[-1]
        target[s % sizes[-1]] = 1.0
        data.append({"inputs": [round(rng.uniform(-1, 1), 3) for _ in range(sizes[0])], "targets": target})
    cfg = {"name": "wide", "layers": layers, "init": {"method": "xavier", "seed": seed}, "learning_rate": 0.5,
           "data": data, "notation": notation}
    if softmax:
        cfg["loss"] = "cross_entropy"
    if batch_size is not None:
        cfg["batch_size"] = batch_size
    return cfg


def _atoms(e):
    """The quantities an expression uses, by key: a symbol's, or (numerator, denominator) of a ∂."""
    if isinstance(e, Partial):
        yield (e.num.key, e.den.key)
    elif isinstance(e, Sym):
        yield e.key
    elif isinstance(e, Valued):
        yield from _atoms(e.inner)
    elif not isinstance(e, (Sum, Text)):
        for c in e.children():
            yield from _atoms(c)


def _key(lhs):
    if isinstance(lhs, Partial):
        return (lhs.num.key, lhs.den.key)
    return lhs.key if isinstance(lhs, Sym) else tuple(_key(c) for c in lhs.children())


def _defined(report):
    """Every quantity a report shows: the left-hand side of a line, or a row of a table of neurons."""
    seen = set()
    for it in report.iterations:
        for sec in it.sections:
            for block in sec.blocks:
                seen.update(_key(ln.lhs) for ln in block.lines)
            for table in sec.tables:
                for row in table.rows:
                    if table.layer is not None and table.columns[0] == "neuron":
                        seen.add((sec.title, row[0]))
    return seen


def _unseen(report, names):
    """The quantities shown lines use that the report shows nowhere (nor marks as left out)."""
    defined = _defined(report)
    rows = {("Forward pass", n) for (_, n) in [d for d in defined if isinstance(d, tuple) and len(d) == 2
                                                and d[0] == "Forward pass"]}
    back = {n for (t, n) in [d for d in defined if isinstance(d, tuple) and len(d) == 2] if t == "Backward pass"}
    fwd = {n for (_, n) in rows}
    missing = set()
    for it in report.iterations:
        for sec in it.sections:
            for block in sec.blocks:
                for ln in block.lines:
                    for atom in (a for form in ln.forms for a in _atoms(form)):
                        if not _is_seen(atom, defined, fwd, back, names):
                            missing.add((_key(ln.lhs), atom))
    return missing


def _is_seen(atom, defined, fwd, back, names):
    if atom in defined:
        return True
    if isinstance(atom[0], str):  # a symbol
        kind = atom[0]
        if kind in ("net", "out"):
            return atom[1] == 0 or names.neuron_name(atom[1], atom[2]) in fwd
        if kind == "delta":
            return names.neuron_name(atom[1], atom[2]) in back
        return kind in GIVEN or kind == "E_sample"
    num, den = atom
    if den[0] == "param" or (num[0] == "net" and den[0] == "out"):  # ∂net/∂w, ∂net/∂out: a weight or an input
        return True
    if den[0] in ("out", "net") and num[0] in ("E", "E_sample", "out"):  # ∂E/∂out, ∂out/∂net, ∂E/∂net
        return names.neuron_name(den[1], den[2]) in back
    return False


WIDE_CASES = [
    ((3, 64, 2), 1, ()),
    ((3, 64, 2), 2, ("w30",)),
    ((3, 12, 2), 3, ("h11",)),
    ((10, 9, 3), 4, ("w100-w104",)),
    ((2, 11, 10, 2), 5, ("g10", "w5")),
    ((4, 9, 10), 6, ()),
    ((12, 3, 10), 7, ("o9",)),
]


@pytest.mark.parametrize(("sizes", "seed", "only"), WIDE_CASES)
def test_every_value_a_shown_line_uses_is_shown(sizes, seed, only):
    softmax = sizes[-1] == 10
    cfg = _config(sizes, seed, samples=2 if seed % 2 else 1, softmax=softmax)
    run = stepnet.run(cfg)
    report = run.report(Limits(only=frozenset(only)) if only else None)
    assert _unseen(report, run.names) == set()


@pytest.mark.parametrize(("sizes", "seed", "only"), WIDE_CASES)
def test_text_diagram_and_parameter_lists_cut_at_the_same_neurons(sizes, seed, only):
    cfg = _config(sizes, seed, softmax=sizes[-1] == 10)
    run = stepnet.run(cfg)
    names = run.names
    limits = Limits(only=frozenset(only)) if only else Limits()
    report = run.report(limits if only else None)
    cut = Cut(names, resolve(names, limits))
    it = report.iterations[0]
    fwd, err, back, upd = it.sections
    for li in range(1, len(sizes)):
        layer = names.layers[li].name
        expected = [names.neuron_name(li, j) for j in cut.neurons(li)]
        # the neurons: the net lines, both tables of the layer
        nets = [ln.lhs.key[2] for b in fwd.blocks if b.layer == layer for ln in b.lines if ln.lhs.key[0] == "net"]
        assert [names.neuron_name(li, j) for j in nets] == expected
        for sec in (fwd, back):
            table = next(t for t in sec.tables if t.layer == layer)
            assert [row[0] for row in table.rows] == expected
        # the diagram draws the same neurons, from the first; all of them unless a named one leaves a gap
        drawn = report.diagram.shown[li]
        assert expected[:drawn] == [names.neuron_name(li, j) for j in range(drawn)]
        if not only:
            assert drawn == len(expected)
        # the parameters: exactly those between shown neurons, in the gradients, the updates and the changes
        between = {names.weight(li, j, i).name for j in cut.neurons(li) for i in cut.neurons(li - 1)}
        between |= {p.name for j in cut.neurons(li) if (p := names.bias(li, j)) is not None}
        grads = {ln.lhs.den.key[1] for b in back.blocks if b.title.startswith(f"Layer {layer}: gradient")
                 for ln in b.lines}
        assert grads == between
        updated = {row[0].key[1] for row in upd.tables[0].rows if names.lookup(row[0].key[1]).layer == li}
        assert updated == between
        changed = {row[0].key[1] for row in report.changes.rows if names.lookup(row[0].key[1]).layer == li}
        assert changed == between
        assert {(j, i) for (lj, j, i) in report.diagram.weights if lj == li} <= {
            (j, i) for j in cut.neurons(li) for i in cut.neurons(li - 1)}
    for li in range(1, len(sizes) - 1):
        assert len(cut.neurons(li)) >= min(sizes[li], 8)


def test_a_named_parameter_shows_the_neurons_its_line_uses():
    run = stepnet.run(_config((3, 64, 2), 1))
    report = run.report(Limits(only=frozenset({"w30"})))  # w30: i3 -> h10
    back = report.iterations[0].sections[2]
    lhs = {_key(ln.lhs) for b in back.blocks for ln in b.lines}
    assert ("delta", 1, 9) in lhs  # δ_h10 is derived, not only used
    table = next(t for t in back.tables if t.layer == "h")
    assert "h10" in [row[0] for row in table.rows]


# ------------------------------------------------------------------ batches in headings


@pytest.mark.parametrize("seed", [None, 3, 11])
def test_headings_name_the_sample_of_each_update(seed):
    cfg = _config((2, 2, 2), 1, samples=3, batch_size=1)
    if seed is not None:
        cfg["shuffle"] = {"seed": seed}
    run = stepnet.run(cfg, 7, trace="all")
    order = batch_order(3, 1, seed)
    report = run.report()
    for it in report.iterations:
        batch = next(order)
        assert it.heading[0] == f"Iteration {it.iteration} (sample data[{int(batch[0])}]), loss before the update "
        assert it.heading[1] == it.loss


def test_headings_of_mini_batches_and_of_the_whole_data():
    cfg = _config((2, 2, 2), 1, samples=7, batch_size=3)
    cfg["shuffle"] = {"seed": 5}
    run = stepnet.run(cfg, 4, trace="all")
    order = batch_order(7, 3, 5)
    for it in run.report().iterations:
        batch = [int(s) for s in next(order)]
        listed = re.fullmatch(r"Iteration \d+ \(samples (.*)\), loss before the update ", it.heading[0])
        if len(batch) == 1:
            assert f"(sample data[{batch[0]}])" in it.heading[0]
            continue
        shown = [int(k) for k in re.findall(r"data\[(\d+)\]", listed[1])]
        assert shown == batch or (shown == [batch[0], batch[-1]] and batch == list(range(batch[0], batch[-1] + 1)))
    whole = stepnet.run(_config((2, 2, 2), 1, samples=4), 1).report()
    assert whole.iterations[0].heading[0] == "Iteration 1 (all 4 samples), loss before the update "
    single = stepnet.run(stepnet.example("mazur")).report()
    assert single.iterations[0].heading[0] == "Iteration 1, loss before the update "


def test_batch_phrase():
    assert batch_phrase([2], 3) == "sample data[2]"
    assert batch_phrase([0], 1) == ""
    assert batch_phrase([3, 1, 0, 2], 4) == "all 4 samples"
    assert batch_phrase([0, 2], 6) == "samples data[0], data[2]"
    assert batch_phrase([4, 5, 6, 7, 1], 9) == "samples data[4]–data[7], data[1]"
    many = batch_phrase(list(range(0, 40, 2)), 50)
    assert many.startswith("samples data[0], data[2]") and many.endswith("… (20 samples in all)")
    assert many.count("data[") == 8


# ------------------------------------------------------------------ untraced iterations


def _runs(numbers):
    out = []
    for k in sorted(numbers):
        if out and k == out[-1][1] + 1:
            out[-1][1] = k
        else:
            out.append([k, k])
    return [tuple(r) for r in out]


@pytest.mark.parametrize("spec", ["1,5,10-12", "first,last", "3", "all", "2-4,last", "12"])
def test_untraced_iterations_are_stated_where_they_are_skipped(spec):
    run = stepnet.run(stepnet.example("mazur"), 12, trace=spec)
    report = run.report()
    traced = sorted(traced_set(spec, 12))
    gaps = _runs(set(range(1, 13)) - set(traced))
    where = {}
    for first, last in gaps:
        before = [it for it in report.iterations if it.iteration < first]
        where[(first, last)] = report.notes if not before else before[-1].sections[-1].text
    for (first, last), texts in where.items():
        assert untraced_text(first, last) in texts
    said = [t for t in report.notes + [x for it in report.iterations for s in it.sections for x in s.text]
            if "not shown in full" in t]
    assert len(said) == len(gaps)


def test_untraced_text():
    assert untraced_text(2, 4999) == "Iterations 2–4,999 are not shown in full; --trace picks the iterations shown."
    assert untraced_text(7, 7) == "Iteration 7 is not shown in full; --trace picks the iterations shown."


def test_every_format_says_which_iterations_and_samples():
    cfg = _config((2, 2, 2), 1, samples=3, batch_size=1)
    run = stepnet.run(cfg, 30, trace="1,5,10-12")
    from stepnet.render.html import run_html
    from stepnet.render.latex_doc import run_latex

    outputs = {"text": run.to_text(width=200), "markdown": run.to_markdown(),
               "html": run_html(run, None, "scalar"), "latex": run_latex(run, None)}
    for fmt, out in outputs.items():
        flat = re.sub(r"\\|\{|\}", "", out).replace("&#x27;", "'")
        for first, last in ((2, 4), (6, 9), (13, 30)):
            assert re.search(rf"Iterations {first}\s*(–|--|&ndash;)\s*{last} are not shown", flat), (fmt, first)
        assert re.search(r"Iteration 5 \(sample data\s*\[?1\]?", flat), fmt
        assert "spaced evenly on a log scale" in flat, fmt


def test_the_loss_history_says_how_its_rows_were_chosen():
    run = stepnet.run(stepnet.example("mazur"), 500, trace="first")
    history = run.report().history
    picked = len(history.rows) - 1
    assert history.omitted.startswith(f"{picked} of the 500 iterations: spaced evenly on a log scale")
    assert stepnet.run(stepnet.example("mazur"), 5).report().history.omitted == ""


# ------------------------------------------------------------------ notes


def _note_text(note):
    return note if isinstance(note, str) else "".join(p if isinstance(p, str) else p.unicode
                                                      if isinstance(p, Sym) else type(p).__name__ for p in note)


@pytest.mark.parametrize("example", ["mazur", "minibatch", "softmax", "deep"])
def test_each_note_once_per_section_on_its_first_line(example):
    run = stepnet.run(stepnet.example(example), 1)
    fresh = stepnet.run(stepnet.example(example), 1)
    from stepnet.derive.deriver import Deriver

    d = Deriver(fresh.trace.iterations[0], fresh.names)
    for view in ("scalar", "matrix"):
        for it in run.report(view=view).iterations:
            for sec in it.sections:
                lines = [ln for b in sec.blocks for ln in [*b.lines, *getattr(b, "equations", [])]]
                notes = [_note_text(ln.note) for ln in lines if ln.note]
                assert len(notes) == len(set(notes)), (view, sec.title)
    # the sigmoid's note stays on the first out line of the forward pass
    forward = run.report().iterations[0].sections[0]
    outs = [ln for b in forward.blocks for ln in b.lines if ln.lhs.key[0] == "out"]
    if run.config.layers[1].activation == "sigmoid":
        assert outs[0].note == d.out_line(1, 0, 0).note != ""
        assert all(ln.note == "" for ln in outs[1:] if ln.lhs.key[1] == 1)


def test_a_note_is_printed_once_per_section_in_text():
    text = stepnet.run(stepnet.example("mazur")).to_text(width=200)
    assert text.count("the sigmoid (logistic) function") == 2  # forward pass; "the derivative of ..." once
    assert text.count("the derivative of the sigmoid (logistic) function") == 1


# ------------------------------------------------------------------ sample markers


def test_per_sample_path_terms_carry_their_sample():
    run = stepnet.run(stepnet.example("minibatch"), 1)
    it = run.report().iterations[0]
    back = it.sections[2]
    paths = [ln for b in back.blocks for ln in b.lines
             if isinstance(ln.lhs, Partial) and ln.lhs.num.key[0] == "E" and len(ln.lhs.num.key) == 3]
    assert paths
    for b in back.blocks:
        m = re.search(r"sample (\d+) of the batch", b.title)
        for ln in b.lines:
            if ln in paths:
                s = ln.lhs.num.key[2]
                assert m and int(m[1]) == s + 1
                assert ln.lhs.num.unicode == f"E{'⁽¹⁾⁽²⁾'[3 * s:3 * s + 3]}_o1"


def _names(style):
    cfg = stepnet.load(_config((2, 2, 2), 1, samples=2, notation=style))
    return Names(cfg)


@pytest.mark.parametrize("style", ["indexed", "nielsen"])
def test_indexed_notation_marks_samples_apart_from_layers(style):
    from stepnet.derive.mathml import symbol_mathml

    names = _names(style)
    sample, layer = names.sample_error(0), names.param(names.weight(1, 0, 0))
    path = names.error(0, 0)
    assert "⁽" in layer.unicode and "⁽" not in sample.unicode and "⟨1⟩" in sample.unicode and "⟨1⟩" in path.unicode
    assert "(" in layer.ascii and "(" not in sample.ascii and "<1>" in sample.ascii
    assert r"\langle" not in layer.latex and "(" not in sample.latex and r"\langle 1\rangle" in sample.latex
    mathml = symbol_mathml(sample.latex, sample.unicode)
    assert "⟨" in mathml and "⟩" in mathml and "(" not in mathml
    # through the printers, as a gradient of one sample prints: ∂E⟨1⟩/∂w⁽²⁾₁₁
    from stepnet.derive.latex import LatexPrinter
    from stepnet.derive.mathml import MathMLPrinter
    from stepnet.derive.unicode import AsciiPrinter, UnicodePrinter

    grad = Partial(sample, layer)
    printed = {cls.__name__: cls().doprint(grad) for cls in (UnicodePrinter, AsciiPrinter, LatexPrinter, MathMLPrinter)}
    assert "⟨1⟩" in printed["UnicodePrinter"] and "⁽" in printed["UnicodePrinter"]
    assert "<1>" in printed["AsciiPrinter"]
    assert r"\langle 1\rangle" in printed["LatexPrinter"]
    assert printed["MathMLPrinter"].count("⟨") == 1 and "⟨" not in MathMLPrinter().doprint(layer)


def test_flat_notation_keeps_its_bracketed_sample_superscript():
    names = _names("mazur")
    assert names.sample_error(1).unicode == "E⁽²⁾"
    assert names.error(0, 1).unicode == "E⁽²⁾_o1"
    assert names.error(0, 1).latex == "E^{(2)}_{o_{1}}"
    assert names.error(0, 1).ascii == "E(2)_o1"
