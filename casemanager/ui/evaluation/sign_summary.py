"""What a signature will lock, shown before it is given: the patient, the kind, the causes
and codes, the treatment paths and goals, the guideline notes and any field held back.
Enter signs, Escape goes back to the form."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from casemanager.domain import catalogs
from casemanager.domain.enums import GoalTerm
from casemanager.domain.evaluation import EvaluationContent
from casemanager.domain.plan import PlanContent


def summary_lines(
    patient: str,
    kind_label: str,
    content: EvaluationContent,
    plan: PlanContent,
    guidance: list[str],
    held: list[str],
) -> list[tuple[str, str]]:
    """(heading, text) pairs, in the order a reviewer reads them."""
    cause = catalogs.cause_info(content.primary_cause).label if content.primary_cause else "—"
    contributing = ", ".join(catalogs.cause_info(c).label for c in content.contributing_causes)
    goals = "; ".join(
        ("Long term: " if g.term == GoalTerm.LONG else "Short term: ")
        + g.description
        + (f" by {g.target_date:%m/%d/%Y}" if g.target_date else "")
        for g in plan.goals
    )
    lines = [
        ("Patient", patient),
        ("Document", kind_label),
        ("Primary cause", cause),
        ("Contributing causes", contributing or "none"),
        ("Diagnosis codes", ", ".join(content.diagnosis_codes) or "none"),
        (
            "Treatment paths",
            ", ".join(catalogs.treatment_path_info(p.kind).label for p in plan.paths) or "none",
        ),
        ("Goals", goals or "none"),
    ]
    if plan.home_exercises:
        lines.append(("Home exercises", f"{len(plan.home_exercises)}"))
    if guidance:
        lines.append(("Guideline notes", " ".join(guidance)))
    if held:
        lines.append(("Not saved as typed (fix before signing)", " ".join(held)))
    return lines


class SignSummary(QDialog):
    """Modal over the evaluation window; `accepted` means sign."""

    def __init__(
        self,
        lines: list[tuple[str, str]],
        kind_label: str,
        parent: QWidget,
        *,
        can_print: bool = False,
    ) -> None:
        super().__init__(parent)
        self.then_print = False  # "Sign and print": the care plan documents once signed
        self.setWindowTitle(f"Sign {kind_label.lower()}?")
        self.setModal(True)
        intro = QLabel(
            "Signing locks what is below; later corrections are addenda. "
            "Enter signs, Escape goes back to the form."
            + (" Alt+P signs, then prints the care plan." if can_print else "")
        )
        intro.setWordWrap(True)
        rows = "".join(
            f"<tr><td valign='top'><b>{escape(head)}</b></td><td>{escape(text)}</td></tr>"
            for head, text in lines
        )
        self.summary = QLabel(f"<table cellspacing='4'>{rows}</table>")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What will be signed")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.summary)
        scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        buttons = QDialogButtonBox()
        self.sign_button = buttons.addButton("&Sign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(
            "Back to the form", QDialogButtonBox.ButtonRole.RejectRole
        )
        # The patient leaves with the take-home plan: signing and printing in one step.
        self.print_button = buttons.addButton(
            "Sign and &print…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.print_button.setToolTip("Sign, then print or save the patient's care plan")
        self.print_button.setVisible(can_print)
        self.print_button.clicked.connect(self._sign_and_print)
        self.sign_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroller, stretch=1)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self.sign_button.setFocus()

    def _sign_and_print(self) -> None:
        self.then_print = True
        self.accept()
