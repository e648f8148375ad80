"""`import stepnet.cli` stays light, so that `stepnet --help` answers at once.

Each check runs in a fresh interpreter: this test process has long since imported everything.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("numpy", "sympy", "rich", "stepnet.engine.network", "stepnet.render")


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_importing_the_cli_loads_nothing_heavy():
    done = _python("import sys, stepnet.cli; print('\\n'.join(sorted(sys.modules)))")
    assert done.returncode == 0, done.stderr
    modules = done.stdout.split()
    assert "stepnet.cli" in modules
    loaded = [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert loaded == [], f"import stepnet.cli loaded {', '.join(loaded)}"


def test_importing_stepnet_loads_nothing_heavy():
    done = _python("import sys, stepnet; print('\\n'.join(sorted(sys.modules)))")
    assert done.returncode == 0, done.stderr
    assert not [m for m in done.stdout.split() if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def _stepnet(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).parent / "stepnet"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "stepnet.cli"]
    return subprocess.run(command + list(args), capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_works(flag):
    done = _stepnet(flag)
    assert done.returncode == 0, done.stderr
    assert "Usage: stepnet" in done.stdout
    for command in ("run", "explain", "check", "examples", "validate"):
        assert command in done.stdout


def test_version_works():
    from stepnet import __version__

    done = _stepnet("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"stepnet, version {__version__}"


@pytest.mark.parametrize("module", ["stepnet", "stepnet.cli"])
def test_python_dash_m_runs_the_command_line(module):
    from stepnet import __version__

    done = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"stepnet, version {__version__}"


def test_every_public_name_resolves():
    import stepnet

    for name in stepnet.__all__:
        assert getattr(stepnet, name) is not None, name
