"""Print or save a document of the latest signed evaluation: choose which and how, see it in
the preview, then print it, save it, or save a password-protected copy for email.

Rendering happens on the database worker (through the dialog's `DocumentPort`); each print
or save is rendered again under its own audited action, so the audit log says what left the
clinic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casemanager import output_files
from casemanager.ui.widgets import resize_within_screen, wheel_changes_only_focused_boxes


@dataclass(frozen=True)
class DocumentRequest:
    """One rendering: which document, how, and why (the audited action)."""

    kind: str  # a key of KINDS
    language: str
    large_print: bool
    action: Literal["read", "print", "export"]  # preview, printed, saved to a file
    password: str | None = None  # a protected copy opens only with it


class DocumentPort(Protocol):
    def render(
        self,
        request: DocumentRequest,
        done: Callable[[bytes], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """The PDF, later, on the GUI thread; each call is audited as `request.action`."""
        ...


KINDS = {
    "take-home": "Take-home care plan (for the patient)",
    "plan-of-care": "Plan of care (for the physician to certify)",
    "referral": "Referral letters",
}
PRINT_DPI = 300


class DocumentDialog(QDialog):
    def __init__(
        self,
        patient_name: str,
        languages: dict[str, str],
        preferred_language: str,
        has_referrals: bool,
        port: DocumentPort,
        parent: QWidget | None = None,
        unprintable: str = "",
        live_database: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.live_database = live_database  # a saved PDF never lands on it
        self.setWindowTitle(f"Print or save — {patient_name}")
        resize_within_screen(self, 900, 900)  # the preview scrolls inside
        self.patient_name = patient_name
        self.port = port
        self.pdf: bytes | None = None
        self.document = QPdfDocument(self)  # kept: the view only borrows it
        self._buffer: QBuffer | None = None

        self.kind = QComboBox()
        self.kind.setAccessibleName("Document")
        for key, label in KINDS.items():
            if key != "referral" or has_referrals:
                self.kind.addItem(label, key)
        self.language = QComboBox()
        self.language.setAccessibleName("Language of the take-home plan")
        for code, name in languages.items():
            self.language.addItem(name, code)
        index = self.language.findData(preferred_language)
        self.language.setCurrentIndex(max(index, 0))
        self.large_print = QCheckBox("Lar&ge print")
        options = QHBoxLayout()
        kind_label = QLabel("&Document:")
        kind_label.setBuddy(self.kind)
        language_label = QLabel("&Language:")
        language_label.setBuddy(self.language)
        for widget in (kind_label, self.kind, language_label, self.language, self.large_print):
            options.addWidget(widget)
        options.addStretch()

        self.view = QPdfView()
        self.view.setAccessibleName("Preview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.unprintable = unprintable  # characters no embedded font has, shown as boxes
        self.status = QLabel("Preparing the preview…")
        self.status.setAccessibleName("Document status")
        self.status.setWordWrap(True)
        self.print_button = QPushButton("&Print…")
        self.save_button = QPushButton("&Save as PDF…")
        self.protect_button = QPushButton("Save a pass&word-protected copy…")
        self.protect_button.setToolTip("For email: the file opens only with the password (AES-256)")
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, stretch=1)
        for button in (self.print_button, self.save_button, self.protect_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addWidget(self.view, stretch=1)
        layout.addLayout(buttons)

        self.kind.currentIndexChanged.connect(self.preview)
        self.language.currentIndexChanged.connect(self.preview)
        self.large_print.toggled.connect(self.preview)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(lambda: self.save(protected=False))
        self.protect_button.clicked.connect(lambda: self.save(protected=True))
        close.clicked.connect(self.reject)
        print_action = QAction(self)
        print_action.setShortcut(QKeySequence.StandardKey.Print)
        print_action.triggered.connect(self.print_document)
        self.addAction(print_action)
        self._busy(True)
        wheel_changes_only_focused_boxes(self)

    # -- choices -----------------------------------------------------------------------------
    def choice(self) -> tuple[str, str, bool]:
        kind = self.kind.currentData()
        take_home = kind == "take-home"
        self.language.setEnabled(take_home)
        self.large_print.setEnabled(take_home)
        return kind, self.language.currentData(), take_home and self.large_print.isChecked()

    def _busy(self, busy: bool) -> None:
        for button in (self.print_button, self.save_button, self.protect_button):
            button.setEnabled(not busy and self.pdf is not None)

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        self.status.setText(getattr(error, "message", None) or "The document could not be made.")

    # -- preview -----------------------------------------------------------------------------
    def preview(self, *_args: object) -> None:
        kind, language, large = self.choice()
        self.status.setText("Preparing the preview…")
        self.pdf = None
        self._busy(True)
        request = DocumentRequest(kind, language, large, "read")
        self.port.render(request, self._show, self._failed)

    def _show(self, pdf: bytes) -> None:
        self.pdf = pdf
        self.document.close()
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        pages = self.document.pageCount()
        ready = f"{pages} page{'s' if pages != 1 else ''}. Ready to print or save."
        if self.unprintable:
            ready += (
                f" Note: these characters have no printable form and show as boxes: "
                f"{self.unprintable}"
            )
        self.status.setText(ready)
        self._busy(False)

    # -- print -------------------------------------------------------------------------------
    def ask_printer(self) -> QPrinter | None:
        """The system print dialog (a method, so tests can answer it)."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, max(1, self.document.pageCount()))  # a page range may be chosen
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    def print_document(self) -> None:
        if self.pdf is None:
            return
        printer = self.ask_printer()
        if printer is None:
            return
        kind, language, large = self.choice()
        self.status.setText("Sending to the printer…")
        self._busy(True)

        def printed(pdf: bytes) -> None:
            self._busy(False)
            try:
                pages = print_pdf(pdf, printer)
            except OSError as error:
                self.status.setText(f"Not printed: {error}. Check the printer and try again.")
                return
            self.status.setText(f"Printed {pages} page{'s' if pages != 1 else ''}.")

        self.port.render(DocumentRequest(kind, language, large, "print"), printed, self._failed)

    # -- save --------------------------------------------------------------------------------
    def ask_save_path(self, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save as PDF", str(Path.home() / suggested), "PDF documents (*.pdf)"
        )
        return path

    def ask_password(self) -> str | None:
        password, accepted = QInputDialog.getText(
            self,
            "Password for the copy",
            "The patient needs this password to open the file. Tell it to them by phone or "
            "in person, never in the same email (at least 8 characters):",
            QLineEdit.EchoMode.Password,
        )
        if not accepted:
            return None
        again, accepted = QInputDialog.getText(
            self, "Password for the copy", "Type the password again:", QLineEdit.EchoMode.Password
        )
        if not accepted:
            return None
        if again != password:
            self.status.setText("The two passwords differ: nothing was saved. Try again.")
            return None
        return password

    def save(self, protected: bool) -> None:
        if self.pdf is None:
            return
        password = None
        if protected:
            password = self.ask_password()
            if not password:
                return
        kind, language, large = self.choice()
        safe_name = "".join(c if c.isalnum() else "-" for c in self.patient_name).strip("-")
        path = self.ask_save_path(f"{safe_name}-{kind}.pdf")
        if not path:
            return
        try:  # before the copy is made and audited as an export
            output_files.check(path, databases=[self.live_database])
        except output_files.OutputRefused as error:
            self.status.setText(f"Not saved: {error.message}")
            return
        self._busy(True)
        self.status.setText("Saving…")

        def write(pdf: bytes) -> None:
            self._busy(False)
            try:  # beside the target, then renamed: an old file is never half-overwritten
                output_files.write_bytes(path, pdf, databases=[self.live_database])
            except output_files.OutputRefused as error:
                self.status.setText(f"Not saved: {error.message}")
                return
            note = " (opens only with the password)" if protected else ""
            self.status.setText(f"Saved {Path(path).name}{note}.")

        request = DocumentRequest(kind, language, large, "export", password)
        self.port.render(request, write, self._failed)


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Draw each page of the PDF on the printer at 300 dpi; returns the pages printed.

    Qt has no "print this PDF" call: pdfium renders each page to an image for the printer.
    """
    document = QPdfDocument()
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("The printer could not be started.")
    # Pages chosen in the print dialog (1-based; 0 means all).
    first = max(printer.fromPage(), 1)
    last = printer.toPage() or document.pageCount()
    pages = range(first - 1, min(last, document.pageCount()))
    try:
        for count, index in enumerate(pages):
            if count:
                printer.newPage()
            points = document.pagePointSize(index)
            size = QSize(
                int(points.width() * PRINT_DPI / 72), int(points.height() * PRINT_DPI / 72)
            )
            image = document.render(index, size)
            area = painter.viewport()
            scaled = image.scaled(
                area.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            painter.drawImage(QPointF(0, 0), scaled)
        return len(pages)
    finally:
        painter.end()
        document.close()
        buffer.close()


class BatchProgress(QDialog):
    """Progress of a batch with Cancel. A plain dialog, not QProgressDialog, whose setValue
    runs a nested event loop that can re-enter the batch's own callbacks."""

    canceled = Signal()

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Take-home plans")
        self.setModal(False)
        self.label = QLabel(
            f"Writing take-home plans for {count:,} patients. You can go on working "
            "meanwhile; Cancel stops after the plans being made now."
        )
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, count)
        self.bar.setAccessibleName("Plans written")
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(cancel, alignment=Qt.AlignmentFlag.AlignRight)

    def _cancel(self) -> None:
        self.label.setText("Stopping after the plans being made now…")
        self.canceled.emit()

    def moved(self, done: int, total: int) -> None:
        """Connected to the worker's progress signal: a QObject method, so Qt runs it here,
        on the GUI thread, and never on the worker's."""
        self.bar.setMaximum(total)
        self.bar.setValue(done)
