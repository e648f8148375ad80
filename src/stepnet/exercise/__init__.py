"""Exercises: worksheets with numbered blanks, answers files to fill in, and worked keys.

* ``ask``: which quantities are blanks (``--ask forward,w5+``), and their names in answers files;
* ``variants``: the config's structure with fresh two-decimal numbers, drawn reproducibly, and
  the rules that throw a poor draw away;
* ``sheet``: what a worksheet says (the givens, the instructions, the blanks), whatever the format;
* ``worksheet`` and ``key``: the worksheet, and the key with the worked iteration, in Markdown,
  HTML and LaTeX;
* ``answers``: the answers file ``stepnet grade`` reads.
"""
