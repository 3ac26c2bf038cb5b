"""The exercise library: browsing it, and editing it for those who may."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from casemanager.domain.permissions import Permission
from casemanager.ui.exercises.library import Done, ExerciseLibraryDialog, Failed
from casemanager.ui.ops import Change, Changes

if TYPE_CHECKING:
    from casemanager.domain.exercises import ExerciseContent
    from casemanager.services.exercises import ExerciseRecord
    from casemanager.ui.workspace import Context

EDITED = Changes(Change.EXERCISES)


class ExercisesController:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.dialog: ExerciseLibraryDialog | None = None  # the open library, if any
        self._shown_own_save = False  # the dialog already shows what it has just saved
        context.listen(self._changed)

    def _changed(self, changes: Changes) -> None:
        """Refresh (F5) reads the open library again; its own saves it already shows."""
        own, self._shown_own_save = self._shown_own_save, False
        dialog = self.dialog
        if own or dialog is None or dialog.dirty or not changes.touches(Change.EXERCISES):
            return
        current = dialog.current.id if dialog.current is not None else None
        self._read(lambda records: dialog.show_library(records, select_id=current))

    def open_library(self) -> None:
        if self.dialog is not None:
            self.dialog.raise_()  # one library at a time
            self.dialog.activateWindow()
            return
        dialog = ExerciseLibraryDialog(
            self.context.may(Permission.EDIT_EXERCISE_LIBRARY),
            self,  # its ExerciseLibraryPort
            self.context.window,
        )
        self.dialog = dialog
        dialog.finished.connect(self._closed)
        dialog.finished.connect(dialog.deleteLater)
        self._read(dialog.show_library)
        dialog.open()

    def _read(self, done: Callable[[list[ExerciseRecord]], None]) -> None:
        db, actor = self.context.db, self.context.actor

        def load() -> list[ExerciseRecord]:
            from casemanager.services import exercises

            return exercises.list_library(db, actor)

        self.context.ops.read(load, done)

    def _own(self, done: Done) -> Done:
        """`done`, and a note that the change about to be heard is the dialog's own."""

        def saved(record: ExerciseRecord) -> None:
            self._shown_own_save = True
            done(record)

        return saved

    def _closed(self, _result: int) -> None:
        self.dialog = None

    def save(
        self,
        exercise_id: int | None,
        version: int | None,
        content: ExerciseContent,
        done: Done,
        failed: Failed,
    ) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> ExerciseRecord:
            from casemanager.services import exercises

            return exercises.save_exercise(db, actor, exercise_id, version, content)

        self.context.ops.change(work, EDITED, self._own(done), failed)

    def set_image(self, exercise_id: int, data: bytes | None, done: Done, failed: Failed) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> ExerciseRecord:
            from casemanager.services import exercises

            return exercises.set_image(db, actor, exercise_id, data)

        self.context.ops.change(work, EDITED, self._own(done), failed)

    def get_image(self, exercise_id: int, done: Callable[[bytes | None], None]) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> bytes | None:
            from casemanager.services import exercises

            return exercises.get_image(db, actor, exercise_id)

        self.context.ops.read(work, done)
