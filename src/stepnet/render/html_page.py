"""The frame of an HTML page: head, contents, the bar for stepping through iterations, footer.

The contents list every part of the page as in-page links, so the page can be read and
every iteration reached without the script; the bar (hidden until the script shows it)
steps through iterations one at a time.
"""

from __future__ import annotations

from ..derive.derivation import FULL_PRECISION, Formatter
from ..derive.mathml import escape
from ..derive.report_model import IterationReport
from .anchors import section_id
from .html_assets import MATRIX_STYLE, SCRIPT, STYLE


def _contents(iterations: list[IterationReport], whole_run: bool) -> str:
    items = ['<li><a href="#setup">Set-up</a></li>', '<li><a href="#network">The network</a></li>']
    for r in iterations:
        parts = "".join(f'<li><a href="#it{r.iteration}-{section_id(s.title)}">{escape(s.title)}</a></li>'
                        for s in r.sections)
        items.append(f'<li><a href="#iteration-{r.iteration}">Iteration {r.iteration}</a><ol>{parts}</ol></li>')
    items.append(f'<li><a href="#whole-run">{"The whole run" if whole_run else "Result"}</a></li>')
    return f'<nav class="toc" aria-label="Contents"><p>Contents</p><ol>{"".join(items)}</ol></nav>'


def _toolbar(iterations: list[IterationReport]) -> str:
    options = "".join(f'<option value="{k}">Iteration {r.iteration}</option>' for k, r in enumerate(iterations))
    stepper = ('<span class="stepper"><label for="iteration-pick">Showing</label> '
               f'<select id="iteration-pick">{options}</select> '
               '<button type="button" id="iteration-back" title="Previous iteration ([)">◀ Previous</button> '
               '<button type="button" id="iteration-next" title="Next iteration (])">Next ▶</button></span>')
    return ('<div class="toolbar" id="toolbar" hidden>' + stepper + '<span class="spacer"></span>'
            '<button type="button" id="fold-all">Fold all</button>'
            '<button type="button" id="unfold-all">Unfold all</button>'
            '<button type="button" id="print-page">Print</button></div>')


def _precision(fmt: Formatter) -> str:
    if fmt.sig is not None:
        return f"{fmt.sig} significant digits"
    return f"{fmt.places} decimal places"


def page(title: str, body: str, iterations: list[IterationReport] | None, fmt: Formatter,
         whole_run: bool = False, matrices: bool = False, computed: str = FULL_PRECISION) -> str:
    """A whole document around ``body``; ``iterations`` None for a page without contents (explain).

    ``matrices``: the body sets matrices (the matrix view), which the style sheet then lays out.
    ``computed``: how the values are computed (full precision, or hand mode's carry), as a line's note says it.
    """
    nav = _contents(iterations, whole_run) if iterations is not None else ""
    bar = _toolbar(iterations or [])
    how = computed.removeprefix("the value is ")
    foot = (f"Worked by stepnet. Every value is {how} and shown rounded to "
            f"{_precision(fmt)}; † marks a line whose rounded numbers give a different last digit.")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="stepnet">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}{MATRIX_STYLE if matrices else ''}</style>\n</head>\n<body>\n"
        f'<div class="page{"" if nav else " single"}">\n{nav}\n<main>\n'
        f'{bar if iterations is not None else ""}\n{body}\n'
        f"<footer>{escape(foot)}</footer>\n</main>\n</div>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
