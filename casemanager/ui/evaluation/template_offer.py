"""The bar above an evaluation that offers the templates of the chosen primary cause, says
what applying one filled in (and what it left out), and, once the evaluation is signed,
saves its plan as a new template. A widget: it shows and emits; its controller runs the
operations."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casemanager.ui import palette

# Form field names as a therapist reads them, for "what the template filled in".
FIELD_LABELS = {
    "primary_cause": "primary cause",
    "diagnosis_codes": "diagnosis codes",
    "paths": "treatment paths",
    "goals": "goals",
    "home_exercises": "home exercises",
    "certification_start": "certification period",
    "past_medical_history": "past medical history",
    "medications": "medications",
    "occupation": "occupation",
    "activities": "sports and activities",
}


def readable(names: tuple[str, ...] | list[str]) -> str:
    """Field names in words, each once, in their order."""
    seen: list[str] = []
    for name in names:
        words = FIELD_LABELS.get(name, name.replace("_", " "))
        if words not in seen:
            seen.append(words)
    return ", ".join(seen)


class TemplateOffer(QFrame):
    """Offers templates for a cause; `apply_requested(template_id)` on Apply (Alt+Y),
    `save_requested(name)` once a name is given for "Save as template" (Alt+L)."""

    apply_requested = Signal(int)
    save_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Templates for this cause")
        self.caption = QLabel()
        self.choice = QComboBox()
        self.choice.setAccessibleName("Template")
        self.apply_button = QPushButton("Appl&y template")
        self.apply_button.setToolTip(
            "Fill the codes, treatment paths, goals and home exercises from this template; "
            "what you already entered is kept"
        )
        self.save_button = QPushButton("Save as temp&late…")
        self.save_button.setToolTip("Save this signed plan of care as a new template")
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName("What the template filled in")
        self.result.hide()
        row = QHBoxLayout()
        row.addWidget(self.caption)
        row.addWidget(self.choice, stretch=1)
        row.addWidget(self.apply_button)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(row)
        layout.addWidget(self.result)
        self.apply_button.clicked.connect(self._apply)
        self.save_button.clicked.connect(self.ask_name)
        self.save_button.hide()
        self.hide()

    def offer(self, cause_label: str, templates: list[tuple[int, str, str | None]]) -> None:
        """The templates (id, name, note) of the cause just chosen; none: the bar hides."""
        self.choice.clear()
        for template_id, name, note in templates:
            self.choice.addItem(name, template_id)
            self.choice.setItemData(
                self.choice.count() - 1, note or "", Qt.ItemDataRole.ToolTipRole
            )
        self.caption.setText(f"Template for {cause_label}:")
        self.choice.setEnabled(len(templates) > 1)
        for widget in (self.caption, self.choice, self.apply_button):
            widget.setVisible(bool(templates))
        self.apply_button.setEnabled(bool(templates))
        self.result.hide()
        self.setVisible(bool(templates))

    def _apply(self) -> None:
        template_id = self.choice.currentData()
        if template_id is not None:
            self.apply_button.setEnabled(False)  # one apply at a time
            self.result.setStyleSheet("")
            self.result.setText("Applying…")
            self.result.show()
            self.apply_requested.emit(int(template_id))

    def show_applied(
        self, name: str, filled: list[str], kept: list[str], notes: list[str], guidance: list[str]
    ) -> None:
        lines = [f"{name} filled in: {readable(filled) or 'nothing new'}."]
        if kept:
            lines.append(f"Kept what you entered: {readable(kept)}.")
        lines += notes
        if guidance:
            lines.append("Guideline notes: " + " ".join(guidance))
        lines.append("Red flags are never filled by a template: answer them before signing.")
        self.result.setStyleSheet("")
        self.result.setText("\n".join(lines))
        self.result.show()
        self.apply_button.setEnabled(True)

    def show_error(self, message: str) -> None:
        self.result.setStyleSheet(palette.DANGER_STYLE)
        self.result.setText(message)
        self.result.show()
        self.apply_button.setEnabled(self.choice.count() > 0)
        self.save_button.setEnabled(True)

    def offer_saving(self) -> None:
        """A signed evaluation: its plan may become a template; nothing is applied any more."""
        for widget in (self.caption, self.choice, self.apply_button):
            widget.hide()
        self.save_button.show()
        self.save_button.setEnabled(True)
        self.show()

    def ask_name(self) -> None:
        self.name_dialog = TemplateNameDialog(self)
        self.name_dialog.accepted.connect(lambda: self._save(self.name_dialog.name.text()))
        self.name_dialog.open()

    def _save(self, name: str) -> None:
        self.save_button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText("Saving the template…")
        self.result.show()
        self.save_requested.emit(name)

    def show_saved(self, name: str) -> None:
        self.result.setStyleSheet("")
        self.result.setText(f"Saved as the template “{name}”.")
        self.save_button.setEnabled(True)


class TemplateNameDialog(QDialog):
    """Asks the new template's name; Enter saves, Escape cancels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save as template")
        self.name = QLineEdit()
        self.name.setAccessibleName("Template name")
        self.name.setPlaceholderText("e.g. Lumbar strain, desk worker")
        caption = QLabel("Template &name:")
        caption.setBuddy(self.name)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept_named)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        self.name.textChanged.connect(lambda text: self.save_button.setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(caption)
        layout.addWidget(self.name)
        layout.addWidget(buttons)

    def _accept_named(self) -> None:
        if self.name.text().strip():
            self.accept()
