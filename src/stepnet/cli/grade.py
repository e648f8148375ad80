"""``stepnet grade``: mark students' answers files, with error carried forward, and sum up the class."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from .files import destination, same_file
from .options import OutputOptions
from .output import Document, emit

if TYPE_CHECKING:
    from ..grade.points import Points, Score
    from ..grade.sheet import Sheet


@click.command()
@click.argument("answers", nargs=-1, required=True, metavar="ANSWERS.yaml...", type=click.Path(allow_dash=True))
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, allow_dash=True), default=None, metavar="FILE",
              help="Also write the marks as CSV (atomically), one row per answers file and a column per blank; "
                   "- writes it to standard output instead of the tables.")
@click.option("--no-ecf", "no_ecf", is_flag=True,
              help="Give no points for answers right only by error carried forward (the verdict still says ECF).")
@click.option("--min-decimals", type=click.IntRange(0, 15), default=3, show_default=True, metavar="N",
              help="An answer with fewer decimals is wrong, unless it is the true value exactly (0.35).")
@click.option("--points", "points_spec", default=None, metavar="SPEC",
              help="Points per blank by group (forward, backward, update, all) or by name, e.g. "
                   "forward=1,backward=2,w5+=3; a name wins over its group; default 1 each.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width.")
@click.option("--no-color", is_flag=True, help="No colour (NO_COLOR is honoured too).")
@click.option("--ascii", "ascii_only", is_flag=True,
              help="ASCII only: - for the minus sign, ok and X for the verdicts.")
def grade(answers: tuple[str, ...], csv_path: str | None, no_ecf: bool, min_decimals: int, points_spec: str | None,
          width: int | None, no_color: bool, ascii_only: bool) -> None:
    """Mark answers files: each blank right, right by error carried forward (ECF), wrong
    with its likely cause, or left blank; a score per student and a class summary.

    An answer is right when the true value (the hand-mode value for an exercise set with
    --carry), rounded half away from zero to the answer's own decimals, is the answer.  It is
    right by ECF when it is the student's own earlier wrong numbers correctly worked on.
    Exit status 0 when every file was graded, 1 when any could not be read (the others
    are still graded), 2 for a bad command line.

    \b
    Examples:
      stepnet grade answers-1.yaml
      stepnet grade answers/*.yaml --csv marks.csv
      stepnet grade answers/*.yaml --points forward=1,backward=2,w5+=3 --no-ecf
      stepnet grade answers/*.yaml --min-decimals 4 --ascii
    """
    from ..grade.points import check_points, parse_points

    answers = tuple(dict.fromkeys(answers))  # a file named twice is graded once
    points = parse_points(points_spec)
    if csv_path is not None and csv_path != "-":
        _check_csv(csv_path, answers)
    sheets, failed = _read_all(answers)
    check_points(points, sheets)
    graded = _grade_all(sheets, failed, points, min_decimals, not no_ecf)
    out = OutputOptions(width=width, no_color=no_color, ascii_only=ascii_only)
    if csv_path != "-":
        emit(out, _document(graded))
    if csv_path is not None:
        from ..grade.csvtext import marks_csv
        from .files import write_output

        write_output(csv_path, marks_csv(_rows(answers, graded, failed)))
    if failed:
        rest = "; the others are graded." if len(failed) < len(answers) else "."
        click.echo(f"{len(failed)} of {len(answers)} answers files could not be read{rest}", err=True)
        sys.exit(1)


def _rows(answers: tuple[str, ...], graded: list[tuple[Sheet, Score]], failed: list) -> list[tuple]:
    """One CSV row per answers file, in the order they were given."""
    done = {sheet.path: (sheet.path, sheet.student, sc, None) for sheet, sc in graded}
    done.update({path: (path, None, None, _one_line(exc)) for path, exc in failed})
    return [done[path] for path in answers]


def _one_line(exc) -> str:
    """``file:line:col: key: what is wrong; how to fix``, one line per file however many are reported."""
    return exc.format().replace("\n  hint: ", "; ")


def _check_csv(path: str, answers: tuple[str, ...]) -> None:
    destination(path, "--csv")
    for given in answers:
        if same_file(path, given) or os.path.abspath(path) == os.path.abspath(given):
            raise click.BadParameter(f"'{click.format_filename(path)}' is one of the answers files; "
                                     "give the marks another file name", param_hint="--csv")


def _read_all(paths: tuple[str, ...]) -> tuple[list[Sheet], list]:
    """The sheets that can be read; each that cannot is reported at once, with its file, line and key."""
    from ..errors import StepnetError
    from ..grade.sheet import read_sheet

    sheets, failed = [], []
    for path in paths:
        try:
            sheets.append(read_sheet(path))
        except StepnetError as exc:
            click.echo(f"Error: {_one_line(exc)}", err=True)
            failed.append((path, exc))
    return sheets, failed


def _grade_all(sheets: list[Sheet], failed: list, points: Points, min_decimals: int,
               ecf_points: bool) -> list[tuple[Sheet, Score]]:
    from ..errors import StepnetError
    from ..grade.marking import grade_sheet
    from ..grade.points import score

    graded = []
    for sheet in sheets:
        try:
            graded.append((sheet, score(sheet, grade_sheet(sheet, min_decimals), points, ecf_points)))
        except StepnetError as exc:
            click.echo(f"Error: {_one_line(exc)}", err=True)
            failed.append((sheet.path, exc))
    return graded


def _document(graded: list[tuple[Sheet, Score]]) -> Document:
    def draw(console, ascii_only: bool) -> None:
        from ..grade.show import Style, student_block, summary_block
        from ..grade.summary import summarize

        style = Style(ascii_only)
        for sheet, sc in graded:
            console.print(student_block(sheet, sc, style))
            console.print()
        if len(graded) > 1:
            console.print(summary_block(summarize([sc for _, sc in graded]), style), soft_wrap=True)

    return Document(draw=draw)
