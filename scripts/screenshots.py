"""The README's screenshots, made again from a demo clinic: the patient list and chart, an
evaluation being filled in, the care-plan preview and the caseload review.

    make screenshots        # runs this under Xvfb (xvfb-run) when it is installed
    python scripts/screenshots.py [--out docs/screenshots] [--size 1366x768]

Each window is drawn by Qt itself (QWidget.grab), at the given size, so the pictures are the
same under Xvfb and the offscreen platform. The clinic is made-up demo data in a temporary
folder: no real patient ever appears.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from casemanager.db.engine import Database  # noqa: E402
from casemanager.db.migrate import upgrade  # noqa: E402
from casemanager.domain.enums import PatientStatus  # noqa: E402
from casemanager.domain.patients import PatientQuery  # noqa: E402
from casemanager.services import accounts, demo, patients  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def settle(seconds: float = 0.0) -> None:
    end = time.perf_counter() + seconds
    while True:
        QCoreApplication.processEvents()
        if time.perf_counter() >= end:
            return
        time.sleep(0.005)


def wait(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        settle(0.02)
        if time.perf_counter() > deadline:
            raise TimeoutError(f"waited too long for: {what}")


def save(widget: QWidget, path: Path) -> None:
    settle(0.3)
    widget.repaint()
    picture = widget.grab()
    if not picture.save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def log_in(url: str, username: str, width: int, height: int) -> Any:
    from casemanager.ui.shell import Shell

    shell = Shell(url)
    shell.open()
    login = shell.start.login
    wait(lambda: shell.start.stack.currentWidget() is login, "the login page")
    QTest.keyClicks(login.username, username)
    QTest.keyClicks(login.password, demo.DEMO_PASSWORD)
    QTest.keyClick(login.password, Qt.Key.Key_Return)
    wait(
        lambda: shell.main_window is not None and shell.main_window.new_patient_action.isEnabled(),
        "the main window",
    )
    window = shell.main_window
    window.resize(width, height)
    window.activateWindow()
    settle(0.5)
    return shell


def open_patient(window: Any, mrn: str) -> None:
    search = window.patient_list.search
    search.clear()
    QTest.keyClicks(search, mrn)
    QTest.keyClick(search, Qt.Key.Key_Return)
    wait(lambda: window.patient_list.model.rowCount() == 1, "the search")
    QTest.keyClick(search, Qt.Key.Key_Return)
    wait(lambda: window.details.values["mrn"].text() == mrn, "the chart")


def shown(kind: type) -> Any:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", default="1366x768")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.sqlite3'}"
        db = Database(url)
        upgrade(db)
        demo.generate_demo_clinic(db, patients=120, seed=7)
        chen = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "screenshots")
        mine = PatientQuery(status=PatientStatus.ACTIVE, therapist_id=chen.user_id)
        active = patients.list_patients(db, chen, mine, offset=0, limit=50)
        returning = patients.list_patients(
            db,
            chen,
            PatientQuery(status=PatientStatus.DISCHARGED, therapist_id=chen.user_id),
            offset=0,
            limit=1,
        )[0]
        db.dispose()
        shoot(url, active, returning, args.out, width, height)
    del app


def shoot(url: str, active: list[Any], returning: Any, out: Path, width: int, height: int) -> None:
    from casemanager.ui.documents.dialog import DocumentDialog
    from casemanager.ui.evaluation.window import EvaluationWindow

    shell = log_in(url, "chen", width, height)
    window = shell.main_window

    # The patient list and a chart with a signed plan (it prints).
    for summary in active:
        open_patient(window, summary.mrn)
        settle(0.5)
        if window.details.print_button.isVisible():
            break
    # The list beside it: every therapist's active patients (the chart stays).
    listing = window.patient_list
    listing.search.clear()
    listing.therapist.setCurrentIndex(listing.therapist.findText("All therapists"))
    wait(lambda: listing.model.rowCount() > 5, "the list of active patients")
    settle(1.0)
    save(window, out / "patient-list-and-chart.png")

    # The care-plan preview: Ctrl+P.
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait(lambda: shown(DocumentDialog) is not None, "the print dialog")
    dialog = shown(DocumentDialog)
    dialog.resize(min(width, 1000), height)
    wait(lambda: "Ready" in dialog.status.text(), "the preview")
    settle(1.0)
    save(dialog, out / "care-plan-preview.png")
    dialog.reject()

    # An evaluation, as a returning patient's new episode is filled in with the keys.
    open_patient(window, returning.mrn)
    wait(lambda: window.details.start_button.isVisible(), "Start evaluation")
    QTest.mouseClick(window.details.start_button, Qt.MouseButton.LeftButton)
    wait(lambda: shown(EvaluationWindow) is not None, "the evaluation")
    screen = shown(EvaluationWindow)
    screen.resize(width, height)
    screen.activateWindow()
    settle(0.5)
    form = screen.form
    QTest.keyClicks(form.onset_date, "11/10/2026")
    QTest.keyClicks(form.mechanism, "Lifted a 20 kg box from the floor, twisting to the left.")
    QTest.mouseClick(form.all_no, Qt.MouseButton.LeftButton)
    form.nprs_now.setFocus()
    for key in "728":
        QTest.keyClicks(QApplication.focusWidget(), key)
    QTest.keyClicks(form.pain_location, "Left lower back")
    form.odi[0].setFocus()
    for key in "2321221101" + "10110001":
        QTest.keyClicks(QApplication.focusWidget(), key)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    settle(0.5)
    save(screen, out / "evaluation.png")
    screen.close()
    wait(lambda: not screen.isVisible(), "the evaluation to save and close")
    window.close()
    shell.shutdown()
    settle(0.3)

    # The caseload review, as the office manager opens the app.
    shell = log_in(url, "manager", width, height)
    window = shell.main_window
    wait(lambda: window.caseload is not None, "the caseload")
    window.views.setCurrentWidget(window.views.widget(0))
    for index in range(window.views.count()):
        if "aseload" in window.views.tabText(index):
            window.views.setCurrentIndex(index)
    settle(3.0)
    save(window, out / "caseload.png")
    window.close()
    shell.shutdown()
    settle(0.3)


if __name__ == "__main__":
    main()
