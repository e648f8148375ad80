"""Prove that exported Markdown renders, not only that it is written.

Three layers, each usable on its own:

* Extraction -- :func:`extract_math` and :func:`extract_mermaid` return the
  TeX and the diagrams a renderer of a given *flavor* would see:

  ``github``
      inline math is a code span wrapped in dollars, ``$`...`$``; display math
      is a fenced block whose info string is ``math``.
  ``jekyll``
      kramdown: ``$$...$$`` is inline math inside a paragraph and display math
      when it is alone in its paragraph (a blank line, or the start of the
      document, before it; a blank line, or the end, after it).
  ``jupyter``
      the notebook's math pre-pass: ``$...$`` inline, ``$$...$$`` display,
      also ``\\\\(...\\\\)``, ``\\\\[...\\\\]`` and bare ``\\begin{env}...\\end{env}``;
      a delimiter inside unbalanced braces does not close the math, and math
      never crosses a blank line.

  Fenced code blocks (other than GitHub ``math`` fences) and code spans are
  never math. Indented code blocks, block quotes and HTML blocks are not
  recognised; stepnet does not emit them.

* Static checks -- :func:`markdown_hazards` finds places where Markdown syntax
  could break the math or inject HTML, without running any renderer.

* Rendering -- :func:`render_errors` runs ``js/check.mjs`` under Node.js,
  which parses every TeX string with KaTeX and with MathJax 3 (and flags
  ``\\text{...}`` that MathJax would print with visible backslashes) and
  every diagram with Mermaid's own parser. :func:`ensure_node_modules`
  installs the pinned npm packages on first use. One Node.js process
  (:class:`NodeSession`) serves every check of a test run, so Node starts
  and the libraries load once, however many documents are checked.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import hashlib
import json
import queue
import re
import shutil
import string
import subprocess
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path

import pytest

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt

FLAVORS = ("github", "jekyll", "jupyter")

JS_DIR = Path(__file__).resolve().parent / "js"
CHECK_SCRIPT = JS_DIR / "check.mjs"
NODE_MISSING = (
    "Node.js/npm not found: install Node.js to run the KaTeX/MathJax/Mermaid rendering checks"
)
NPM_TIMEOUT = 900
CHECK_TIMEOUT = 300
_INSTALL_STAMP = ".stepnet-rendercheck-installed"

# HTML that a renderer may write on purpose; anything else that starts a tag
# outside code and math is reported by markdown_hazards().
INTENTIONAL_HTML_TAGS = frozenset({"br", "details", "summary", "sub", "sup"})
# Entity references that are the escaped form of a character, not markup.
ESCAPE_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos", "#39", "#x27", "#X27"})

_ASCII_PUNCT = frozenset(string.punctuation)


# ---------------------------------------------------------------------------
# Document model


@dataclass(frozen=True)
class Span:
    """A code or math span; ``start``/``end`` include the delimiters."""

    kind: str  # "code" or "math"
    start: int
    end: int
    tex: str = ""  # math: the TeX; code: the span's content
    display: bool = False


@dataclass(frozen=True)
class _Line:
    start: int
    text: str  # without the newline

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class _Fence:
    info: str  # first word of the info string, lower-cased
    body: str
    start: int


@dataclass(frozen=True)
class _Scope:
    """A paragraph, heading or table row: the reach of emphasis and of cells."""

    start: int  # offsets relative to the unit's text
    end: int
    table_row: bool


@dataclass(frozen=True)
class _Unit:
    """Text whose math is found in one pass.

    For GitHub and kramdown that is a single paragraph, heading or table
    row. The notebook finds math before Markdown is parsed, so for jupyter
    it is everything between blank lines, which may hold several scopes.
    """

    start: int
    text: str
    spans: tuple[Span, ...]  # offsets relative to ``text``
    scopes: tuple[_Scope, ...]


@dataclass
class _Parsed:
    text: str
    fences: list[_Fence] = field(default_factory=list)
    block_math: list[Span] = field(default_factory=list)
    units: list[_Unit] = field(default_factory=list)

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


# ---------------------------------------------------------------------------
# Block structure

_FENCE_OPEN = re.compile(r"(?P<indent>[ \t]*)(?P<marks>`{3,}|~{3,})(?P<info>.*)")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_LIST_ITEM = re.compile(r"[ \t]*(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")
_DELIMITER_ROW = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")
_KRAMDOWN_MATH_BLOCK = re.compile(r" {0,3}\$\$")


def _check_flavor(flavor: str) -> None:
    if flavor not in FLAVORS:
        raise ValueError(f"unknown flavor {flavor!r}; expected one of {', '.join(FLAVORS)}")


def _split_lines(text: str) -> list[_Line]:
    lines, offset = [], 0
    for raw in text.split("\n"):
        lines.append(_Line(offset, raw))
        offset += len(raw) + 1
    return lines


def _fence_opening(line: _Line) -> re.Match[str] | None:
    """The opening-fence match for ``line``, or None when it opens no fence."""
    match = _FENCE_OPEN.fullmatch(line.text)
    if match and match["marks"][0] == "`" and "`" in match["info"]:
        return None
    return match


def _dedent(text: str, width: int) -> str:
    """Remove up to ``width`` leading spaces, as CommonMark does in fences."""
    stripped = len(text) - len(text.lstrip(" "))
    return text[min(stripped, width) :]


def _read_fence(lines: list[_Line], i: int) -> tuple[_Fence, int] | None:
    """Parse the fenced block opening at line ``i``; return it and the next line."""
    opening = _fence_opening(lines[i])
    if opening is None:
        return None
    marks = opening["marks"]
    closing = re.compile(rf"[ \t]*{re.escape(marks[0])}{{{len(marks)},}}[ \t]*")
    body, j = [], i + 1
    while j < len(lines) and not closing.fullmatch(lines[j].text):
        body.append(_dedent(lines[j].text, len(opening["indent"])))
        j += 1
    words = opening["info"].split()
    info = words[0].lower() if words else ""
    return _Fence(info, "\n".join(body), lines[i].start), j + 1


def _read_kramdown_math_block(text: str, lines: list[_Line], i: int) -> tuple[Span, int] | None:
    """Parse a kramdown display-math block starting at line ``i``, if one does.

    kramdown wants ``$$`` at the start of a block (after a blank line or the
    start of the document), the closing ``$$`` followed only by white space
    on its line, and a blank line or the end of the document after that.
    """
    if (i and not lines[i - 1].blank) or not _KRAMDOWN_MATH_BLOCK.match(lines[i].text):
        return None
    open_end = text.index("$$", lines[i].start) + 2
    close = text.find("$$", open_end)
    if close < 0:
        return None
    j = text.count("\n", 0, close)  # index of the closing line
    if lines[j].text[close + 2 - lines[j].start :].strip():
        return None
    if j + 1 < len(lines) and not lines[j + 1].blank:
        return None
    return Span("math", lines[i].start, close + 2, text[open_end:close], True), j + 1


def _cells(text: str, spans: tuple[Span, ...] = ()) -> list[tuple[int, int]]:
    """Split a table row into (start, end) cell ranges.

    A cell ends at a ``|`` that is not backslash-escaped and not inside one
    of ``spans`` (or, when none are given, inside a code span). The empty
    pieces outside a leading and a trailing pipe are dropped.
    """
    spans = spans or tuple(_code_spans(text))
    bounds = [-1] + [i for i, ch in _outside(text, spans) if ch == "|"] + [len(text)]
    cells = [(a + 1, b) for a, b in pairwise(bounds)]
    if len(cells) > 1 and not text[slice(*cells[0])].strip():
        cells = cells[1:]
    if len(cells) > 1 and not text[slice(*cells[-1])].strip():
        cells = cells[:-1]
    return cells


def _gfm_tables(lines: list[_Line]) -> set[int]:
    """Indices of the lines that belong to GFM pipe tables."""
    rows: set[int] = set()
    for i in range(1, len(lines)):
        header, delimiter = lines[i - 1], lines[i]
        if header.blank or not _DELIMITER_ROW.fullmatch(delimiter.text):
            continue
        if "|" not in header.text + delimiter.text:
            continue
        if len(_cells(header.text)) != len(_cells(delimiter.text)):
            continue
        j = i + 1
        while j < len(lines) and not _ends_table(lines[j]):
            j += 1
        rows.update(range(i - 1, j))
    return rows


def _ends_table(line: _Line) -> bool:
    return line.blank or bool(_fence_opening(line) or _HEADING.match(line.text))


def _kramdown_tables(lines: list[_Line]) -> set[int]:
    """Indices of lines kramdown reads as table rows even without a header.

    kramdown makes a table of any block whose first line holds a ``|``
    outside code spans, and keeps adding lines while they hold a ``|``.
    """
    rows: set[int] = set()
    for i, line in enumerate(lines):
        if i in rows or (i and not lines[i - 1].blank) or not _kramdown_row(line):
            continue
        j = i
        while j < len(lines) and _kramdown_row(lines[j]):
            rows.add(j)
            j += 1
    return rows


def _kramdown_row(line: _Line) -> bool:
    """True for a line holding a ``|`` outside code spans that no earlier
    kramdown block parser (heading, fence, quote, list) claims."""
    if _ends_table(line) or _LIST_ITEM.match(line.text) or line.text.lstrip().startswith(">"):
        return False
    return any(ch == "|" for _, ch in _outside(line.text, _code_spans(line.text)))


def _table_rows(lines: list[_Line], flavor: str) -> set[int]:
    rows = _gfm_tables(lines)
    return rows | _kramdown_tables(lines) if flavor == "jekyll" else rows


def _starts_block(line: _Line) -> bool:
    """True when ``line`` interrupts a paragraph."""
    return line.blank or bool(
        _fence_opening(line) or _HEADING.match(line.text) or _LIST_ITEM.match(line.text)
    )


def _unit_end(lines: list[_Line], i: int, table_rows: set[int]) -> int:
    """The index after the last line of the inline unit starting at line ``i``."""
    if i in table_rows or _HEADING.match(lines[i].text):
        return i + 1
    j = i + 1
    while j < len(lines) and j not in table_rows and not _starts_block(lines[j]):
        j += 1
    return j


def _parse(markdown: str, flavor: str) -> _Parsed:
    """Split ``markdown`` into fences, display-math blocks and inline units."""
    _check_flavor(flavor)
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    parsed = _Parsed(text)
    lines = _split_lines(text)
    table_rows = _table_rows(lines, flavor)
    i = 0
    while i < len(lines):
        i = _parse_block(parsed, lines, i, table_rows, flavor)
    return parsed


def _parse_block(
    parsed: _Parsed, lines: list[_Line], i: int, table_rows: set[int], flavor: str
) -> int:
    """Parse the block starting at line ``i`` into ``parsed``; return the next line."""
    if lines[i].blank:
        return i + 1
    if fence := _read_fence(lines, i):
        parsed.fences.append(fence[0])
        return fence[1]
    if flavor == "jekyll" and (block := _read_kramdown_math_block(parsed.text, lines, i)):
        parsed.block_math.append(block[0])
        return block[1]
    end = _paragraph_end(lines, i) if flavor == "jupyter" else _unit_end(lines, i, table_rows)
    start = lines[i].start
    unit_text = parsed.text[start : lines[end - 1].end]
    spans = tuple(_INLINE_SCANNERS[flavor](unit_text))
    scopes = tuple(_scopes(lines, i, end, table_rows))
    parsed.units.append(_Unit(start, unit_text, spans, scopes))
    return end


def _paragraph_end(lines: list[_Line], i: int) -> int:
    """The index of the first blank line or fence after line ``i``."""
    j = i + 1
    while j < len(lines) and not lines[j].blank and not _fence_opening(lines[j]):
        j += 1
    return j


def _scopes(lines: list[_Line], i: int, end: int, table_rows: set[int]) -> Iterator[_Scope]:
    """The scopes of lines ``i`` to ``end``, with offsets from line ``i``."""
    k = i
    while k < end:
        stop = min(_unit_end(lines, k, table_rows), end)
        yield _Scope(
            lines[k].start - lines[i].start, lines[stop - 1].end - lines[i].start, k in table_rows
        )
        k = stop


# ---------------------------------------------------------------------------
# Inline spans


def _escaped_at(text: str, i: int) -> bool:
    """True when ``text[i]`` is a backslash escaping ASCII punctuation."""
    return text[i] == "\\" and i + 1 < len(text) and text[i + 1] in _ASCII_PUNCT


_SpanReader = Callable[[str, int], tuple[Span | None, int]]


def _scan(text: str, readers: dict[str, _SpanReader]) -> list[Span]:
    """Scan left to right; at a character with a reader, try to read a span.

    Backslash-escaped ASCII punctuation is skipped, as Markdown treats it as
    a literal character.
    """
    spans, i = [], 0
    while i < len(text):
        ch = text[i]
        if _escaped_at(text, i):
            i += 2
        elif ch in readers:
            span, i = readers[ch](text, i)
            spans += [span] if span else []
        else:
            i += 1
    return spans


def _run_length(text: str, i: int) -> int:
    j = i
    while j < len(text) and text[j] == text[i]:
        j += 1
    return j - i


def _read_code_span(text: str, i: int) -> tuple[Span | None, int]:
    """Read a CommonMark code span opening at ``i`` (closed by an equal backtick run)."""
    run = _run_length(text, i)
    closing = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(text, i + run)
    if closing is None:
        return None, i + run
    content = text[i + run : closing.start()].replace("\n", " ")
    if len(content) > 1 and content[0] == content[-1] == " " and content.strip():
        content = content[1:-1]
    return Span("code", i, closing.end(), content), closing.end()


def _code_spans(text: str) -> list[Span]:
    return _scan(text, {"`": _read_code_span})


def _github_spans(text: str) -> list[Span]:
    """Code spans; those written ``$`...`$`` are GitHub inline math."""
    spans = []
    for span in _code_spans(text):
        before, after = text[max(span.start - 2, 0) : span.start], text[span.end : span.end + 1]
        if before.endswith("$") and before != "\\$" and after == "$":
            span = Span("math", span.start - 1, span.end + 1, span.tex, False)
        spans.append(span)
    return spans


def _read_kramdown_math(text: str, i: int) -> tuple[Span | None, int]:
    """kramdown inline math: ``$$`` up to the next ``$$``."""
    if not text.startswith("$$", i):
        return None, i + 1
    close = text.find("$$", i + 2)
    if close < 0:
        return None, i + 2
    return Span("math", i, close + 2, text[i + 2 : close], False), close + 2


def _kramdown_spans(text: str) -> list[Span]:
    return _scan(text, {"`": _read_code_span, "$": _read_kramdown_math})


# The tokens of the notebook's math pre-pass (JupyterLab's removeMath).
_JUPYTER_TOKEN = re.compile(
    r"\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|\\\\[()\[\]]", re.IGNORECASE
)
_JUPYTER_BRACKETS = {"\\\\(": "\\\\)", "\\\\[": "\\\\]"}


def _jupyter_spans(text: str) -> list[Span]:
    """Code spans, then math found by the notebook's pre-pass outside them."""
    codes = _code_spans(text)
    tokens = [t for t in _JUPYTER_TOKEN.finditer(text) if not _covered(t.start(), codes)]
    return sorted(codes + _jupyter_math(text, tokens), key=lambda s: s.start)


def _jupyter_closer(token: str) -> str | None:
    """The token that ends math opened by ``token``; None if it opens none."""
    if token in ("$", "$$"):
        return token
    if token.startswith("\\begin"):
        return "\\end" + token[len("\\begin") :]
    return _JUPYTER_BRACKETS.get(token)


def _jupyter_math(text: str, tokens: list[re.Match[str]]) -> list[Span]:
    spans, k = [], 0
    while k < len(tokens):
        closer = _jupyter_closer(tokens[k].group())
        if closer is None:
            k += 1
            continue
        end = _jupyter_close(tokens, k, closer)
        if end is None:  # unclosed: the pre-pass skips the rest of the paragraph
            break
        spans.append(_jupyter_span(text, tokens[k], tokens[end]))
        k = end + 1
    return spans


def _jupyter_close(tokens: list[re.Match[str]], k: int, closer: str) -> int | None:
    """Index of the token closing the math opened at ``k``.

    A closer met inside unbalanced braces is only remembered; the last one
    remembered is used if no balanced closer follows in the paragraph.
    """
    braces, last = 0, None
    for j in range(k + 1, len(tokens)):
        token = tokens[j].group()
        if token == closer and not braces:
            return j
        if token == closer:
            last = j
        elif token == "{":
            braces += 1
        elif token == "}" and braces:
            braces -= 1
    return last


def _jupyter_span(text: str, opener: re.Match[str], closer: re.Match[str]) -> Span:
    token = opener.group()
    if token.startswith("\\begin"):  # an environment is its own delimiter
        return Span("math", opener.start(), closer.end(), text[opener.start() : closer.end()], True)
    display = token in ("$$", "\\\\[")
    return Span("math", opener.start(), closer.end(), text[opener.end() : closer.start()], display)


_INLINE_SCANNERS: dict[str, Callable[[str], list[Span]]] = {
    "github": _github_spans,
    "jekyll": _kramdown_spans,
    "jupyter": _jupyter_spans,
}


def _covered(offset: int, spans: list[Span] | tuple[Span, ...]) -> bool:
    return any(s.start <= offset < s.end for s in spans)


def _outside(text: str, spans: tuple[Span, ...] | list[Span]) -> Iterator[tuple[int, str]]:
    """Yield (offset, char) for characters outside ``spans`` that are not escaped.

    A backslash and the ASCII punctuation it escapes are both skipped.
    """
    starts = {s.start: s.end for s in spans}
    i = 0
    while i < len(text):
        if i in starts:
            i = starts[i]
        elif _escaped_at(text, i):
            i += 2
        else:
            yield i, text[i]
            i += 1


# ---------------------------------------------------------------------------
# Extraction


def extract_math(markdown: str, flavor: str) -> list[tuple[str, bool]]:
    """The math a ``flavor`` renderer would see in ``markdown``, in document order.

    Each item is ``(tex, display)``. See the module docstring for the
    delimiters of each flavor.
    """
    parsed = _parse(markdown, flavor)
    found = [(s.start, s.tex, s.display) for s in parsed.block_math]
    for unit in parsed.units:
        found += [(unit.start + s.start, s.tex, s.display) for s in unit.spans if s.kind == "math"]
    if flavor == "github":
        found += [(f.start, f.body, True) for f in parsed.fences if f.info == "math"]
    return [(tex, display) for _, tex, display in sorted(found, key=lambda item: item[0])]


def extract_mermaid(markdown: str) -> list[str]:
    """The bodies of the fenced blocks whose info string is ``mermaid``."""
    return [f.body for f in _parse(markdown, "github").fences if f.info == "mermaid"]


# ---------------------------------------------------------------------------
# Static hazards


def markdown_hazards(markdown: str, flavor: str) -> list[str]:
    """Places where Markdown syntax could break the math or inject HTML.

    Each finding is ``"line N: ..."``. The rules (details in each helper):

    1. ``|`` inside math on a table row -- pipe-table cells are split before
       any math is recognised (:func:`_pipes_in_table_math`).
    2. A ``$`` outside math and code that is not escaped -- an unpaired
       delimiter that can swallow later text (:func:`_stray_dollars`).
    3. ``_`` or ``*`` outside math and code that pairs with one inside math
       into emphasis (jekyll and jupyter only; :func:`_emphasis_into_math`).
    4. ``<`` that starts an HTML tag, or ``&`` that starts an entity, outside
       code and math -- unescaped user text (:func:`_html_markup`).

    Only actual problems are reported: escaped characters, code spans,
    fenced blocks and the math itself are exempt where the renderer
    exempts them.
    """
    parsed = _parse(markdown, flavor)
    rules = [_pipes_in_table_math, _stray_dollars, _html_markup]
    if flavor != "github":
        rules.append(_emphasis_into_math)
    found = [(offset, message) for rule in rules for offset, message in rule(parsed)]
    return [f"line {parsed.line_of(offset)}: {message}" for offset, message in sorted(found)]


_Finding = tuple[int, str]  # (document offset, message)


def _snippet(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _pipes_in_table_math(parsed: _Parsed) -> list[_Finding]:
    """Rule 1: a ``|`` in math on a line that a renderer reads as a table row.

    GFM (GitHub, and the Markdown parsers of most notebook front-ends) and
    kramdown split a table row into cells at every ``|`` -- inside ``$`` or
    ``$$`` math, and even inside code spans, so GitHub's ``$`...`$`` is not
    safe either. An escaped ``\\|`` does not help: GFM and kramdown turn it
    into ``|`` before the math is seen, the notebook's pre-pass keeps TeX's
    ``\\|`` (a double bar), so renderers disagree. Use ``\\vert``, ``\\mid``, ``\\lvert``/
    ``\\rvert`` (or ``\\Vert``) instead. Table rows are GFM tables in every
    flavor, and for jekyll also kramdown's header-less tables: a block whose
    first line holds a ``|`` outside code spans.
    """
    findings = []
    for unit in parsed.units:
        rows = [scope for scope in unit.scopes if scope.table_row]
        for span in unit.spans:
            if span.kind != "math" or not any(r.start <= span.start < r.end for r in rows):
                continue
            if "|" in unit.text[span.start : span.end]:
                message = (
                    f"'|' inside math `{_snippet(span.tex)}` splits the table cell; "
                    "use \\vert or \\mid"
                )
                findings.append((unit.start + span.start, message))
    return findings


def _stray_dollars(parsed: _Parsed) -> list[_Finding]:
    """Rule 2: an unescaped ``$`` outside math and code.

    Every well-formed math delimiter belongs to a math span, so a ``$`` left
    over is unbalanced: in Jupyter it opens math that runs to the next ``$``
    or swallows the rest of the paragraph; on GitHub bare ``$...$`` is math
    too; in kramdown a lone ``$$`` pairs with the next one, and a single
    ``$`` is math for the many Jekyll themes that configure ``$`` for MathJax
    or KaTeX. Literal dollars must be written ``\\$``.
    """
    findings = []
    for unit in parsed.units:
        dollars = [offset for offset, ch in _outside(unit.text, unit.spans) if ch == "$"]
        for offset in dollars:
            if offset - 1 not in dollars:  # report a "$$" once
                run = "$" * _run_length(unit.text, offset)
                message = f"unpaired '{run}' outside math; escape a literal dollar as \\$"
                findings.append((unit.start + offset, message))
    return findings


_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)|<[!?]")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")


def _html_markup(parsed: _Parsed) -> list[_Finding]:
    """Rule 4: raw ``<`` or ``&`` outside code and math that starts markup.

    ``<`` followed by a tag name (or ``/``, ``!``, ``?``) opens raw HTML in
    all three renderers; ``&name;``, ``&#123;`` and ``&#x1F;`` are entity
    references. Both mean user text (a layer or dataset name) reached the
    page unescaped. Exempt: the tags in :data:`INTENTIONAL_HTML_TAGS`, the
    escape entities in :data:`ESCAPE_ENTITIES` (``&lt;`` is how a ``<`` is
    written), autolinks such as ``<https://...>``, and a ``<``, ``>`` or
    ``&`` that starts nothing (``a < b``, ``x > 0``, ``R&D``), which every
    renderer prints as text. ``>`` alone never starts HTML.
    """
    findings = []
    for unit in parsed.units:
        for offset, ch in _outside(unit.text, unit.spans):
            message = _markup_at(unit.text, offset) if ch in "<&" else None
            if message:
                findings.append((unit.start + offset, message))
    return findings


def _markup_at(text: str, offset: int) -> str | None:
    """Describe the HTML tag or entity starting at ``offset``, if unintended."""
    if text[offset] == "&":
        entity = _ENTITY.match(text, offset)
        if entity and entity.group(1) not in ESCAPE_ENTITIES:
            return f"'{entity.group()}' is an HTML entity; escape the '&' as &amp;"
        return None
    tag = _TAG_START.match(text, offset)
    if tag and (tag.group(2) or "").lower() not in INTENTIONAL_HTML_TAGS:
        end = text.find(">", offset, offset + 40)
        shown = text[offset : end + 1] if end >= 0 else tag.group()
        return f"'{shown}' starts raw HTML; escape the '<' as &lt;"
    return None


@dataclass
class _Run:
    """A run of ``*`` or ``_`` that may open or close emphasis."""

    offset: int
    char: str
    length: int
    can_open: bool
    can_close: bool
    math: int | None  # index of the math span holding the run, if any
    left: int = 0  # delimiters not yet used

    def __post_init__(self) -> None:
        self.left = self.length


def _emphasis_into_math(parsed: _Parsed) -> list[_Finding]:
    """Rule 3: ``_``/``*`` outside math that pairs with one inside math.

    A renderer that does not protect the math (or protects it after
    emphasis has been parsed) sees ``_`` and ``*`` inside the TeX as
    emphasis delimiters -- ``}_{`` in ``\\mathrm{out}_{o_1}`` can both open
    and close. The check runs CommonMark's emphasis algorithm over each
    paragraph, heading or table cell as such a renderer would (code spans
    opaque, backslash escapes honoured, the math read as plain text) and
    reports every pair with one end inside math and the other outside.
    Runs that pair among themselves (``**bold**``, ``_label_``) and
    intra-word underscores (``hidden_1``) are harmless and not reported.
    GitHub is exempt: its math is a code span, which binds tighter than
    emphasis.
    """
    findings = []
    for unit in parsed.units:
        for start, end in _emphasis_scopes(unit):
            findings += _emphasis_pairs(unit, start, end)
    return findings


def _emphasis_scopes(unit: _Unit) -> list[tuple[int, int]]:
    """The ranges of ``unit.text`` that emphasis cannot cross: scopes and cells."""
    ranges = []
    for scope in unit.scopes:
        if not scope.table_row:
            ranges.append((scope.start, scope.end))
            continue
        row = unit.text[scope.start : scope.end]
        cells = _cells(row, _local_spans(unit.spans, scope.start, scope.end))
        ranges += [(scope.start + a, scope.start + b) for a, b in cells]
    return ranges


def _local_spans(spans: tuple[Span, ...], start: int, end: int) -> tuple[Span, ...]:
    """The spans overlapping ``start:end``, clipped to it and shifted by ``-start``."""
    return tuple(
        replace(s, start=max(s.start, start) - start, end=min(s.end, end) - start)
        for s in spans
        if s.start < end and s.end > start
    )


def _emphasis_pairs(unit: _Unit, start: int, end: int) -> list[_Finding]:
    """Rule 3 within ``unit.text[start:end]``."""
    text = unit.text[start:end]
    local = _local_spans(unit.spans, start, end)
    codes = [s for s in local if s.kind == "code"]
    maths = [s for s in local if s.kind == "math"]
    findings = []
    for opener, closer in _pair_emphasis(_delimiter_runs(text, codes, maths)):
        if (opener.math is None) == (closer.math is None):
            continue
        outside, inside = (opener, closer) if opener.math is None else (closer, opener)
        message = (
            f"'{outside.char}' outside math pairs with one inside "
            f"`{_snippet(maths[inside.math].tex)}` to form emphasis; "
            f"escape it as \\{outside.char}"
        )
        findings.append((unit.start + start + outside.offset, message))
    return findings


def _delimiter_runs(text: str, codes: list[Span], maths: list[Span]) -> list[_Run]:
    """The ``*``/``_`` runs of ``text`` outside code spans, with flanking."""
    chars = dict(_outside(text, codes))
    runs, i = [], _list_marker_end(text)
    while i < len(text):
        if chars.get(i) not in ("*", "_"):
            i += 1
            continue
        j = i
        while chars.get(j) == text[i]:
            j += 1
        math = next((k for k, m in enumerate(maths) if m.start <= i < m.end), None)
        runs.append(_make_run(text, i, j, math))
        i = j
    return runs


def _list_marker_end(text: str) -> int:
    """Skip a ``* `` bullet, which is not an emphasis delimiter."""
    marker = _LIST_ITEM.match(text)
    return marker.end() if marker else 0


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _make_run(text: str, i: int, j: int, math: int | None) -> _Run:
    """Classify a delimiter run by CommonMark's flanking rules."""
    before = text[i - 1] if i else " "
    after = text[j] if j < len(text) else " "
    left = not after.isspace() and (
        not _is_punctuation(after) or before.isspace() or _is_punctuation(before)
    )
    right = not before.isspace() and (
        not _is_punctuation(before) or after.isspace() or _is_punctuation(after)
    )
    if text[i] == "*":
        return _Run(i, "*", j - i, left, right, math)
    opens = left and (not right or _is_punctuation(before))
    closes = right and (not left or _is_punctuation(after))
    return _Run(i, "_", j - i, opens, closes, math)


def _pair_emphasis(runs: list[_Run]) -> list[tuple[_Run, _Run]]:
    """CommonMark's "process emphasis": match each closer to the nearest opener."""
    pairs, k = [], 0
    while k < len(runs):
        closer = runs[k]
        opener_at = _find_opener(runs, k) if closer.can_close and closer.left else None
        if opener_at is None:
            k += 1
            continue
        opener = runs[opener_at]
        used = 2 if opener.left >= 2 and closer.left >= 2 else 1
        opener.left -= used
        closer.left -= used
        for between in runs[opener_at + 1 : k]:
            between.left = 0
        pairs.append((opener, closer))
    return pairs


def _find_opener(runs: list[_Run], k: int) -> int | None:
    closer = runs[k]
    for j in range(k - 1, -1, -1):
        opener = runs[j]
        if (
            opener.char == closer.char
            and opener.can_open
            and opener.left
            and not _rule_of_three(opener, closer)
        ):
            return j
    return None


def _rule_of_three(opener: _Run, closer: _Run) -> bool:
    """CommonMark forbids pairing when one side can both open and close and
    the run lengths sum to a multiple of 3 (unless both are multiples of 3)."""
    both = (opener.can_open and opener.can_close) or (closer.can_open and closer.can_close)
    total = opener.length + closer.length
    return both and total % 3 == 0 and not (opener.length % 3 == 0 and closer.length % 3 == 0)


# ---------------------------------------------------------------------------
# Rendering under Node.js


class NpmInstallError(RuntimeError):
    """``npm install`` failed; the message carries npm's output."""


def node_available() -> bool:
    """True when both ``node`` and ``npm`` are on PATH."""
    return shutil.which("node") is not None and shutil.which("npm") is not None


def ensure_node_modules() -> Path:
    """Install ``tests/js/node_modules`` if needed and return its path.

    Installs when it is missing or older than ``package.json``; concurrent
    callers (pytest-xdist workers) wait on a lock so only one installs.
    Skips the calling test only when Node.js or npm is missing; a failing
    install raises :class:`NpmInstallError` so the test errors.
    """
    if not node_available():
        pytest.skip(NODE_MISSING)
    modules = JS_DIR / "node_modules"
    with _exclusive_lock(_lock_path()):
        if not _install_is_current(modules):
            _npm_install()
            (modules / _INSTALL_STAMP).touch()
    return modules


def _lock_path() -> Path:
    """A lock file outside the work tree, unique to this checkout."""
    digest = hashlib.sha256(str(JS_DIR).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"stepnet-rendercheck-{digest}.lock"


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        else:  # pragma: no cover - Windows
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        yield  # closing the handle releases the lock


def _install_is_current(modules: Path) -> bool:
    stamp = modules / _INSTALL_STAMP
    manifest = JS_DIR / "package.json"
    return stamp.exists() and stamp.stat().st_mtime >= manifest.stat().st_mtime


def _npm_install() -> None:
    command = [
        shutil.which("npm") or "npm",
        "install",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        "--loglevel=error",
    ]
    result = subprocess.run(
        command, cwd=JS_DIR, capture_output=True, text=True, timeout=NPM_TIMEOUT
    )
    if result.returncode != 0:
        raise NpmInstallError(
            f"`{' '.join(command[1:])}` in {JS_DIR} failed with exit code {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )


class NodeSession:
    """One ``check.mjs --serve`` process, answering one request per line.

    Starting Node and loading KaTeX, MathJax, jsdom and Mermaid takes
    seconds; a session pays that once and then answers each request in
    the time the checks themselves take. Requests are answered in order;
    a lock keeps callers on different threads from interleaving.
    """

    def __init__(self) -> None:
        node = shutil.which("node") or "node"
        self._process = subprocess.Popen(
            [node, str(CHECK_SCRIPT), "--serve"],
            cwd=JS_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._lock = threading.Lock()
        self._answers: queue.Queue[str] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=200)
        self._pump(self._process.stdout, self._answers.put)
        self._pump(self._process.stderr, self._stderr.append)

    @staticmethod
    def _pump(stream, sink: Callable[[str], None]) -> None:
        """Read ``stream`` line by line on a daemon thread; "" marks its end."""

        def read() -> None:
            for line in stream:
                sink(line)
            sink("")

        threading.Thread(target=read, daemon=True).start()

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def check(self, request: dict, timeout: float = CHECK_TIMEOUT) -> dict:
        """Send one request; return the answer, or raise RuntimeError."""
        with self._lock:
            try:
                self._process.stdin.write(json.dumps(request) + "\n")
                self._process.stdin.flush()
                line = self._answers.get(timeout=timeout)
            except (BrokenPipeError, OSError):
                line = ""
            except queue.Empty:
                self.close()
                raise RuntimeError(f"check.mjs gave no answer within {timeout:g} s:\n{self._errors()}") from None
        if not line:
            self.close()
            raise RuntimeError(f"check.mjs stopped with exit code {self._process.returncode}:\n{self._errors()}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"check.mjs could not check the request:\n{answer['error']}")
        return answer

    def _errors(self) -> str:
        return "".join(self._stderr)

    def close(self) -> None:
        """End the process: close its input, and kill it if it does not stop."""
        if self._process.stdin and not self._process.stdin.closed:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


_session: NodeSession | None = None
_session_lock = threading.Lock()


def node_session() -> NodeSession:
    """The running :class:`NodeSession`, started on first use (and again if it died)."""
    global _session
    ensure_node_modules()
    with _session_lock:
        if _session is None or not _session.alive:
            _session = NodeSession()
        return _session


@atexit.register
def close_node_session() -> None:
    """End the shared Node.js process, if one was started."""
    global _session
    with _session_lock:
        if _session is not None:
            _session.close()
            _session = None


def run_check(math: list[tuple[str, bool]], mermaid: list[str]) -> dict[str, list[str | None]]:
    """Check all items in one request to the shared Node.js process; return its JSON answer.

    ``{"math": [...], "mermaid": [...]}`` with ``None`` for each item that
    parses and an error message for each that does not.
    """
    request = {
        "math": [{"tex": tex, "display": display} for tex, display in math],
        "mermaid": mermaid,
    }
    answer = node_session().check(request)
    if len(answer["math"]) != len(math) or len(answer["mermaid"]) != len(mermaid):
        raise RuntimeError(f"check.mjs answered for the wrong number of items: {answer}")
    return answer


def render_errors(markdown: str, flavor: str) -> list[str]:
    """Render every math item and diagram of ``markdown``; describe the failures.

    Items are numbered from 1 in document order, e.g.
    ``math 12 (inline): KaTeX: ...; MathJax: ... in \\frac{a}{`` or
    ``mermaid 1: Parse error on line 3: ...``. An empty list means both
    KaTeX and MathJax accept all the math and Mermaid all the diagrams.
    """
    math, diagrams = extract_math(markdown, flavor), extract_mermaid(markdown)
    if not math and not diagrams:
        return []
    answer = run_check(math, diagrams)
    failures = [
        f"math {n} ({'display' if display else 'inline'}): {error} in {_snippet(tex, 60)}"
        for n, ((tex, display), error) in enumerate(zip(math, answer["math"], strict=True), 1)
        if error
    ]
    failures += [f"mermaid {n}: {error}" for n, error in enumerate(answer["mermaid"], 1) if error]
    return failures
