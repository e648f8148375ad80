"""The Markdown export: goldens, rendering under KaTeX/MathJax/Mermaid, escaping, numbers, CLI."""

from __future__ import annotations

import functools
import math
import re

import pytest
from click.testing import CliRunner

import rendercheck
import stepnet
from stepnet.cli import main
from stepnet.derive.report import iteration_lines

FLAVORS = rendercheck.FLAVORS

MAZUR = {
    "name": "A step by step backpropagation example",
    "layers": [
        {"name": "i", "size": 2},
        {"name": "h", "size": 2, "activation": "sigmoid", "bias": "shared"},
        {"name": "o", "size": 2, "activation": "sigmoid", "bias": "shared"},
    ],
    "weights": {"h": [[0.15, 0.20], [0.25, 0.30]], "o": [[0.40, 0.45], [0.50, 0.55]]},
    "biases": {"h": 0.35, "o": 0.60},
    "train_biases": False,
    "loss": "half_sse",
    "learning_rate": 0.5,
    "data": [{"inputs": [0.05, 0.10], "targets": [0.01, 0.99]}],
}

HOSTILE_NAME = "My <script>alert(1)</script> net *x* | y $z$ _u_ `c` [l](javascript:x) &amp; # h ~~s~~ \\"
HOSTILE_DESCRIPTION = "- item\n# Heading\n| a | b |\n|---|---|\n<img src=x onerror=alert(1)> $$x$$ --- ***\n\n1. two"


@functools.lru_cache(maxsize=None)
def mazur():
    return stepnet.run(stepnet.example("mazur"))


@functools.lru_cache(maxsize=None)
def example_markdown(name: str, flavor: str) -> str:
    # two iterations for the whole-run tables and chart, the first traced: half the math to check
    return stepnet.run(stepnet.example(name), iterations=2, trace="first").to_markdown(flavor)


@functools.lru_cache(maxsize=None)
def render_failures() -> dict[tuple[str, str], list[str]]:
    """rendercheck.render_errors for every example and flavor, in one Node.js call.

    The flavors share their TeX and diagrams, so each distinct item is checked once:
    a few seconds in all, where one call per document costs a Node start and Mermaid
    load each (about a minute for the bundled examples).
    """
    docs = {(n, f): example_markdown(n, f) for n in stepnet.example_names() for f in FLAVORS}
    found = {key: ([(tex.strip(), d) for tex, d in rendercheck.extract_math(md, key[1])],
                   rendercheck.extract_mermaid(md))
             for key, md in docs.items()}
    math = sorted({m for items, _ in found.values() for m in items})
    diagrams = sorted({d for _, ds in found.values() for d in ds})
    answer = rendercheck.run_check(math, diagrams)
    bad = {m: f"math: {e} in {m[0][:60]}" for m, e in zip(math, answer["math"], strict=True) if e}
    bad |= {d: f"mermaid: {e}" for d, e in zip(diagrams, answer["mermaid"], strict=True) if e}
    return {key: [bad[x] for x in items + ds if x in bad] for key, (items, ds) in found.items()}


def _unescaped_pipes(row: str) -> int:
    count, i = 0, 0
    while i < len(row):
        if row[i] == "\\":
            i += 2
            continue
        count += row[i] == "|"
        i += 1
    return count


def _tables(md: str) -> list[list[str]]:
    """Blocks of consecutive lines starting with '|'."""
    tables, current = [], []
    for line in md.split("\n") + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("flavor", FLAVORS)
def test_mazur_golden(golden, flavor):
    golden(f"mazur.{flavor}.md", mazur().to_markdown(flavor))


def test_explain_w5_golden(golden):
    golden("explain_w5.github.md", mazur().explain("w5").to_markdown("github"))


# ---------------------------------------------------------------- rendering


@pytest.mark.node
@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("name", stepnet.example_names())
def test_every_example_renders(name, flavor):
    md = example_markdown(name, flavor)
    assert rendercheck.extract_mermaid(md)[0].startswith("flowchart LR\n  n_")
    assert rendercheck.markdown_hazards(md, flavor) == []
    assert render_failures()[(name, flavor)] == []


@pytest.mark.node
def test_explanations_render():
    run = mazur()
    md = "\n\n".join(run.explain(name, check=False).to_markdown("jupyter") for name in ("w1", "b2", "h1", "i2"))
    assert rendercheck.markdown_hazards(md, "jupyter") == []
    assert rendercheck.render_errors(md, "jupyter") == []


# ---------------------------------------------------------------- structure


@pytest.mark.parametrize("flavor", FLAVORS)
def test_every_line_is_one_display_equation(flavor):
    run = mazur()
    lines = [ln for it in run.report().iterations for ln in iteration_lines(it)]
    math = rendercheck.extract_math(run.to_markdown(flavor), flavor)
    assert len([tex for tex, display in math if display]) == len(lines)
    assert all("|" not in tex for tex, _ in math)


def test_flavors_use_their_delimiters():
    md = {f: mazur().to_markdown(f) for f in FLAVORS}
    assert "```math\n" in md["github"] and "| $`w_{1}`$ |" in md["github"]
    assert "\n\n$$\n" in md["jekyll"] and "| $$w_{1}$$ |" in md["jekyll"]
    assert "\n\n$$\n" in md["jupyter"] and "| $w_{1}$ |" in md["jupyter"]
    assert "```math" not in md["jekyll"] + md["jupyter"]


def test_unknown_flavor_is_rejected():
    with pytest.raises(stepnet.UsageError, match="flavor"):
        mazur().to_markdown("gitlab")


def test_network_diagram_has_every_weight_and_the_biases():
    md = mazur().to_markdown("github")
    diagram = rendercheck.extract_mermaid(md)[0]
    assert diagram.startswith("flowchart LR")
    for edge in ('n_i1 -- "w1 = 0.15" --> n_h1', 'n_h2 -- "w8 = 0.55" --> n_o2',
                 'bias_h["b1 = 0.35"]', "bias_o --> n_o2"):
        assert edge in diagram


def test_wide_layers_get_a_summarised_diagram():
    cfg = dict(MAZUR, layers=[{"name": "i", "size": 2}, {"name": "h", "size": 12, "activation": "relu"},
                              {"name": "o", "size": 1, "activation": "identity"}],
               weights={}, biases={}, init={"method": "xavier", "seed": 1},
               data=[{"inputs": [0.05, 0.10], "targets": [0.5]}])
    md = stepnet.run(stepnet.load(cfg)).to_markdown("github")
    diagram = rendercheck.extract_mermaid(md)[0]
    # the neurons the worked lines show: the first 8 of h, then one node for the other 4
    assert 'more_h["… 4 more"]' in diagram and "n_h8" in diagram and "n_h9" not in diagram
    assert "Wide layers are drawn in part, with one node for the neurons left out: h its first 8 of 12" in md


def test_several_iterations_add_history_chart_and_changes():
    run = stepnet.run(stepnet.example("mazur"), iterations=5)
    md = run.to_markdown("github")
    chart = rendercheck.extract_mermaid(md)[1]
    assert chart.startswith("xychart-beta")
    assert 'x-axis "iteration" [1, 2, 3, 4, 5]' in chart
    assert f"line [{', '.join(run.fmt(v) for v in run.losses)}]" in chart
    assert "**Loss history**" in md and "**Change of every parameter over the run**" in md
    assert md.count("\n## Iteration ") == 5


def test_notes_and_shown_results_are_sentences():
    md = mazur().to_markdown("github")
    assert "\n\n*The sigmoid (logistic) function.*\n\n" in md
    assert "† The rounded numbers shown give −0.022602541; the value is computed at full precision." in md
    assert "*From $`E_{\\mathrm{total}}`$ = $`\\frac{1}{2}" in md


# ---------------------------------------------------------------- escaping


@pytest.mark.parametrize("flavor", FLAVORS)
def test_user_text_cannot_inject_markup(flavor):
    cfg = stepnet.load(dict(MAZUR, name=HOSTILE_NAME, description=HOSTILE_DESCRIPTION))
    md = stepnet.run(cfg, iterations=2).to_markdown(flavor)
    assert rendercheck.markdown_hazards(md, flavor) == []
    assert "<script" not in md and "<img" not in md and "&amp;amp;" in md
    title = md.split("\n", 1)[0]
    dollar = "\\$" if flavor == "github" else "\\\\\\$"  # where MathJax reads the page again: \\\$
    assert title.startswith("# My &lt;script&gt;alert(1)&lt;/script&gt; net \\*x\\* \\| y "
                            f"{dollar}z{dollar} \\_u\\_ \\`c\\` \\[l\\]")
    math = [tex for tex, _ in rendercheck.extract_math(md, flavor)]
    assert not any(tex in ("z", "x") for tex in math)
    paragraphs = md.split("\n\n")
    assert paragraphs[1].startswith("\\- item \\# Heading \\| a \\| b \\|")
    assert paragraphs[2] == "1\\. two"
    for table in _tables(md):
        assert len({_unescaped_pipes(row) for row in table}) == 1, table


# ---------------------------------------------------------------- numbers


def test_numbers_are_the_terminals():
    run = mazur()
    text = run.to_text(width=300).replace("−", "-")
    md = run.to_markdown("github").replace("−", "-")
    numbers = set(re.findall(r"-?\d+\.\d+", text))
    assert len(numbers) > 80
    assert sorted(n for n in numbers if n not in md) == []


def test_latex_minus_is_ascii():
    math = rendercheck.extract_math(mazur().to_markdown("github"), "github")
    assert any("-0.038098237" in tex for tex, _ in math)
    assert not any("−" in tex for tex, _ in math)


# ---------------------------------------------------------------- CLI


@pytest.mark.parametrize("flavor", FLAVORS)
def test_cli_writes_markdown(tmp_path, flavor):
    out = tmp_path / f"mazur.{flavor}.md"
    result = CliRunner().invoke(main, ["run", "--format", "markdown", "--flavor", flavor, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == mazur().to_markdown(flavor)


# ---------------------------------------------------------------- the loss chart and Mermaid labels


def _identity(target: float, rate: float, x: float = 1.0):
    """One identity neuron learning ``target`` from ``x``: huge losses for a huge target, a
    diverging run for a large ``rate``."""
    return stepnet.load({"name": "identity", "learning_rate": rate, "loss": "half_sse",
                         "layers": [{"name": "i", "size": 1}, {"name": "o", "size": 1, "activation": "identity"}],
                         "weights": {"o": [[0.5]]}, "biases": {"o": [0.0]},
                         "data": [{"inputs": [x], "targets": [target]}]})


def _chart(md: str) -> tuple[str, list[str]]:
    chart = rendercheck.extract_mermaid(md)[-1]
    assert chart.startswith("xychart-beta")
    values = re.search(r"\n  line \[(.*)\]", chart)[1].split(", ")
    assert all(re.fullmatch(r"-?\d+(?:\.\d+)?", v) for v in values), values  # Mermaid reads no exponent
    return chart, values


def test_huge_losses_are_charted_over_a_power_of_ten():
    run = stepnet.run(_identity(1e12, 0.1), iterations=4)
    md = run.to_markdown("github")
    chart, values = _chart(md)
    assert 1e23 < run.losses[0] < 1e24 and values[0] == "5"
    assert 'y-axis "loss ÷ 10²³"' in chart
    assert "so the chart shows each loss divided by 10²³.*" in md


def test_tiny_losses_are_charted_times_a_power_of_ten():
    chart, values = _chart(stepnet.run(_identity(1e-3, 1e-3, x=1e-4), iterations=3).to_markdown("github"))
    assert 'y-axis "loss × 10⁷"' in chart and values[0] == "4.5125"


def test_losses_spanning_decades_are_charted_as_log10():
    run = stepnet.run(_identity(1.0, 3, x=10.0), iterations=70)
    md = run.to_markdown("jupyter")
    chart, values = _chart(md)
    assert 'y-axis "log₁₀ loss"' in chart and values[0] == "0.903089987"  # log10 of 8
    assert "so the chart shows log₁₀ of the loss.*" in md
    assert math.isinf(run.losses[-1]) and "*Left out of the chart, with a loss of inf or nan: iteration" in md


def test_a_loss_of_zero_is_drawn_at_the_smallest_loss():
    from stepnet.render.mermaid import loss_axis

    axis = loss_axis([1e6, 1.0, 0.0], str)
    assert axis.name == "log₁₀ loss" and axis.values == [6.0, 0.0, 0.0]
    assert axis.notes[-1] == "A loss of 0 is drawn at the smallest loss above 0, 1.0."
    assert loss_axis([5e23, 0.0], str).values == [5.0, 0.0]  # one positive loss: a scale, not a log


def test_mermaid_labels_are_inert():
    from stepnet.render.mermaid import label

    assert label('a "b"\n<c> #d & `e`') == "a #quot;b#quot; #lt;c#gt; #35;d #amp; #96;e#96;"


@pytest.mark.node
def test_huge_and_diverging_charts_parse():
    docs = [stepnet.run(_identity(1e12, 0.1), iterations=4).to_markdown("github"),
            stepnet.run(_identity(1.0, 3, x=10.0), iterations=70).to_markdown("jekyll"),
            stepnet.run(_identity(1e-3, 1e-3, x=1e-4), iterations=3).to_markdown("jupyter")]
    answer = rendercheck.run_check([], [rendercheck.extract_mermaid(md)[-1] for md in docs])
    assert answer["mermaid"] == [None, None, None]
