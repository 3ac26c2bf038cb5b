"""The patient intake through the real app and a real SQLite file: the therapist opens it
from the chart, the patient answers on a full-screen window locked to their intake, the
answers land as a draft for review (a yes to a red flag at the top), and confirming them
fills the evaluation draft. Only the therapist's password closes the intake window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenuBar
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain import catalogs
from casemanager.domain.enums import RedFlagAnswer
from casemanager.domain.intake import RED_FLAG_CODES, IntakeAnswers, IntakeStatus
from casemanager.domain.intake_wording import wording
from casemanager.services import accounts, demo, evaluations, intake
from casemanager.services.context import Actor
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.intake.controller import LanguageDialog
from casemanager.ui.intake.review import IntakeReviewDialog
from casemanager.ui.intake.window import IntakeWindow
from casemanager.ui.shell import Shell
from tests.ui.conftest import (
    clinic_with_a_new_patient,
    log_in,
    open_patient_by_mrn,
    register_patient,
    shown,
    start_evaluation,
)

TODAY = datetime.now(UTC).date()
FLAGGED = RED_FLAG_CODES[0]


def _texts(widget: Any) -> str:
    labels = [w.text() for w in widget.findChildren(QLabel)]
    buttons = [w.text() for w in widget.findChildren(QAbstractButton)]
    return "\n".join([widget.windowTitle(), *labels, *buttons])


def _open_intake(qtbot: QtBot, window: Any) -> IntakeWindow:
    chart = window.details
    assert chart is not None
    qtbot.waitUntil(lambda: chart.intake_button.isVisible(), timeout=10_000)
    qtbot.mouseClick(chart.intake_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(LanguageDialog) is not None, timeout=10_000)
    dialog = shown(LanguageDialog)
    assert dialog is not None
    qtbot.keyClick(dialog.language, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shown(IntakeWindow) is not None, timeout=10_000)
    screen = shown(IntakeWindow)
    assert screen is not None  # its controller frees it once the password closes it
    qtbot.waitUntil(lambda: screen.submit_button.isEnabled(), timeout=10_000)
    return screen


def _answer(qtbot: QtBot, screen: IntakeWindow) -> None:
    qtbot.keyClicks(screen.history["chief_complaint"], "My lower back hurts when I bend")
    qtbot.keyClicks(screen.history["occupation"], "Warehouse picker")
    qtbot.keyClicks(screen.onset, "2 weeks ago")
    for code in RED_FLAG_CODES:
        button = screen.yes_buttons[code] if code == FLAGGED else screen.no_buttons[code]
        # On the round box itself, as a finger would tap it.
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    screen.nprs_now.setFocus()
    qtbot.keyClicks(screen.nprs_now, "6")
    name, score = screen.psfs[0]
    qtbot.keyClicks(name, "Picking up my toddler")
    qtbot.keyClicks(score, "3")


def _reviews(url: str, actor: Actor, patient_id: int) -> list[intake.IntakeReview]:
    db = Database(url)
    try:
        return intake.list_intakes(db, actor, patient_id)
    finally:
        db.dispose()


def test_intake_lands_as_a_draft_is_reviewed_and_fills_the_evaluation(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "intake.sqlite3"
    url = f"sqlite:///{db_path}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=8, seed=4, today=TODAY)
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    target = register_patient(db, therapist)
    db.dispose()
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)

    screen = _open_intake(qtbot, window)
    # Full screen, large text, nothing else to reach: no menus, only its own buttons.
    assert screen.isFullScreen()
    assert screen.font().pointSize() >= 16
    assert screen.findChildren(QMenuBar) == []
    # The main window is not left behind it to switch to.
    assert not window.isVisible()
    assert "Łucja" in screen.welcome.text()
    text = _texts(screen)
    assert "Oswestry" not in text and "STarT" not in text
    assert wording("en").red_flags[0][1] in text
    _answer(qtbot, screen)
    # The main window's shortcuts do not reach it: Ctrl+N opens no new-patient form.
    qtbot.keyClick(screen.onset, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    from casemanager.ui.patients.new_patient import NewPatientDialog

    assert shown(NewPatientDialog) is None

    qtbot.mouseClick(screen.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.thanks.isVisible(), timeout=10_000)
    (submitted,) = _reviews(url, therapist, target.id)
    assert submitted.status == IntakeStatus.SUBMITTED  # a draft waiting for the therapist
    assert submitted.evaluation_id is None
    assert submitted.answers.text("chief_complaint") == "My lower back hurts when I bend"
    assert submitted.answers.nprs_now == 6
    assert submitted.answers.positive_red_flags == (FLAGGED,)

    # Closing asks for the therapist's password; a wrong one keeps it locked.
    screen.close()
    assert screen.isVisible() and screen.lock_panel.isVisible()
    qtbot.keyClicks(screen.password, "not the password")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Wrong password" in screen.lock_error.text(), timeout=15_000)
    assert screen.isVisible()
    qtbot.keyClicks(screen.password, demo.DEMO_PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shown(IntakeWindow) is None, timeout=15_000)
    assert window.isVisible()  # back for the therapist

    # The review puts the yes at the top; confirmed from the chart with no evaluation open,
    # the answers land in an initial evaluation started for them.
    chart = window.details
    assert chart is not None
    assert not chart.draft_button.isEnabled()
    review = _review_from_chart(qtbot, chart)
    assert review.flags.text().startswith("The patient answered YES to:")
    assert catalogs.red_flag(FLAGGED).question in review.flags.text()
    assert "background" in review.flags.styleSheet()  # highlighted
    assert "Picking up my toddler — 3/10" in review.answers.text()
    assert shown(EvaluationWindow) is None
    qtbot.mouseClick(review.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Put into the evaluation:" in review.outcome.text(), timeout=15_000)
    assert review.outcome.text().startswith("Started an initial evaluation")
    assert "Kept what you entered" not in review.outcome.text()
    review.close()

    # The chart heard it: the draft is there to continue, with the patient's answers.
    qtbot.waitUntil(lambda: chart.draft_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(chart.draft_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(EvaluationWindow) is not None, timeout=10_000)
    evaluation = shown(EvaluationWindow)
    assert evaluation is not None
    qtbot.addWidget(evaluation)
    form = evaluation.form
    assert form.chief_complaint.text() == "My lower back hurts when I bend"
    assert form.occupation.text() == "Warehouse picker"
    assert form.nprs_now.value() == 6
    assert form.flag_answers[FLAGGED].currentData() == RedFlagAnswer.YES
    db = Database(url)
    stored = evaluations.get_evaluation(db, therapist, evaluation.record.id)
    db.dispose()
    assert stored.content.occupation == "Warehouse picker"
    assert stored.content.nprs_now == 6
    assert stored.content.psfs[0].activity == "Picking up my toddler"
    (confirmed,) = _reviews(url, therapist, target.id)
    assert confirmed.status == IntakeStatus.CONFIRMED
    assert confirmed.evaluation_id == evaluation.record.id


def _review_from_chart(qtbot: QtBot, chart: Any) -> IntakeReviewDialog:
    before = shown(IntakeReviewDialog)
    qtbot.mouseClick(chart.review_intake_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(IntakeReviewDialog) not in (None, before), timeout=10_000)
    review = shown(IntakeReviewDialog)
    assert review is not None
    return review


def _submitted(url: str, actor: Actor, patient_id: int, answers: IntakeAnswers) -> None:
    """A patient's intake answered and submitted (as the tablet would)."""
    db = Database(url)
    try:
        ticket = intake.open_intake(db, actor, patient_id)
        intake.save_intake_answers(db, ticket.token, answers, "tablet")
        intake.submit_intake(db, ticket.token, "tablet")
    finally:
        db.dispose()


def test_an_open_evaluation_shows_an_intake_confirmed_from_the_chart(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    """The draft is on screen, with typing not yet saved, when the therapist confirms the
    intake from the chart: what was typed is saved first and kept, and the window shows
    the answers at once (it hears the change), without being reopened."""
    url, target = clinic_with_a_new_patient(tmp_path / "intake-open.sqlite3")
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)
    evaluation = start_evaluation(qtbot, window)
    db = Database(url)
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    db.dispose()
    answers = IntakeAnswers(
        history=(("occupation", "Bus driver"), ("medications", "Ibuprofen")),
        red_flags=((FLAGGED, True),),
        nprs_worst=8,
    )
    _submitted(url, therapist, target.id, answers)
    form = evaluation.form
    assert form.chief_complaint.text() == ""  # the patient's words, not a stock phrase
    qtbot.keyClicks(form.chief_complaint, "Back pain since a fall")
    form.mechanism.setFocus()
    qtbot.keyClicks(form.mechanism, "Slipped on ice")  # not saved yet

    chart = window.details
    assert chart is not None
    window.activateWindow()
    review = _review_from_chart(qtbot, chart)
    assert catalogs.red_flag(FLAGGED).question in review.flags.text()
    qtbot.mouseClick(review.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Put into the evaluation:" in review.outcome.text(), timeout=15_000)
    assert not review.outcome.text().startswith("Started")
    qtbot.waitUntil(lambda: form.occupation.text() == "Bus driver", timeout=10_000)
    assert shown(EvaluationWindow) is evaluation
    assert form.medications.toPlainText() == "Ibuprofen"
    assert form.nprs_worst.value() == 8
    assert form.flag_answers[FLAGGED].currentData() == RedFlagAnswer.YES
    assert form.mechanism.toPlainText() == "Slipped on ice"
    assert form.chief_complaint.text() == "Back pain since a fall"  # the therapist's, kept
    db = Database(url)
    stored = evaluations.get_evaluation(db, therapist, evaluation.record.id)
    db.dispose()
    assert stored.version == evaluation.record.version
    assert (stored.content.mechanism_of_injury, stored.content.occupation) == (
        "Slipped on ice",
        "Bus driver",
    )


class _HeldPort:
    """An intake port that answers the form at once and records what else is asked."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.asked: list[str] = []

    def load(self, done: Callable[[Any], None], failed: Callable[[BaseException], None]) -> None:
        done(
            intake.IntakeForm(1, "Ana", wording(self.language), IntakeAnswers(), datetime.now(UTC))
        )

    def save(self, answers: Any, done: Any, failed: Any) -> None:
        self.asked.append("save")

    def submit(self, done: Any, failed: Any) -> None:
        self.asked.append("submit")

    def unlock(self, password: str, done: Callable[[bool], None]) -> None:
        self.asked.append("unlock")
        done(False)


def test_the_intake_reads_in_spanish_and_escape_does_not_leave_it(qtbot: QtBot) -> None:
    port = _HeldPort("es")
    screen = IntakeWindow(port)
    qtbot.addWidget(screen)
    screen.show()
    assert screen.windowTitle() == "Antes de su consulta"
    assert "Ana" in screen.welcome.text()
    assert screen.yes_buttons[FLAGGED].text() == "Sí"
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert screen.isVisible() and screen.lock_panel.isVisible()
    qtbot.keyClicks(screen.password, "guess")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert port.asked == ["unlock"]
    assert screen.isVisible()
    screen.close_for_therapist()


def _review_of(answers: IntakeAnswers) -> intake.IntakeReview:
    flagged = tuple(
        intake.FlaggedAnswer(
            code,
            catalogs.red_flag(code).question,
            catalogs.red_flag(code).finding,
            "Cauda equina syndrome",
        )
        for code in answers.positive_red_flags
    )
    return intake.IntakeReview(
        1, 2, IntakeStatus.SUBMITTED, "en", "Wei Chen, PT", datetime.now(UTC),
        datetime.now(UTC), answers, flagged, None, None,
    )  # fmt: skip


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_control_of_the_intake_screens_is_named_and_no_alt_key_is_shared(
    qtbot: QtBot, language: str
) -> None:
    from tests.ui.test_accessibility import _unnamed
    from tests.ui.test_keyboard import shared_mnemonics

    screen = IntakeWindow(_HeldPort(language))
    qtbot.addWidget(screen)
    screen.show()
    screen._ask_password()
    review = IntakeReviewDialog(_review_of(IntakeAnswers(red_flags=((FLAGGED, True),))))
    qtbot.addWidget(review)
    review.show()
    chooser = LanguageDialog("Ana Rivera")
    qtbot.addWidget(chooser)
    chooser.show()
    for shown_screen in (screen, review, chooser):
        assert _unnamed(shown_screen) == []
        assert shared_mnemonics(shown_screen) == {}
    screen.close_for_therapist()


def test_a_review_without_a_yes_says_so_calmly(qtbot: QtBot) -> None:
    review = IntakeReviewDialog(_review_of(IntakeAnswers(red_flags=((FLAGGED, False),))))
    qtbot.addWidget(review)
    assert review.flags.text() == "No red-flag question answered yes."
    assert review.flags.styleSheet() == ""
    unanswered = len(RED_FLAG_CODES) - 1
    assert f"Red-flag questions left unanswered: {unanswered} (ask them)." in (
        review.answers.text()
    )


def test_an_intake_confirmed_elsewhere_at_the_same_moment_is_a_message(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same intake confirmed on the front desk's workstation while this one confirms it:
    the review says so in words (no report of an unexpected problem), and what is typed in
    the evaluation stays on screen and saved."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    url, target = clinic_with_a_new_patient(tmp_path / "intake-clash.sqlite3")
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)
    evaluation = start_evaluation(qtbot, window)
    db = Database(url)
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    db.dispose()
    answers = IntakeAnswers(history=(("occupation", "Bus driver"),), nprs_worst=8)
    _submitted(url, therapist, target.id, answers)
    form = evaluation.form
    form.mechanism.setFocus()
    qtbot.keyClicks(form.mechanism, "Slipped on ice")

    # The front desk confirms it after this workstation has checked the intake is waiting,
    # before its answers are written: the real services on a second engine on the file.
    real_fill = intake._fill
    front_desk = replace(therapist, workstation="front-desk")
    elsewhere: list[str] = []

    def fill_after_the_front_desk(case: Any, row: Any, draft: Any, *args: Any, **kw: Any) -> Any:
        if not elsewhere:
            elsewhere.append(case.actor.workstation)  # once: the front desk fills for real
            other = Database(url)
            try:
                current = evaluations.get_evaluation(other, front_desk, draft.id)
                intake.confirm_intake(other, front_desk, row.id, draft.id, current.version)
            finally:
                other.dispose()
        return real_fill(case, row, draft, *args, **kw)

    monkeypatch.setattr(intake, "_fill", fill_after_the_front_desk)
    chart = window.details
    assert chart is not None
    window.activateWindow()
    review = _review_from_chart(qtbot, chart)
    qtbot.mouseClick(review.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: review.outcome.isVisible(), timeout=15_000)
    assert len(elsewhere) == 1, "the front desk never confirmed"
    assert "This intake was confirmed on another workstation" in review.outcome.text()
    assert "Wei Chen" in review.outcome.text()
    reports = [
        box
        for box in QApplication.topLevelWidgets()
        if isinstance(box, QMessageBox) and box.isVisible()
    ]
    assert reports == []  # no "CaseManager ran into a problem it did not expect"
    assert form.mechanism.toPlainText() == "Slipped on ice"
    db = Database(url)
    stored = evaluations.get_evaluation(db, therapist, evaluation.record.id)
    (confirmed,) = _reviews(url, therapist, target.id)
    db.dispose()
    assert stored.content.mechanism_of_injury == "Slipped on ice"  # saved before confirming
    assert stored.content.occupation == "Bus driver"  # the front desk's confirmation
    assert confirmed.status == IntakeStatus.CONFIRMED
