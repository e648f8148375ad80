r"""Plain text as literal Markdown, for each flavor's readers.

A title or description from a config is text, never markup: it must not open math,
emphasis, links, HTML, table cells, headings or lists in any of the programs that read
the page.  Those programs differ, so the escapes do too:

``github``
    GitHub's Markdown finds the math itself (``$…$``, ``$$…$$``, ``$`…`$``); a backslash
    before ASCII punctuation makes it literal, so ``\$`` is a plain dollar.
``jekyll``
    kramdown reads ``$$…$$`` as math and has no escape for ``~``; then the page's MathJax
    reads the finished HTML again, where ``\(``, ``\[``, ``\begin{…}`` (and, on many
    themes, ``$``) open math.  So a backslash is written ``\\\\`` and a dollar ``\\\$``:
    kramdown leaves ``\\`` and ``\$`` in the page, which MathJax shows as ``\`` and ``$``.
``jupyter``
    The notebook takes the math out before Markdown is parsed: ``$``, ``$$``,
    ``\begin{…}``, and two backslashes before a bracket, whatever escapes them; marked
    renders the rest and MathJax reads the page as on a Jekyll site.  Backslashes and
    dollars are written as for jekyll, and a bracket right after a backslash is kept
    apart from it by an empty ``<sup></sup>``, which shows nothing.
"""

from __future__ import annotations

import re

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PUNCT = frozenset("\\`*_[]{}|$#~")
_KEPT = {"github": _PUNCT, "jekyll": _PUNCT - {"~"}, "jupyter": _PUNCT}  # kramdown cannot escape ~
_READ_TWICE = {"\\": "\\\\\\\\", "$": "\\\\\\$"}  # for a page MathJax reads after Markdown
_BRACKETS = frozenset("()[]")
_APART = "<sup></sup>"


def escape(text: str, flavor: str) -> str:
    """``text`` on one line, every character in it literal for ``flavor``'s readers."""
    text = re.sub(r"\s+", " ", str(text))
    kept = _KEPT[flavor]
    out = []
    for i, c in enumerate(text):
        if flavor == "jupyter" and c in _BRACKETS and i and text[i - 1] == "\\":
            out.append(_APART)
        if c in _HTML:
            out.append(_HTML[c])
        elif flavor != "github" and c in _READ_TWICE:
            out.append(_READ_TWICE[c])
        else:
            out.append("\\" + c if c in kept else c)
    return re.sub(r"-{2,}", lambda m: "\\-" * len(m[0]), "".join(out))  # kramdown would make -- a dash


def block(text: str, flavor: str) -> str:
    """Escaped text that starts a block: it cannot become a list item, a definition or a fence."""
    out = escape(text, flavor).strip()
    out = re.sub(r"^([-+:])(?= |$)", r"\\\1", out)
    out = re.sub(r"^(\d{1,9})([.)])(?= |$)", r"\1\\\2", out)
    if flavor == "jekyll":  # kramdown fences code with ~~~ and has no escape for ~
        out = re.sub(r"^~(?=~~)", r"\\~", out)
    return out
