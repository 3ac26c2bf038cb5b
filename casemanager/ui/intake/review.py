"""The therapist's review of a patient's intake: a yes to any red-flag question highlighted
at the top, then the answers in the patient's words; one action confirms them into the
therapist's evaluation draft for that patient (a new one when there is none)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.intake_wording import wording
from casemanager.ui import palette
from casemanager.ui.evaluation.template_offer import readable

if TYPE_CHECKING:
    from casemanager.services.intake import IntakeReview


def answers_text(review: IntakeReview) -> str:
    """The answers under the questions the patient read (in English for the therapist)."""
    words = wording("en")
    answers = review.answers
    lines = []
    for field, question in words.history:
        text = answers.text(field)
        if text:
            lines.append(f"{question}\n    {text}")
    if answers.onset:
        read = f" ({review.onset_date:%m/%d/%Y})" if review.onset_date else ""
        lines.append(f"{words.onset_question}\n    {answers.onset}{read}")
    questions = dict(words.red_flags)
    no = [questions.get(code, code) for code, yes in answers.red_flags if not yes]
    if no:
        lines.append(f"Answered no to {len(no)} of {len(questions)} red-flag questions.")
    unanswered = len(questions) - len(answers.red_flags)
    if unanswered:
        lines.append(f"Red-flag questions left unanswered: {unanswered} (ask them).")
    for label, value in (
        ("Pain now", answers.nprs_now),
        ("Least pain (24 h)", answers.nprs_best),
        ("Worst pain (24 h)", answers.nprs_worst),
    ):
        if value is not None:
            lines.append(f"{label}: {value}/10")
    for entry in answers.psfs:
        score = "—" if entry.score is None else f"{entry.score}/10"
        lines.append(f"Hard to do: {entry.activity} — {score}")
    return "\n".join(lines)


class IntakeReviewDialog(QDialog):
    """`confirm_requested` on "Put into the evaluation" (Alt+E)."""

    confirm_requested = Signal()

    def __init__(self, review: IntakeReview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review = review
        self.setWindowTitle("Patient intake — review")
        self.flags = QLabel()
        self.flags.setWordWrap(True)
        self.flags.setAccessibleName("Red flags the patient answered yes")
        if review.positive_red_flags:
            self.flags.setText(
                "The patient answered YES to:\n"
                + "\n".join(
                    f"• {f.question} — {f.finding} ({f.condition})"
                    for f in review.positive_red_flags
                )
                + "\nChoose an action for each in the evaluation before signing."
            )
            self.flags.setStyleSheet(palette.DANGER_STYLE)
        else:
            self.flags.setText("No red-flag question answered yes.")
        when = review.submitted_at or review.opened_at
        self.heading = QLabel(
            f"Answered {when.astimezone():%m/%d/%Y %H:%M} "
            f"({'Spanish' if review.language == 'es' else 'English'}); "
            f"opened by {review.opened_by_name}."
        )
        self.answers = QLabel(answers_text(review))
        self.answers.setWordWrap(True)
        self.answers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answers.setAccessibleName("The patient's answers")
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.answers)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.hide()
        self.confirm_button = QPushButton("Put into the &evaluation")
        self.confirm_button.setToolTip(
            "Fill your evaluation draft for this patient where nothing is entered yet (a new "
            "initial evaluation when there is none); the intake closes"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.confirm_button.clicked.connect(self._confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(self.flags)
        layout.addWidget(self.heading)
        layout.addWidget(scroller, stretch=1)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.resize(720, 600)

    def _confirm(self) -> None:
        self.confirm_button.setEnabled(False)
        self.confirm_requested.emit()

    def show_confirmed(self, filled: list[str], kept: list[str], started: bool = False) -> None:
        flags = [f for f in filled if f.startswith("red_flag_")]
        fields = [f for f in filled if not f.startswith("red_flag_")]
        text = (
            "Started an initial evaluation (a draft: Continue draft opens it). " if started else ""
        )
        text += f"Put into the evaluation: {readable(fields) or 'no history fields'}"
        if flags:
            text += f", and {len(flags)} red-flag answers"
        text += "."
        if kept:
            count = len(kept)
            text += f" Kept what you entered for {count} field{'' if count == 1 else 's'}."
        self.outcome.setStyleSheet("")
        self.outcome.setText(text)
        self.outcome.show()

    def show_error(self, message: str) -> None:
        self.outcome.setStyleSheet(palette.DANGER_STYLE)
        self.outcome.setText(message)
        self.outcome.show()
        self.confirm_button.setEnabled(True)
