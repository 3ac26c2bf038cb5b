"""Documents: print or save a patient's care plan, and take-home plans for many patients."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from casemanager.ui.documents.dialog import BatchProgress, DocumentDialog, DocumentRequest
from casemanager.ui.ops import Change, Changes, Lane

if TYPE_CHECKING:
    from collections.abc import Callable

    from casemanager.services.batch import BatchResult
    from casemanager.ui.workspace import Context

# What the dialog needs to open: the evaluation, whether it has referrals, the patient's
# language, the languages there is wording for, characters no font can print.
Found = tuple[int, bool, str, dict[str, str], str]


class _RenderPort:
    """The dialog's `DocumentPort` for one evaluation."""

    def __init__(self, context: Context, evaluation_id: int, patient_id: int) -> None:
        self.context = context
        self.evaluation_id = evaluation_id
        self.patient_id = patient_id

    def render(
        self,
        request: DocumentRequest,
        done: Callable[[bytes], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> bytes:
            from casemanager.domain.enums import AuditAction
            from casemanager.services import documents

            return documents.render(
                db,
                actor,
                evaluation_id,
                documents.DocumentKind(request.kind),
                language=request.language,
                large_print=request.large_print,
                action=AuditAction(request.action),
                password=request.password,
            )

        if request.action == "read":
            self.context.ops.read(work, done, failed)  # the preview: audited, changes nothing
        else:  # the timeline lists what was printed or saved
            self.context.ops.change(work, Changes.chart(self.patient_id), done, failed)


class DocumentsController:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.batch_stop = threading.Event()  # set on quit: a running batch stops between plans
        self.batch_progress: BatchProgress | None = None

    # -- one patient's documents ------------------------------------------------------------
    def print_plan(self, patient_id: int, patient_name: str) -> None:
        db, actor = self.context.db, self.context.actor

        def find() -> Found:
            from casemanager.reports import wording
            from casemanager.services import documents, patients

            evaluation_id = documents.latest_signed_evaluation(db, actor, patient_id)
            snapshot = documents.snapshot(db, actor, evaluation_id)
            record = patients.get_patient(db, actor, patient_id)
            return (
                evaluation_id,
                bool(snapshot.referrals),
                record.fields.preferred_language,
                wording.languages(),
                documents.unprintable(snapshot),
            )

        self.context.ops.read(find, lambda found: self._show(patient_id, patient_name, found))

    def _show(self, patient_id: int, patient_name: str, found: Found) -> None:
        evaluation_id, has_referrals, language, languages, unprintable = found
        context = self.context

        dialog = DocumentDialog(
            patient_name,
            languages,
            language,
            has_referrals,
            _RenderPort(context, evaluation_id, patient_id),
            context.window,
            unprintable=unprintable,
            live_database=context.db.sqlite_path,
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        dialog.preview()

    # -- a batch of take-home plans ----------------------------------------------------------
    def export_batch(self, patient_ids: list[int]) -> None:
        context = self.context
        if not patient_ids:
            context.say("Select patients in the list first (Ctrl+click or Shift+click).")
            return
        folder = context.window.ask_folder()
        if not folder:
            return
        ops = context.ops
        if ops.is_busy(Lane.BATCH):
            context.say("A batch is already being written.")
            return
        self.batch_stop = threading.Event()
        db, actor, stop = context.db, context.actor, self.batch_stop
        progress = BatchProgress(len(patient_ids), context.window)
        progress.canceled.connect(stop.set)
        self.batch_progress = progress
        # Its own worker thread: the chart, searches and autosave go on meanwhile.
        moving = ops.progress(Lane.BATCH).connect(progress.moved)
        progress.show()
        report = ops.report_progress(Lane.BATCH)

        def work() -> BatchResult:
            from casemanager.services import batch

            return batch.export_take_home_plans(
                db, actor, patient_ids, Path(folder), progress=report, cancelled=stop.is_set
            )

        def finish() -> None:
            QObject.disconnect(moving)  # (by its connection: after a logout the dialog is gone)
            self.batch_progress = None
            if not context.closed:
                progress.close()
                progress.deleteLater()

        def done(result: BatchResult) -> None:
            finish()
            if context.closed:
                return  # stopped by a logout: no window to say it in
            said = f"Wrote {len(result.written):,} take-home plans to {folder}"
            if result.cancelled:
                said += " before you cancelled"
            if result.skipped:
                said += f"; {len(result.skipped)} skipped (no signed evaluation yet)"
            context.say(said + ".", 30_000)

        def failed(error: BaseException) -> None:
            finish()
            context.show_error(error)  # the shell's: on the start window after a logout

        # Each chart lists the plan printed for it.
        ops.change(work, Changes.of(Change.NOTHING, patient_ids), done, failed, Lane.BATCH)

    def stop_batch(self) -> None:
        self.batch_stop.set()
