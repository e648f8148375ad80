"""stepnet: the fully worked calculation of a small neural network, one iteration at a time.

>>> import stepnet
>>> run = stepnet.run(stepnet.example("mazur"))
>>> round(run.iterations[0].parameter("w5").updated, 9)
0.35891648

The package reads as the flow of a run, one subpackage per stage:

* ``config``: YAML text to a frozen, validated ``NetworkConfig``, every value's position kept;
* ``engine``: activations and losses, the network's per-layer arrays, optimizers, the
  fast untraced loop, the trace of every value, training;
* ``derive``: the expression tree and its printers, the names and symbols of every
  quantity, the chain-rule lines of a worked iteration, ``explain``, the report;
* ``verify``: independent oracles (finite differences, sympy), claims and their likely
  causes, hand mode against full precision;
* ``render``: terminal, Markdown, JSON and the other outputs, each reading the report;
* ``cli``: the command line over the library, the only place that prints or exits.

``api`` is the Python API over them; ``errors`` holds the exceptions, ``limits`` the
sizes stepnet accepts.  The names below are imported on first use, so
``import stepnet.cli`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .__about__ import __version__

_LAZY = {
    "run": "api", "stream": "api", "example": "api", "example_names": "api", "load": "api", "Run": "api",
    "Iteration": "api",
    "NetworkConfig": "config.model", "load_config": "config.load", "from_torch": "bridge", "to_yaml": "bridge",
    "StepnetError": "errors", "ConfigError": "errors", "ConfigErrors": "errors", "UsageError": "errors",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:  # pragma: no cover
    from .api import Iteration, Run, example, example_names, load, run, stream
    from .bridge import from_torch, to_yaml
    from .config.load import load_config
    from .config.model import NetworkConfig
    from .errors import ConfigError, ConfigErrors, StepnetError, UsageError


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'stepnet' has no attribute {name!r}")
