"""The same draft saved from two workstations: this screen's save is refused naming who saved
first, what was typed stays, Compare shows both versions, and either can be kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.services import accounts, demo, evaluations
from casemanager.ui.shell import Shell
from tests.ui.conftest import (
    cell,
    evaluating,
    register_patient,
)


@pytest.mark.parametrize("choice", ["keep mine", "take theirs"])
def test_a_conflicting_save_is_compared_and_resolved(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell], choice: str
) -> None:
    url = f"sqlite:///{tmp_path / 'conflict.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=5, today=date(2026, 11, 26))
    elsewhere = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "front-desk-2")
    target = register_patient(db, elsewhere)

    application = make_application(url)
    window, screen = evaluating(qtbot, application, "chen", target.mrn)
    screen.form.mechanism.setFocus()
    qtbot.keyClicks(screen.form.mechanism, "Lifting a crate")
    qtbot.waitUntil(lambda: "Draft saved" in screen.status.text(), timeout=10_000)

    # The other workstation saves the same draft first.
    stored = evaluations.get_evaluation(db, elsewhere, screen.record.id)
    theirs = replace(stored.content, mechanism_of_injury="Slipped on ice in the car park")
    evaluations.save_draft(db, elsewhere, stored.id, stored.version, theirs)

    qtbot.keyClicks(screen.form.mechanism, " at the warehouse")
    qtbot.waitUntil(lambda: screen.compare_button.isVisible(), timeout=10_000)
    assert "changed by chen" in screen.status.text()
    mine = "Lifting a crate at the warehouse"
    assert screen.form.mechanism.toPlainText() == mine  # nothing typed is lost
    screen.compare_button.click()
    qtbot.waitUntil(lambda: getattr(screen, "compare_dialog", None) is not None, timeout=10_000)
    dialog = screen.compare_dialog
    rows = {
        cell(dialog.table, r, 0): (cell(dialog.table, r, 1), cell(dialog.table, r, 2))
        for r in range(dialog.table.rowCount())
    }
    assert rows == {"Mechanism of injury": (mine, "Slipped on ice in the car park")}

    if choice == "keep mine":
        dialog.keep_button.click()
        qtbot.waitUntil(lambda: "Draft saved" in screen.status.text(), timeout=10_000)
        expected = mine
    else:
        dialog.take_button.click()
        expected = "Slipped on ice in the car park"
        assert screen.form.mechanism.toPlainText() == expected
    assert not screen.compare_button.isVisible()
    saved = evaluations.get_evaluation(db, elsewhere, screen.record.id)
    assert saved.content.mechanism_of_injury == expected
    db.dispose()
