"""How a notation spells its symbols: one :class:`Letter` per role, and the layer numbers.

The config says which symbol each role has (``z`` for the net input in nielsen, ``s``
where the config replaces it); this module turns those words into the three spellings
every symbol has.  A Greek name written as a word becomes its letter: ``alpha`` is α in
the terminal, ``\\alpha`` in LaTeX and stays ``alpha`` in ASCII.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config.model import Notation
from ..config.notation import PRESETS, ROLES, symbol_of

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
    "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "omicron": "ο", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω",
}
# capitals that LaTeX writes as Latin letters (it has no \Alpha)
_LATIN_CAPITALS = {"alpha": "A", "beta": "B", "epsilon": "E", "zeta": "Z", "eta": "H", "iota": "I", "kappa": "K",
                   "mu": "M", "nu": "N", "omicron": "O", "rho": "P", "tau": "T", "chi": "X"}

_SUB = str.maketrans("0123456789jk", "₀₁₂₃₄₅₆₇₈₉ⱼₖ")
_SUP = str.maketrans("0123456789()+lL", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺ˡᴸ")


def sub(text: str) -> str:
    """Digits (and the indices j, k) as Unicode subscripts: 11 → ₁₁."""
    return text.translate(_SUB)


def layer_sup(text: str) -> str:
    """A layer index as a bracketed superscript, which no reader takes for a power: ⁽²⁾."""
    return f"({text})".translate(_SUP)


@dataclass(frozen=True)
class Letter:
    """One symbol in its three spellings; ``base`` is the part an index attaches to (E of E_total)."""

    unicode: str
    ascii: str
    latex: str
    base_unicode: str
    base_latex: str

    @property
    def base_ascii(self) -> str:
        return self.ascii.split("_")[0]

    @classmethod
    def of(cls, word: str) -> Letter:
        """The symbol a config word writes: ``alpha`` → α, ``net`` → net, ``E_total`` → E_total."""
        base, _, subscript = word.partition("_")
        u, tex = _spell(base)
        if not subscript:
            return cls(u, word, tex, u, tex)
        lsub = subscript if subscript.isdigit() else f"\\mathrm{{{subscript}}}"
        return cls(f"{u}_{subscript}", word, f"{tex}_{{{lsub}}}", u, tex)

    def capital(self) -> Letter:
        """The matrix form of a letter: w → W, θ → Θ."""
        lower = self.ascii.lower()
        if lower in _GREEK:
            latex = _LATIN_CAPITALS.get(lower) or "\\" + lower.capitalize()
            return Letter(_GREEK[lower].upper(), self.ascii.capitalize(), latex, _GREEK[lower].upper(), latex)
        u, tex = _spell(self.ascii.upper())
        return Letter(u, self.ascii.upper(), tex, u, tex)


def _spell(word: str) -> tuple[str, str]:
    """(unicode, latex) of one word: a Greek name becomes its letter, a longer word upright."""
    lower = word.lower()
    if lower in _GREEK:
        if word[0].isupper():
            return _GREEK[lower].upper(), _LATIN_CAPITALS.get(lower) or "\\" + lower.capitalize()
        latex = "o" if lower == "omicron" else "\\" + lower
        return _GREEK[lower], latex
    return word, word if len(word) == 1 else f"\\mathrm{{{word}}}"


class Spelling:
    """A notation's letters, one per role, and how it numbers layers.

    ``layered`` notations (nielsen) write a neuron's quantity with its layer and index,
    z⁽²⁾₁; the others write it with the neuron's name, net_h1.
    """

    def __init__(self, notation: Notation) -> None:
        self.notation = notation
        self.style = notation.style
        self.layered = notation.style == "nielsen"
        words = {role: symbol_of(notation, role) for role in ROLES}
        self.words = words
        self.letters = {role: Letter.of(word) for role, word in words.items() if word}
        # the tutorial's own words: text written in them needs no respelling
        self.plain = not self.layered and words == PRESETS["mazur"]

    def letter(self, role: str) -> Letter | None:
        """The role's letter; None for an input written by its neuron's name (mazur's i1)."""
        return self.letters.get(role)

    def layer_number(self, li: int) -> int:
        """The number a name gives layer ``li`` (0 is the input): nielsen counts the input as 1."""
        return li + 1 if self.layered else li

    def layer_index(self, number: int) -> int:
        """The inverse of :meth:`layer_number`."""
        return number - 1 if self.layered else number

    @property
    def sample_mark_apart(self) -> bool:
        """True where a layer is written as a bracketed superscript (w⁽²⁾₁₁, z⁽²⁾₁): a sample is then
        marked with angle brackets, E⟨1⟩, so that it cannot be read as a layer."""
        return self.style in ("indexed", "nielsen")

    def sample_mark(self, k: str) -> tuple[str, str, str]:
        """The marker of sample ``k`` of a batch, (Unicode, ASCII, LaTeX): ⁽¹⁾, (1), ^{(1)} or ⟨1⟩, <1>, ^{⟨1⟩}."""
        if self.sample_mark_apart:
            return f"⟨{k}⟩", f"<{k}>", f"^{{\\langle {k}\\rangle}}"
        return f"({k})".translate(_SUP), f"({k})", f"^{{({k})}}"

    @property
    def separate_input(self) -> bool:
        """True when inputs have a letter of their own (x₁), not the activation's of layer 1."""
        inp = self.letters.get("input")
        return inp is not None and inp != self.letters.get("out")
