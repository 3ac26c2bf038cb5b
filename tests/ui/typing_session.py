"""A therapist typing without pause, in a real app process, for the kill test
(tests/ui/test_crash.py). Run as: python -m tests.ui.typing_session DB_URL MRN LOG_FILE

Logs in as the demo therapist, opens the patient, starts an evaluation and types one
character every 100 ms into "Mechanism of injury", writing "time<TAB>text so far" to the log
after each keystroke, until it is killed."""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

PHRASE = "Lifted a heavy box at work and felt the back lock up; worse bending, better walking. "


def main() -> None:
    url, mrn, log_path = sys.argv[1:4]
    app = QApplication(sys.argv)
    from casemanager.services import demo
    from casemanager.ui.evaluation.window import EvaluationWindow
    from casemanager.ui.shell import Shell
    from tests.ui.conftest import shown

    application = Shell(url)
    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - open until the kill
    state: dict[str, object] = {"step": "login", "typed": ""}

    def tick() -> None:
        step = state["step"]
        window = application.main_window
        listing = window.patient_list if window is not None else None
        chart = window.details if window is not None else None
        if step == "login" and application.start.stack.currentWidget() is application.start.login:
            application.start.login.username.setText("chen")
            application.start.login.password.setText(demo.DEMO_PASSWORD)
            application._log_in()
            state["step"] = "search"
        elif step == "search" and window is not None and window.patient_list is not None:
            window.patient_list.search.setText(mrn)
            state["step"] = "open"
        elif step == "open" and listing is not None and listing.model.rowCount() == 1:
            listing.table.activated_row.emit(0)
            state["step"] = "start"
        elif step == "start" and chart is not None and chart.start_button.isVisible():
            chart.start_button.click()
            state["step"] = "typing"
        elif step == "typing" and (screen := shown(EvaluationWindow)) is not None:
            field = screen.form.mechanism
            typed = str(state["typed"])
            char = PHRASE[len(typed) % len(PHRASE)]
            QTest.keyClicks(field, char)
            state["typed"] = typed + char
            log.write(f"{time.time():.3f}\t{state['typed']}\n")
            log.flush()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    application.open()
    sys.exit(app.exec())


if __name__ == "__main__":
    main()
