"""What an evaluation costs in actions: the real app, driven offscreen with user-level events
only (clicks, wheel notches, key presses, text typed into fields), from "patient selected" to
"take-home plan saved as a PDF", counted by the rules of the issue "An evaluation at the
patient's pace":

- 1 per click or wheel notch; 1 per non-character key (Tab, Enter, arrows, Space, Backspace,
  Alt+letter, shortcuts);
- 1 per free-text field filled, whatever its length;
- each key or click a combo or spin box needs (a one-key score is 1).

Two runs, each once with mouse and keyboard and once keyboard only: (a) the complete initial
evaluation of the issue's table, (b) the minimum the app accepts to sign and print. Each
run ends by reading back that the evaluation is signed and that the saved PDF holds the
patient's plan (asserted here, not in the test suite).

    python benchmarks/documentation.py

With the mouse, the driver takes whichever is cheaper to reach a field: Tab presses, or the
wheel notches that bring it into view plus a click. Keyboard only, it takes Tab presses or a
section's Ctrl+digit plus Tab presses. The system "Save as" dialog is answered with Enter
(counted as 1), since a native dialog cannot be driven offscreen. The window manager's part
(giving a window back its activation when a dialog closes) is done by the script, uncounted.

The patient is a returning one with no open episode, as in the issue: a discharged patient of
the demo clinic, whose past episode (built through the services by the demo generator) holds
a signed initial evaluation and discharge summary. The complete run does what a therapist
would: the chief complaint is typed in the patient's words (a new evaluation starts without
one); "Keep these" (Alt+K) takes over past medical history, medications, occupation and
activities from that episode, and Tab then passes those by; the other six history fields are
typed (onset as "2 weeks ago"). Choosing the primary cause offers its template and "Apply
template" (Alt+Y) fills the two ICD-10 codes, the PT plan and medication referral, two goals,
three home exercises and the certification period; the run then edits what differs for this
patient (no muscle relaxant), agrees to the complexity the findings support when it is the
level wanted (Alt+R; otherwise it picks the level), and checks, before signing, that the
table's content is all there. It signs with "Sign and print" (Alt+P) from the summary shown
before signing. The minimum path applies the template too, since that is its cheapest way to
the codes and a treatment path.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pypdf import PdfReader  # noqa: E402
from PySide6.QtCore import QCoreApplication, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QWheelEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QScrollArea,
    QWidget,
)

from casemanager.db.engine import Database  # noqa: E402
from casemanager.db.migrate import upgrade  # noqa: E402
from casemanager.domain.enums import (  # noqa: E402
    Cause,
    Complexity,
    PatientStatus,
    TreatmentPathKind,
)
from casemanager.domain.patients import PatientQuery  # noqa: E402
from casemanager.services import accounts, demo, patients  # noqa: E402
from casemanager.ui.evaluation.carry_forward import CarryForwardBar  # noqa: E402
from casemanager.ui.evaluation.template_offer import TemplateOffer  # noqa: E402

# The figures before this work, and its goals.
TODAY_FIGURES = {"complete": (149, 212), "minimum": (41, 65)}
# This benchmark before templates, carry-forward and default dates reached the evaluation
# (the same patient typed every field of the table).
BEFORE_FILLS = {"complete": (114, 131), "minimum": (27, 32)}
GOALS = {"complete": (60, 75), "minimum": (25, 25)}
MAX_TABS = 80  # a field farther than this by Tab is a fault of the script


def settle(seconds: float = 0.0) -> None:
    end = time.perf_counter() + seconds
    while True:
        QCoreApplication.processEvents()
        if time.perf_counter() >= end:
            return
        time.sleep(0.002)


def wait(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        settle(0.01)
        if time.perf_counter() > deadline:
            raise TimeoutError(f"waited too long for: {what}")


def _is_stop(widget: QWidget) -> bool:
    return bool(
        widget.isVisible()
        and widget.isEnabled()
        and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        and widget.focusProxy() is None
    )


def tab_distance(start: QWidget, target: QWidget, *, back: bool = False) -> int | None:
    """How many Tab (or Shift+Tab) presses from `start` reach `target` (the focus chain, as
    Qt walks it)."""
    widget, count, seen = start, 0, set()
    while count <= MAX_TABS:
        widget = widget.previousInFocusChain() if back else widget.nextInFocusChain()
        if widget is None or id(widget) in seen:
            return None
        seen.add(id(widget))
        if _is_stop(widget) and widget.window() is start.window():
            count += 1
            if widget is target:
                return count
    return None


@dataclass
class Tally:
    counts: Counter[str]
    section: str = ""

    def add(self, n: int = 1) -> None:
        self.counts[self.section] += n

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Driver:
    """Presses keys and clicks as a person would, counting each."""

    def __init__(self, keyboard_only: bool) -> None:
        self.keyboard_only = keyboard_only
        self.tally = Tally(Counter())
        self.section_keys: dict[QWidget, tuple[str, QWidget]] = {}  # group -> (keys, first input)
        self.enter: Any = None  # the form's EnterMovesOn: where Enter goes from a field
        self.arrow_groups: list[Any] = []  # tick boxes that are one Tab stop, arrows inside

    # -- counted events -----------------------------------------------------------------------
    def focus(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def key(
        self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        QTest.keyClick(self.focus(), key, modifiers)
        self.tally.add()
        settle()

    def chars(self, text: str, counted: int) -> None:
        """Characters typed where the focus is, each to the widget that has it then."""
        for char in text:
            QTest.keyClicks(self.focus(), char)
        self.tally.add(counted)
        settle()

    def click(self, widget: QWidget, at: QPoint | None = None) -> None:
        self._wheel_into_view(widget)
        if at is None:
            at = widget.rect().center()
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
        self.tally.add()
        settle()

    def _notches_to_view(self, widget: QWidget) -> tuple[QScrollArea | None, int]:
        parent = widget.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is None:
            return None, 0
        viewport = parent.viewport()
        top = widget.mapTo(viewport, QPoint(0, 0)).y()
        bottom = top + widget.height()
        step = parent.verticalScrollBar().singleStep() * QApplication.wheelScrollLines()
        if top < 0:
            return parent, -((-top + step - 1) // step)
        if bottom > viewport.height():
            return parent, (bottom - viewport.height() + step - 1) // step
        return parent, 0

    def _wheel_into_view(self, widget: QWidget) -> None:
        scroller, notches = self._notches_to_view(widget)
        if scroller is None or notches == 0:
            return
        viewport = scroller.viewport()
        where = QPointF(4, 4)  # the margin: no box under the pointer
        for _ in range(abs(notches)):
            event = QWheelEvent(
                where,
                viewport.mapToGlobal(where),
                QPoint(0, 0),
                QPoint(0, -120 if notches > 0 else 120),
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase,
                False,
            )
            QApplication.sendEvent(viewport, event)
            self.tally.add()
        settle()

    def press(self, button: QAbstractButton, alt_key: Qt.Key) -> None:
        """A button with a mnemonic: its Alt+letter, or with the mouse a click when that is
        no dearer (a button out of view needs wheel notches first)."""
        _scroller, notches = self._notches_to_view(button)
        if not self.keyboard_only and notches == 0:
            self.click(button)
        else:
            self.key(alt_key, Qt.KeyboardModifier.AltModifier)

    # -- moving to a field ----------------------------------------------------------------------
    def _keyboard_route(self, target: QWidget) -> tuple[int, str | None]:
        """Cheapest keyboard route: (presses, section keys to press first or None)."""
        here = self.focus()
        best: tuple[int, str | None] = (tab_distance(here, target) or 10_000, None)
        back = tab_distance(here, target, back=True)
        if back is not None and back < best[0]:
            best = (back, "Shift+Tab")
        if self.enter is not None and self.enter.next_for(here) is target:
            best = (1, "Enter")
        for group, (keys, first) in self.section_keys.items():
            if group.isAncestorOf(target):
                via = 0 if first is target else tab_distance(first, target)
                if via is not None and 1 + via < best[0]:
                    best = (1 + via, keys)
        return best

    def go_to(self, target: QWidget, *, click_ok: bool = True) -> None:
        if target.hasFocus():
            return
        presses, keys = self._keyboard_route(target)
        if os.environ.get("BENCH_DEBUG"):
            print(
                "go_to",
                target.accessibleName(),
                "from",
                self.focus().accessibleName(),
                presses,
                keys,
            )
        if not self.keyboard_only and click_ok:
            _scroller, notches = self._notches_to_view(target)
            if 1 + abs(notches) < presses:
                self.click(target)
                assert target.hasFocus(), f"a click did not focus {target.accessibleName()!r}"
                return
        assert presses < 10_000, f"no keyboard route to {target.accessibleName()!r}"
        tab, shift = Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier
        if keys == "Enter":
            self.key(Qt.Key.Key_Return)
        elif keys == "Shift+Tab":
            tab, shift = Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier
        elif keys is not None:
            number = int(keys.rsplit("+", 1)[1])
            self.key(getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        for _ in range(presses):
            if target.hasFocus():
                break
            self.key(tab, shift)
        assert target.hasFocus(), (
            f"Tab did not reach {target.accessibleName()!r}: the focus is on "
            f"{self.focus().accessibleName()!r} ({type(self.focus()).__name__})"
        )
        settle()

    # -- filling -------------------------------------------------------------------------------
    def text(self, field: QWidget, text: str) -> None:
        self.go_to(field)
        self.chars(text, counted=1)

    def digits(self, text: str) -> None:
        """One-key answers where the focus is: the focus moves on by itself."""
        for char in text:
            self.chars(char, counted=1)

    def number(self, spin: QWidget, text: str) -> None:
        """A number box: each key counts."""
        self.go_to(spin)
        self.chars(text, counted=len(text))

    def choose(self, combo: QComboBox, data: Any) -> None:
        index = combo.findData(data)
        assert index >= 0
        if combo.currentIndex() == index:
            return
        presses, _keys = self._keyboard_route(combo)
        _scroller, notches = self._notches_to_view(combo)
        arrows = abs(index - combo.currentIndex())
        letter = _letter_reaching(combo, index) if arrows > 1 else None
        if letter is not None:
            arrows = 1  # one letter key
        by_mouse = 2 + abs(notches)  # open the list, click the entry
        if not self.keyboard_only and by_mouse < (0 if combo.hasFocus() else presses) + arrows:
            self.click(combo)
            view = combo.view()
            wait(view.isVisible, "the list of the box to open", 5)
            # A release within the double-click time of the opening click is ignored.
            settle(QApplication.doubleClickInterval() / 1000 + 0.05)
            rect = view.visualRect(combo.model().index(index, 0))
            QTest.mouseClick(
                view.viewport(),
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
                rect.center(),
            )
            self.tally.add()
            settle()
        else:
            self.go_to(combo, click_ok=False)  # a click would open the list
            if letter is not None:
                self.chars(letter, counted=1)  # the box jumps to the entry starting so
            else:
                key = Qt.Key.Key_Down if index > combo.currentIndex() else Qt.Key.Key_Up
                for _ in range(arrows):
                    self.key(key)
        assert combo.currentIndex() == index, (
            f"{combo.accessibleName()} not chosen: at {combo.currentIndex()}, wanted {index}, "
            f"focus {self.focus().accessibleName()!r}, popup {combo.view().isVisible()}"
        )

    def tick(self, box: QAbstractButton | QGroupBox, *, press: bool = False) -> None:
        """A tick box, a checkable group or a button: a click, or Space on it."""
        before = box.isChecked() if not press else None
        presses, _keys = self._keyboard_route(box)
        group = next((g for g in self.arrow_groups if box in g.boxes), None)
        if group is not None and box is not group.stop:
            to_stop, _ = self._keyboard_route(group.stop)
            offset = abs(group.boxes.index(box) - group.boxes.index(group.stop))
            if _box_letter(group.boxes, group.stop, box) is not None:
                offset = 1  # its first letter
            presses = (0 if group.stop.hasFocus() else to_stop) + offset
        _scroller, notches = self._notches_to_view(box)
        if not self.keyboard_only and 1 + abs(notches) <= (0 if box.hasFocus() else presses) + 1:
            at = None
            if isinstance(box, QGroupBox):
                at = QPoint(12, box.fontMetrics().height() // 2 + 1)  # its title's tick box
            elif isinstance(box, QCheckBox):
                at = QPoint(8, box.height() // 2)  # on the tick box, not the empty space
            self.click(box, at)
        else:
            group = next((g for g in self.arrow_groups if box in g.boxes), None)
            if group is not None and box is not group.stop:
                self.go_to(group.stop, click_ok=False)  # the group's one Tab stop
                here = group.boxes.index(group.stop)
                letter = _box_letter(group.boxes, group.stop, box)
                if letter is not None and abs(group.boxes.index(box) - here) > 1:
                    self.chars(letter, counted=1)  # the box whose label starts so
                arrow = Qt.Key.Key_Down if group.boxes.index(box) > here else Qt.Key.Key_Up
                while not box.hasFocus():
                    self.key(arrow)
            else:
                self.go_to(box, click_ok=False)
            self.key(Qt.Key.Key_Space)
        if before is not None:
            assert box.isChecked() != before, f"{box.accessibleName() or box} not toggled"


def _field_text(field: QWidget) -> str:
    text = field.toPlainText() if hasattr(field, "toPlainText") else field.text()
    return str(text).strip()


def _carried_fields(form: Any) -> list[QWidget]:
    return [form.medical_history, form.medications, form.occupation, form.activities]


def _check_plan(form: Any, complete: bool) -> None:
    """The content of the issue's table is there before signing: what the template filled
    in is checked here (a filled-in field is only counted once it holds its value)."""
    plan = form.plan
    codes = [c for c in form.codes.text().replace(";", ",").split(",") if c.strip()]
    assert len(codes) >= (2 if complete else 1), f"codes: {form.codes.text()!r}"
    medication = plan.paths[TreatmentPathKind.MEDICATION_REFERRAL]
    assert medication.isChecked() and plan.anti_inflammatory.isChecked(), "medication referral"
    if not complete:
        return
    assert plan.paths[TreatmentPathKind.PT_PLAN].isChecked(), "PT plan"
    goals = [text for _term, text, _target in plan.goals if _field_text(text)]
    assert len(goals) >= 2, "two goals"
    chosen = [row for row in plan.exercise_rows if row[0].currentData() is not None]
    assert len(chosen) >= 3, "three home exercises"
    assert _field_text(plan.cert_start) and _field_text(plan.cert_end), "certification"


def _box_letter(boxes: list[Any], here: Any, box: Any) -> str | None:
    """The letter whose key press in a group of tick boxes moves from `here` to `box` (the
    next box whose label starts with it), if there is one."""
    letter = box.text().replace("&", "")[:1].lower()
    if not letter.isalpha():
        return None
    start = boxes.index(here)
    for step in range(1, len(boxes) + 1):
        at = boxes[(start + step) % len(boxes)]
        if at.text().replace("&", "").lower().startswith(letter):
            return letter if at is box else None
    return None


def _letter_reaching(combo: QComboBox, index: int) -> str | None:
    """The letter whose key press moves the closed box to `index` (it searches from the
    entry after the current one), if there is one."""
    letter = combo.itemText(index)[:1].lower()
    if not letter.isalpha():
        return None
    count = combo.count()
    for step in range(1, count + 1):
        at = (combo.currentIndex() + step) % count
        if combo.itemText(at).lower().startswith(letter):
            return letter if at == index else None
    return None


def _clinic(folder: Path) -> tuple[str, str, str]:
    """A demo clinic and a returning patient of Wei Chen with no open episode."""
    url = f"sqlite:///{folder / 'clinic.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=40, seed=4)
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "bench")
    found = patients.list_patients(
        db,
        therapist,
        PatientQuery(status=PatientStatus.DISCHARGED, therapist_id=therapist.user_id),
        offset=0,
        limit=1,
    )[0]
    db.dispose()
    return url, found.mrn, found.family_name


def _open_patient(url: str, mrn: str) -> Any:
    """Log in and select the patient (not counted: the runs start at "patient selected")."""
    from casemanager.ui.shell import Shell

    shell = Shell(url)
    shell.open()
    login = shell.start.login
    wait(lambda: shell.start.stack.currentWidget() is login, "the login page")
    QTest.keyClicks(login.username, "chen")
    QTest.keyClicks(login.password, demo.DEMO_PASSWORD)
    QTest.keyClick(login.password, Qt.Key.Key_Return)
    wait(
        lambda: shell.main_window is not None and shell.main_window.new_patient_action.isEnabled(),
        "the patient list",
    )
    window = shell.main_window
    window.resize(1366, 768)
    window.activateWindow()
    settle(0.2)
    search = window.patient_list.search
    QTest.keyClicks(search, mrn)
    QTest.keyClick(search, Qt.Key.Key_Return)
    wait(lambda: window.patient_list.model.rowCount() == 1, "the search")
    QTest.keyClick(search, Qt.Key.Key_Return)
    wait(lambda: window.details.values["mrn"].text() == mrn, "the chart")
    wait(lambda: window.details.start_button.isVisible(), "Start evaluation")
    return shell


def _evaluation_window() -> Any:
    from casemanager.ui.evaluation.window import EvaluationWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, EvaluationWindow) and widget.isVisible():
            return widget
    return None


def run(kind: str, keyboard_only: bool, folder: Path) -> Counter[str]:
    url, mrn, family = _clinic(folder)
    shell = _open_patient(url, mrn)
    window = shell.main_window
    drive = Driver(keyboard_only)
    tally = drive.tally

    tally.section = "start"
    if keyboard_only:
        drive.key(Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    else:
        drive.click(window.details.start_button)
    wait(lambda: _evaluation_window() is not None, "the evaluation window")
    screen = _evaluation_window()
    screen.resize(1366, 768)
    screen.activateWindow()
    wait(lambda: QApplication.activeWindow() is screen, "the evaluation window to be active")
    settle(0.3)
    form = screen.form
    for title, keys in form.section_keys.items():
        group = form.groups[title]
        first = form.first_input(group)
        if first is not None:
            drive.section_keys[group] = (keys, first)
    drive.enter = form.enter_moves_on
    drive.arrow_groups = form.arrow_groups
    plan = form.plan
    complete = kind == "complete"

    tally.section = "history"
    if not form.chief_complaint.text():  # the referral's complaint comes filled in
        drive.text(form.chief_complaint, "Low back spasm after lifting boxes at work")
    # A returning patient: past history, medications, occupation and activities of the last
    # episode are offered (both runs check it); the complete run takes them in one action.
    carried = screen.findChild(CarryForwardBar)
    wait(lambda: carried.isVisible() and carried.keep_button.isEnabled(), "carry-forward")
    if complete:
        assert not any(_field_text(f) for f in _carried_fields(form)), "typed before Keep?"
        drive.press(carried.keep_button, Qt.Key.Key_K)
        wait(lambda: carried.keep_button.isHidden(), "the carried values")
        kept = [_field_text(field) for field in _carried_fields(form)]
        assert all(kept), f"carry-forward left a field empty: {kept}"
        for field, text in (
            (form.onset_date, "2 weeks ago"),
            (form.mechanism, "Lifted a 20 kg box from the floor, twisting to the left."),
            (form.aggravating, "Bending, sitting over 30 minutes, getting out of the car."),
            (form.easing, "Walking, lying on the back with knees bent."),
            (form.prior, "One episode in 2021, settled in three weeks."),
            (form.patient_goals, "Back to full shifts and to soccer."),
        ):
            drive.text(field, text)

    tally.section = "red flags"
    drive.tick(form.all_no, press=True)

    tally.section = "pain"
    drive.go_to(form.nprs_now)
    drive.digits("7" if not complete else "728")
    if complete:
        drive.text(form.pain_location, "Left lower back")

    tally.section = "function"
    drive.go_to(form.odi[0])
    drive.digits("23212211" if not complete else "2321221101")
    if complete:
        drive.digits("101100012")  # STarT Back: the focus moves on to PSFS by itself
        for index, (activity, rating) in enumerate(
            (("Lifting boxes at work", "3"), ("Sitting in the car", "5"), ("Soccer", "2"))
        ):
            drive.text(form.psfs[index][0], activity)
            drive.number(form.psfs[index][1], rating)

    tally.section = "assessment"
    drive.choose(form.primary_cause, Cause.HEAVY_LIFTING)
    # The cause's template: codes, PT plan and medication referral, two goals, three home
    # exercises and the certification period, in one action.
    offer = screen.findChild(TemplateOffer)
    wait(lambda: offer.isVisible() and offer.apply_button.isEnabled(), "the template offer")
    drive.press(offer.apply_button, Qt.Key.Key_Y)
    wait(lambda: "filled in" in offer.result.text(), "the template", 30)
    if QApplication.focusWidget() is None:
        raise AssertionError("applying the template left nothing with the keyboard focus")
    if complete:
        drive.tick(form.contributing[Cause.WEAK_ABDOMINALS])
    if form.complexity_suggested() == Complexity.MODERATE:
        drive.press(form.agree_complexity, Qt.Key.Key_R)  # the level the findings support
        # Alt+letter clicks a button after its short animation.
        wait(lambda: form.complexity.currentData() == Complexity.MODERATE, "the level", 5)
    else:
        drive.choose(form.complexity, Complexity.MODERATE)
    assert form.complexity.currentData() == Complexity.MODERATE
    if complete:
        drive.text(form.assessment_note, "Acute lumbar strain with spasm; no red flags.")

    if complete:
        tally.section = "plan"
        # What differs from the template for this patient: no muscle relaxant.
        drive.tick(plan.muscle_relaxant)
    _check_plan(form, complete)

    tally.section = "sign"
    if keyboard_only:
        drive.key(
            Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
    else:
        drive.click(screen.sign_button)
    wait(lambda: screen.sign_summary is not None and screen.sign_summary.isVisible(), "summary")
    summary = screen.sign_summary
    # "Sign and print" when the summary offers it (Alt+P or a click); Enter signs only.
    sign_and_print = summary.print_button.isVisible()
    if sign_and_print:
        drive.press(summary.print_button, Qt.Key.Key_P)
    else:
        drive.key(Qt.Key.Key_Return)
    wait(lambda: screen.record.is_signed or screen.missing.isVisible(), "the signature")
    if not screen.record.is_signed:
        missing = [screen.missing.item(i).text() for i in range(screen.missing.count())]
        raise AssertionError(f"not signed: {missing} {screen.status.text()}")

    tally.section = "print"
    from casemanager.ui.documents.dialog import DocumentDialog

    if not sign_and_print:
        # The window manager gives the evaluation window back its activation (not an
        # action), then Ctrl+P.
        screen.activateWindow()
        wait(lambda: QApplication.activeWindow() is screen, "the evaluation window again")
        if QApplication.focusWidget() is None:
            screen.setFocus()
        drive.key(Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait(lambda: isinstance(QApplication.activeModalWidget(), DocumentDialog), "the print dialog")
    dialog = QApplication.activeModalWidget()
    wait(lambda: "Ready" in dialog.status.text(), "the preview", 120)
    saved = folder / f"{kind}-{'keys' if keyboard_only else 'mixed'}.pdf"

    def answer_save_dialog(suggested: str) -> str:
        tally.add()  # Enter in the system dialog, on the name it suggests
        return str(saved)

    dialog.ask_save_path = answer_save_dialog
    drive.key(Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    wait(lambda: saved.exists() and "Saved" in dialog.status.text(), "the PDF", 120)
    text = " ".join(page.extract_text() for page in PdfReader(saved).pages)
    assert family in text, "the saved PDF does not name the patient"
    dialog.reject()
    screen.activateWindow()
    if screen.isVisible():
        screen.close()  # signed and saved: nothing waits
    screen.deleteLater()
    if window.isVisible():
        window.close()
    shell.shutdown()
    settle(0.2)
    return tally.counts


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    results: dict[tuple[str, bool], Counter[str]] = {}
    for kind in ("complete", "minimum"):
        for keyboard_only in (False, True):
            with tempfile.TemporaryDirectory() as folder:
                results[kind, keyboard_only] = run(kind, keyboard_only, Path(folder))
                print(f"{kind}, {'keyboard' if keyboard_only else 'mixed'}: done", flush=True)
    print("Actions from 'patient selected' to 'take-home plan saved as a PDF'")
    print(f"{'':26} {'mixed':>7} {'keys':>7}")
    for kind in ("complete", "minimum"):
        mixed, keys = results[kind, False], results[kind, True]
        print(f"{kind} evaluation, per section:")
        for section in dict.fromkeys([*mixed, *keys]):
            print(f"  {section:24} {mixed[section]:7} {keys[section]:7}")
        total = (sum(mixed.values()), sum(keys.values()))
        before, goal = TODAY_FIGURES[kind], GOALS[kind]
        print(f"  {'total':24} {total[0]:7} {total[1]:7}")
        earlier = BEFORE_FILLS[kind]
        print(f"  {'before templates':24} {earlier[0]:7} {earlier[1]:7}")
        print(f"  {'today in the issue':24} {before[0]:7} {before[1]:7}")
        print(f"  {'goal (at most)':24} {goal[0]:7} {goal[1]:7}")
        met = ["met" if total[i] <= goal[i] else f"over by {total[i] - goal[i]}" for i in (0, 1)]
        print(f"  {'goal':24} {met[0]:>7} {met[1]:>7}")
    del app


if __name__ == "__main__":
    main()
