"""The terminal output at every width: no number cut or shortened, no line wider than the
width, long chains broken before an operator and indented, each layer's tables right after
its lines (the Markdown's order), and a report printed in pieces the same as printed whole."""

from __future__ import annotations

import re
from collections import Counter
from io import StringIO

import pytest
from click.testing import CliRunner
from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

import stepnet
from stepnet.cli import main
from stepnet.render.table_text import TextTable
from stepnet.render.term_layout import break_expression, wrap_text
from stepnet.render.terminal import INDENT, TerminalRenderer

WIDTHS = (40, 50, 60, 72, 80, 100, 120)
WIDE = 200
# a number as the output writes it: 0.5, −0.038098237, 1e−6, +2.5e−11; not the digits of a name (w5, h1)
NUMBER = re.compile(r"(?<![\w.])[+−-]?\d+(?:\.\d+)?(?:e[+−-]?\d+)?(?![\w.])")
# what only folding at a narrow width writes, itself numbered: the rows of a matrix written one by one
FOLDING = re.compile(r"row \d+:|\d+×\d+ matrix|\w\[\d+\]")
OPERATORS = ("=", "+", "−", "×", "·", "⊙", "-", "*")


def shared_bias() -> dict:
    return {"name": "shared", "layers": [{"name": "i", "size": 3},
                                         {"name": "h", "size": 6, "activation": "sigmoid", "bias": "shared"},
                                         {"name": "o", "size": 3, "activation": "sigmoid", "bias": "shared"}],
            "init": {"method": "xavier", "seed": 5}, "loss": "half_sse", "learning_rate": 0.5,
            "data": [{"inputs": [0.05, 0.1, -0.3], "targets": [0.01, 0.99, 0.5]},
                     {"inputs": [0.4, -0.2, 0.7], "targets": [0.9, 0.1, 0.3]}]}


def wide() -> dict:
    return {"name": "wide", "layers": [{"name": "i", "size": 3}, {"name": "h", "size": 64, "activation": "tanh"},
                                       {"name": "o", "size": 2, "activation": "sigmoid"}],
            "init": {"method": "he", "seed": 2}, "loss": "half_sse", "learning_rate": 0.1,
            "data": [{"inputs": [0.5, -1.25, 2.0], "targets": [0.2, 0.7]}]}


def report_items(run, view: str = "scalar"):
    report = run.report(view=view)
    return lambda r: r.report(report)


RUNS = {
    "mazur": lambda: (stepnet.run(stepnet.example("mazur")), "scalar"),
    "wide": lambda: (stepnet.run(wide()), "scalar"),
    "shared bias": lambda: (stepnet.run(shared_bias()), "scalar"),
    "softmax": lambda: (stepnet.run(stepnet.example("softmax")), "scalar"),
    "carry 4": lambda: (stepnet.run(stepnet.example("mazur"), carry=4), "scalar"),
    "matrix": lambda: (stepnet.run(stepnet.example("mazur")), "matrix"),
    "matrix wide": lambda: (stepnet.run(wide()), "matrix"),
    "three iterations": lambda: (stepnet.run(stepnet.example("xor"), iterations=3), "scalar"),
}
ASCII = ("shared bias", "matrix")  # printed in ASCII too


def printed(items, width: int) -> str:
    """Renderables printed to a console ``width`` wide, nothing cropped: what a terminal would show."""
    buffer = StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False, emoji=False, soft_wrap=False,
                      legacy_windows=False)
    for item in items:
        console.print(item, crop=False)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def outputs() -> dict[str, dict[int, str]]:
    """Every run of RUNS printed at every width, and wide."""
    out = {}
    for name, make in RUNS.items():
        run, view = make()
        report = run.report(view=view)
        renderer = TerminalRenderer(run.fmt)
        out[name] = {w: printed(renderer.report(report), w) for w in (*WIDTHS, WIDE)}
        if name in ASCII:
            renderer = TerminalRenderer(run.fmt, ascii_only=True)
            out[name + " ascii"] = {w: printed(renderer.report(report), w) for w in (*WIDTHS, WIDE)}
    return out


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), prog_name="stepnet")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


@pytest.fixture(scope="module")
def commands(tmp_path_factory) -> dict[str, dict[int, str]]:
    """check (a table, and rows streamed for a large network), --compare-carry and explain, at every width."""
    import yaml

    path = tmp_path_factory.mktemp("configs") / "wide.yaml"
    path.write_text(yaml.safe_dump(wide()), encoding="utf-8")
    cases = {"check": ("check", "mazur"), "check streamed": ("check", str(path), "--sample", "120"),
             "compare carry": ("run", "mazur", "--compare-carry", "6")}
    out = {name: {w: cli(*args, "--width", str(w)) for w in (*WIDTHS, WIDE)} for name, args in cases.items()}
    run = stepnet.run(stepnet.example("mazur"))
    renderer = TerminalRenderer(run.fmt)
    for name in ("w5", "b1"):  # as `stepnet explain NAME` prints it
        items = renderer.derivation(run.explain(name).derivation)
        out[f"explain {name}"] = {w: printed(items, w) for w in (*WIDTHS, WIDE)}
    assert cli("explain", "w5", "--width", "60") == out["explain w5"][60]
    return out


def numbers(text: str) -> Counter:
    return Counter(NUMBER.findall(FOLDING.sub(" ", text)))


def all_outputs(outputs, commands):
    return {**outputs, **commands}


# ---------------------------------------------------------------- every width


EVERY = [*RUNS, *(name + " ascii" for name in ASCII), "explain w5", "explain b1", "check", "check streamed",
         "compare carry"]


@pytest.mark.parametrize("name", EVERY)
def test_every_number_is_whole_at_every_width(outputs, commands, name):
    texts = all_outputs(outputs, commands)[name]
    wide_numbers = numbers(texts[WIDE])
    assert sum(wide_numbers.values()) > 10
    for width in WIDTHS:
        got = numbers(texts[width])
        assert got == wide_numbers, (width, (got - wide_numbers), (wide_numbers - got))


@pytest.mark.parametrize("name", EVERY)
def test_no_line_is_wider_than_the_width(outputs, commands, name):
    for width, text in all_outputs(outputs, commands)[name].items():
        long = [line for line in text.split("\n") if len(line.rstrip()) > width]
        assert not long, (width, long[:3])


@pytest.mark.parametrize("name", EVERY)
def test_an_ellipsis_only_where_the_report_leaves_something_out(outputs, commands, name):
    """Never glued to what it would shorten; only where the wide output has it too."""
    texts = all_outputs(outputs, commands)[name]
    for width, text in texts.items():
        assert not re.search(r"[\w.)]…", text), width
        assert text.count("…") == texts[WIDE].count("…"), width
        assert not re.search(r"[\w.)]\.\.\.", text) or "ascii" not in name or "..." in texts[WIDE], width


@pytest.mark.parametrize("name", ASCII)
def test_ascii_output_stays_ascii_at_every_width(outputs, name):
    for width, text in outputs[name + " ascii"].items():
        assert text.isascii(), width


def test_the_report_elides_with_standalone_ellipses(outputs):
    """The forms whitelisted above: '… N more terms …' and 'iteration 1 … N', as the report writes them."""
    text = outputs["wide"][WIDE]
    assert re.search(r"… \d+ more terms …", text)
    assert re.search(r"iteration 1 … 3", outputs["three iterations"][WIDE])


# ---------------------------------------------------------------- chains


def equation_lines(text: str) -> list[list[str]]:
    """Each chain-rule equation with its continuation lines (every line after the first is indented)."""
    groups: list[list[str]] = []
    for line in text.split("\n"):
        if "=" in line and not line.startswith(" ") and not line.startswith(("│", "┃", "|")):
            groups.append([line])
        elif groups and line.startswith(INDENT) and line.strip()[:1] in OPERATORS:
            groups[-1].append(line)
        elif groups and line.startswith(INDENT):
            groups.append([])  # a note under the equation ends it
    return [g for g in groups if g]


@pytest.mark.parametrize("name", ["mazur", "shared bias", "softmax", "wide", "carry 4"])
def test_continuations_start_with_the_indent_and_an_operator(outputs, name):
    for width in WIDTHS:
        text = outputs[name][width]
        for line in text.split("\n"):
            assert not line.startswith(tuple("=+−×·⊙")), (width, line)  # no expression continued at column 0
        for lines in equation_lines(text):
            for line in lines[1:]:
                assert line.startswith(INDENT) and line.lstrip()[0] in OPERATORS, (width, lines)


def test_the_shared_bias_gradient_breaks_before_a_plus():
    """The sum of a shared bias's paths, too long for 100 columns, breaks before its + (not mid-term)."""
    run = stepnet.run(stepnet.example("mazur"))
    text = printed(report_items(run)(TerminalRenderer(run.fmt)), 100)
    lines = text.split("\n")
    k = next(i for i, line in enumerate(lines) if line.startswith("∂E_total/∂b2 = ∂E_total/∂out_o1"))
    assert lines[k] == "∂E_total/∂b2 = ∂E_total/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂b2"
    assert lines[k + 1] == INDENT * 2 + "+ ∂E_total/∂out_o2 · ∂out_o2/∂net_o2 · ∂net_o2/∂b2"
    assert lines[k + 2] == INDENT + "= δ_o1·1 + δ_o2·1"


def test_an_expression_breaks_only_before_operators_and_rejoins_to_itself():
    text = "net_o1 = w5·out_h1 + w6·out_h2 + b2·1 = 0.4×0.593269992 + 0.45×0.596884378 + 0.6×1 = 1.105905967"
    for width in range(30, len(text) + 2):
        slices = break_expression(text, width, INDENT * 2)
        assert [a for a, _ in slices][0] == 0
        pieces = [text[a:b] for a, b in slices]
        assert " ".join(pieces) == text  # each break replaces one space
        assert all(len(p) <= width - (len(INDENT * 2) if k else 0) for k, p in enumerate(pieces))
        assert all(p[0] in OPERATORS for p in pieces[1:])


def test_prose_wraps_between_words_and_keeps_its_indent():
    text = INDENT + "the rounded numbers shown give −0.022602541; the value is computed at full precision"
    lines = wrap_text(text, 40)
    assert all(len(line) <= 40 for line in lines)
    assert all(line.startswith(INDENT) for line in lines)
    assert " ".join(line.strip() for line in lines) == text.strip()


# ---------------------------------------------------------------- tables and rules drawn as rich draws them


def rich_text(renderable, width: int) -> str:
    buffer = StringIO()
    Console(file=buffer, width=width, color_system=None, legacy_windows=False).print(renderable)
    return buffer.getvalue()


@pytest.mark.parametrize("ascii_only", [False, True])
@pytest.mark.parametrize("header", [True, False])
def test_a_table_that_fits_is_drawn_exactly_as_rich_draws_it(ascii_only, header):
    from rich import box

    columns = ["neuron", "net", "out"]
    rows = [["h1", "0.3775", "0.593269992"], ["h22", "−1.5", "0.5"], ["o1", "", "12"]]
    rt = Table(box=box.ASCII if ascii_only else box.HEAVY_HEAD, show_header=header)
    for name, right in zip(columns, (False, True, True), strict=True):
        rt.add_column(name, justify="right" if right else "left")
    for row in rows:
        rt.add_row(*row)
    ours = TextTable(columns, rows, [False, True, True], ascii_only, show_header=header)
    assert printed([ours], 80) == rich_text(rt, 80)


@pytest.mark.parametrize("width", [40, 41, 60, 99, 100])
@pytest.mark.parametrize("title", ["Forward pass", "Iteration 12, loss before the update 0.298371109"])
def test_a_rule_whose_title_fits_is_drawn_exactly_as_rich_draws_it(width, title):
    if len(title) > width - 4:
        pytest.skip("the title does not fit: rich would shorten it, stepnet wraps it")
    r = TerminalRenderer()
    assert printed([r.rule(title, heavy=True)], width) == rich_text(Rule(Text(title), characters="═"), width)
    assert printed([r.rule(title)], width) == rich_text(Rule(Text(title), characters="─", align="left"), width)


def test_a_long_rule_title_wraps_whole():
    title = "Iteration 1, loss before the update 0.298371109"
    lines = printed([TerminalRenderer().rule(title, heavy=True)], 40).rstrip("\n").split("\n")
    assert len(lines) == 2 and all(len(line) == 40 for line in lines)
    assert " ".join(line.strip("═ ") for line in lines) == title


def test_a_table_too_wide_splits_its_columns_repeating_the_names():
    columns = ["parameter", "before", "gradient", "after"]
    rows = [["w1", "0.150000000", "−0.000438568", "0.150219284"], ["w2", "0.2", "0.000877135", "0.199561432"]]
    text = printed([TextTable(columns, rows, [False, True, True, True])], 40)
    assert all(len(line) <= 40 for line in text.split("\n"))
    parts = text.count("┏")
    assert parts >= 2 and text.count("parameter") == parts and text.count("w1") == parts
    for cell in (c for row in rows for c in row[1:]):
        assert cell in text


def test_text_cells_wrap_between_words_before_a_table_splits():
    rows = [["layers", "i (2) → h (2, sigmoid, bias shared) → o (2, sigmoid, bias shared)"], ["loss", "half_sse"]]
    text = printed([TextTable(["", ""], rows, [False, False], show_header=False)], 40)
    lines = text.rstrip("\n").split("\n")
    assert all(len(line) == 40 for line in lines[:-1]) and "(2, sigmoid," in text
    assert text.count("┌") == 1


# ---------------------------------------------------------------- order and pieces


def marked(report) -> int:
    """Every block and table of ``report`` titled with a mark of its own (mark000, mark001, ...)."""
    count = 0
    for it in report.iterations:
        for section in it.sections:
            for item in [*section.blocks, *section.tables]:
                item.title, count = f"mark{count:03d}", count + 1
    return count


@pytest.mark.parametrize("name", ["mazur", "shared bias", "softmax", "wide", "matrix"])
def test_tables_stand_beside_their_layer_as_in_the_markdown(name):
    from stepnet.render.markdown import report_markdown

    run, view = RUNS[name]()
    report = run.report(view=view)
    count = marked(report)
    terminal = re.findall(r"mark\d{3}", printed(TerminalRenderer(run.fmt).report(report), 100))
    assert terminal == re.findall(r"mark\d{3}", report_markdown(report, run.fmt))
    assert sorted(terminal) == [f"mark{k:03d}" for k in range(count)] and count >= 8
    tables = {t.title: t.layer for it in report.iterations for s in it.sections for t in s.tables}
    blocks = {b.title: b.layer for it in report.iterations for s in it.sections for b in s.blocks}
    layered = [m for m in terminal if tables.get(m)]
    assert layered or name == "matrix", "some table lists one layer"
    for m in layered:  # the nearest block before a layer's table is that layer's
        before = [b for b in terminal[: terminal.index(m)] if b in blocks]
        assert before and blocks[before[-1]] in (tables[m], None)


def test_a_report_printed_in_pieces_is_the_report_printed_whole():
    run = stepnet.run(stepnet.example("xor"), iterations=3)
    report = run.report()
    r = TerminalRenderer(run.fmt)
    whole = printed(r.report(report), 72)
    pieces = printed([r.head(report), *(r.iteration(it) for it in report.iterations), r.tail(report)], 72)
    assert pieces == whole
    assert whole.count("Iteration ") >= 3
