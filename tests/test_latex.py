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
