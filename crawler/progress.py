"""Progress on long commands (reparse, export, drain): a click progress bar on a terminal, silence in pipes.

The bar goes to stderr so that piped stdout stays the command's result; when stderr is not a
terminal (a pipe, a log file, CI) nothing is drawn at all — click would still print the label.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, Protocol, TextIO

import click


class Progress(Protocol):
    # Any: click's bar takes an item of its own type there
    def update(self, n_steps: int, current_item: Any = None) -> None: ...


class _Quiet:
    def update(self, n_steps: int, current_item: object = None) -> None:
        """Nothing to draw in a pipe."""


def on_terminal(stream: IO[str] | None = None) -> bool:
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", None)) and stream.isatty()


class _Counter:
    """A live line for work without a known total (a drain waits on the crawl): ``label: N``."""

    def __init__(self, label: str, stream: IO[str]) -> None:
        self.label, self.stream, self.count = label, stream, 0

    def update(self, n_steps: int, current_item: object = None) -> None:
        self.count += n_steps
        self.stream.write(f"\r{self.label}: {self.count}")
        self.stream.flush()

    def finish(self) -> None:
        if self.count:
            self.stream.write("\n")


@contextmanager
def progress(length: int | None, label: str, *, stream: TextIO | None = None) -> Iterator[Progress]:
    """A bar of ``length`` steps (None: a count without a total) on a terminal, else a no-op."""
    stream = stream or sys.stderr
    if not on_terminal(stream):
        yield _Quiet()
        return
    if length is None:
        counter = _Counter(label, stream)
        try:
            yield counter
        finally:
            counter.finish()
        return
    with click.progressbar(length=length, label=label, file=stream, show_pos=True) as bar:
        yield bar
