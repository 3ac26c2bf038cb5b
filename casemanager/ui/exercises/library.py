"""The exercise library window: pick an exercise on the left, read or change it on the right.

Changes are saved with Save (Ctrl+S), and before moving to another exercise, so nothing
typed is lost. A role that may not change the library sees it read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.exercises import ExerciseContent
from casemanager.ui.exercises.picture import ExercisePicture
from casemanager.ui.widgets import ValidatedForm, on_any_edit, wheel_changes_only_focused_boxes

if TYPE_CHECKING:  # records only: the services stay off the Qt start
    from casemanager.domain.exercises import ExerciseContent
    from casemanager.services.exercises import ExerciseRecord

Done = Callable[["ExerciseRecord"], None]
Failed = Callable[[BaseException], None]


class ExerciseLibraryPort(Protocol):
    """What the library asks of the database; answers come later, on the GUI thread."""

    def save(
        self,
        exercise_id: int | None,
        version: int | None,
        content: ExerciseContent,
        done: Done,
        failed: Failed,
    ) -> None:
        """A new exercise (no id, no version) or a change to one."""
        ...

    def set_image(self, exercise_id: int, data: bytes | None, done: Done, failed: Failed) -> None:
        """Its picture, or none (`data` None)."""
        ...

    def get_image(self, exercise_id: int, done: Callable[[bytes | None], None]) -> None: ...


IdRole = Qt.ItemDataRole.UserRole


def _spin(high: int, label: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(-1, high)  # -1 shows as "—": no usual dose
    spin.setSpecialValueText("—")
    spin.setValue(-1)
    spin.setAccessibleName(label)
    return spin


def _value(spin: QSpinBox) -> int | None:
    return None if spin.value() < 0 else spin.value()


class ExerciseLibraryDialog(QDialog):
    def __init__(
        self,
        can_edit: bool,
        port: ExerciseLibraryPort,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Exercise library")
        self.resize(900, 620)
        self.can_edit = can_edit
        self.port = port
        self.records: dict[int, ExerciseRecord] = {}
        self.current: ExerciseRecord | None = None  # None while a new one is typed
        self.dirty = False
        self._loading = False
        self._after_save: Callable[[], None] | None = None

        self.list = QListWidget()
        self.list.setAccessibleName("Exercises")
        self.list.setMaximumWidth(280)
        self.new_button = QPushButton("Ne&w exercise")
        left = QVBoxLayout()
        left.addWidget(self.list, stretch=1)
        left.addWidget(self.new_button)

        self.form = ValidatedForm()
        self.name = QLineEdit()
        self.instructions = QPlainTextEdit()
        self.instructions.setPlaceholderText(
            "Numbered steps in plain words, as the patient reads them"
        )
        self.precautions = QPlainTextEdit()
        self.precautions.setFixedHeight(60)
        self.precautions.setPlaceholderText("When to stop, what to avoid")
        dose = QWidget()
        grid = QGridLayout(dose)
        grid.setContentsMargins(0, 0, 0, 0)
        self.sets = _spin(10, "Usual sets")
        self.reps = _spin(100, "Usual repetitions")
        self.hold = _spin(300, "Usual hold in seconds")
        self.times = _spin(10, "Usual times a day")
        for column, (caption, spin) in enumerate(
            (
                ("Sets", self.sets),
                ("Reps", self.reps),
                ("Hold s", self.hold),
                ("Per day", self.times),
            )
        ):
            caption_label = QLabel(caption)
            caption_label.setBuddy(spin)
            grid.addWidget(caption_label, 0, column)
            grid.addWidget(spin, 1, column)
        self.active = QCheckBox("Offered in home programs (untick to retire it)")
        self.picture = ExercisePicture()
        self.choose_picture = QPushButton("Choose &picture…")
        self.remove_picture = QPushButton("Remove picture")
        pictures = QWidget()
        row = QHBoxLayout(pictures)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.choose_picture)
        row.addWidget(self.remove_picture)
        row.addStretch()
        for name, label, widget in (
            ("name", "&Name", self.name),
            ("instructions", "&How to do it", self.instructions),
            ("precautions", "&Take care", self.precautions),
            ("dose", "Usual &dose", dose),
            ("active", "In use", self.active),
            ("picture", "Picture", self.picture),
            ("image", "", pictures),
        ):
            self.form.add_row(name, label, widget)
        self.status = QLabel()
        self.status.setAccessibleName("Library status")
        self.status.setWordWrap(True)
        self.save_button = QPushButton("&Save")
        self.save_button.setDefault(True)
        close = QPushButton("Close")
        bar = QHBoxLayout()
        bar.addWidget(self.status, stretch=1)
        bar.addWidget(self.save_button)
        bar.addWidget(close)
        right = QVBoxLayout()
        right.addWidget(self.form, stretch=1)
        right.addLayout(bar)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, stretch=1)

        self.list.currentItemChanged.connect(self._selected)
        self.new_button.clicked.connect(self._new)
        self.save_button.clicked.connect(lambda: self.save_now())
        close.clicked.connect(self.reject)
        self.choose_picture.clicked.connect(self._choose_picture)
        self.remove_picture.clicked.connect(lambda: self._change_picture(None))
        save_action = QAction(self)
        save_action.setShortcut(QKeySequence.StandardKey.Save)
        save_action.triggered.connect(lambda: self.save_now())
        self.addAction(save_action)
        on_any_edit(self.form, self._edited)
        for widget in (self.new_button, self.save_button, self.choose_picture, self.active):
            widget.setVisible(can_edit)
        self.remove_picture.setVisible(False)
        self.name.setReadOnly(not can_edit)
        self.instructions.setReadOnly(not can_edit)
        self.precautions.setReadOnly(not can_edit)
        for spin in (self.sets, self.reps, self.hold, self.times):
            spin.setReadOnly(not can_edit)
        if not can_edit:
            self.status.setText("Read only: therapists and administrators change the library.")
        wheel_changes_only_focused_boxes(self)

    # -- showing ---------------------------------------------------------------------------
    def show_library(self, records: list[ExerciseRecord], select_id: int | None = None) -> None:
        self._loading = True
        try:
            self.list.clear()
            self.records = {r.id: r for r in records}
            for record in records:
                retired = "" if record.content.active else " (retired)"
                item = QListWidgetItem(record.content.name + retired)
                item.setData(IdRole, record.id)
                if not record.content.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.list.addItem(item)
        finally:
            self._loading = False
        wanted = select_id if select_id is not None else (records[0].id if records else None)
        for row in range(self.list.count()):
            if self.list.item(row).data(IdRole) == wanted:
                self.list.setCurrentRow(row)
                break

    def _show(self, record: ExerciseRecord | None) -> None:
        self._loading = True
        try:
            content = record.content if record else None
            self.name.setText(content.name if content else "")
            self.instructions.setPlainText(content.instructions if content else "")
            self.precautions.setPlainText((content.precautions or "") if content else "")
            for spin, value in (
                (self.sets, content.sets if content else None),
                (self.reps, content.reps if content else None),
                (self.hold, content.hold_seconds if content else None),
                (self.times, content.times_per_day if content else None),
            ):
                spin.setValue(-1 if value is None else value)
            self.active.setChecked(content.active if content else True)
            self.form.clear_errors()
        finally:
            self._loading = False
        self.current = record
        self.dirty = False
        self.choose_picture.setEnabled(record is not None)
        self.remove_picture.setVisible(self.can_edit and bool(record and record.has_image))
        self.picture.show_exercise(record.key if record else None, None)
        if record is not None and record.has_image:

            def fetched(data: bytes | None) -> None:
                self._show_image(record, data)

            self.port.get_image(record.id, fetched)

    def _show_image(self, record: ExerciseRecord, data: bytes | None) -> None:
        if self.current is not None and self.current.id == record.id:
            self.picture.show_exercise(record.key, data)

    # -- editing ---------------------------------------------------------------------------
    def _edited(self, *_args: object) -> None:
        if not self._loading and self.can_edit:
            self.dirty = True
            self.status.setText("Changes not saved yet (Ctrl+S saves).")

    def _selected(self, item: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if self._loading or item is None:
            return
        wanted = item.data(IdRole)
        if self.dirty:
            # Save what was typed first; if it cannot be saved, stay on it with the message.
            self._loading = True
            if previous is not None:
                self.list.setCurrentItem(previous)
            self._loading = False
            self.save_now(then=lambda: self._select_id(wanted))
            return
        self._show(self.records.get(wanted))

    def _select_id(self, exercise_id: int) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(IdRole) == exercise_id:
                self.list.setCurrentRow(row)

    def _new(self) -> None:
        if self.dirty:
            self.save_now(then=self._new)
            return
        self._loading = True
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self._loading = False
        self._show(None)
        self.status.setText("New exercise: fill in the name and how to do it, then Save.")
        self.name.setFocus()

    def content(self) -> ExerciseContent:
        return ExerciseContent(
            name=self.name.text(),
            instructions=self.instructions.toPlainText(),
            precautions=self.precautions.toPlainText() or None,
            sets=_value(self.sets),
            reps=_value(self.reps),
            hold_seconds=_value(self.hold),
            times_per_day=_value(self.times),
            active=self.active.isChecked(),
        )

    def save_now(self, then: Callable[[], None] | None = None) -> None:
        if not self.can_edit:
            return
        if not self.dirty and self.current is not None:
            if then is not None:
                then()
            return
        self.form.clear_errors()
        self.status.setText("Saving…")
        current = self.current
        self._after_save = then
        self.port.save(
            current.id if current else None,
            current.version if current else None,
            self.content(),
            self._saved,
            self._failed,
        )

    def _saved(self, record: ExerciseRecord) -> None:
        self.records[record.id] = record
        self.dirty = False
        records = sorted(self.records.values(), key=lambda r: (r.content.name.lower(), r.id))
        self.show_library(records, select_id=record.id)
        self.status.setText(f"Saved “{record.content.name}”.")
        then, self._after_save = self._after_save, None
        if then is not None:
            then()

    def _failed(self, error: BaseException) -> None:
        self._after_save = None
        field = getattr(error, "field", None)
        message = getattr(error, "message", None) or "The exercise could not be saved."
        if not (field and self.form.show_error(field, message)):
            self.status.setText(f"Not saved: {message}")
        else:
            self.status.setText("Not saved: see the message beside the field.")

    # -- pictures --------------------------------------------------------------------------
    def pick_image_file(self) -> str:
        """Ask for a file (a method so tests can answer without a modal dialog)."""
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose a picture", str(Path.home()), "Pictures (*.png *.jpg *.jpeg)"
        )
        return path

    def _choose_picture(self) -> None:
        if self.current is None:
            return
        path = self.pick_image_file()
        if not path:
            return
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            self.form.show_error("image", f"The file could not be read: {error.strerror}.")
            return
        self._change_picture(data)

    def _change_picture(self, data: bytes | None) -> None:
        if self.current is None:
            return
        record = self.current

        def done(updated: ExerciseRecord) -> None:
            self.records[updated.id] = updated
            if self.current is not None and self.current.id == updated.id:
                self.current = updated
                self.remove_picture.setVisible(updated.has_image)
                self.picture.show_exercise(updated.key, data)
            self.status.setText("Picture saved." if data else "Picture removed.")

        def failed(error: BaseException) -> None:
            message = getattr(error, "message", None) or "The picture could not be saved."
            self.form.show_error("image", message)

        self.form.clear_errors()
        self.port.set_image(record.id, data, done, failed)

    def reject(self) -> None:
        """Close and Escape save what was typed first; a refused save keeps the window open
        with its message."""
        if self.dirty:
            self.save_now(then=self.reject)
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.dirty:
            event.ignore()

            def close_when_saved() -> None:
                self.close()

            self.save_now(then=close_when_saved)
            return
        super().closeEvent(event)
