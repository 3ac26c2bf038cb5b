"""The patient chart beside the list: a header read at a glance (name, age, MRN, therapist,
status, active red flags), the actions a therapist takes next, each episode's timeline, and
the patient's details. Opening it is audited by the service that reads it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.catalogs import LANGUAGE_LABELS, PATIENT_STATUS_LABELS, SEX_LABELS
from casemanager.domain.enums import EvaluationKind
from casemanager.ui import palette

if TYPE_CHECKING:  # records only: the services stay off the Qt start
    from casemanager.domain.patients import PatientRecord
    from casemanager.services.chart import Chart, EpisodeChart

EvaluationRole = Qt.ItemDataRole.UserRole + 1  # the evaluation id of a timeline row
_WARNING_STYLE = palette.WARNING_PANEL_STYLE
_RED_FLAG_STYLE = palette.DANGER_PANEL_STYLE
_DRAFT = QColor(palette.DRAFT_TEXT)


class ChartPanel(QWidget):
    start_evaluation = Signal(int)  # patient id
    open_evaluation = Signal(int)  # evaluation id
    record_visit = Signal(int)  # patient id
    follow_up = Signal(int, str)  # episode id, EvaluationKind value
    chart_shown = Signal()
    print_requested = Signal(int)  # patient id
    record_referral_outcome = Signal(int)  # patient id: who saw them, cleared or not
    open_intake = Signal(int)  # patient id: the intake screen for the tablet
    review_intake = Signal(int)  # patient id: the answers they submitted

    def __init__(self, can_evaluate: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.patient_id: int | None = None
        self.chart: Chart | None = None
        self.can_evaluate = can_evaluate
        self.setMinimumWidth(420)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.placeholder = QLabel("Select a patient and press Enter to open the chart.")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.placeholder)

        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(4, 0, 0, 0)
        self.name = QLabel()
        self.name.setAccessibleName("Patient name")
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name.setFont(font)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setAccessibleName("Age, MRN, therapist and status")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.red_flags = QLabel()
        self.red_flags.setAccessibleName("Active red flags")
        self.red_flags.setWordWrap(True)
        self.red_flags.setStyleSheet(_RED_FLAG_STYLE)
        self.outcome_button = QPushButton("Record referral &outcome…")
        self.outcome_button.setToolTip(
            "Who saw the patient for the red flag, when, and whether therapy may go on"
        )
        self.outcome_button.clicked.connect(self._record_outcome)
        self.monitored = QLabel()
        self.monitored.setAccessibleName("Risk factors noted and monitored")
        self.monitored.setWordWrap(True)
        self.progress = QLabel()
        self.progress.setAccessibleName("Episode progress")
        self.progress.setWordWrap(True)
        self.print_button = QPushButton("Print or save care plan…")
        self.print_button.setToolTip(
            "Take-home plan, plan of care or referral letters of the latest signed evaluation "
            "(Ctrl+P)"
        )
        self.print_button.clicked.connect(self.request_print)
        heading = QHBoxLayout()
        heading.addWidget(self.name, stretch=1)
        heading.addWidget(self.print_button, alignment=Qt.AlignmentFlag.AlignTop)
        layout.addLayout(heading)
        layout.addWidget(self.facts)
        layout.addWidget(self.red_flags)
        layout.addWidget(self.outcome_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.monitored)
        layout.addWidget(self.progress)

        buttons = QGridLayout()
        self.start_button = QPushButton("&Start evaluation")
        self.draft_button = QPushButton("Co&ntinue draft")
        self.visit_button = QPushButton("Record &visit")
        self.progress_button = QPushButton("&Progress report")
        self.re_evaluation_button = QPushButton("&Re-evaluation")
        self.discharge_button = QPushButton("Disc&harge")
        self.intake_button = QPushButton("Patient inta&ke…")
        self.intake_button.setToolTip("A full-screen intake for this patient to fill in")
        self.review_intake_button = QPushButton("Revie&w intake…")
        self.start_button.setToolTip("Open a new episode of care with its initial evaluation")
        self.draft_button.setToolTip("Open the unsigned evaluation of this episode")
        self.progress_button.setToolTip(
            "Measure again and summarise progress (at least every 10 treatment days)"
        )
        self.discharge_button.setToolTip("Final measures, change since intake, and discharge")
        for index, button in enumerate(
            (
                self.start_button,
                self.draft_button,
                self.visit_button,
                self.progress_button,
                self.re_evaluation_button,
                self.discharge_button,
                self.intake_button,
                self.review_intake_button,
            )
        ):
            buttons.addWidget(button, index // 3, index % 3)
        self.intake_button.clicked.connect(lambda: self._emit_for(self.open_intake))
        self.review_intake_button.clicked.connect(lambda: self._emit_for(self.review_intake))
        self.start_button.clicked.connect(self._start)
        self.draft_button.clicked.connect(self._open_draft)
        self.visit_button.clicked.connect(self._visit)
        self.progress_button.clicked.connect(
            lambda: self._follow_up(EvaluationKind.PROGRESS_REPORT)
        )
        self.re_evaluation_button.clicked.connect(
            lambda: self._follow_up(EvaluationKind.RE_EVALUATION)
        )
        self.discharge_button.clicked.connect(lambda: self._follow_up(EvaluationKind.DISCHARGE))
        self.actions_host = QWidget()
        self.actions_host.setLayout(buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.actions_host)

        self.tabs = QTabWidget()
        self.timeline = QTreeWidget()
        self.timeline.setAccessibleName("Episodes and timeline")
        self.timeline.setHeaderLabels(["Date", "What", "Details"])
        self.timeline.setColumnWidth(0, 140)
        self.timeline.setColumnWidth(1, 170)
        self.timeline.setUniformRowHeights(True)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.itemActivated.connect(self._activated)
        self.tabs.addTab(self.timeline, "&Timeline")
        self.details_host = QWidget()
        self.form = QFormLayout(self.details_host)
        self.values: dict[str, QLabel] = {}
        for key, label in (
            ("name", "Name"),
            ("mrn", "MRN"),
            ("born", "Date of birth"),
            ("sex", "Sex"),
            ("status", "Status"),
            ("therapist", "Primary therapist"),
            ("phone", "Phone"),
            ("email", "Email"),
            ("address", "Address"),
            ("language", "Preferred language"),
            ("emergency", "Emergency contact"),
            ("physician", "Referring physician"),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setAccessibleName(label)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(f"{label}:", value)
            self.values[key] = value
        self.tabs.addTab(self.details_host, "&Details")
        layout.addWidget(self.tabs, stretch=1)
        outer.addWidget(self.body, stretch=1)
        self.body.hide()

    # -- actions ---------------------------------------------------------------------------
    def _emit_for(self, signal: SignalInstance) -> None:
        if self.patient_id is not None:
            signal.emit(self.patient_id)

    def _start(self) -> None:
        if self.patient_id is not None:
            self.start_evaluation.emit(self.patient_id)

    def _visit(self) -> None:
        if self.patient_id is not None:
            self.record_visit.emit(self.patient_id)

    def _open_draft(self) -> None:
        episode = self.chart.open_episode if self.chart else None
        if episode is not None and episode.draft_id is not None:
            self.open_evaluation.emit(episode.draft_id)

    def _follow_up(self, kind: EvaluationKind) -> None:
        episode = self.chart.open_episode if self.chart else None
        if episode is not None:
            self.follow_up.emit(episode.id, kind.value)

    def _record_outcome(self) -> None:
        if self.patient_id is not None and self.chart is not None and self.chart.open_red_flags:
            self.record_referral_outcome.emit(self.patient_id)

    def request_print(self) -> None:
        if self.patient_id is not None and self.print_button.isVisible():
            self.print_requested.emit(self.patient_id)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        evaluation_id = item.data(0, EvaluationRole)
        if evaluation_id is not None:
            self.open_evaluation.emit(int(evaluation_id))

    def open_latest_evaluation(self) -> None:
        """The newest evaluation of the newest episode (Ctrl+E from the list)."""
        for episode in self.chart.episodes if self.chart else ():
            for entry in episode.timeline:
                if entry.evaluation_id is not None:
                    self.open_evaluation.emit(entry.evaluation_id)
                    return

    # -- showing ---------------------------------------------------------------------------
    def show_chart(self, chart: Chart) -> None:
        """Fill everything from a services.chart.Chart."""
        self.chart = chart
        record = chart.patient
        f = record.fields
        self.patient_id = record.id
        preferred = f" (“{f.preferred_name}”)" if f.preferred_name else ""
        self.name.setText(f"{f.given_name} {f.family_name}{preferred}")
        self.facts.setText(
            f"Age {chart.age} · MRN {record.mrn} · born {f.date_of_birth:%m/%d/%Y}\n"
            f"Primary therapist: {record.primary_therapist_name or 'none'} · "
            f"{PATIENT_STATUS_LABELS[f.status]}"
        )
        # Only flags whose referral is still open: a cleared one is on the timeline.
        self.red_flags.setText(
            "Active red flags:\n" + "\n".join(f"• {flag}" for flag in chart.red_flags)
        )
        self.red_flags.setVisible(bool(chart.red_flags))
        self.outcome_button.setVisible(bool(chart.open_red_flags) and self.can_evaluate)
        monitored = chart.monitored
        self.monitored.setText("Noted, monitoring: " + "; ".join(monitored))
        self.monitored.setVisible(bool(monitored))
        self._show_details(record, chart.age)
        self._show_progress(chart.open_episode if chart.shows_clinical else None)
        self._show_actions(chart)
        self.print_button.setVisible(
            chart.shows_clinical and any(e.has_signed_initial for e in chart.episodes)
        )
        self._show_timeline(chart)
        self.tabs.setTabVisible(0, chart.shows_clinical)
        self.placeholder.hide()
        self.body.show()
        self.chart_shown.emit()

    def _show_details(self, record: PatientRecord, age: int) -> None:
        f = record.fields
        emergency = " ".join(x for x in (f.emergency_contact_name, f.emergency_contact_phone) if x)
        shown = {
            "name": f"{f.given_name} {f.family_name}"
            + (f" (“{f.preferred_name}”)" if f.preferred_name else ""),
            "mrn": record.mrn,
            "born": f"{f.date_of_birth:%m/%d/%Y} (age {age})",
            "sex": SEX_LABELS[f.sex],
            "status": PATIENT_STATUS_LABELS[f.status],
            "therapist": record.primary_therapist_name or "—",
            "phone": f.phone or "—",
            "email": f.email or "—",
            "address": f.address or "—",
            "language": LANGUAGE_LABELS.get(f.preferred_language, f.preferred_language),
            "emergency": emergency or "—",
            "physician": f.referring_physician or "—",
        }
        for key, text in shown.items():
            self.values[key].setText(text)

    def _show_progress(self, episode: EpisodeChart | None) -> None:
        if self.chart is None or not self.chart.shows_clinical:
            self.progress.hide()
            return
        if episode is None:
            self.progress.setText("No open episode of care.")
            self.progress.setStyleSheet("")
            self.progress.show()
            return
        p = episode.progress
        lines = [f"Visits this episode: {p.visits}"]
        if p.last_visit:
            lines[0] += f" (last {p.last_visit:%m/%d/%Y})"
        if p.certification_end:
            lines[0] += f" · certification period to {p.certification_end:%m/%d/%Y}"
        if p.certification is not None and p.certification.certification is not None:
            c = p.certification.certification
            lines.append(f"Plan of care certified by {c.physician} on {c.certified_on:%m/%d/%Y}")
        booked = episode.next_appointment
        if booked is not None and booked >= datetime.now(UTC):
            lines.append(f"Next appointment: {booked.astimezone():%a %m/%d/%Y %I:%M %p}")
        warnings = []
        if episode.draft_id is not None:
            warnings.append("An evaluation is waiting to be signed.")
        if p.progress_report_text:
            warnings.append(p.progress_report_text)
        if p.certification_warning:
            warnings.append(p.certification_warning)
        if p.certification_ends_soon:
            warnings.append(f"Certification ends {p.certification_end:%m/%d/%Y}: recertify.")
        self.progress.setText("\n".join(lines + warnings))
        self.progress.setStyleSheet(_WARNING_STYLE if warnings else "")
        self.progress.show()

    def _show_actions(self, chart: Chart) -> None:
        self.actions_host.setVisible(self.can_evaluate and chart.shows_clinical)
        episode = chart.open_episode
        has_draft = episode is not None and episode.draft_id is not None
        signed = episode is not None and episode.has_signed_initial
        self.start_button.setEnabled(episode is None)
        self.draft_button.setEnabled(has_draft)
        for button in (
            self.visit_button,
            self.progress_button,
            self.re_evaluation_button,
            self.discharge_button,
        ):
            button.setEnabled(signed and not has_draft)
        self.visit_button.setEnabled(signed)  # visits go on while a report is being written

    def _show_timeline(self, chart: Chart) -> None:
        self.timeline.clear()
        bold = QFont(self.timeline.font())
        bold.setBold(True)
        for episode in chart.episodes:
            span = f"{episode.start_date:%m/%d/%Y} – " + (
                f"{episode.end_date:%m/%d/%Y}" if episode.end_date else "now"
            )
            state = "open" if episode.is_open else "discharged"
            top = QTreeWidgetItem(
                [
                    f"{span} · {episode.complaint or 'complaint not recorded yet'} · "
                    f"{episode.therapist_name} · {state}"
                ]
            )
            top.setFont(0, bold)
            self.timeline.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)  # one line across: dates, complaint, therapist
            if episode.outcomes:
                change = QTreeWidgetItem(["", "Change since intake", ""])
                for outcome in episode.outcomes:
                    change.addChild(QTreeWidgetItem(["", "", outcome.describe()]))
                top.addChild(change)
                change.setExpanded(True)
            for entry in episode.timeline:
                row = QTreeWidgetItem([f"{entry.day:%m/%d/%Y}", entry.what, entry.detail])
                row.setToolTip(2, entry.detail)
                if entry.evaluation_id is not None:
                    row.setData(0, EvaluationRole, entry.evaluation_id)
                    row.setToolTip(1, "Press Enter or double-click to open")
                if entry.is_draft:
                    for column in range(3):
                        row.setForeground(column, QBrush(_DRAFT))
                top.addChild(row)
            top.setExpanded(episode.is_open or episode is chart.episodes[0])
        first = self.timeline.topLevelItem(0)
        if first is not None:
            self.timeline.setCurrentItem(first)
