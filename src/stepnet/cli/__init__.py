"""The command line over the library: ``stepnet.cli:main``."""

from .app import main

__all__ = ["main"]
