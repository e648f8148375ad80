"""Names and symbols: the one place that knows what "w5", "h1" or "δ_o1" means.

Three parts, one module each: :mod:`.index` numbers and names every parameter,
:mod:`.parser` reads a name the user typed, :mod:`.symbols` makes the expression atoms
a derivation is written in.  :class:`Names` is all three for one network.
"""

from __future__ import annotations

from .parser import NameParser
from .symbols import Symbols


class Names(NameParser, Symbols):
    """All names of one network, in its configured notation: its index, parser and symbols.

    The parser and the symbols both read the index (a parameter's numbers, a neuron's
    name), so each extends :class:`~stepnet.derive.index.ParamIndex` and only it holds
    state; ``Names(config)`` joins the two, which gives one object with every method and
    no method passed on by hand.  Code that needs one part can use that class alone.
    """

    def legend(self, form: str = "unicode") -> tuple[str, str, str]:
        """The loss, a weight and a bias in the run's letters (``form``: unicode or latex), as a legend names them."""
        letters = self.spelling.letters
        return tuple(getattr(letters[role], form) for role in ("loss", "weight", "bias"))
