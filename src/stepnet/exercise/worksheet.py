"""A worksheet as Markdown, an HTML page or a LaTeX document: the givens, the instructions, the blanks.

Each format uses its report renderer for the tables, the math and the network drawing, so a
worksheet looks like the report it is the exercise of.  Nothing computed appears on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import sheet

if TYPE_CHECKING:
    from .variants import Exercise

EXTENSIONS = {"markdown": "md", "html": "html", "latex": "tex"}
LINE = "_" * 16  # the space for an answer


def worksheet(ex: Exercise, form: str) -> str:
    """The worksheet of ``ex`` in ``form``: markdown, html or latex."""
    return {"markdown": markdown, "html": html, "latex": latex}[form](ex)


def _tables(ex: Exercise):
    return [sheet.data_table(ex), sheet.parameter_table(ex)]


def _batch(ex: Exercise) -> int:
    return ex.run.traced(1).batch_size


# ---------------------------------------------------------------- Markdown


def markdown(ex: Exercise) -> str:
    from ..render.markdown import MarkdownRenderer

    r = MarkdownRenderer(ex.run.fmt)
    out = [r.heading(1, sheet.title(ex))]
    out += [r.heading(2, "Set-up")] + r.table(sheet.setup_table(ex), title=False)
    out += r.network(sheet.diagram(ex))
    for t in _tables(ex):
        out += [r.heading(2, t.title)] + r.table(t, title=False)
    out += [r.heading(2, "Instructions")] + [r.paragraph(p) for p in sheet.instructions(ex)]
    out.append(r.heading(2, "Blanks"))
    for k, q, sym, key in sheet.blanks(ex):
        which = sheet.sample_note(q, _batch(ex))
        about = f" ({r.escape(which)})" if which else ""
        out.append(f"**{k}.** {r.inline(r.tex(sym))}{about} = {LINE.replace('_', chr(92) + '_')} "
                   f"(answers key `{key}`)\n\n&nbsp;\n\n&nbsp;")
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------- HTML

_HTML_STYLE = ("<style>.blanks{list-style:none;padding:0}.blanks li{border-top:1px solid #ccd;padding:.4em 0 "
               "6em}.blanks .key{color:#556;font-family:monospace;margin-left:1em}</style>")


def html(ex: Exercise) -> str:
    from ..derive.mathml import escape
    from ..render.html import HtmlRenderer
    from ..render.html_page import page

    r = HtmlRenderer(ex.run.fmt)
    body = [f"<header><h1>{r.text(sheet.title(ex))}</h1></header>",
            f'<section id="setup"><h2>Set-up</h2>{r.table(sheet.setup_table(ex), title=False, cls="data setup")}'
            "</section>", r.network(sheet.diagram(ex), [])]
    body += [f"<section><h2>{r.text(t.title)}</h2>{r.table(t, title=False)}</section>" for t in _tables(ex)]
    body.append("<section><h2>Instructions</h2>" + "".join(f"<p>{r.text(p)}</p>" for p in sheet.instructions(ex))
                + "</section>")
    items = []
    for k, q, sym, key in sheet.blanks(ex):
        which = sheet.sample_note(q, _batch(ex))
        about = f" ({escape(which)})" if which else ""
        items.append(f'<li><b>{k}.</b> {r.inline(sym)}{about} = {LINE}<span class="key">{escape(key)}</span></li>')
    body.append(f'{_HTML_STYLE}<section id="blanks"><h2>Blanks</h2><ol class="blanks">{"".join(items)}</ol>'
                "</section>")
    return page(sheet.title(ex), "\n".join(body), None, ex.run.fmt)


# ---------------------------------------------------------------- LaTeX


def latex(ex: Exercise) -> str:
    from ..render.latex_doc import BODY_HEAD, LatexDocument
    from ..render.latex_tikz import STYLES
    from ..render.layout import diagram_layout

    r = LatexDocument(ex.run.fmt)
    out = [rf"{{\LARGE\bfseries {r.text(sheet.title(ex))}\par}}", r"\medskip",
           r"\section*{Set-up}", r.table(sheet.setup_table(ex), False)]
    dg = sheet.diagram(ex)
    out.append(r.network(dg, diagram_layout(dg.diagram, r.plain._number, [])))
    for t in _tables(ex):
        out += [rf"\section*{{{r.text(t.title)}}}", r.table(t, False)]
    out += [r"\section*{Instructions}"] + [r.text(p) + "\n" for p in sheet.instructions(ex)]
    out.append(r"\section*{Blanks}")
    for k, q, sym, key in sheet.blanks(ex):
        which = sheet.sample_note(q, _batch(ex))
        about = f" ({r.text(which)})" if which else ""
        out.append(rf"\noindent\textbf{{{k}.}} ${r.latex.doprint(sym)}${about} $=$ \rule{{4cm}}{{0.4pt}}"
                   rf"\quad{{\small\color{{stepmuted}}\texttt{{{r.text(key)}}}}}\par\vspace{{2.2cm}}")
    body = "\n\n".join(out)
    return r.document(BODY_HEAD + "\n" + STYLES + "\n\n" + body, sheet.title(ex), False)
