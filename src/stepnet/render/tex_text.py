"""Any text as LaTeX that typesets it literally: config titles, layer names, the report's words.

Every character TeX treats specially (``\\ { } $ & # ^ _ % ~`` and the ``< > | "`` that
the classic font encoding draws as other glyphs) becomes a command that prints it, so a
title of ``\\end{document}`` is set as those characters.  The report's symbols (δ, ∂,
→, ², ₁, †, …) become their LaTeX forms; accented Latin letters pass through for
``inputenc``; any other character, which pdfLaTeX has no glyph for, is written as its
code point, ``[U+4E2D]``, rather than stopping the compilation.
"""

from __future__ import annotations

import re

_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", '"': r"\textquotedbl{}",
}

_MATH = {
    "δ": r"\delta", "η": r"\eta", "μ": r"\mu", "β": r"\beta", "ε": r"\varepsilon", "σ": r"\sigma",
    "Σ": r"\Sigma", "∂": r"\partial", "→": r"\to", "←": r"\leftarrow", "≠": r"\neq", "≤": r"\leq",
    "≥": r"\geq", "≈": r"\approx", "×": r"\times", "·": r"\cdot", "−": "-", "√": r"\surd", "∞": r"\infty",
    "±": r"\pm", "α": r"\alpha", "γ": r"\gamma", "λ": r"\lambda", "θ": r"\theta", "ϵ": r"\epsilon",
    "𝟏": r"\mathbf{1}", "⊙": r"\odot", "∇": r"\nabla", "′": r"'",
}
_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
          "upsilon phi chi psi omega").split()
_LATIN = {"alpha": "A", "beta": "B", "epsilon": "E", "zeta": "Z", "eta": "H", "iota": "I", "kappa": "K",
          "mu": "M", "nu": "N", "omicron": "O", "rho": "P", "tau": "T", "chi": "X"}  # capitals LaTeX writes as Latin
_LETTERS = dict(zip(_GREEK, "αβγδεζηθικλμνξοπρστυφχψω", strict=True))
_MATH = {ch: ("o" if name == "omicron" else "\\" + name) for name, ch in _LETTERS.items()} | _MATH
_MATH = {ch.upper(): (rf"\mathrm{{{_LATIN[name]}}}" if name in _LATIN else "\\" + name.capitalize())
         for name, ch in _LETTERS.items()} | _MATH

_TEXT = {
    "†": r"\dag{}", "…": r"\dots{}", "–": "--", "—": "---", "½": r"\ensuremath{\tfrac{1}{2}}",
    "✓": r"\ensuremath{\checkmark}", "✗": r"\ensuremath{\times}", "⚠": r"\textbf{!}", "●": r"\textbullet{}",
    "‘": "`", "’": "'", "“": "``", "”": "''", "\u00a0": "~", "°": r"\textdegree{}",
}

_SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ˡᵀ", "0123456789+-()lT", strict=True))
_SUBSCRIPT = dict(zip("₀₁₂₃₄₅₆₇₈₉ⱼₖₐₒₓₑₕₗₘₙₚₛₜ", "0123456789jkaoxehlmnpst", strict=True))
_HAT = re.compile("(.)\u0302")


def tex_escape(text: str) -> str:
    """``text`` as LaTeX source that prints exactly it, in running text (not inside math)."""
    pieces = _HAT.split(re.sub(r"\s+", " ", str(text)))  # the hatted letters at the odd places
    return "".join(rf"\^{{{_plain(p)}}}" if k % 2 else _plain(p) for k, p in enumerate(pieces))


def _plain(text: str) -> str:
    return "".join(_char(ch) for ch in text)


def _char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch.isascii():
        return ch
    if ch in _MATH:
        return rf"\ensuremath{{{_MATH[ch]}}}"
    if ch in _TEXT:
        return _TEXT[ch]
    if ch in _SUPERSCRIPT:
        return rf"\textsuperscript{{{_SUPERSCRIPT[ch]}}}"
    if ch in _SUBSCRIPT:
        return rf"\textsubscript{{{_SUBSCRIPT[ch]}}}"
    if "\u00c0" <= ch <= "\u017f" and ch not in "\u00d7\u00f7\u0149\u017f":  # letters T1 has glyphs for
        return ch
    if "\u2500" <= ch <= "\u257f":  # box drawing: a rule
        return "-"
    return rf"{{\ttfamily[U+{ord(ch):04X}]}}"


def pdf_text(text: str) -> str:
    """A plain ASCII form of ``text`` for PDF bookmarks: letters, digits and simple punctuation only."""
    from ..derive.unicode import to_ascii

    return re.sub(r"[^A-Za-z0-9 .,:;()+=/'-]+", " ", to_ascii(str(text))).strip() or "part"
