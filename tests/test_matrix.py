"""The matrix view: every entry is the scalar view's number, every equation holds, nothing is cut short."""

from __future__ import annotations

import functools
import json
import random
import re
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

import rendercheck
import stepnet
from stepnet.api import load
from stepnet.config.model import Notation
from stepnet.derive.deriver import Deriver
from stepnet.derive.expr import Add, Div, Func, Mul, Neg, Num, Paren, Partial, Pow, Sub, Sym
from stepnet.derive.limits import Limits
from stepnet.derive.matrix_expr import Apply, Grid, Hadamard, MatMul, MatSym, Transpose
from stepnet.derive.matrix_symbols import ACTIVATION_SPELLINGS
from stepnet.derive.report import build_report
from stepnet.derive.report_model import MatrixBlock
from stepnet.derive.views import explain_in_view
from stepnet.engine.functions import ACTIVATIONS
from stepnet.render.markdown import derivation_markdown, report_markdown
from stepnet.render.text import render_text


def matrix_report(run, limits=None):
    return build_report(run.trace, run.names, run.fmt, limits, view="matrix")


def matrix_text(run, width=100, ascii_only=False, limits=None):
    report = matrix_report(run, limits)
    return render_text(lambda r: r.report(report), run.fmt, width=width, ascii_only=ascii_only)


def equations(report):
    for it_report in report.iterations:
        for sec in it_report.sections:
            for block in sec.blocks:
                if isinstance(block, MatrixBlock):
                    yield from block.equations


@functools.lru_cache(maxsize=None)
def example_run(name: str, notation: str = "flat"):
    return stepnet.run(replace(load(name), notation=Notation(notation)))


# ---------------------------------------------------------------- random networks


def random_config(seed: int) -> dict:
    rng = random.Random(seed)
    sizes = [rng.randint(1, 4) for _ in range(rng.randint(2, 4))]
    hidden = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
    names = "ihgfo"
    layers = [{"name": names[0], "size": sizes[0]}]
    for k, size in enumerate(sizes[1:-1], 1):
        layers.append({"name": names[k], "size": size, "activation": rng.choice(hidden),
                       "bias": rng.choice(["per_neuron", "shared", "none"])})
    out = rng.choice(["sigmoid", "softmax", "tanh", "identity"])
    size = max(sizes[-1], 2) if out == "softmax" else sizes[-1]
    layers.append({"name": "o", "size": size, "activation": out, "bias": rng.choice(["per_neuron", "shared", "none"])})
    losses = {"softmax": ["cross_entropy", "half_sse"], "sigmoid": ["binary_cross_entropy", "mse"]}
    loss = rng.choice(losses.get(out, ["half_sse", "sse"]))
    samples = rng.randint(1, 3)
    data = []
    for _ in range(samples):
        targets = [rng.random() for _ in range(size)]
        if loss == "cross_entropy":
            targets = [0.0] * size
            targets[rng.randrange(size)] = 1.0
        data.append({"inputs": [rng.uniform(-1, 1) for _ in range(sizes[0])], "targets": targets})
    optimizer = rng.choice(["sgd", "momentum", "adam"])
    return {"name": f"random {seed}", "layers": layers, "loss": loss, "learning_rate": 0.3, "data": data,
            "init": {"method": "uniform", "seed": seed, "low": -1, "high": 1}, "optimizer": optimizer,
            "batch_size": rng.randint(1, samples), "train_biases": rng.random() < 0.8,
            "hidden_deltas_use": rng.choice(["current_weights", "updated_weights"]),
            "notation": rng.choice(["flat", "nielsen", "indexed"])}


def _activation_named(spelling) -> str:
    return next(name for name, s in ACTIVATION_SPELLINGS.items() if s == spelling)


def evaluate(e):
    """A numeric step of the matrix view computed with numpy, to check that the equation holds."""
    if isinstance(e, Grid):
        assert len(e.rows) == e.shape[0] and len(e.cols) == e.shape[1], "a small network's matrices are whole"
        return e.values
    if isinstance(e, Num):
        return e.value
    if isinstance(e, Sym) and not isinstance(e, MatSym):
        assert e.value is not None, e.unicode
        return e.value
    if isinstance(e, Apply):
        if e.grid is not None:
            return evaluate(e.grid)
        act = ACTIVATIONS[_activation_named(e.spelling)]
        return act.value(np.asarray(evaluate(e.arg)).T, 0.01).T
    if isinstance(e, Transpose):
        return np.asarray(evaluate(e.arg)).T
    if isinstance(e, Paren):
        return evaluate(e.args[0])
    if isinstance(e, Neg):
        return -evaluate(e.args[0])
    if isinstance(e, Func) and e.name == "sqrt":
        return np.sqrt(evaluate(e.args[0]))
    args = [evaluate(a) for a in e.children()]
    ops = {MatMul: lambda xs: functools.reduce(np.matmul, xs), Hadamard: lambda xs: functools.reduce(np.multiply, xs),
           Add: lambda xs: functools.reduce(np.add, xs), Sub: lambda xs: xs[0] - xs[1],
           Mul: lambda xs: functools.reduce(np.multiply, xs), Div: lambda xs: xs[0] / xs[1],
           Pow: lambda xs: xs[0] ** xs[1]}
    return ops[type(e)](args)


def scalar_values(d: Deriver, eq) -> np.ndarray | None:
    """The scalar view's numbers for the entries of an equation's value, where the equation has a lhs we know."""
    lhs, names = eq.lhs, d.names
    rows, cols = eq.value.shape
    key = getattr(lhs, "key", None)
    out = np.full((rows, cols), np.nan)
    for r in range(rows):
        for c in range(cols):
            if key and key[:2] == ("vector", "net"):
                out[r, c] = d.net_line(key[2], r, c).value
            elif key and key[:2] == ("vector", "out"):
                out[r, c] = d.out_line(key[2], r, c).value
            elif key and key[:2] == ("vector", "delta"):
                out[r, c] = d.neuron_backward_lines(key[2], r, c)[-1].value
            elif key and key[0] == "grad_out" or (isinstance(lhs, Partial) and lhs.den.key[:2] == ("vector", "out")):
                li = key[1] if key and key[0] == "grad_out" else lhs.den.key[2]
                out[r, c] = d.backward.dE_dout(li, r, c).value
            elif isinstance(lhs, Partial) and lhs.den.key[0] == "W":
                out[r, c] = d.gradient_value(names.weight(lhs.den.key[1], r, c))
            elif isinstance(lhs, Partial) and lhs.den.key[0] == "b":
                out[r, c] = d.gradient_value(names.bias(lhs.den.key[1], r))
            elif isinstance(lhs, Partial) and lhs.den.key[0] == "param":  # a shared bias
                out[r, c] = d.gradient_value(names.canonical(lhs.den.key[1]))
            elif key and key[0] == "updated" and key[1][0] == "W":
                out[r, c] = d.param(names.weight(key[1][1], r, c), updated=True).value
            elif key and key[0] == "updated" and key[1][0] == "b":
                out[r, c] = d.param(names.bias(key[1][1], r), updated=True).value
            elif key and key[0] == "updated" and key[1][0] == "param":  # a shared bias
                out[r, c] = d.param(names.canonical(key[1][1]), updated=True).value
            else:
                return None
    return out


@pytest.mark.parametrize("seed", range(40))
def test_matrix_entries_are_the_scalar_values_and_every_equation_holds(seed):
    config = random_config(seed)
    carry = 6 if seed % 7 == 3 else None
    run = stepnet.run(config, iterations=2, carry=carry)
    report = matrix_report(run, Limits(neurons=8, samples=4))
    checked = 0
    for it_report, it in zip(report.iterations, run.trace.iterations, strict=True):
        d = Deriver(it, run.names, run.fmt)
        its_equations = [eq for sec in it_report.sections for b in sec.blocks if isinstance(b, MatrixBlock)
                         for eq in b.equations]
        for eq in its_equations:
            scalar = scalar_values(d, eq)
            if scalar is not None:
                assert np.array_equal(scalar, eq.value.values), (eq, scalar, eq.value.values)
                checked += 1
            if carry is None:
                for step in eq.steps:
                    assert np.allclose(evaluate(step), eq.value.values, rtol=1e-9, atol=1e-12), (seed, eq)
    assert checked >= 6 * (len(config["layers"]) - 1)


def test_the_json_is_the_same_in_both_views():
    run = example_run("minibatch")
    before = run.to_json()
    matrix_report(run)
    assert run.to_json() == before
    scalar = json.loads(before)
    assert scalar["iterations"][0]["parameters"][0]["gradient"] == run.trace.iterations[0].layers[0].gW[0, 0]


# ---------------------------------------------------------------- what it shows


def test_links_name_the_scalar_lines():
    text = matrix_text(example_run("mazur"))
    assert "entry (1,1) of ∂E_total/∂W_o is ∂E_total/∂w5, (1,2) is ∂E_total/∂w6" in text
    assert "entry (1,1) of W_o is w5" in text and "entry 1 of δ_h is δ_h1, 2 is δ_h2" in text
    nielsen = matrix_text(example_run("mazur", "nielsen"))
    assert "z⁽³⁾ = W⁽³⁾ a⁽²⁾ + b⁽³⁾" in nielsen and "a⁽³⁾ = σ(z⁽³⁾)" in nielsen
    assert "δ⁽³⁾ = ∇ₐC ⊙ σ′(z⁽³⁾)" in nielsen and "δ⁽²⁾ = ((W⁽³⁾)ᵀ δ⁽³⁾) ⊙ σ′(z⁽²⁾)" in nielsen
    assert "∂C/∂W⁽³⁾ = δ⁽³⁾ (a⁽²⁾)ᵀ" in nielsen and "W⁽³⁾⁺ = W⁽³⁾ − η · ∂C/∂W⁽³⁾" in nielsen
    assert "entry (1,1) of ∂C/∂W⁽³⁾ is ∂C/∂w⁽³⁾₁₁" in nielsen


def test_a_batch_is_columns_and_says_so():
    text = matrix_text(example_run("minibatch"))
    assert "∂E_total/∂W_o = 1/2 · δ_o (out_h)ᵀ" in text
    assert "the batch as columns: the product adds up the 2 samples' outer products, and 1/2 takes their" in text
    assert "(1,2) is ∂E⁽²⁾/∂out_o1" in text


def test_optimizer_forms():
    adam = matrix_text(example_run("adam"))
    for form in ("m⁺_W_h = β₁·m_W_h + (1 − β₁) · ∂E_total/∂W_h", "m̂_W_h = m⁺_W_h/(1 − β₁^t)",
                 "W_h⁺ = W_h − η · m̂_W_h/(√(v̂_W_h) + ε)"):
        assert form in adam
    momentum = matrix_text(example_run("minibatch"))
    assert "v⁺_W_h = μ·v_W_h − η · ∂E_total/∂W_h" in momentum and "W_h⁺ = W_h + v⁺_W_h" in momentum


def test_matrices_are_drawn_with_brackets_over_several_lines():
    text = matrix_text(example_run("mazur"))
    assert ("net_h = W_h i + b1·𝟏\n    = ⎡0.15  0.2⎤ ⎡0.05⎤ + 0.35 × ⎡1⎤ = ⎡0.3775⎤\n"
            "      ⎣0.25  0.3⎦ ⎣ 0.1⎦          ⎣1⎦   ⎣0.3925⎦") in text
    md = report_markdown(matrix_report(example_run("mazur")), example_run("mazur").fmt)
    assert "\\begin{bmatrix} 0.15 & 0.2 \\\\ 0.25 & 0.3 \\end{bmatrix}" in md


WIDE = {"name": "wide", "layers": [{"name": "i", "size": 12}, {"name": "h", "size": 10, "activation": "sigmoid"},
                                   {"name": "o", "size": 2, "activation": "sigmoid"}],
        "loss": "half_sse", "learning_rate": 0.5, "init": {"method": "xavier", "seed": 3},
        "data": [{"inputs": [0.1 * k for k in range(12)], "targets": [0.2, 0.8]}]}


def test_wide_matrices_are_cut_like_wide_layers():
    run = stepnet.run(WIDE)
    report = matrix_report(run)
    forward = report.iterations[0].sections[0].blocks[1]
    assert forward.omitted == ("4 more neurons of layer i not shown: name them to see them (--only i11,i12); "
                               "2 more neurons of layer h not shown: name them to see them (--only h9,h10)")
    z = forward.equations[0].value
    assert z.rows == list(range(8)) and z.shape == (10, 1)
    text = matrix_text(run)
    assert "⋮" in text and "⋯" in text
    only = matrix_report(run, Limits(only=frozenset({"h10"})))
    assert only.iterations[0].sections[0].blocks[1].equations[0].value.rows == list(range(8)) + [9]


def test_nothing_is_cut_short_on_a_narrow_terminal():
    run = stepnet.run(WIDE)
    wide, narrow = matrix_text(run, width=400), matrix_text(run, width=60)
    numbers = lambda t: Counter(re.findall(r"[−-]?\d+\.\d+", t))  # noqa: E731
    assert numbers(narrow) == numbers(wide)
    assert "row by row" in matrix_text(run, width=40)


def test_ascii_matrix_view_is_ascii():
    text = matrix_text(example_run("softmax", "nielsen"), ascii_only=True)
    assert text.isascii() and "delta^(3) = a^(3) - y" in text


def test_explain_gives_the_general_formula_in_the_matrix_view():
    run = example_run("mazur", "nielsen")
    it = run.trace.iterations[0]
    matrix = explain_in_view(it, run.names, "w^2_11", run.fmt, check=False, view="matrix")
    scalar = explain_in_view(it, run.names, "w^2_11", run.fmt, check=False)
    titles = [b.title for b in matrix.blocks][:3]
    assert titles == ["Where it sits", "The general formula for layer h", "The chain rule"]
    assert "The general formula for layer h" not in [b.title for b in scalar.blocks]
    text = render_text(lambda r: r.derivation(matrix), run.fmt)
    assert "z⁽²⁾ⱼ = Σ_k w⁽²⁾ⱼₖ·a⁽¹⁾ₖ + b⁽²⁾" in text and "δ⁽²⁾ = ((W⁽³⁾)ᵀ δ⁽³⁾) ⊙ σ′(z⁽²⁾)" in text
    assert "∂C/∂w⁽²⁾ⱼₖ = ∂C/∂a⁽²⁾ⱼ · ∂a⁽²⁾ⱼ/∂z⁽²⁾ⱼ · ∂z⁽²⁾ⱼ/∂w⁽²⁾ⱼₖ = δ⁽²⁾ⱼ · a⁽¹⁾ₖ" in text
    shared = explain_in_view(it, run.names, "b^3", run.fmt, check=False, view="matrix")
    assert "∂C/∂b⁽³⁾ = Σ_j" in render_text(lambda r: r.derivation(shared), run.fmt)


def test_an_unknown_view_is_refused():
    with pytest.raises(ValueError, match="unknown view 'table'"):
        build_report(example_run("mazur").trace, example_run("mazur").names, view="table")


# ---------------------------------------------------------------- goldens and rendering


@pytest.mark.parametrize("example, notation", [("mazur", "flat"), ("mazur", "nielsen"), ("minibatch", "flat"),
                                               ("softmax", "nielsen")])
def test_matrix_goldens(golden, example, notation):
    run = example_run(example, notation)
    golden(f"matrix_{example}_{notation}.txt", matrix_text(run))


def test_matrix_markdown_golden(golden):
    run = example_run("mazur", "nielsen")
    golden("matrix_mazur_nielsen.github.md", report_markdown(matrix_report(run), run.fmt, "github"))


def test_wide_matrix_golden(golden):
    golden("matrix_wide.txt", matrix_text(stepnet.run(WIDE)))


@pytest.mark.node
@pytest.mark.parametrize("notation", ["flat", "nielsen", "indexed"])
def test_every_example_renders_in_the_matrix_view(notation):
    docs = []
    for name in stepnet.example_names():
        run = example_run(name, notation)
        for flavor in rendercheck.FLAVORS:
            md = report_markdown(matrix_report(run), run.fmt, flavor)
            assert rendercheck.markdown_hazards(md, flavor) == [], name
            docs.append((md, flavor))
        first = run.names.params[0].name
        d = explain_in_view(run.trace.iterations[0], run.names, first, run.fmt, check=False, view="matrix")
        docs.append((derivation_markdown(d, run.fmt, "github"), "github"))
    docs.append((report_markdown(matrix_report(stepnet.run(WIDE)), stepnet.run(WIDE).fmt, "github"), "github"))
    math = sorted({(tex.strip(), display) for md, flavor in docs
                   for tex, display in rendercheck.extract_math(md, flavor)})
    answer = rendercheck.run_check(math, [])
    assert [(m[0][:80], e) for m, e in zip(math, answer["math"], strict=True) if e] == []
