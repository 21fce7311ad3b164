"""Exceptions raised by the library. The CLI turns them into `Error: ...` lines at one boundary."""

from __future__ import annotations


class DedupeError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(DedupeError):
    """A file, record or argument that cannot be read as articles.

    The message names the place (file and, for JSON Lines, line) and how to fix it.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        where = path if line is None else f"{path} line {line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.line = line
        self.reason = message


class ConfigError(DedupeError):
    """A setting that is out of range or inconsistent with another."""


class StoreError(DedupeError):
    """A persistent index that cannot be opened, read or written."""
