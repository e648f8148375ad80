"""Every command and Python block in the README runs as written."""

from __future__ import annotations

import glob
import importlib.util
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from stepnet.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def blocks(kind: str) -> list[str]:
    return [body for lang, body in FENCE.findall(README) if lang == kind]


def commands() -> list[str]:
    found = []
    for body in blocks("console"):
        for line in body.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith("stepnet "):
                found.append(line)
    return found


@pytest.fixture
def in_scratch(tmp_path, monkeypatch):
    """A scratch working directory that still has configs/, so README paths resolve."""
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme_has_the_two_setup_commands():
    setup = blocks("console")[0].split()
    assert setup == ["pip", "install", "-e", '".[test]"', "pytest"]


def run_line(line: str):
    """One README command line, with its `> FILE` redirection and `*` globs, as a shell would."""
    target = None
    if " > " in line:
        line, target = (part.strip() for part in line.split(" > ", 1))
    words = []
    for word in shlex.split(line)[1:]:
        words += sorted(glob.glob(word)) if "*" in word else [word]
    result = CliRunner().invoke(main, words, catch_exceptions=False)
    if target:
        Path(target).write_text(result.stdout, encoding="utf-8")
    return result


def test_readme_commands_run_in_order(in_scratch):
    """Every `stepnet` line of the README's console blocks, in order, in one folder."""
    for line in commands():
        result = run_line(line)
        expected = 1 if "--claims" in line else 0  # the classic tutorial's claims include slips
        assert result.exit_code == expected, (line, result.output)
        out = shlex.split(line)
        if "-o" in out:
            written = in_scratch / out[out.index("-o") + 1]
            assert written.exists() and written.stat().st_size > 0, line
        elif " > " not in line:
            assert result.output.strip(), line


GENERATED = '"""A step by step backpropagation example.'  # the opening of the generated script shown


def test_readme_python_blocks_run(in_scratch):
    """The Python blocks run one after another, like cells of one notebook.

    The generated script is checked against the generator instead, and the block that
    imports torch runs only where torch is installed.
    """
    namespace: dict = {}
    for index, code in enumerate(blocks("python")):
        if code.startswith(GENERATED) or ("import torch" in code and importlib.util.find_spec("torch") is None):
            continue
        exec(compile(code, f"README.md python block {index + 1}", "exec"), namespace)
    assert namespace["run"].iterations[0].parameter("w5").gradient == pytest.approx(0.082167041, abs=5e-10)


def test_readme_excerpt_is_real_output():
    """The explain excerpt at the top is what `stepnet explain w5` prints (wide terminal)."""
    excerpt = blocks("text")[0]
    shown = [ln for ln in excerpt.splitlines()[1:] if ln.strip()]
    result = CliRunner().invoke(main, ["explain", "w5", "--width", "200"])
    produced = [ln.rstrip() for ln in result.output.splitlines() if ln.strip()]
    assert shown == produced


def test_readme_script_is_what_stepnet_writes():
    """The numpy script shown in full is exactly what `stepnet run mazur --format python` writes."""
    shown = next(code for code in blocks("python") if code.startswith(GENERATED))
    result = CliRunner().invoke(main, ["run", "mazur", "--format", "python"])
    assert result.exit_code == 0, result.output
    assert shown == result.stdout
