"""A config's title and description are inert text in every export.

Whatever a config calls itself, every Markdown flavor has the same math, the same
tables and the same diagrams as for a plain title; no export carries a control
character; and a title with one is refused when the config is loaded, in a message
that shows it escaped.
"""

from __future__ import annotations

import functools
import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import rendercheck
import stepnet
from stepnet.errors import ConfigError

FLAVORS = rendercheck.FLAVORS

SMALL = {
    "name": "plain",
    "layers": [
        {"name": "i", "size": 2},
        {"name": "h", "size": 1, "activation": "sigmoid", "bias": "shared"},
        {"name": "o", "size": 1, "activation": "sigmoid", "bias": "shared"},
    ],
    "weights": {"h": [[0.15, 0.20]], "o": [[0.40]]},
    "biases": {"h": 0.35, "o": 0.60},
    "loss": "half_sse",
    "learning_rate": 0.5,
    "data": [{"inputs": [0.05, 0.10], "targets": [0.01]}],
}

# pieces each reader gives a meaning to: math delimiters of every flavor, Markdown
# and HTML syntax, Mermaid's, the notebook's placeholders
PIECES = ["$", "$$", "\\", "\\(", "\\)", "\\[", "\\]", "\\\\(", "\\begin{x}", "\\end{x}", "\\ref{a}", "`", "```",
          "~", "~~~", "*", "**", "_", "[", "]", "(", ")", "{", "}", "|", "#", "<", ">", "&", "&amp;", "&#36;", "<b>",
          "-", "--", "+", "1.", ":", "^", "=", "!", "@@0@@", "%%", '"', "'", " ", "\n", "\n\n", "\t", "x", "é", "一"]

texts = st.one_of(st.text(), st.lists(st.sampled_from(PIECES), max_size=12).map("".join))


def _refused(name: str, description: str) -> bool:
    """What the loader refuses: an empty name, or a control or invisible character (tabs and newlines
    are allowed in a description)."""
    return (not name.strip() or not name.isprintable()
            or any(not c.isprintable() and c not in "\n\t" for c in description))


def _printable(text: str) -> bool:
    return all(c.isprintable() or c == "\n" for c in text)


def _run(name: str, description: str):
    return stepnet.run(stepnet.load(dict(SMALL, name=name, description=description)), iterations=2, trace="first")


def _tables(md: str, flavor: str) -> list[list[int]]:
    """Every table a ``flavor`` reader sees: the number of cells in each of its rows."""
    lines = rendercheck._split_lines(md)
    rows = sorted(rendercheck._table_rows(lines, flavor))
    tables: list[list[int]] = []
    for k, i in enumerate(rows):
        if k == 0 or rows[k - 1] != i - 1:
            tables.append([])
        tables[-1].append(len(rendercheck._cells(lines[i].text)))
    return tables


def _shape(md: str, flavor: str):
    return len(rendercheck.extract_math(md, flavor)), _tables(md, flavor), rendercheck.extract_mermaid(md)


@functools.lru_cache(maxsize=None)
def _plain() -> dict[str, tuple]:
    run = _run("plain", "")
    return {f: _shape(run.to_markdown(f), f) for f in FLAVORS}


@given(name=texts, description=texts)
@example(name="$y$ and \\z", description="$y$ \\z")
@example(name="\\(a\\) \\[b\\]", description="\\begin{x} $$ \\end{x} \\(c\\)")
@example(name="# *a* _b_ [c](d) <i>", description="~~~\n\n| a | b |\n|---|---|\n\n- x\n\n1. y")
@settings(deadline=None)
def test_names_change_no_structure(name, description):
    if _refused(name, description):
        with pytest.raises(ConfigError) as refused:
            stepnet.load(dict(SMALL, name=name, description=description))
        assert _printable(refused.value.format()) and "\n" not in str(refused.value)
        return
    run = _run(name, description)
    for flavor in FLAVORS:
        md = run.to_markdown(flavor)
        assert _shape(md, flavor) == _plain()[flavor], flavor
        assert rendercheck.markdown_hazards(md, flavor) == []
        assert _printable(md)
    assert _printable(run.to_text(width=100))
    js = run.to_json()
    assert _printable(js) and json.loads(js)["network"]["name"] == name


@pytest.mark.node
@given(name=texts, description=texts, flavor=st.sampled_from(FLAVORS))
@example(name="\\(a\\) $y$", description="\\[b\\] \\begin{x}\\end{x}", flavor="jupyter")
@settings(max_examples=max(1, settings.default.max_examples // 20), deadline=None)
def test_names_keep_math_and_diagrams_rendering(name, description, flavor):
    if _refused(name, description):
        return
    md = _run(name, description).to_markdown(flavor)
    assert rendercheck.render_errors(md, flavor) == []
