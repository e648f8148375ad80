"""The sizes stepnet accepts, in one place, so that every message can state them.

Each limit keeps a command's time and memory bounded on an ordinary laptop, and each
is far beyond what a worked example needs.  Messages that refuse an input name the
limit and how to stay under it.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1024 * 1024  # a config or claims file; larger networks take init: instead
MAX_VALUES = 100_000  # scalars in one YAML document, before and after aliases are expanded
MAX_DEPTH = 64  # nested mappings and lists in one YAML document
MAX_LAYER_SIZE = 65_536  # neurons in one layer
MAX_PARAMETERS = 5_000_000  # weights and biases of the whole network
MAX_ITERATIONS = 10_000_000  # updates in one run: the loss history then takes 80 MB
MAX_INIT_BOUND = 1e6  # |low| and |high| of a uniform init
MAX_OUTPUT_BYTES = 2_000_000_000  # one run's document, in a file or on standard output (estimated before the run)
MAX_HELD_BYTES = 1_000_000_000  # memory the traced iterations take at once: one when streamed, all for a document
DEFAULT_SAMPLE = 500  # stepnet check on a larger network draws this many parameters, unless told otherwise


def size_text(count: int) -> str:
    """``2 MiB (2,097,152 bytes)``: a byte count as people and programs both read it."""
    mib = count / (1024 * 1024)
    return f"{mib:g} MiB ({count:,} bytes)"
