"""Import patients from another system's file: pick which column holds which field (guessed
from the header), see the first rows as they will be read, check every row, then import all
of them or none. Checking and importing run in the caller's worker (signals below)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.errors import DomainError
from casemanager.interop import patient_files
from casemanager.ui.widgets import wheel_changes_only_focused_boxes

if TYPE_CHECKING:  # records only: the services stay off the Qt start
    from casemanager.services.patient_import import ImportReport

PREVIEW_ROWS = 20
NONE = "(not in this file)"


class ImportDialog(QDialog):
    # (file, mapping or None for FHIR): the caller reads the whole file on its worker
    check_requested = Signal(object, object)
    import_requested = Signal(object, object)

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(f"Import patients from {path.name}")
        self.setMinimumSize(860, 600)
        self.is_csv = path.suffix.lower() not in (".ndjson", ".json")
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.columns: dict[str, QComboBox] = {}
        layout = QVBoxLayout(self)
        if self.is_csv:
            self.header, self.rows = patient_files.read_csv(path)  # DomainError: caller shows it
            layout.addWidget(
                QLabel(
                    f"{len(self.rows):,} rows. Which column holds each field? "
                    "(Guessed from the header; * marks the ones every patient needs.)"
                )
            )
            form = QFormLayout()
            guessed = patient_files.suggest_mapping(self.header)
            for key, (label, needed) in patient_files.FIELDS.items():
                box = QComboBox()
                box.addItem(NONE, "")
                for column in self.header:
                    box.addItem(column, column)
                if key in guessed:
                    box.setCurrentIndex(box.findData(guessed[key]))
                box.setAccessibleName(label)
                box.currentIndexChanged.connect(self._mapping_changed)
                self.columns[key] = box
                form.addRow(f"{label}{' *' if needed else ''}", box)
            layout.addLayout(form)
        else:
            layout.addWidget(QLabel("FHIR Patient resources, one per line (NDJSON)."))
        self.preview = QTableWidget(0, 6)
        self.preview.setHorizontalHeaderLabels(
            ["Row", "First name", "Last name", "Date of birth", "Sex", "Phone"]
        )
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().hide()
        self.preview.setAccessibleName("Preview of the first rows")
        layout.addWidget(QLabel(f"<b>The first {PREVIEW_ROWS} rows as they will be read</b>"))
        layout.addWidget(self.preview, stretch=2)
        self.preview.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(QLabel("<b>Rows to fix</b> (listed by Check every row)"))
        self.problems = QListWidget()
        self.problems.setAccessibleName("Rows to fix")
        layout.addWidget(self.problems, stretch=1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.check_button = QPushButton("&Check every row")
        self.import_button = QPushButton("&Import")
        self.import_button.setEnabled(False)
        close = QPushButton("Close")
        buttons.addStretch(1)
        for button in (self.check_button, self.import_button, close):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.check_button.clicked.connect(lambda: self._emit(self.check_requested))
        self.import_button.clicked.connect(lambda: self._emit(self.import_requested))
        close.clicked.connect(self.reject)
        self._mapping_changed()
        wheel_changes_only_focused_boxes(self)

    def mapping(self) -> dict[str, str]:
        return {key: box.currentData() for key, box in self.columns.items() if box.currentData()}

    def _preview_rows(self) -> list[Any]:
        """The first rows only, from the file as read when the dialog opened."""
        if self.is_csv:
            shown = self.rows[:PREVIEW_ROWS]
            return list(patient_files.csv_candidates(self.header, shown, self.mapping()))
        read: list[Any] = []
        for item in patient_files.fhir_candidates(self.path):
            read.append(item)
            if len(read) == PREVIEW_ROWS:
                break
        return read

    def _mapping_changed(self) -> None:
        self.import_button.setEnabled(False)  # check again after any change
        self.problems.clear()
        try:
            read = self._preview_rows()
        except DomainError as refused:
            self.preview.setRowCount(0)
            self.status.setText(refused.message)
            return
        self.status.setText("Check every row before importing.")
        self.preview.clearSpans()
        self.preview.setRowCount(len(read))
        for row, item in enumerate(read):
            if isinstance(item, patient_files.RowProblem):
                values = [str(item.row), f"⚠ {item.message}", "", "", "", ""]
            else:
                f = item.fields
                values = [
                    str(item.row),
                    f.given_name,
                    f.family_name,
                    f"{f.date_of_birth:%m/%d/%Y}",
                    f.sex.value,
                    f.phone or "",
                ]
            for column, value in enumerate(values):
                self.preview.setItem(row, column, QTableWidgetItem(value))
            if isinstance(item, patient_files.RowProblem):
                self.preview.setSpan(row, 1, 1, 5)  # the message across the row, not one column
        self.preview.resizeColumnsToContents()

    def _emit(self, signal: Any) -> None:
        mapping = self.mapping() if self.is_csv else None
        if mapping is not None:
            try:
                patient_files.check_mapping(self.header, mapping)
            except DomainError as refused:
                self.status.setText(refused.message)
                return
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.status.setText("Reading and checking every row…")
        signal.emit(self.path, mapping)

    def show_report(self, report: ImportReport, imported: bool) -> None:
        self.check_button.setEnabled(True)
        self.problems.clear()
        for problem in report.problems:
            self.problems.addItem(f"Row {problem.row}: {problem.message}")
        if report.problems:
            self.status.setText(
                f"{len(report.problems)} rows need fixing in the file; nothing was imported."
            )
        elif imported:
            self.status.setText(
                f"Imported {report.added} patients; {report.already_there} were already here."
            )
        else:
            self.status.setText(f"All {report.added} rows are fine. Import them?")
            self.import_button.setEnabled(True)

    def show_failure(self, message: str) -> None:
        self.check_button.setEnabled(True)
        self.status.setText(message)
