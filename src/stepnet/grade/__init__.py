"""Grading students' answers files: each blank right, right by error carried forward, wrong with its cause, or blank.

The package reads as the flow of ``stepnet grade``:

* ``sheet``: an answers file read, every answer kept exactly as written;
* ``marking``: the verdict on each blank, in the order the iteration computes them;
* ``ecf``: whether a wrong answer is the student's own earlier wrong numbers correctly worked on;
* ``causes``: a wrong answer's likely cause in a few words, to count a class's slips;
* ``points``: what each blank is worth (``--points``), and a sheet's score;
* ``summary``: the class's average and its most missed blanks;
* ``csvtext`` and ``show``: the marks as CSV and as tables.
"""
