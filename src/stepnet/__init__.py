"""stepnet: the fully worked calculation of a small neural network, one iteration at a time.

>>> import stepnet
>>> run = stepnet.run(stepnet.example("mazur"))
>>> round(run.iterations[0].parameter("w5").updated, 9)
0.35891648

The names below are imported on first use, so ``import stepnet.cli`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .__about__ import __version__

_LAZY = {
    "run": "api", "example": "api", "example_names": "api", "load": "api", "Run": "api", "Iteration": "api",
    "NetworkConfig": "config", "load_config": "config",
    "StepnetError": "errors", "ConfigError": "errors", "UsageError": "errors",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:  # pragma: no cover
    from .api import Iteration, Run, example, example_names, load, run
    from .config.model import NetworkConfig
    from .config.load import load_config
    from .errors import ConfigError, StepnetError, UsageError


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'stepnet' has no attribute {name!r}")
