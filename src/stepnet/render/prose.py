"""Report text as the documents print it: one rule for every renderer."""

from __future__ import annotations


def as_sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter (ASCII only: δ stays δ) and a final stop."""
    text = text.strip()
    if text[:1].islower() and text[:1].isascii():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ":")) else text + "."
