"""The HTML page: HTML5 that parses, MathML that is well formed, nothing fetched, the terminal's numbers.

Pages are parsed with html5lib, an HTML5 parser written to the specification; each
``<math>`` is also read as XML on its own and checked element by element.  Pages for
the bundled examples show one neuron and two parameters per layer in full (the rest
work the same way): html5lib reads about 200 kB a second, and the checks are of
structure, not of how much is shown.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET

import html5lib
import pytest

import stepnet
from stepnet.api import example, example_names
from stepnet.derive.derivation import Formatter
from stepnet.derive.diagram_views import gradient_views
from stepnet.derive.expr import Add, Div, Exp, Func, Mul, Neg, Num, Paren, Partial, Pow, Sub, Sym, Text
from stepnet.derive.limits import Limits
from stepnet.derive.mathml import MathMLPrinter, group, symbol_mathml
from stepnet.render.html import derivation_html, report_html, run_html
from stepnet.render.html_assets import SCRIPT

MATHML = "http://www.w3.org/1998/Math/MathML"
XHTML = "http://www.w3.org/1999/xhtml"
SVG = "http://www.w3.org/2000/svg"
SMALL = Limits(neurons=1, params=2, samples=1)

TOKENS = {"mi", "mn", "mo", "mtext", "mspace"}
ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2}
LAYOUT = {"math", "mrow", "msqrt", "mtable", "mtr", "mtd"} | set(ARITY)

NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[-+−]?\d+)?")


@functools.lru_cache(maxsize=None)
def example_run(name: str) -> stepnet.Run:
    return stepnet.run(example(name), iterations=1)


@functools.lru_cache(maxsize=None)
def example_page(name: str) -> str:
    result = example_run(name)
    report = result.report(SMALL)
    return report_html(report, result.fmt, gradient_views(result.trace, result.names, report.diagram))


@functools.lru_cache(maxsize=None)
def parsed(page: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(page)


def tag(element) -> tuple[str, str]:
    namespace, _, local = element.tag.rpartition("}")
    return namespace.lstrip("{"), local


def check_mathml(source: str) -> None:
    """One <math> element read as XML: MathML presentation elements only, each with the children it takes."""
    root = ET.fromstring(source)
    for el in root.iter():
        ns, name = tag(el)
        assert ns == MATHML, (el.tag, source[:200])
        assert name in TOKENS | LAYOUT, (name, source[:200])
        children = list(el)
        if name in TOKENS:
            assert not children, (name, source[:200])
        if name in ARITY:
            assert len(children) == ARITY[name], (name, len(children), source[:200])
        if name == "mtable":
            assert children and all(tag(c)[1] == "mtr" for c in children)
        if name == "mtr":
            assert children and all(tag(c)[1] == "mtd" for c in children)


def check_page(page: str, has_math: bool = True) -> None:
    tree = parsed(page)
    sources = re.findall(r"<math\b.*?</math>", page, re.S)
    found = [el for el in tree.iter() if el.tag == f"{{{MATHML}}}math"]
    assert len(found) == len(sources) and (len(found) > 0) == has_math
    for source in sources:
        check_mathml(source)


def check_nothing_fetched(page: str) -> None:
    """No URL but in-page anchors; no element that loads anything; no style that imports or points out."""
    tree = parsed(page)
    for el in tree.iter():
        ns, name = tag(el)
        assert name not in {"link", "img", "iframe", "object", "embed", "video", "audio", "source", "image",
                            "use", "base", "form"}, name
        for attr, value in el.attrib.items():
            attr = attr.rpartition("}")[2]
            assert attr not in {"src", "srcset", "action", "poster", "data", "background"}, (name, attr)
            if attr == "href":
                assert value.startswith("#"), (name, value)
            assert "url(" not in value.lower(), (name, attr, value)
        if name in {"style", "script"}:
            body = (el.text or "").lower()
            assert "@import" not in body and "url(" not in body and "//" not in body.replace("://www.w3.org/", "")
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:|//)", page, re.I)


def visible_numbers(page: str) -> set[str]:
    """The numbers of a page's text, a row of math read as one run of text (−<mn>0.5</mn> is −0.5).

    Elements are read apart, except the pieces of a row of math: the base and the script
    of a power, or the two parts of a fraction, are apart too.
    """
    tree = parsed(page)
    words: list[str] = []

    def walk(el, in_math: bool) -> None:
        ns, name = tag(el)
        if name in {"style", "script"}:
            return
        inside = in_math or name == "math"
        joined = inside and name in {"math", "mrow", "mtd", "msqrt"}
        words.append(el.text or "")
        for child in el:
            walk(child, inside)
            words.append("" if joined else " ")
            words.append(child.tail or "")

    walk(tree, False)
    return set(NUMBER.findall("".join(words)))


def terminal_numbers(result: stepnet.Run, limits: Limits | None = None) -> set[str]:
    return set(NUMBER.findall(result.to_text(width=200, limits=limits)))


# ------------------------------------------------------------------ every bundled example


@pytest.mark.parametrize("name", example_names())
def test_every_example_page_parses_as_html5_with_well_formed_mathml(name):
    check_page(example_page(name))


@pytest.mark.parametrize("name", example_names())
def test_every_example_page_fetches_nothing(name):
    check_nothing_fetched(example_page(name))


@pytest.mark.parametrize("name", example_names())
def test_every_number_of_the_terminal_appears_on_the_page(name):
    missing = terminal_numbers(example_run(name), SMALL) - visible_numbers(example_page(name))
    assert not missing


def check_links(page: str) -> None:
    """Ids are unique, and every link (and every clickable row) points at one of them."""
    tree = parsed(page)
    ids = [el.get("id") for el in tree.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    targets = [el.get("href") for el in tree.iter() if el.get("href")]
    targets += [el.get("data-href") for el in tree.iter() if el.get("data-href")]
    assert all(t[1:] in ids for t in targets), sorted(set(t for t in targets if t[1:] not in ids))


@pytest.mark.parametrize("name", example_names())
def test_every_link_lands_on_the_page_and_ids_are_unique(name):
    check_links(example_page(name))
    assert 'href="#it1-grad-' in example_page(name)


# ------------------------------------------------------------------ the classic example in full


def test_mazur_golden(golden):
    golden("mazur.html", run_html(stepnet.run(example("mazur"))))


def test_mazur_page_is_whole():
    page = run_html(stepnet.run(example("mazur")))
    check_page(page)
    check_nothing_fetched(page)
    assert not terminal_numbers(stepnet.run(example("mazur"))) - visible_numbers(page)


def test_precision_options_give_the_terminals_digits():
    for kwargs in ({"precision": 4}, {"sig": 3}, {"carry": 5}):
        result = stepnet.run(example("mazur"), **kwargs)
        assert not terminal_numbers(result, SMALL) - visible_numbers(run_html(result, SMALL)), kwargs


def test_weights_in_the_diagram_link_to_their_gradient_lines():
    tree = parsed(run_html(stepnet.run(example("mazur"))))
    svg = next(el for el in tree.iter() if el.tag == f"{{{SVG}}}svg")
    links = {el.get("data-param"): el.get("href") for el in svg.iter() if el.tag == f"{{{SVG}}}a"}
    assert links["w5"] == "#it1-grad-w5" and links["b1"] == "#it1-grad-b1"
    assert len([k for k in links if k.startswith("w")]) == 8
    line = next(el for el in tree.iter() if el.get("id") == "it1-grad-w5")
    assert "0.082167041" in "".join(line.itertext())


def test_gradient_view_colours_edges_by_sign_with_a_legend():
    page = run_html(stepnet.run(example("mazur")))
    gradients = page[page.index('<svg class="network gradients"'):]
    gradients = gradients[: gradients.index("</svg>")]
    assert gradients.count('class="edge g pos"') == 6 and gradients.count('class="edge g neg"') == 2  # w7, w8
    assert "0.082167041" in gradients and "−0.022602540" in gradients
    assert 'class="legend"' in page


def test_several_traced_iterations_have_a_selector_contents_and_a_chart():
    result = stepnet.run(example("mazur"), iterations=3, trace="1,3")
    tree = parsed(run_html(result, SMALL))
    sections = [el for el in tree.iter() if el.get("class") == "iteration"]
    assert [s.get("id") for s in sections] == ["iteration-1", "iteration-3"]
    options = [el.text for el in tree.iter() if el.tag == f"{{{XHTML}}}option"]
    assert options == ["Iteration 1", "Iteration 3"]
    toc = [el.get("href") for el in tree.iter() if el.tag == f"{{{XHTML}}}a" and el.get("href", "").startswith("#iter")]
    assert toc == ["#iteration-1", "#iteration-3"]
    assert any(el.get("class") == "chart" for el in tree.iter() if el.tag == f"{{{SVG}}}svg")
    toolbar = next(el for el in tree.iter() if el.get("id") == "toolbar")
    assert toolbar.get("hidden") is not None  # shown by the script only: the page is whole without it


def test_a_long_loss_history_is_drawn_on_a_log_scale():
    page = run_html(stepnet.run(example("xor"), trace="last"), SMALL)
    chart = page[page.index('<svg class="chart"'):]
    assert "loss (log scale)" in chart[: chart.index("</svg>")]


def test_wide_layers_are_cut_with_a_note():
    cfg = {"name": "wide", "layers": [{"name": "i", "size": 3}, {"name": "h", "size": 12, "activation": "tanh"},
                                      {"name": "o", "size": 2, "activation": "sigmoid"}],
           "init": {"method": "xavier", "seed": 1}, "learning_rate": 0.5,
           "data": [{"inputs": [0.1, 0.2, 0.3], "targets": [0.0, 1.0]}]}
    page = run_html(stepnet.run(cfg), SMALL)
    check_page(page)
    # SMALL shows one neuron of each layer: the drawing cuts where the worked lines do
    assert "… 11 more" in page and "… 2 more" in page
    assert "drawn in part, with one node for the neurons left out: i its first 1 of 3; h its first 1 of 12" in page


# ------------------------------------------------------------------ escaping


HOSTILE = {
    "name": "<script>alert(1)</script> </math> \\end{document} & \"q\"",
    "description": "<img src=x onerror=alert(1)> </title> <math><mi>x</mi></math>",
    "layers": [{"name": "i", "size": 1}, {"name": "o", "size": 1, "activation": "sigmoid"}],
    "weights": {"o": [[0.5]]},
    "learning_rate": 0.5,
    "data": [{"inputs": [1.0], "targets": [0.0]}],
}


def test_config_text_appears_as_text():
    page = run_html(stepnet.run(HOSTILE, iterations=2))
    tree = parsed(page)
    scripts = [el for el in tree.iter() if tag(el)[1] == "script"]
    assert len(scripts) == 1 and scripts[0].text == SCRIPT
    assert not any(tag(el)[1] == "img" for el in tree.iter())
    title = next(el for el in tree.iter() if tag(el)[1] == "title")
    assert title.text == HOSTILE["name"]
    h1 = next(el for el in tree.iter() if tag(el)[1] == "h1")
    assert "".join(h1.itertext()) == HOSTILE["name"]
    description = next(el for el in tree.iter() if el.get("class") == "description")
    assert "".join(description.itertext()) == HOSTILE["description"]
    check_page(page)
    check_nothing_fetched(page)


# ------------------------------------------------------------------ explain


@pytest.mark.parametrize("name", ["w5", "w1", "b1", "h1", "i1"])
def test_explanations_are_pages_too(name):
    result = stepnet.run(example("mazur"))
    explanation = result.explain(name, check=False)  # the oracles' own work is tested elsewhere
    page = derivation_html(explanation.derivation, explanation.fmt)
    check_page(page, has_math=name != "i1")  # an input's explanation is its value, in words
    check_nothing_fetched(page)
    check_links(page)
    assert not set(NUMBER.findall(str(explanation))) - visible_numbers(page)


# ------------------------------------------------------------------ the MathML printer


W5 = Sym(("param", "w5"), "w5", "w5", "w_{5}", 0.4)
OUT = Sym(("out", 1, 0), "out_h1", "out_h1", r"\mathrm{out}_{h_{1}}", 0.59)
E = Sym(("E",), "E_total", "E_total", r"E_{\mathrm{total}}")


def mathml(e) -> str:
    return MathMLPrinter(Formatter()).doprint(e)


def test_partial_is_a_fraction_of_two_rows():
    assert mathml(Partial(E, W5)) == ("<mfrac><mrow><mi>∂</mi><msub><mi>E</mi><mi>total</mi></msub></mrow>"
                                     "<mrow><mi>∂</mi><msub><mi>w</mi><mn>5</mn></msub></mrow></mfrac>")


def test_a_negative_number_is_a_sign_inside_brackets_after_an_operator():
    bracket = "<mrow><mo>(</mo><mrow><mo>−</mo><mn>0.25</mn></mrow><mo>)</mo></mrow>"
    assert mathml(Mul(Num(0.5), Num(-0.25))) == "<mn>0.5</mn><mo>×</mo>" + bracket
    assert mathml(Sub(Num(0.5), Num(-0.25))) == "<mn>0.5</mn> <mo>−</mo> " + bracket
    assert mathml(Add(Num(0.5), Num(-0.25))) == "<mn>0.5</mn><mo>+</mo>" + bracket


def test_powers_fractions_and_functions():
    assert mathml(Pow(Paren(Sub(Num(0.01), Num(0.75))), Num(2))) == (
        "<msup><mrow><mo>(</mo><mrow><mn>0.01</mn> <mo>−</mo> <mn>0.75</mn></mrow><mo>)</mo></mrow>"
        "<mn>2</mn></msup>")
    assert mathml(Div(Num(1), Add(Num(1), Exp(Neg(OUT))))) == (
        "<mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo><msub><mi>out</mi>"
        "<msub><mi>h</mi><mn>1</mn></msub></msub></mrow></msup></mrow></mfrac>")
    assert mathml(Func("tanh", OUT)).startswith("<mi>tanh</mi><mo>&#x2061;</mo><mrow><mo>(</mo>")
    assert mathml(Text("a < b & c")) == "<mtext>a &lt; b &amp; c</mtext>"


def test_symbols_are_read_from_their_latex_spelling():
    assert symbol_mathml("w^{(2)}_{11}", "w") == (
        '<msubsup><mi>w</mi><mn>11</mn><mrow><mo stretchy="false">(</mo><mn>2</mn><mo stretchy="false">)</mo>'
        "</mrow></msubsup>")
    assert symbol_mathml(r"\hat{m}_{w_{1}}", "m") == (
        '<msub><mover accent="true"><mi>m</mi><mo>^</mo></mover><msub><mi>w</mi><mn>1</mn></msub></msub>')
    assert symbol_mathml(r"\delta_{o}", "δ_o") == "<msub><mi>δ</mi><mi>o</mi></msub>"
    assert symbol_mathml(r"\unknown{x}", "δ<x") == "<mi>δ&lt;x</mi>"


def test_group_wraps_only_runs_of_elements():
    assert group("<mn>1</mn>") == "<mn>1</mn>"
    assert group("<mrow><mn>1</mn></mrow>") == "<mrow><mn>1</mn></mrow>"
    assert group("<mn>1</mn><mo>+</mo>") == "<mrow><mn>1</mn><mo>+</mo></mrow>"
    assert group("") == "<mrow></mrow>"


@pytest.mark.parametrize("args, start", [
    (["run", "mazur", "-o", "{dir}/run.html"], "<!DOCTYPE html>"),
    (["explain", "w5", "-o", "{dir}/w5.html"], "<!DOCTYPE html>"),
    (["run", "mazur", "-o", "{dir}/run.tex"], "\\documentclass"),
    (["explain", "w5", "--format", "latex", "--latex-body", "-o", "{dir}/w5.tex"], "% stepnet body"),
])
def test_the_command_line_writes_pages_and_documents(tmp_path, args, start):
    from click.testing import CliRunner

    from stepnet.cli import main

    args = [a.format(dir=tmp_path) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = open(args[-1], encoding="utf-8").read()
    assert text.lstrip().startswith(start)
    assert "0.082167041" in text  # the classic example's dE_total/dw5


# ------------------------------------------------------------------ the matrix view

MATRIX_NOTATIONS = ["flat", "nielsen"]
WIDE_MATRIX = {"name": "wide", "layers": [{"name": "i", "size": 12}, {"name": "h", "size": 10, "activation": "sigmoid"},
                                          {"name": "o", "size": 2, "activation": "sigmoid"}],
               "loss": "half_sse", "learning_rate": 0.5, "init": {"method": "xavier", "seed": 3},
               "data": [{"inputs": [0.1 * k for k in range(12)], "targets": [0.2, 0.8]}]}


@functools.lru_cache(maxsize=None)
def notation_run(name: str, notation: str) -> stepnet.Run:
    from dataclasses import replace

    from stepnet.api import load
    from stepnet.config.model import Notation

    return stepnet.run(replace(load(name), notation=Notation(notation)))


@functools.lru_cache(maxsize=None)
def matrix_page(name: str, notation: str, limits: Limits | None = None) -> str:
    return run_html(notation_run(name, notation), limits, view="matrix")


@pytest.mark.parametrize("notation", MATRIX_NOTATIONS)
@pytest.mark.parametrize("name", example_names())
def test_every_matrix_page_is_well_formed_and_shows_every_number_of_the_terminal(name, notation):
    page = matrix_page(name, notation)
    check_page(page)
    check_nothing_fetched(page)
    check_links(page)
    assert '<mo>[</mo><mtable class="grid">' in page
    terminal = notation_run(name, notation).to_text(width=200, view="matrix")
    assert not set(NUMBER.findall(terminal)) - visible_numbers(page)


def test_a_matrix_is_a_table_between_brackets_and_its_entries_are_named():
    page = matrix_page("mazur", "nielsen")
    first = ('<mrow><mo>[</mo><mtable class="grid"><mtr><mtd><mn>0.15</mn></mtd><mtd><mn>0.2</mn></mtd></mtr>'
             "<mtr><mtd><mn>0.25</mn></mtd><mtd><mn>0.3</mn></mtd></mtr></mtable><mo>]</mo></mrow>")
    assert first in page
    w311 = "<msubsup><mi>w</mi><mn>11</mn><mn>3</mn></msubsup>"
    assert f'<p class="eq-note"><i>Entry (1,1) of <math xmlns="{MATHML}"><msup><mi>W</mi><mn>3</mn></msup></math>' \
           f' is <math xmlns="{MATHML}">{w311}</math>, (1,2) is ' in page
    assert "mtable.grid mtd" in page and "mtable.grid mtd" not in example_page("mazur")
    # the legend and the tooltips of the gradient view speak the run's notation too
    assert "∂C/∂w &gt; 0" in page and "<title>∂C/∂w⁽³⁾₁₁ = 0.082167041</title>" in page


def test_gradient_entries_carry_the_ids_the_diagram_links_to():
    page = matrix_page("mazur", "flat")
    check_links(page)
    for w in ("w1", "w4", "w5", "w8"):
        assert f'<span id="it1-grad-{w}"></span>' in page and f'href="#it1-grad-{w}"' in page


def test_wide_matrices_are_cut_with_the_terminals_notes():
    result = stepnet.run(WIDE_MATRIX)
    page = run_html(result, None, view="matrix")
    check_page(page)
    assert "<mo>⋮</mo>" in page and "<mo>⋯</mo>" in page
    assert "4 more neurons of layer i not shown: name them to see them (--only i11,i12)" in page
    assert not set(NUMBER.findall(result.to_text(width=300, view="matrix"))) - visible_numbers(page)


def test_the_matrix_view_of_an_explanation_is_a_page_too():
    result = notation_run("mazur", "nielsen")
    explanation = result.explain("w^2_11", check=False, view="matrix")
    page = derivation_html(explanation.derivation, explanation.fmt)
    check_page(page)
    assert "<mo>⊙</mo>" in page and '<mi mathvariant="normal">T</mi>' in page


def test_matrix_nodes_in_mathml():
    from stepnet.derive.mathml import MatrixMathMLPrinter
    from stepnet.derive.matrix_expr import Apply, Grid, Hadamard, MatMul, Transpose

    p = MatrixMathMLPrinter(Formatter())
    cut = Grid([[1.0, -2.0, 3.0]], cols=[0, 2])
    assert p.doprint(cut) == ('<mrow><mo>[</mo><mtable class="grid"><mtr><mtd><mn>1</mn></mtd>'
                              '<mtd class="mark"><mo>⋯</mo></mtd><mtd><mn>3</mn></mtd></mtr></mtable><mo>]</mo></mrow>')
    assert p.doprint(Grid([[-0.5]])) == '<mrow><mo>[</mo><mtable class="grid"><mtr><mtd><mo>−</mo><mn>0.5</mn>' \
                                        "</mtd></mtr></mtable><mo>]</mo></mrow>"
    assert p.doprint(MatMul(W5, OUT)) == p.doprint(W5) + "<mo>&#x2062;</mo>" + p.doprint(OUT)
    assert p.doprint(Hadamard(W5, OUT)) == p.doprint(W5) + "<mo>⊙</mo>" + p.doprint(OUT)
    assert p.doprint(Transpose(OUT)).startswith("<msup><mrow><mo>(</mo>")
    assert p.doprint(Apply(("σ′", "sigma'", "\\sigma'"), W5)).startswith("<mi>σ</mi><mo>′</mo><mo>&#x2061;</mo>")
    check_mathml(f'<math xmlns="{MATHML}">{p.doprint(Hadamard(Transpose(cut), Grid([[1.0], [2.0]])))}</math>')
