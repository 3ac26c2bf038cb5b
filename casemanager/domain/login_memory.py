"""What one login leaves in memory for the next person at the workstation: nothing of its
patients. Every cache that may hold a patient's text (names, notes, phone numbers, lines of
a rendered plan, a font subset cut for a name) says here how to empty itself, and a logout
empties them all (the shell, after the logout's own work). Caches of fixed wording (catalog
entries, styles, exercise drawings, dates) hold no patient's text and stay.

A module's caches register when it is imported: one never imported holds nothing.
`tests/test_login_memory.py` finds every cache in the package and requires each to be
registered here or named as fixed wording.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

Forget = TypeVar("Forget", bound=Callable[[], None])

_forgets: list[Callable[[], None]] = []
_lock = threading.Lock()


def forget_at_log_out(forget: Forget) -> Forget:
    """Register `forget` (it empties one cache) to run at every logout; returns it."""
    with _lock:
        _forgets.append(forget)
    return forget


def forget_everything() -> None:
    """Empty every registered cache (any thread: each does its own locking)."""
    with _lock:
        forgets = list(_forgets)
    for forget in forgets:
        forget()


def registered() -> tuple[Callable[[], None], ...]:
    with _lock:
        return tuple(_forgets)
