"""Progress of long casemanager-admin commands, on standard error (standard output stays
the command's result, for scripts).

On a terminal: a bar with the count, the rate and the time left (rich), redrawn in place and
gone when the work ends. Anywhere else (a log file, a pipe, cron): a plain line every few
seconds, so a log shows that the work goes on without filling up. Either way the command
ends with one summary line of its own.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

PLAIN_EVERY_SECONDS = 5.0
ENV_EVERY = "CASEMANAGER_PROGRESS_SECONDS"  # another interval for the plain lines (0: all)


def plain_every() -> float:
    text = os.environ.get(ENV_EVERY, "").strip()
    try:
        return max(float(text), 0.0) if text else PLAIN_EVERY_SECONDS
    except ValueError:
        return PLAIN_EVERY_SECONDS


class CommandProgress:
    """A `services.context.Progress` for one command: call it with (done, total, stage)."""

    def __init__(
        self,
        what: str,
        unit: str,
        *,
        stream: TextIO | None = None,
        terminal: bool | None = None,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what, self.unit = what, unit
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.every = plain_every() if every is None else every
        self.clock = clock
        self.started = self.last_line = clock()
        self.stage = ""
        self._bar: Progress | None = None
        self._task = TaskID(0)

    # -- the callback -----------------------------------------------------------------------
    def __call__(self, done: int, total: int, stage: str = "") -> None:
        if stage != self.stage:  # a new stage counts from its own start
            self.stage, self.started, self.last_line = stage, self.clock(), self.clock()
            if self._bar is not None:
                self._bar.reset(self._task, total=total or None, description=self._label())
        if self.terminal:
            self._draw(done, total)
        elif self.clock() - self.last_line >= self.every:
            self.last_line = self.clock()
            print(self.plain_line(done, total), file=self.stream, flush=True)

    def plain_line(self, done: int, total: int) -> str:
        """'demo: 500 / 1,000 patients (50%), 120 patients/s, about 4 s left'; without the
        share and the time left when the total is not known."""
        elapsed = self.clock() - self.started
        unit = "" if self.unit == "bytes" else f" {self.unit}"
        line = f"{self._label()}: {_amount(done, self.unit)}"
        if total:
            line += f" / {_amount(total, self.unit)}{unit} ({done / total:.0%})"
        else:
            line += unit
        if elapsed < 0.5:  # too soon for a rate worth reading (a stage has just started)
            return line
        rate = done / elapsed
        line += f", {_amount(round(rate), self.unit)}{unit}/s"
        if total and rate > 0:
            line += f", about {_duration((total - done) / rate)} left"
        return line

    # -- the terminal bar -------------------------------------------------------------------
    def _draw(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = _bar(self.unit, self.stream)
            self._bar.start()
            self._task = self._bar.add_task(self._label(), total=total or None)
        # Drawn at each report (they come seldom enough), not only on rich's own timer.
        self._bar.update(self._task, completed=done, total=total or None, refresh=True)

    def _label(self) -> str:
        return f"{self.what} ({self.stage})" if self.stage else self.what

    # -- as a context manager: the bar goes away however the command ends --------------------
    def __enter__(self) -> CommandProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


class _Rate(ProgressColumn):
    """Items (or bytes) a second; blank until rich has measured a rate."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        if task.speed is None:
            return Text("")
        if self.unit == "bytes":
            return Text(f"{_amount(round(task.speed), 'bytes')}/s")
        return Text(f"{task.speed:,.0f} {self.unit}/s")


def _bar(unit: str, stream: TextIO) -> Progress:
    # force_terminal: we only get here for a terminal (or a test standing in for one).
    console = Console(file=stream, force_terminal=True)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn() if unit == "bytes" else MofNCompleteColumn(),
        TaskProgressColumn(),
        _Rate(unit),
        TimeRemainingColumn(),
        TextColumn("left"),
        console=console,
        transient=True,  # the command's summary line takes its place
    )


def _amount(value: int, unit: str) -> str:
    if unit != "bytes":
        return f"{value:,}"
    size = float(value)
    for name in ("B", "kB", "MB", "GB"):
        if size < 1000 or name == "GB":
            return f"{size:,.0f} {name}" if name == "B" else f"{size:,.1f} {name}"
        size /= 1000
    raise AssertionError("unreachable")


def _unit_word(unit: str) -> str:
    return "" if unit == "bytes" else unit


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
