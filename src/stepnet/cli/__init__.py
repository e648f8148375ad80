"""The command line over the library: ``stepnet.cli:main``."""

from .group import main

__all__ = ["main"]
