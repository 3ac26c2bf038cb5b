"""The administrator's panels on their own, no database: what they ask for (their signals
are their port) and what they show of the answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from casemanager.domain.enums import AuditAction, AuditOutcome, DataCategory, Role
from casemanager.services.accounts import UserInfo
from casemanager.services.audit_log import AuditRow
from casemanager.ui.admin.audit_view import AuditPanel
from casemanager.ui.admin.users import UsersPanel
from tests.ui.conftest import cell

TODAY = date(2026, 11, 26)


def _panel(qtbot: QtBot) -> tuple[AuditPanel, list[dict[str, Any]]]:
    panel = AuditPanel(TODAY)
    qtbot.addWidget(panel)
    asked: list[dict[str, Any]] = []
    panel.search_requested.connect(asked.append)
    panel.show()
    return panel, asked


def _row(row_id: int) -> AuditRow:
    return AuditRow(
        row_id,
        datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
        "chen",
        "ws-2",
        42,
        "Rivera, Ana (MRN-00042)",
        AuditAction.READ,
        DataCategory.CLINICAL,
        AuditOutcome.SUCCESS,
        "",
    )


def test_the_log_asks_for_what_the_filters_say(qtbot: QtBot) -> None:
    panel, asked = _panel(qtbot)
    qtbot.keyClicks(panel.user, " Chen ")
    qtbot.keyClicks(panel.mrn, "MRN-00042")
    qtbot.keyClick(panel.mrn, Qt.Key.Key_Return)
    assert asked == [
        {"start": TODAY, "end": TODAY, "actor": "chen", "patient_mrn": "MRN-00042", "action": None}
    ]
    assert panel.status.text() == "Reading the audit log…" and not panel.show_button.isEnabled()
    panel.show_rows([_row(1), _row(2)], limit=2)
    assert panel.table.model.rowCount() == 2 and panel.show_button.isEnabled()
    assert "2 rows (the newest ones; narrow the filters" in panel.status.text()

    panel.use_dates.setChecked(False)  # every date
    panel.show_button.click()
    assert asked[-1]["start"] is None and asked[-1]["end"] is None


def test_dates_the_wrong_way_round_are_not_asked_for(qtbot: QtBot) -> None:
    panel, asked = _panel(qtbot)
    panel.start.setDate(QDate(2026, 11, 27))
    panel.show_button.click()
    assert asked == []
    assert panel.status.text() == "The From date is after the To date. Swap them."


def test_accounts_show_and_the_own_account_cannot_be_deactivated(qtbot: QtBot) -> None:
    panel = UsersPanel(own_user_id=1)
    qtbot.addWidget(panel)
    panel.show()
    asked: list[tuple[int, bool]] = []
    panel.active_requested.connect(lambda user_id, value: asked.append((user_id, value)))
    panel.show_users(
        [
            UserInfo(1, "admin", "Sam Admin", Role.ADMINISTRATOR, None, True, None),
            UserInfo(7, "chen", "Wei Chen, PT", Role.THERAPIST, "PT-1", False, None),
        ]
    )
    assert cell(panel.table, 1, 4) == "deactivated" and cell(panel.table, 1, 5) == "never"
    panel.table.selectRow(0)
    assert not panel.active_button.isEnabled()  # one's own account
    panel.table.selectRow(1)
    assert panel.active_button.text() == "Re&activate"
    panel.active_button.click()
    assert asked == [(7, True)]
