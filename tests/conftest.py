import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"

# Property-based tests take their number of examples from a profile, not from the test:
#   ci   the same examples on every run (derandomized, no example database), and many of them;
#   dev  fewer, fresh ones each run, for the local loop.
# CI set (as most CI services do; not to 0 or false) selects ci; HYPOTHESIS_PROFILE=ci|dev overrides either way.
# A test whose examples are costly asks for a fraction of the profile's count (a fifth, a twentieth).
settings.register_profile("ci", max_examples=300, derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=40, deadline=None)
_IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _IN_CI else "dev"))


def pytest_collection_modifyitems(config, items):
    """Every property-based test counts as slow: `pytest -m "not slow"` leaves them all out."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


def pytest_unconfigure(config):
    """End the Node.js process the render checks share, if any test started it."""
    rendercheck = sys.modules.get("rendercheck")
    if rendercheck is not None:
        rendercheck.close_node_session()


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="Rewrite the golden files from the current output instead of comparing.")


@pytest.fixture
def golden(request):
    """Compare text with tests/golden/NAME, or rewrite it under --update-goldens."""
    update = request.config.getoption("--update-goldens")

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file {name} is missing: run pytest --update-goldens, then review it")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        assert text == expected, (f"output differs from golden {name}; if the change is intended, "
                                  "rerun with --update-goldens and review the diff")

    return check
