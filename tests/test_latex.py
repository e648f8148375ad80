"""The LaTeX document: balanced structure, escaped config text, the terminal's numbers, and pdfLaTeX.

The structural checks run everywhere.  Where ``pdflatex`` is installed, the bundled
examples, an explanation, a body ``\\input`` into another document and a config whose
text is full of TeX's special characters are compiled twice each (the slow tests).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess

import pytest

import stepnet
from stepnet.api import example, example_names
from stepnet.derive.limits import Limits
from stepnet.render.latex_doc import derivation_latex, run_latex
from stepnet.render.tex_text import pdf_text, tex_escape

SMALL = Limits(neurons=2, params=4, samples=2)
PACKAGES = {"fontenc", "lmodern", "geometry", "amsmath", "amssymb", "booktabs", "longtable", "xcolor", "tikz",
            "hyperref"}
NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[-+−]?\d+)?")

HOSTILE = {
    "name": r"\end{document} $x$ & #1 ^ _ % ~ {brace} \\ <tag> | \"q\" café δ→ 中",
    "description": r"\input{/etc/passwd} \def\x{} \catcode`\@=11 %",
    "layers": [{"name": "i", "size": 1}, {"name": "o", "size": 1, "activation": "sigmoid"}],
    "weights": {"o": [[0.5]]},
    "learning_rate": 0.5,
    "data": [{"inputs": [1.0], "targets": [0.0]}],
}

needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed; on Debian or Ubuntu: "
           "apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures")


@functools.lru_cache(maxsize=None)
def example_document(name: str) -> str:
    return run_latex(stepnet.run(example(name), iterations=2), SMALL)


def code(tex: str) -> str:
    """The document with comments and escaped characters taken out: what TeX reads as structure."""
    tex = re.sub(r"\\[\\{}$&#%_]", "", tex)
    return re.sub(r"(?<!\\)%.*", "", tex)


def check_structure(tex: str) -> None:
    """Every environment closed in order, braces balanced, math delimiters paired on every line."""
    body = code(tex)
    stack = []
    for m in re.finditer(r"\\(begin|end)\{([^}]*)\}", body):
        if m[1] == "begin":
            stack.append(m[2])
        else:
            assert stack and stack[-1] == m[2], (m[2], stack[-3:])
            stack.pop()
    assert not stack
    depth = 0
    for ch in body:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    for line in body.splitlines():
        assert line.count("$") % 2 == 0, line


def test_packages_are_standard_tex_live_ones():
    tex = example_document("mazur")
    used = {p.strip() for group in re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", tex) for p in group.split(",")}
    assert used <= PACKAGES, used - PACKAGES
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")


@pytest.mark.parametrize("name", example_names())
def test_every_example_is_well_structured(name):
    tex = example_document(name)
    check_structure(tex)
    assert tex.count(r"\begin{align*}") > 10 and r"\begin{tikzpicture}" in tex


@pytest.mark.parametrize("name", ["mazur", "softmax", "minibatch"])
def test_every_number_of_the_terminal_appears(name):
    result = stepnet.run(example(name), iterations=2)
    shown = set(NUMBER.findall(run_latex(result, SMALL)))
    missing = {n.replace("−", "-") for n in NUMBER.findall(result.to_text(width=200, limits=SMALL))} - shown
    assert not missing


def test_every_derivation_line_is_an_align():
    result = stepnet.run(example("mazur"))
    lines = sum(len(b.lines) for it in result.report().iterations for s in it.sections for b in s.blocks)
    assert run_latex(result).count(r"\begin{align*}") == lines


def test_body_only_is_the_body():
    result = stepnet.run(example("mazur"))
    whole, body = run_latex(result), run_latex(result, body_only=True)
    structure = code(body)  # its first line, a comment, names the packages the body needs
    assert r"\documentclass" not in structure and r"\begin{document}" not in structure
    assert r"\usepackage" not in structure and body.startswith("% ")
    assert body.strip() in whole
    check_structure(body)


def test_config_text_is_escaped():
    tex = run_latex(stepnet.run(HOSTILE))
    check_structure(tex)
    assert tex_escape(HOSTILE["name"]) in tex and tex_escape(HOSTILE["description"]) in tex
    assert tex.count(r"\end{document}") == 1 and r"\input{" not in tex and r"\def\x" not in tex


def test_escaper_writes_every_special_as_a_command():
    assert tex_escape(r"\ { } $ & # ^ _ % ~") == (r"\textbackslash{} \{ \} \$ \& \# \textasciicircum{} \_ \% "
                                                 r"\textasciitilde{}")
    assert tex_escape("<b>|\"") == r"\textless{}b\textgreater{}\textbar{}\textquotedbl{}"
    assert tex_escape("δ → β₁ w⁽²⁾ m̂ café") == (r"\ensuremath{\delta} \ensuremath{\to} \ensuremath{\beta}"
                                               r"\textsubscript{1} w\textsuperscript{(}\textsuperscript{2}"
                                               r"\textsuperscript{)} \^{m} café")
    assert tex_escape("中") == r"{\ttfamily[U+4E2D]}"
    assert pdf_text("Layer o: δ of every neuron") == "Layer o: delta of every neuron"


def test_explanation_is_a_document_too():
    explanation = stepnet.run(example("mazur")).explain("w1", check=False)
    tex = derivation_latex(explanation.derivation, explanation.fmt)
    check_structure(tex)
    assert "0.000438568" in tex


# ------------------------------------------------------------------ pdfLaTeX


def compile_twice(tmp_path, tex: str, name: str = "doc") -> str:
    path = tmp_path / f"{name}.tex"
    path.write_text(tex, encoding="utf-8")
    for _ in range(2):
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                               path.name], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        log = (tmp_path / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        errors = [line for line in log.splitlines() if line.startswith("!")]
        assert done.returncode == 0 and not errors, (errors, done.stdout[-2000:])
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
    return log


@pytest.mark.slow
@needs_pdflatex
@pytest.mark.parametrize("name", example_names())
def test_every_example_compiles(tmp_path, name):
    log = compile_twice(tmp_path, example_document(name))
    assert "Rerun to get" not in log and "undefined references" not in log


@pytest.mark.slow
@needs_pdflatex
def test_hostile_config_text_compiles_as_text(tmp_path):
    compile_twice(tmp_path, run_latex(stepnet.run(HOSTILE)))
    if shutil.which("pdftotext"):
        subprocess.run(["pdftotext", "doc.pdf"], cwd=tmp_path, check=True)
        text = (tmp_path / "doc.txt").read_text(encoding="utf-8")
        assert r"\end{document}" in text and "{brace}" in text and "[U+4E2D]" in text


@pytest.mark.slow
@needs_pdflatex
def test_body_inputs_into_another_document_and_explanation_compiles(tmp_path):
    (tmp_path / "run.tex").write_text(run_latex(stepnet.run(example("mazur")), body_only=True), encoding="utf-8")
    notes = ("\\documentclass{article}\n"
             "\\usepackage{amsmath,amssymb,booktabs,longtable,xcolor,tikz,hyperref}\n"
             "\\begin{document}\nMy lecture notes.\n\n\\input{run}\n\\end{document}\n")
    compile_twice(tmp_path, notes, "notes")
    explanation = stepnet.run(example("mazur")).explain("w1", check=False)
    compile_twice(tmp_path, derivation_latex(explanation.derivation, explanation.fmt), "explain")


# ------------------------------------------------------------------ the matrix view

WIDE_MATRIX = {"name": "wide", "layers": [{"name": "i", "size": 12}, {"name": "h", "size": 10, "activation": "sigmoid"},
                                          {"name": "o", "size": 2, "activation": "sigmoid"}],
               "loss": "half_sse", "learning_rate": 0.5, "init": {"method": "xavier", "seed": 3},
               "data": [{"inputs": [0.1 * k for k in range(12)], "targets": [0.2, 0.8]}]}


@functools.lru_cache(maxsize=None)
def notation_run(name: str, notation: str) -> stepnet.Run:
    from dataclasses import replace

    from stepnet.api import load
    from stepnet.config.model import Notation

    return stepnet.run(replace(load(name), notation=Notation(notation)), iterations=2)


@functools.lru_cache(maxsize=None)
def matrix_document(name: str, notation: str) -> str:
    return run_latex(notation_run(name, notation), SMALL, view="matrix")


@pytest.mark.parametrize("notation", ["flat", "nielsen"])
@pytest.mark.parametrize("name", example_names())
def test_every_matrix_document_is_well_structured_with_every_number(name, notation):
    tex = matrix_document(name, notation)
    check_structure(tex)
    assert r"\begin{bmatrix}" in tex and "[U+" not in tex
    terminal = notation_run(name, notation).to_text(width=200, limits=SMALL, view="matrix").replace("𝟏", "")
    missing = {n.replace("−", "-") for n in NUMBER.findall(terminal)} - set(NUMBER.findall(tex))
    assert not missing


def test_matrix_equations_name_their_entries_and_speak_the_notation():
    tex = run_latex(stepnet.run(example("nielsen")), view="matrix")
    assert (r"&= \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix} \begin{bmatrix} 0.05 \\ 0.1 \end{bmatrix}"
            in tex)
    assert r"\stepnote{Entry (1,1) of $W^{2}$ is $w^{2}_{11}$, (1,2) is $w^{2}_{12}$" in tex
    assert r"\hypertarget{it1-grad-w_5e3-11}{}" in tex  # the diagram's edge lands on the gradient matrix
    assert r"$\partial C/\partial w$" in tex and "E_{\\mathrm{total}}" not in tex
    assert run_latex(stepnet.run(example("mazur"))).count(r"\begin{bmatrix}") == 0  # the scalar view by default


def test_wide_matrices_are_cut_set_smaller_and_may_have_more_columns():
    from stepnet.derive.limits import Limits

    tex = run_latex(stepnet.run(WIDE_MATRIX), view="matrix")
    check_structure(tex)
    assert r"\vdots" in tex and r"\cdots" in tex and r"\begingroup\tiny" in tex
    assert "4 more neurons of layer i not shown: name them to see them (--only i11,i12)" in tex
    assert "MaxMatrixCols" not in tex  # 8 columns and the mark of the cut
    wider = run_latex(stepnet.run(WIDE_MATRIX), Limits(neurons=12), view="matrix")
    assert r"\setcounter{MaxMatrixCols}{12}" in wider and r"\resizebox{\linewidth}{!}" in wider


def test_the_matrix_view_of_an_explanation_is_a_document_too():
    result = stepnet.run(example("nielsen"))
    explanation = result.explain("w^2_11", check=False, view="matrix")
    tex = derivation_latex(explanation.derivation, explanation.fmt)
    check_structure(tex)
    assert r"\odot" in tex and r"^{\mathsf{T}}" in tex


@pytest.mark.slow
@needs_pdflatex
@pytest.mark.parametrize("notation", ["flat", "nielsen"])
@pytest.mark.parametrize("name", example_names())
def test_every_matrix_document_compiles(tmp_path, name, notation):
    log = compile_twice(tmp_path, matrix_document(name, notation))
    assert "Rerun to get" not in log and "undefined references" not in log


@pytest.mark.slow
@needs_pdflatex
def test_wide_matrix_documents_compile_within_the_page(tmp_path):
    from stepnet.derive.limits import Limits

    result = stepnet.run(WIDE_MATRIX)
    log = compile_twice(tmp_path, run_latex(result, view="matrix"))
    assert "Overfull \\hbox" not in log
    log = compile_twice(tmp_path, run_latex(result, Limits(neurons=12), view="matrix"), "wider")
    assert "Overfull \\hbox" not in log
    explanation = result.explain("w1", check=False, view="matrix")
    compile_twice(tmp_path, derivation_latex(explanation.derivation, explanation.fmt), "explain")
