"""Tests of the render-check tooling itself: it must pass good output and
catch each kind of real problem."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import rendercheck
from rendercheck import (
    extract_math,
    extract_mermaid,
    markdown_hazards,
    render_errors,
    run_check,
)

# TeX in the style stepnet writes: (tex, display).
SAMPLES = [
    (
        r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}} = "
        r"\frac{\partial E_{\mathrm{total}}}{\partial \mathrm{out}_{o_{1}}} \cdot "
        r"\frac{\partial \mathrm{out}_{o_{1}}}{\partial \mathrm{net}_{o_{1}}} = "
        r"0.741365070 \times 0.186815602",
        True,
    ),
    (r"\delta_{o_{1}} = -(t_{o_{1}} - \mathrm{out}_{o_{1}}) \cdot \mathrm{out}_{o_{1}}", False),
    (r"w_{5}^{+} = w_{5} - \eta \cdot \frac{\partial E_{\mathrm{total}}}{\partial w_{5}}", False),
    (
        r"\mathrm{out}_{h_{1}} = \sigma(\mathrm{net}_{h_{1}}) = "
        r"\frac{1}{1 + e^{-\mathrm{net}_{h_{1}}}}",
        True,
    ),
    (
        r"E_{\mathrm{total}} = \sum_{k} \frac{1}{2} \left( t_{k} - \mathrm{out}_{k} \right)^{2}",
        True,
    ),
    (
        r"\text{softmax}(z)_{i} = \frac{e^{z_{i}}}{\sum_{k} e^{z_{k}}} "
        r"\qquad -\sum_{k} t_{k} \ln y_{k}",
        True,
    ),
    (
        r"\begin{aligned} m_{t} &= \beta_{1} m_{t-1} + (1 - \beta_{1}) g_{t} \\ "
        r"\hat{m}_{t} &= \frac{m_{t}}{1 - \beta_{1}^{t}} \\ "
        r"w &\leftarrow w - \eta \frac{\hat{m}_{t}}{\sqrt{\hat{v}_{t}} + \epsilon} \end{aligned}",
        True,
    ),
    (r"\mathrm{ReLU}(x) = \max(0, x), \quad \tanh'(x) = 1 - \tanh^{2}(x)", False),
]

BROKEN_TEX = [r"\frac{a}{", r"\undefinedmacro x", r"{a + b", r"a + b}"]

FLOWCHART = """flowchart LR
  i1(("i1")) -- "w1 = 0.15" --> h1(("h1"))
  i2(("i2")) -- "w3 = 0.25" --> h1
  h1 -- "w5 = 0.40" --> o1(("o1"))
"""

XYCHART = """xychart-beta
  title "Total error per epoch"
  x-axis [1, 2, 3, 4]
  y-axis "E_total" 0 --> 0.4
  line [0.298371109, 0.291027774, 0.283547133, 0.275943289]
"""

BROKEN_MERMAID = """flowchart LR
  i1 -- "w1 = 0.15 --> h1
  h1 --> [o1
"""


def _inline(tex: str, flavor: str) -> str:
    return {"github": f"$`{tex}`$", "jekyll": f"$${tex}$$", "jupyter": f"${tex}$"}[flavor]


def _display(tex: str, flavor: str) -> str:
    if flavor == "github":
        return f"```math\n{tex}\n```"
    return f"$$\n{tex}\n$$"


def _document(samples: list[tuple[str, bool]], flavor: str) -> str:
    """A well-formed page in ``flavor``: headings, prose, math, a table, a diagram."""
    parts = ["# Worked example: `hidden_1` \\<layer\\> \\& R&D", ""]
    for n, (tex, display) in enumerate(samples, 1):
        if display:
            parts += [
                f"**Step {n}.** With layer `out_h1` and \\$5 of \\_budget\\_:",
                "",
                _display(tex, flavor),
                "",
            ]
        else:
            parts += [f"_Step {n}:_ the value {_inline(tex, flavor)} follows.", ""]
    parts += _table(flavor) + ["", "```mermaid", FLOWCHART.rstrip(), "```", ""]
    return "\n".join(parts)


TABLE_MATH = ["w_{5}", "0.400000000", r"w_{5}^{+} = 0.358916480", r"\lvert \delta \rvert"]


def _table(flavor: str) -> list[str]:
    w5, before, after, delta = (_inline(tex, flavor) for tex in TABLE_MATH)
    return [
        "| weight | before | after |",
        "| :--- | ---: | ---: |",
        f"| {w5} | {before} | {after} |",
        f"| {delta} | a &lt; b | x > 0 |",
    ]


# ---------------------------------------------------------------------------
# Extraction


@pytest.mark.parametrize("flavor", rendercheck.FLAVORS)
def test_extraction_finds_inline_display_and_table_math(flavor):
    found = extract_math(_document(SAMPLES, flavor), flavor)
    expected = [(tex, display) for tex, display in SAMPLES] + [(tex, False) for tex in TABLE_MATH]
    assert [(tex.strip(), display) for tex, display in found] == expected


def test_github_math_is_dollar_code_spans_and_math_fences_only():
    markdown = "\n".join(
        [
            "Math $`a_1`$, code `b_1`, bare $c$ and $$d$$.",
            "",
            "```math",
            r"\frac{1}{2}",
            "```",
            "",
            "```python",
            "x = '$`no`$'",
            "```",
            "",
            "| $`e`$ | `f` |",
            "| --- | --- |",
        ]
    )
    assert extract_math(markdown, "github") == [
        ("a_1", False),
        (r"\frac{1}{2}", True),
        ("e", False),
    ]


def test_jekyll_display_needs_math_alone_in_its_paragraph():
    markdown = "\n".join(
        [
            "$$a$$",
            "",
            "Inline $$b$$ and $$c$$.",
            "",
            "$$ d $$ followed by text",
            "",
            "# Heading",
            "$$e$$",
            "",
            "$$",
            "f",
            "$$",
            "",
            r"Escaped \$$g$$ and single $h$ dollars.",
            "",
            "`$$i$$` is code.",
        ]
    )
    assert extract_math(markdown, "jekyll") == [
        ("a", True),
        ("b", False),
        ("c", False),
        (" d ", False),
        ("e", False),
        ("\nf\n", True),
    ]


def test_jupyter_follows_the_notebook_math_prepass():
    markdown = "\n".join(
        [
            r"Braces ${a$b}$ hold a dollar; \$5 is escaped; $x_{\{}$ is fine.",
            r"Display $$y$$, \\(p\\) and \\[q\\].",
            "",
            r"\begin{aligned} a &= b \end{aligned}",
            "",
            "No math across a blank line: $open",
            "",
            "close$ here. `$code$` is code.",
            "",
            "~~~",
            "$fenced$",
            "~~~",
        ]
    )
    assert extract_math(markdown, "jupyter") == [
        ("{a$b}", False),
        (r"x_{\{}", False),
        ("y", True),
        ("p", False),
        ("q", True),
        (r"\begin{aligned} a &= b \end{aligned}", True),
    ]


def test_jupyter_finds_math_before_markdown_blocks():
    markdown = "Loss:\n$$\n- \\sum_{k} t_{k} \\ln y_{k}\n$$\n"  # "- " is no list item here
    assert extract_math(markdown, "jupyter") == [("\n- \\sum_{k} t_{k} \\ln y_{k}\n", True)]
    assert markdown_hazards(markdown, "jupyter") == []


def test_extract_mermaid_returns_fence_bodies():
    nested = textwrap.indent(f"~~~~ Mermaid\n{XYCHART}~~~~\n", "  ")  # e.g. in a list item
    markdown = f"Text\n\n```mermaid\n{FLOWCHART}```\n\n{nested}\n```\nnot mermaid\n```\n"
    assert extract_mermaid(markdown) == [FLOWCHART.rstrip("\n"), XYCHART.rstrip("\n")]


def test_unknown_flavor_is_rejected():
    with pytest.raises(ValueError, match="unknown flavor"):
        extract_math("$x$", "gitlab")


# ---------------------------------------------------------------------------
# Hazards


@pytest.mark.parametrize("flavor", rendercheck.FLAVORS)
def test_well_formed_document_has_no_hazards(flavor):
    assert markdown_hazards(_document(SAMPLES, flavor), flavor) == []


@pytest.mark.parametrize(
    ("flavor", "row"),
    [
        ("github", "| $`\\|x\\|`$ | 1 |"),
        ("jekyll", "| $$|x|$$ | 1 |"),
        ("jupyter", "| $|x|$ | 1 |"),
        ("jupyter", "| $\\|x\\|$ | 1 |"),
    ],
)
def test_pipe_in_table_math_is_a_hazard(flavor, row):
    markdown = f"| a | b |\n| --- | --- |\n{row}\n"
    (hazard,) = markdown_hazards(markdown, flavor)
    assert hazard.startswith("line 3: '|' inside math `")
    assert hazard.endswith("` splits the table cell; use \\vert or \\mid")


def test_kramdown_reads_a_paragraph_with_a_pipe_as_a_table():
    first_line = "The norm $$|x|$$ is a table row in kramdown.\n"
    later_line = "Text first.\nThe norm $$|x|$$ is fine here.\n"
    assert markdown_hazards(first_line, "jekyll")[0].startswith("line 1: '|' inside math")
    assert markdown_hazards(later_line, "jekyll") == []


@pytest.mark.parametrize("flavor", rendercheck.FLAVORS)
def test_pipe_outside_tables_or_spelled_vert_is_fine(flavor):
    vert = _inline(r"\vert x \vert", flavor)
    table = f"| a | b |\n| --- | --- |\n| {vert} | 1 |\n"
    paragraph = f"Text first,\nthen {_inline('|x|', flavor)} outside any table.\n"
    assert markdown_hazards(table, flavor) == []
    assert markdown_hazards(paragraph, flavor) == []


@pytest.mark.parametrize(
    ("flavor", "markdown", "expected"),
    [
        (
            "github",
            "Costs $5 and $`x`$.",
            ["line 1: unpaired '$' outside math; escape a literal dollar as \\$"],
        ),
        (
            "jupyter",
            "A $x$ and $5.",
            ["line 1: unpaired '$' outside math; escape a literal dollar as \\$"],
        ),
        (
            "jekyll",
            "A $$x$$ and $$ y.",
            ["line 1: unpaired '$$' outside math; escape a literal dollar as \\$"],
        ),
    ],
)
def test_unbalanced_dollar_is_a_hazard(flavor, markdown, expected):
    assert markdown_hazards(markdown, flavor) == expected


@pytest.mark.parametrize("flavor", rendercheck.FLAVORS)
def test_escaped_or_code_dollar_is_fine(flavor):
    markdown = f"Costs \\$5, `$HOME` and {_inline('x', flavor)}.\n\n```sh\necho $PATH\n```\n"
    assert markdown_hazards(markdown, flavor) == []


@pytest.mark.parametrize("flavor", ["jekyll", "jupyter"])
@pytest.mark.parametrize(
    "line",
    [
        "the _h1 layer gives {math}.",  # opens outside, closes at "}_{" inside
        "{math} is the h1_ output.",  # opens at "}_{" inside, closes outside
        "a *b gives {math}.",  # opens outside, closes at "{*}" inside
    ],
)
def test_emphasis_pairing_into_math_is_a_hazard(flavor, line):
    math = _inline(r"\mathrm{out}_{h} \cdot w^{*}", flavor)
    hazards = markdown_hazards(line.format(math=math), flavor)
    assert len(hazards) == 1
    assert "outside math pairs with one inside" in hazards[0]


@pytest.mark.parametrize("flavor", rendercheck.FLAVORS)
@pytest.mark.parametrize(
    "prose",
    [
        r"the \_h1 layer",  # escaped
        "the hidden_1 layer",  # intra-word underscore cannot open or close
        "**Step 1.** _Note:_ the layer",  # pairs among themselves
        "`_h1` in code",
    ],
)
def test_emphasis_that_cannot_reach_math_is_fine(flavor, prose):
    tex = r"\mathrm{out}_{h} \cdot w^{*}_{1}"
    assert markdown_hazards(f"{prose} gives {_inline(tex, flavor)}.", flavor) == []


def test_github_math_is_immune_to_emphasis():
    assert markdown_hazards(r"the _h1 layer gives $`\mathrm{out}_{h}`$.", "github") == []


@pytest.mark.parametrize("flavor", rendercheck.FLAVORS)
@pytest.mark.parametrize(
    ("prose", "fragment"),
    [
        ("layer <b>x</b>", "'<b>' starts raw HTML"),
        ("layer </script>", "'</script>' starts raw HTML"),
        ("a <!-- note --> b", "'<!-- note -->' starts raw HTML"),
        ("R&copy;D", "'&copy;' is an HTML entity"),
    ],
)
def test_raw_html_is_a_hazard(flavor, prose, fragment):
    hazards = markdown_hazards(f"The {prose} here.", flavor)
    assert hazards and fragment in hazards[0]


@pytest.mark.parametrize("flavor", rendercheck.FLAVORS)
@pytest.mark.parametrize(
    "prose",
    [
        "&lt;b&gt; &amp; &#39;",  # escaped with entities
        r"\<b\> and \&copy;",  # escaped with backslashes
        "a < b, x > 0, R&D",  # starts nothing
        "line<br>break, <https://example.org>",  # intentional tag, autolink
        "`<b>` and `&copy;`",  # code
    ],
)
def test_escaped_or_inert_html_characters_are_fine(flavor, prose):
    assert markdown_hazards(f"The {prose} and {_inline('a < b', flavor)} here.", flavor) == []


# ---------------------------------------------------------------------------
# Installing the npm packages (no network: npm is replaced)


def test_missing_node_skips(monkeypatch):
    monkeypatch.setattr(rendercheck.shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="Node.js/npm not found"):
        rendercheck.ensure_node_modules()


@pytest.fixture
def fake_npm(monkeypatch, tmp_path):
    """A package directory in tmp_path whose `npm install` is recorded, not run."""
    (tmp_path / "package.json").write_text("{}")
    calls = []

    def fake_install():
        calls.append(1)
        time.sleep(0.2)  # long enough for a concurrent caller to arrive
        (tmp_path / "node_modules").mkdir(exist_ok=True)

    monkeypatch.setattr(rendercheck, "JS_DIR", tmp_path)
    monkeypatch.setattr(rendercheck, "node_available", lambda: True)
    monkeypatch.setattr(rendercheck, "_npm_install", fake_install)
    return calls


def test_install_runs_when_missing_or_stale(fake_npm, tmp_path):
    assert rendercheck.ensure_node_modules() == tmp_path / "node_modules"
    rendercheck.ensure_node_modules()
    assert len(fake_npm) == 1
    future = time.time() + 10
    os.utime(tmp_path / "package.json", (future, future))
    rendercheck.ensure_node_modules()
    assert len(fake_npm) == 2


def test_concurrent_callers_install_once(fake_npm):
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: rendercheck.ensure_node_modules(), range(4)))
    assert len(fake_npm) == 1


def test_failed_install_is_an_error_with_npm_output(monkeypatch):
    failed = subprocess.CompletedProcess([], 1, stdout="", stderr="npm error 404 Not Found - katex")
    monkeypatch.setattr(rendercheck.subprocess, "run", lambda *args, **kwargs: failed)
    with pytest.raises(rendercheck.NpmInstallError, match="404 Not Found - katex"):
        rendercheck._npm_install()


# ---------------------------------------------------------------------------
# Rendering under Node.js


@pytest.fixture(scope="module")
def node_modules():
    return rendercheck.ensure_node_modules()


@pytest.mark.node
def test_node_modules_hold_the_pinned_packages(node_modules):
    pinned = json.loads((rendercheck.JS_DIR / "package.json").read_text())["dependencies"]
    assert set(pinned) == {"katex", "mathjax-full", "mermaid", "jsdom"}
    for package, version in pinned.items():
        installed = json.loads((node_modules / package / "package.json").read_text())
        assert installed["version"] == version


@pytest.mark.node
@pytest.mark.parametrize("flavor", rendercheck.FLAVORS)
def test_valid_document_renders(node_modules, flavor):
    markdown = _document(SAMPLES, flavor) + f"\n```mermaid\n{XYCHART}```\n"
    assert render_errors(markdown, flavor) == []


@pytest.fixture(scope="module")
def broken_tex_errors(node_modules):
    """Check every broken TeX string, inline and display, in one Node run."""
    items = [(tex, display) for tex in BROKEN_TEX for display in (False, True)]
    return dict(zip(items, run_check(items, [])["math"], strict=True))


@pytest.mark.node
@pytest.mark.parametrize("display", [False, True])
@pytest.mark.parametrize("tex", BROKEN_TEX)
def test_broken_tex_is_reported_by_katex_and_mathjax(broken_tex_errors, tex, display):
    error = broken_tex_errors[tex, display]
    assert error is not None
    assert "KaTeX: " in error and "MathJax: " in error


@pytest.mark.node
def test_macros_that_mathjax_text_would_print_are_reported(node_modules):
    items = [
        (r"\text{hidden\_1} = 0.5", False),
        (r"\text{softmax}(z) \quad \text{if } x > 0", True),
    ]
    escaped, plain = run_check(items, [])["math"]
    assert escaped == (
        'MathJax: text "hidden\\_1" is shown with its backslashes: \\text{} does not expand macros'
    )
    assert plain is None


@pytest.mark.node
@pytest.mark.parametrize("flavor", rendercheck.FLAVORS)
def test_render_errors_names_item_engine_and_tex(node_modules, flavor):
    good, bad = _inline("a", flavor), _inline(r"\frac{a}{", flavor)
    markdown = f"Good {good}, bad {bad}."
    (failure,) = render_errors(markdown, flavor)
    assert failure.startswith("math 2 (inline): KaTeX: ")
    assert "; MathJax: Missing close brace" in failure
    assert failure.endswith(r"in \frac{a}{")


@pytest.fixture(scope="module")
def diagram_errors(node_modules):
    """Parse every sample diagram in one Node run."""
    diagrams = {
        "flowchart": FLOWCHART,
        "xychart": XYCHART,
        "broken": BROKEN_MERMAID,
        "unknown": "flowchrt LR\n  a --> b\n",
    }
    errors = run_check([], list(diagrams.values()))["mermaid"]
    return dict(zip(diagrams, errors, strict=True))


@pytest.mark.node
@pytest.mark.parametrize("name", ["flowchart", "xychart"])
def test_valid_diagrams_parse(diagram_errors, name):
    assert diagram_errors[name] is None


@pytest.mark.node
def test_broken_diagram_is_reported(diagram_errors):
    assert diagram_errors["broken"].startswith("Parse error on line")


@pytest.mark.node
def test_unknown_diagram_type_is_reported(diagram_errors):
    assert "No diagram type detected" in diagram_errors["unknown"]


@pytest.mark.node
def test_render_errors_numbers_diagrams(node_modules):
    markdown = f"```mermaid\n{FLOWCHART}```\n\n```mermaid\n{BROKEN_MERMAID}```\n"
    (failure,) = render_errors(markdown, "github")
    assert failure.startswith("mermaid 2: Parse error on line")


@pytest.fixture
def node_starts(monkeypatch):
    """Record every Node.js process the render checks start from now on."""
    starts = []
    real_popen = subprocess.Popen

    def counting_popen(*args, **kwargs):
        starts.append(args[0])
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(rendercheck.subprocess, "Popen", counting_popen)
    return starts


@pytest.mark.node
def test_hundreds_of_items_take_one_node_request(node_modules, node_starts, monkeypatch):
    requests = []
    real_check = rendercheck.NodeSession.check

    def counting_check(session, request, **kwargs):
        requests.append(request)
        return real_check(session, request, **kwargs)

    monkeypatch.setattr(rendercheck.NodeSession, "check", counting_check)
    markdown = _document(SAMPLES * 40, "jupyter")
    assert len(extract_math(markdown, "jupyter")) > 300
    started = time.monotonic()
    assert render_errors(markdown, "jupyter") == []
    assert time.monotonic() - started < 60
    assert len(requests) == 1
    assert len(node_starts) <= 1  # none when an earlier check started the shared process


@pytest.mark.node
def test_one_node_process_serves_every_check(node_modules, node_starts):
    first = rendercheck.node_session()
    for flavor in rendercheck.FLAVORS:
        assert render_errors(_document(SAMPLES, flavor) + f"\n```mermaid\n{FLOWCHART}```\n", flavor) == []
    assert rendercheck.node_session() is first and first.alive
    assert len(node_starts) <= 1


@pytest.mark.node
def test_a_request_check_mjs_cannot_handle_leaves_the_session_running(node_modules):
    session = rendercheck.node_session()
    with pytest.raises(RuntimeError, match="could not check the request"):
        session.check({"math": 3})
    assert session.alive
    assert session.check({"math": [{"tex": "x^2", "display": False}]}) == {"math": [None], "mermaid": []}


@pytest.mark.node
def test_a_node_process_that_died_is_reported_and_replaced(node_modules, monkeypatch):
    dead = rendercheck.NodeSession()
    dead._process.kill()
    dead._process.wait()
    with pytest.raises(RuntimeError, match="check.mjs stopped with exit code"):
        dead.check({"math": [{"tex": "x", "display": False}]})
    assert not dead.alive
    monkeypatch.setattr(rendercheck, "_session", dead)  # the shared session itself is left running
    replacement = rendercheck.node_session()
    try:
        assert replacement is not dead and replacement.alive
        assert run_check([("x", False)], []) == {"math": [None], "mermaid": []}
    finally:
        replacement.close()


@pytest.mark.node
def test_check_mjs_still_answers_a_single_request_on_its_own(node_modules):
    request = {"math": [{"tex": r"\frac{a}{", "display": True}], "mermaid": []}
    result = subprocess.run(["node", str(rendercheck.CHECK_SCRIPT)], cwd=rendercheck.JS_DIR, input=json.dumps(request),
                            capture_output=True, text=True, encoding="utf-8", timeout=rendercheck.CHECK_TIMEOUT)
    assert result.returncode == 0, result.stderr
    (error,) = json.loads(result.stdout)["math"]
    assert "KaTeX: " in error and "MathJax: " in error
