"""Patients: the list, the chart of the one opened, registering, visits, a referral's
outcome, and patients moved in from or out to another system."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from casemanager.domain.enums import Role
from casemanager.domain.errors import DomainError, ValidationError
from casemanager.ui import messages
from casemanager.ui.ops import Change, Changes
from casemanager.ui.patients.chart import ChartPanel
from casemanager.ui.patients.list_widget import PatientListWidget
from casemanager.ui.patients.listing_audit import ListingAudit
from casemanager.ui.patients.model import PatientTableModel

if TYPE_CHECKING:
    from collections.abc import Callable

    from casemanager.domain.patients import (
        PatientFields,
        PatientQuery,
        PatientRecord,
        PatientSummary,
    )
    from casemanager.services.chart import Chart
    from casemanager.services.clinic import ClinicOverview
    from casemanager.services.fhir_export import ExportResult
    from casemanager.services.patient_import import ImportReport
    from casemanager.services.visits import EpisodeProgress, GoalInForce
    from casemanager.ui.patients.import_dialog import ImportDialog
    from casemanager.ui.patients.new_patient import NewPatientDialog
    from casemanager.ui.workspace import Context, Therapists, Workspace


def _listing_audit(context: Context) -> ListingAudit:
    """The list's access audit: written by the service, queued on the database worker after
    the searches already asked (which run first), as a step of its own. It holds only what it
    needs, so a login that ended can still be audited at quit."""
    db, actor, ops = context.db, context.actor, context.ops

    def write(counts: list[int]) -> None:
        from casemanager.services import patients

        patients.record_listings(db, actor, counts)

    def written(_none: None) -> None:
        return None

    return ListingAudit(write, lambda step: ops.read(step, written))


# A visit: the episode it counts in, how far the episode is, the goals a report judges.
VisitStart = tuple[int, "EpisodeProgress", list["GoalInForce"]]


class PatientsController:
    def __init__(self, context: Context, workspace: Workspace) -> None:
        self.context = context
        self.workspace = workspace
        self.model = PatientTableModel(self._fetch)
        self.listing_audit = _listing_audit(context)
        self.chart = ChartPanel(can_evaluate=context.actor.role == Role.THERAPIST)
        self.patient_list: PatientListWidget | None = None
        self.therapists: list[tuple[int, str]] = []
        chart, evaluations = self.chart, workspace.evaluations
        chart.chart_shown.connect(context.window.widen_chart)
        chart.start_evaluation.connect(lambda pid: evaluations().start(pid, self._name()))
        chart.open_evaluation.connect(lambda eid: evaluations().open(eid, self._name()))
        chart.follow_up.connect(
            lambda episode, kind: evaluations().follow_up(episode, kind, self._name())
        )
        chart.print_requested.connect(
            lambda pid: workspace.documents().print_plan(pid, self._name())
        )
        chart.record_visit.connect(self.record_visit)
        chart.open_intake.connect(lambda pid: workspace.intake().ask_open(pid, self._name()))
        chart.review_intake.connect(lambda pid: workspace.intake().review(pid))
        chart.record_referral_outcome.connect(lambda _pid: self.record_referral_outcome())
        context.listen(self._changed)

    def _name(self) -> str:
        return self.chart.name.text()

    # -- the list and the chart ------------------------------------------------------------
    def show_list(self, therapists: list[tuple[int, str]]) -> None:
        self.therapists = therapists
        patient_list = PatientListWidget(self.model, therapists, self.context.actor.user_id)
        self.model.setParent(patient_list)  # Qt owns it from here: freed with the window
        patient_list.open_patient.connect(self.open_chart)
        self.patient_list = patient_list
        self.context.window.set_patient_list(patient_list, self.chart)
        patient_list.apply_filters()

    def _fetch(
        self,
        query: PatientQuery,
        offset: int,
        limit: int,
        deliver: Callable[[list[PatientSummary]], None],
    ) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> list[PatientSummary]:
            from casemanager.services import patients

            # Read only: the audit row waits until the rows are on screen.
            return patients.find_patients(db, actor, query, offset=offset, limit=limit)

        def shown(rows: list[PatientSummary]) -> None:
            try:
                deliver(rows)
            finally:  # every page read is audited, shown or dropped as stale
                self.listing_audit.shown(len(rows))

        def failed(error: BaseException) -> None:
            self.model.load_failed()
            self.context.show_error(error)

        self.context.ops.read(work, shown, failed)

    def open_chart(self, patient_id: int) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> Chart:
            from casemanager.services import chart

            return chart.open_chart(db, actor, patient_id)

        self.context.ops.read(work, self.chart.show_chart)

    def show_chart(self, patient_id: int) -> None:
        """From another screen: the Patients tab, with this patient's chart."""
        self.context.window.show_patients()
        self.open_chart(patient_id)

    def selected_patient_ids(self) -> list[int]:
        return self.patient_list.selected_patient_ids() if self.patient_list else []

    def _changed(self, changes: Changes) -> None:
        if changes.touches(Change.PATIENTS | Change.EPISODES):
            self.read_overview()
        if changes.touches(Change.PATIENTS):
            if self.patient_list is not None:
                self.patient_list.reload()  # the rows shown, selection and scroll kept
        if changes.touches_chart(self.chart.patient_id):
            assert self.chart.patient_id is not None
            self.open_chart(self.chart.patient_id)

    def read_therapists(self, done: Callable[[Therapists], None]) -> None:
        """The active therapists, for the list's filter and the new-patient form."""
        db, actor = self.context.db, self.context.actor

        def work() -> Therapists:
            from casemanager.services import accounts

            users = accounts.list_users(db, actor, role=Role.THERAPIST)
            return [(u.id, u.display_name) for u in users if u.active]

        self.context.ops.read(work, done)

    # -- the header's figures ----------------------------------------------------------------
    def read_overview(self) -> None:
        """Patients on record, active, in my caseload: the main window's header."""
        context = self.context
        db, actor = context.db, context.actor

        def work() -> ClinicOverview:
            from casemanager.services import clinic

            return clinic.overview(db, actor)

        def show(overview: ClinicOverview) -> None:
            if not context.closed:
                context.window.show_overview(
                    overview.patients,
                    overview.active_patients,
                    overview.my_active_patients,
                    overview.is_demo,
                )

        context.ops.read(work, show)

    # -- registering a patient -------------------------------------------------------------
    def new_patient(self) -> NewPatientDialog:
        from casemanager.ui.patients.new_patient import NewPatientDialog

        context, therapists = self.context, self.therapists
        db, actor = context.db, context.actor
        mine = actor.user_id if any(t[0] == actor.user_id for t in therapists) else None
        dialog = NewPatientDialog(therapists, mine, context.window)

        def failed(error: BaseException) -> None:
            if isinstance(error, ValidationError):
                dialog.show_error(error.field, error.message)
            else:
                dialog.set_busy(False)
                context.show_error(error)

        def created(record: PatientRecord) -> None:
            dialog.accept()
            context.say(
                f"Registered {record.fields.given_name} {record.fields.family_name}, "
                f"MRN {record.mrn}."
            )
            self.open_chart(record.id)

        def create(fields: PatientFields) -> None:
            def work() -> PatientRecord:
                from casemanager.services import patients

                return patients.create_patient(db, actor, fields)

            registered = Changes(Change.PATIENTS)
            context.ops.change(work, registered, created, failed)

        def submitted(fields: PatientFields) -> None:
            if dialog.confirmed_duplicates:
                create(fields)
                return

            def check() -> list[PatientSummary]:
                from casemanager.services import patients

                return patients.possible_duplicates(
                    db, actor, fields.given_name, fields.family_name, fields.date_of_birth
                )

            def checked(found: list[PatientSummary]) -> None:
                if found:
                    dialog.show_duplicates(found)
                else:
                    create(fields)

            context.ops.read(check, checked, failed)

        dialog.submitted.connect(submitted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()  # not exec(): the window stays responsive, and tests can drive it
        return dialog

    # -- a visit ---------------------------------------------------------------------------
    def record_visit(self, patient_id: int) -> None:
        db, actor = self.context.db, self.context.actor

        def find() -> VisitStart | None:
            from casemanager.services import visits

            episode = visits.current_episode(db, actor, patient_id)
            if episode is None:
                return None
            progress = visits.progress(db, actor, episode)
            return episode, progress, visits.goals_to_assess(db, actor, episode)

        self.context.ops.read(find, lambda found: self._visit_dialog(patient_id, found))

    def _visit_dialog(self, patient_id: int, found: VisitStart | None) -> None:
        from casemanager.ui.patients.visit_dialog import VisitDialog

        context = self.context
        if found is None:
            context.say("No open episode of care: start and sign an evaluation first.")
            return
        db, actor = context.db, context.actor
        episode, progress, goals = found
        dialog = VisitDialog(progress.progress_report_text, goals, context.window)
        dialog.finished.connect(dialog.deleteLater)

        def submitted(values: dict[str, Any]) -> None:
            def work() -> object:
                from casemanager.services import visits

                return visits.record_visit(db, actor, episode, visits.VisitContent(**values))

            def done(_visit: object) -> None:
                dialog.accept()
                context.say("Visit recorded.", 8000)

            visited = Changes.chart(patient_id, Change.EPISODES | Change.CASELOAD)
            failed = context.refusal_shown_by(dialog.show_error, "The visit")
            context.ops.change(work, visited, done, failed)

        dialog.submitted.connect(submitted)
        dialog.open()

    # -- a red flag's referral answered ----------------------------------------------------
    def record_referral_outcome(self) -> None:
        from casemanager.ui.patients.referral_outcome import ReferralOutcomeDialog

        context, patient_id, shown = self.context, self.chart.patient_id, self.chart.chart
        if patient_id is None or shown is None:
            return
        db, actor = context.db, context.actor
        dialog = ReferralOutcomeDialog(list(shown.open_red_flags), context.window)
        dialog.finished.connect(dialog.deleteLater)

        def submitted(values: dict[str, Any]) -> None:
            def work() -> None:
                from casemanager.services import referrals

                referral_id = values.pop("referral_id")
                referrals.record_outcome(
                    db, actor, referral_id, referrals.ReferralOutcome(**values)
                )

            def done(_none: None) -> None:
                dialog.accept()
                context.say("Referral outcome recorded.", 8000)

            answered = Changes.chart(patient_id, Change.CASELOAD)
            failed = context.refusal_shown_by(dialog.show_error, "The outcome")
            context.ops.change(work, answered, done, failed)

        dialog.submitted.connect(submitted)
        dialog.open()

    # -- from and to other systems ---------------------------------------------------------
    def import_patients(self) -> ImportDialog | None:
        from casemanager.ui.patients.import_dialog import ImportDialog

        context = self.context
        path = context.window.ask_open_path(
            "Import patients", "Patient files (*.csv *.txt *.ndjson *.json);;All files (*)"
        )
        if not path:
            return None
        try:
            dialog = ImportDialog(Path(path), context.window)
        except DomainError as refused:
            messages.show_error(context.window, refused, "Cannot import this file")
            return None
        dialog.finished.connect(dialog.deleteLater)
        db, actor = context.db, context.actor

        def run(source: Path, mapping: Any, dry_run: bool) -> None:
            def work() -> ImportReport:
                from casemanager.interop import patient_files
                from casemanager.services import patient_import

                candidates = patient_files.read_candidates(source, mapping)
                return patient_import.import_patients(db, actor, candidates, dry_run=dry_run)

            def done(report: ImportReport) -> None:
                dialog.show_report(report, imported=not dry_run)

            def failed(error: BaseException) -> None:
                dialog.show_failure(messages.classify(error)[0])

            if dry_run:
                context.ops.read(work, done, failed)
            else:
                imported = Changes(Change.PATIENTS | Change.CASELOAD)
                context.ops.change(work, imported, done, failed)

        dialog.check_requested.connect(lambda source, mapping: run(source, mapping, True))
        dialog.import_requested.connect(lambda source, mapping: run(source, mapping, False))
        dialog.open()
        return dialog

    def export_patient(self) -> None:
        """The open chart's patient as FHIR R4 NDJSON, in a folder the user picks."""
        context, patient_id = self.context, self.chart.patient_id
        if patient_id is None:
            context.say("Open a patient's chart first.")
            return
        folder = context.window.ask_folder("Folder for the patient's FHIR record")
        if not folder:
            return
        db, actor = context.db, context.actor

        def work() -> ExportResult:
            from casemanager.services import fhir_export

            return fhir_export.export(db, actor, Path(folder), patient_id=patient_id)

        def done(result: ExportResult) -> None:
            total = sum(result.counts.values())
            context.say(f"Exported {total} FHIR resources to {result.folder}.", 15_000)

        context.ops.change(work, Changes(Change.AUDIT), done)
