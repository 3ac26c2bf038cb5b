"""The patient's intake screen for a clinic tablet or the waiting-room PC: full screen, large
text, in English or Spanish, locked to one patient's intake. It holds only that intake's
token (its port can reach nothing else), has no menus, and only the therapist's password
closes it. History in plain words, the red-flag questions as yes or no, pain ratings and
the activities that are hard (PSFS); no licensed questionnaire wording."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.evaluation import MAX_PSFS_ACTIVITIES, PsfsEntry
from casemanager.domain.intake import IntakeAnswers
from casemanager.ui import palette
from casemanager.ui.lock import PATIENT_FACING

if TYPE_CHECKING:
    from casemanager.services.intake import IntakeForm

Failed = Callable[[BaseException], None]
SAVE_AFTER_MS = 2000  # after the last change: a restart loses at most this
LARGE_TEXT_PT = 18
BLANK = -1  # a rating not given


class IntakePort(Protocol):
    """What the intake screen may ask: its own intake (the token stays in the port), and
    whether a password is the therapist's. Each call returns at once; `done` comes later."""

    def load(self, done: Callable[[IntakeForm], None], failed: Failed) -> None: ...

    def save(
        self, answers: IntakeAnswers, done: Callable[[IntakeAnswers], None], failed: Failed
    ) -> None: ...

    def submit(self, done: Callable[[None], None], failed: Failed) -> None: ...

    def unlock(self, password: str, done: Callable[[bool], None]) -> None: ...


class _Rating(QSpinBox):
    """0 to 10, or "—" for not given: a digit typed over the "—" replaces it."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.value() == BLANK and event.text().isdigit():
            self.lineEdit().selectAll()
        super().keyPressEvent(event)


def _rating(label: str) -> QSpinBox:
    spin = _Rating()
    spin.setRange(BLANK, 10)
    spin.setSpecialValueText("—")
    spin.setValue(BLANK)
    spin.setAccessibleName(label)
    spin.setMinimumWidth(120)
    return spin


class IntakeWindow(QWidget):
    """`finished` once the therapist's password has closed it."""

    finished = Signal()

    def __init__(self, port: IntakePort, parent: QWidget | None = None) -> None:
        # A bare window: no menus, no title-bar buttons of its own beyond the system's.
        super().__init__(parent, Qt.WindowType.Window)
        self.setProperty(PATIENT_FACING, True)  # the idle lock leaves it to the patient
        self.port = port
        self._unlocked = False
        self._submitted = False
        self._saving = False
        self._dirty = False
        self.form: IntakeForm | None = None
        font = self.font()
        font.setPointSize(LARGE_TEXT_PT)
        self.setFont(font)
        self.setWindowTitle("Patient intake")
        self.welcome = QLabel()
        self.welcome.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.hide()
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.body)
        scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroller = scroller
        self.submit_button = QPushButton()
        self.submit_button.setEnabled(False)
        self.thanks = QLabel()
        self.thanks.setWordWrap(True)
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thanks.hide()
        # The therapist's way out: shown when someone tries to close the screen.
        self.lock_panel = QWidget()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Therapist's password")
        self.unlock_button = QPushButton("Close intake")
        self.lock_error = QLabel()
        self.lock_error.setStyleSheet(palette.ERROR_STYLE)
        lock_row = QHBoxLayout(self.lock_panel)
        lock_row.addWidget(QLabel("Staff only — therapist's password:"))
        lock_row.addWidget(self.password, stretch=1)
        lock_row.addWidget(self.unlock_button)
        lock_row.addWidget(self.lock_error)
        self.lock_panel.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.welcome)
        layout.addWidget(self.message)
        layout.addWidget(scroller, stretch=1)
        layout.addWidget(self.thanks, stretch=1)
        layout.addWidget(self.submit_button, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.lock_panel)
        self.history: dict[str, QPlainTextEdit] = {}
        self.onset = QLineEdit()
        self.flags: dict[str, QButtonGroup] = {}
        self.yes_buttons: dict[str, QRadioButton] = {}
        self.no_buttons: dict[str, QRadioButton] = {}
        self.nprs_now = _rating("Pain now")
        self.nprs_best = _rating("Least pain")
        self.nprs_worst = _rating("Worst pain")
        self.psfs: list[tuple[QLineEdit, QSpinBox]] = []
        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(SAVE_AFTER_MS)
        self.save_timer.timeout.connect(self.save_now)
        self.submit_button.clicked.connect(self.submit)
        self.unlock_button.clicked.connect(self._try_unlock)
        self.password.returnPressed.connect(self._try_unlock)
        port.load(self._loaded, self._failed)

    # -- the questions ---------------------------------------------------------------------
    def _loaded(self, form: IntakeForm) -> None:
        self.form = form
        words = form.wording
        self.setWindowTitle(words.title)
        self.welcome.setText(words.welcome.format(name=form.first_name))
        self.submit_button.setText(words.submit)
        self.thanks.setText(words.thanks)
        history = QGroupBox(words.history_heading)
        rows = QFormLayout(history)
        rows.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for field, question in words.history:
            box = QPlainTextEdit()
            box.setAccessibleName(question)
            box.setTabChangesFocus(True)
            box.setFixedHeight(90)
            box.setPlainText(form.answers.text(field) or "")
            box.textChanged.connect(self._changed)
            self.history[field] = box
            rows.addRow(_wrapped(question), box)
        self.onset.setAccessibleName(words.onset_question)
        self.onset.setPlaceholderText(words.onset_hint)
        self.onset.setText(form.answers.onset or "")
        self.onset.textChanged.connect(self._changed)
        rows.insertRow(2, _wrapped(words.onset_question), self.onset)
        self.body_layout.addWidget(history)
        flags = QGroupBox(words.red_flag_heading)
        flag_rows = QFormLayout(flags)
        flag_rows.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        flag_rows.addRow(_wrapped(words.red_flag_intro))
        answered = dict(form.answers.red_flags)
        for code, question in words.red_flags:
            yes, no = QRadioButton(words.yes), QRadioButton(words.no)
            yes.setAccessibleName(f"{question} {words.yes}")
            no.setAccessibleName(f"{question} {words.no}")
            group = QButtonGroup(self)
            group.addButton(yes)
            group.addButton(no)
            if code in answered:
                (yes if answered[code] else no).setChecked(True)
            group.buttonToggled.connect(self._changed)
            pair = QWidget()
            pair_row = QHBoxLayout(pair)
            pair_row.setContentsMargins(0, 0, 0, 0)
            pair_row.addWidget(yes)
            pair_row.addWidget(no)
            pair_row.addStretch()
            self.flags[code], self.yes_buttons[code], self.no_buttons[code] = group, yes, no
            flag_rows.addRow(_wrapped(question), pair)
        self.body_layout.addWidget(flags)
        pain = QGroupBox(words.pain_heading)
        pain_rows = QFormLayout(pain)
        pain_rows.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        pain_rows.addRow(_wrapped(words.pain_scale))
        for spin, question, value in (
            (self.nprs_now, words.nprs_now, form.answers.nprs_now),
            (self.nprs_best, words.nprs_best, form.answers.nprs_best),
            (self.nprs_worst, words.nprs_worst, form.answers.nprs_worst),
        ):
            spin.setAccessibleName(question)
            spin.setValue(BLANK if value is None else value)
            spin.valueChanged.connect(self._changed)
            pain_rows.addRow(_wrapped(question), spin)
        self.body_layout.addWidget(pain)
        activities = QGroupBox(words.psfs_heading)
        activity_rows = QVBoxLayout(activities)
        activity_rows.addWidget(_wrapped(words.psfs_intro))
        activity_rows.addWidget(_wrapped(words.psfs_scale))
        for index in range(MAX_PSFS_ACTIVITIES):
            entry = form.answers.psfs[index] if index < len(form.answers.psfs) else None
            name = QLineEdit(entry.activity if entry else "")
            name.setAccessibleName(f"{words.psfs_heading} {index + 1}")
            score = _rating(f"{words.psfs_heading} {index + 1}: 0–10")
            if entry is not None and entry.score is not None:
                score.setValue(entry.score)
            name.textChanged.connect(self._changed)
            score.valueChanged.connect(self._changed)
            row = QHBoxLayout()
            row.addWidget(name, stretch=1)
            row.addWidget(score)
            activity_rows.addLayout(row)
            self.psfs.append((name, score))
        self.body_layout.addWidget(activities)
        self.body_layout.addStretch()
        self.submit_button.setEnabled(True)
        first = next(iter(self.history.values()), None)
        if first is not None:
            first.setFocus()

    def answers(self) -> IntakeAnswers:
        def rated(spin: QSpinBox) -> int | None:
            return None if spin.value() == BLANK else spin.value()

        return IntakeAnswers(
            history=tuple(
                (field, box.toPlainText())
                for field, box in self.history.items()
                if box.toPlainText().strip()
            ),
            onset=self.onset.text().strip() or None,
            red_flags=tuple(
                (code, self.yes_buttons[code].isChecked())
                for code, group in self.flags.items()
                if group.checkedButton() is not None
            ),
            nprs_now=rated(self.nprs_now),
            nprs_best=rated(self.nprs_best),
            nprs_worst=rated(self.nprs_worst),
            psfs=tuple(
                PsfsEntry(name.text().strip(), rated(score))
                for name, score in self.psfs
                if name.text().strip()
            ),
        )

    # -- saving as the patient goes --------------------------------------------------------
    def _changed(self, *_args: object) -> None:
        if self._submitted:
            return
        self._dirty = True
        self.save_timer.start()

    def save_now(self, then: Callable[[], None] | None = None) -> None:
        self.save_timer.stop()
        if self._saving:
            if then is not None:  # after the save in flight
                QTimer.singleShot(100, lambda: self.save_now(then))
            return
        if not self._dirty or self.form is None:
            if then is not None and self.form is not None:
                then()
            return
        self._saving = True
        self._dirty = False

        def saved(_answers: IntakeAnswers) -> None:
            self._saving = False
            self.message.hide()
            if self._dirty:
                self.save_timer.start()
            elif then is not None:
                then()

        def failed(error: BaseException) -> None:
            self._saving = False
            self._dirty = True
            self._failed(error)

        self.port.save(self.answers(), saved, failed)

    def submit(self) -> None:
        self.submit_button.setEnabled(False)
        self._dirty = True  # the last answers go with the submission, whatever the timer
        self.save_now(lambda: self.port.submit(self._done, self._failed))

    def _done(self, _none: None) -> None:
        self._submitted = True
        self.scroller.hide()
        self.submit_button.hide()
        self.message.hide()
        self.thanks.show()

    def _failed(self, error: BaseException) -> None:
        self.submit_button.setEnabled(self.form is not None and not self._submitted)
        self.message.setStyleSheet(palette.DANGER_STYLE)
        self.message.setText(getattr(error, "message", None) or "Please ask the front desk.")
        self.message.show()

    # -- locked to this intake -------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._ask_password()  # Escape never leaves the intake
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._unlocked:
            self.save_timer.stop()
            self.finished.emit()
            super().closeEvent(event)
            return
        event.ignore()  # only the therapist's password closes it
        self._ask_password()

    def close_for_therapist(self) -> None:
        """The therapist's own session ends or opens another intake: close without asking."""
        self._unlocked = True
        self.close()

    def _ask_password(self) -> None:
        self.lock_panel.show()
        self.password.setFocus()

    def _close_now(self) -> None:
        self.close()

    def _try_unlock(self) -> None:
        password = self.password.text()
        self.password.clear()
        if not password:
            return

        def checked(ok: bool) -> None:
            if not ok:
                self.lock_error.setText("Wrong password.")
                return
            self._unlocked = True
            if self._dirty and not self._submitted:
                self.save_now(self._close_now)  # what the patient typed so far is kept
            else:
                self.close()

        self.port.unlock(password, checked)


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label
