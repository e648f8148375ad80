"""Exceptions the library raises and the CLI turns into messages and exit codes.

Exit codes: 1 for a bad config or a failed check, 2 for a bad command line
(click's own convention), 3 for an internal error (a bug in stepnet).
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with every control or invisible formatting character written as its escape.

    A config is untrusted text: an ESC sequence in a key would reprogram the terminal
    that prints the error, a newline would split a one-line message, and U+202E would
    reverse what follows.  They are shown as ``\\x1b``, ``\\n`` and ``\\u202e``, as
    ``repr`` writes them.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class StepnetError(Exception):
    """Base of every error stepnet reports to a user without a traceback."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def format(self) -> str:
        """The message and its hint, with anything taken from the input made printable."""
        text = printable(self.message)
        if self.hint:
            text += f"\n  hint: {printable(self.hint)}"
        return text


class ConfigError(StepnetError):
    """A config that cannot be used, located as precisely as YAML allows.

    ``str()`` gives the one-line form ``file:line:col: key.path: message``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.file = file
        self.line = line
        self.column = column
        self.key = key

    def location(self) -> str:
        where = printable(self.file or "<config>")
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format(self) -> str:
        key = f"{printable(self.key)}: " if self.key else ""
        return f"{self.location()}: {key}{super().format()}"

    def __str__(self) -> str:
        return self.format()


class ConfigErrors(ConfigError):
    """Several independent problems in one config.

    It reads as the first of them (``format()``, ``line``, ``key`` ...), so that whatever
    reports one error reports that one; ``errors`` holds them all, in the order found.
    ``complete`` is False when checking stopped early, after too many errors to be worth listing.
    """

    def __init__(self, errors: list[ConfigError], complete: bool = True) -> None:
        flat = [one for error in errors for one in each_error(error)]
        first = flat[0]
        super().__init__(first.message, file=first.file, line=first.line, column=first.column, key=first.key,
                         hint=first.hint)
        self.errors = flat
        self.complete = complete and all(getattr(error, "complete", True) for error in errors)

    def _count(self) -> tuple[str, str]:
        more = len(self.errors) - 1
        count = f"{'' if self.complete else 'at least '}{more:,} more error{'' if more == 1 else 's'}"
        return count, "them all" if self.complete else "them"

    def format(self) -> str:
        """The first error, and a note of how many more there are and where to see them."""
        count, them = self._count()
        if self.file and not self.file.startswith("<"):
            where = f"`stepnet validate {printable(self.file)}`"
            return f"{super().format()}\n  note: {count} in this file; {where} lists {them}"
        return f"{super().format()}\n  note: {count} in this config; the exception's errors list holds {them}"

    def __str__(self) -> str:
        """One line, as every exception of stepnet's: the first error and how many more ``errors`` holds."""
        count, them = self._count()
        return f"{super().format()} ({count}; .errors holds {them})"

    @classmethod
    def of(cls, errors: list[ConfigError]) -> ConfigError:
        """One error as itself, several as a :class:`ConfigErrors`."""
        flat = [one for error in errors for one in each_error(error)]
        complete = all(getattr(error, "complete", True) for error in errors)
        return flat[0] if len(flat) == 1 and complete else cls(errors)


def each_error(error: ConfigError) -> list[ConfigError]:
    """The problems ``error`` stands for: its ``errors`` if it holds several, else itself."""
    return list(error.errors) if isinstance(error, ConfigErrors) else [error]


class UsageError(StepnetError):
    """A request the network cannot answer (unknown parameter name, iteration out of range)."""

    exit_code = 2


class DivergenceError(StepnetError):
    """Training produced NaN or infinity; carries what was computed before it."""

    def __init__(self, message: str, hint: str | None = None, run=None) -> None:
        super().__init__(message, hint)
        self.run = run


class CheckFailed(StepnetError):
    """A gradient check or a claim did not hold; the report is still printed."""
