"""The package as a user gets it: an sdist, a wheel built from it, and that wheel in a fresh venv.

The build starts from a copy of the files git would commit (tracked, or new and not ignored),
so stray local files neither help nor hide a problem, just as in a fresh clone. The wheel is
built from the sdist, as ``python -m build`` and package indexes do, and installed without
the index into a new virtual environment outside the repository; the commands then run from
that environment alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import stepnet

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.name for p in (ROOT / "src" / "stepnet" / "examples").iterdir() if p.suffix in (".yaml", ".json"))
TIMEOUT = 600

pytestmark = pytest.mark.slow


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT, **kwargs)


def _source_files() -> list[str] | None:
    """The files a commit of the work tree would hold, or None outside a git checkout."""
    git = shutil.which("git")
    if git is None:
        return None
    listed = _run([git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT)
    if listed.returncode != 0:
        return None
    return [name for name in listed.stdout.split("\0") if name and os.path.lexists(ROOT / name)]


def _copy_source(target: Path) -> None:
    names = _source_files()
    if names is None:  # an unpacked sdist, say: everything but what a build or a run leaves behind
        junk = shutil.ignore_patterns(".git", ".venv*", "node_modules", "__pycache__", ".*_cache", ".hypothesis",
                                      "dist", "build")
        shutil.copytree(ROOT, target, symlinks=True, ignore=junk)
        return
    for name in names:
        source, copy = ROOT / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, copy)


def _pip(*args: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args])


def _build(hook: str, source: Path, out: Path) -> Path:
    """Call hatchling's PEP 517 ``hook`` in ``source``, as a build frontend does; the built file."""
    code = f"import sys, hatchling.build as b; print(b.{hook}(sys.argv[1]))"
    result = _run([sys.executable, "-c", code, str(out)], cwd=source)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The sdist, the wheel built from it, and a wheelhouse with the wheel and its dependencies."""
    pytest.importorskip("hatchling", reason="hatchling (in the test extra) builds the sdist and the wheel")
    base = tmp_path_factory.mktemp("packaging")
    source, dist, wheelhouse = base / "source", base / "dist", base / "wheelhouse"
    _copy_source(source)
    sdist = _build("build_sdist", source, dist)
    with tarfile.open(sdist) as archive:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # 3.11.4 and later
        archive.extractall(base / "unpacked", **safe)
    (unpacked,) = (base / "unpacked").iterdir()
    wheel = _build("build_wheel", unpacked, dist)
    deps = _pip("wheel", "-w", str(wheelhouse), str(wheel))  # the dependencies: from the index, or pip's cache
    if deps.returncode != 0:
        pytest.skip(f"could not fetch stepnet's dependencies to install it in a fresh venv (offline?):\n{deps.stderr}")
    return {"sdist": sdist, "wheel": wheel, "wheelhouse": wheelhouse}


@pytest.fixture(scope="module")
def venv(built, tmp_path_factory) -> Path:
    """A fresh virtual environment, outside the repository, with the wheel installed; its bin directory."""
    env = tmp_path_factory.mktemp("venv") / "env"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(env)])
    assert made.returncode == 0, made.stderr
    bin_dir = env / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    installed = _pip("--python", str(python), "install", "--no-index", "--find-links", str(built["wheelhouse"]),
                     "--no-compile", f"stepnet=={stepnet.__version__}")  # no .pyc for all of sympy: seconds saved
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return bin_dir


def _in_venv(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a command of the fresh venv, with nothing of this repository or its venv in reach."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join([str(bin_dir), *(p for p in env.get("PATH", "").split(os.pathsep)
                                                    if p and Path(sys.prefix) not in Path(p).parents)])
    env.update(VIRTUAL_ENV=str(bin_dir.parent), NO_COLOR="1", COLUMNS="100", PYTHONIOENCODING="utf-8")
    return _run(list(args), cwd=cwd, env=env)


def test_the_license_is_mit_for_the_stepnet_authors():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 the stepnet authors" in text


def test_the_sdist_holds_the_license_the_examples_and_the_tests(built):
    with tarfile.open(built["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "pyproject.toml", "tests/conftest.py"} <= names
    assert {f"src/stepnet/examples/{name}" for name in EXAMPLES} <= names
    assert not any(part in name.split("/") for name in names for part in ("node_modules", ".venv", "__pycache__"))


def test_the_wheel_holds_the_package_the_examples_and_the_license(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"stepnet-{stepnet.__version__}.dist-info/METADATA").decode()
    assert "config.schema.json" in EXAMPLES and "mazur.yaml" in EXAMPLES
    assert {f"stepnet/examples/{name}" for name in EXAMPLES} <= names
    assert {"stepnet/__init__.py", "stepnet/__main__.py", "stepnet/cli/__init__.py"} <= names
    assert f"stepnet-{stepnet.__version__}.dist-info/licenses/LICENSE" in names
    assert not any(name.startswith(("tests/", "src/")) for name in names)
    assert "License-Expression: MIT" in metadata
    assert "Project-URL: Source, https://github.com/stepnet/stepnet" in metadata


def test_the_installed_package_is_the_wheel(venv, tmp_path):
    result = _in_venv(venv, "python", "-c", "import stepnet; print(stepnet.__file__)", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    installed = Path(result.stdout.strip()).resolve()
    assert venv.parent.resolve() in installed.parents
    assert ROOT not in installed.parents


def test_python_m_stepnet_version(venv, tmp_path):
    result = _in_venv(venv, "python", "-m", "stepnet", "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"stepnet, version {stepnet.__version__}"


def test_stepnet_run_mazur(venv, tmp_path):
    result = _in_venv(venv, "stepnet", "run", "mazur", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("A step by step backpropagation example\n")
    assert "0.35891648" in result.stdout  # w5 after the update, as in the tutorial
    assert "Final loss" in result.stdout


def test_stepnet_examples(venv, tmp_path):
    result = _in_venv(venv, "stepnet", "examples", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert listed == [name.removesuffix(".yaml") for name in EXAMPLES if name.endswith(".yaml")]


def test_stepnet_schema(venv, tmp_path):
    result = _in_venv(venv, "stepnet", "schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads((ROOT / "src/stepnet/examples/config.schema.json").read_text())
