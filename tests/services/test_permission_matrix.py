"""Every role against every service action: an action the role's permissions allow must
succeed, any other must be refused with PermissionDenied, and the refusal audited. The
expected answer comes from `domain/permissions.ROLE_PERMISSIONS`, so the matrix and the
services cannot drift apart unnoticed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry
from casemanager.domain.caseload import CaseloadFilter, default_period
from casemanager.domain.enums import AuditOutcome, EvaluationKind, Role, Sex
from casemanager.domain.errors import PermissionDenied
from casemanager.domain.patients import PatientQuery
from casemanager.domain.permissions import Permission, has_permission
from casemanager.services import (
    accounts,
    audit_log,
    batch,
    carry_forward,
    caseload,
    chart,
    clinic,
    documents,
    evaluation_defaults,
    evaluations,
    exercises,
    follow_up,
    intake,
    patients,
    plans,
    templates,
    visits,
)
from casemanager.services.context import Actor
from casemanager.services.exercises import ExerciseContent
from tests.conftest import TEST_PASSWORD, Staff
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import _plan

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@dataclass
class Clinic:
    """Records made by the therapist who authors them, for the actions to work on."""

    db: Database
    staff: Staff
    folder: Path
    patient_id: int
    signed_id: int  # a signed initial evaluation with a plan
    episode_id: int
    target_user_id: int  # an account the user-management actions change
    exercise_id: int
    counter: int = 0

    def new_patient(self) -> int:
        self.counter += 1
        fields = patients.PatientFields(f"Test{self.counter}", "Matrix", date(1970, 1, 1), Sex.MALE)
        return patients.create_patient(self.db, self.staff.therapist, fields).id

    def draft(self) -> evaluations.EvaluationRecord:
        """A complete unsigned initial evaluation with a plan, by the therapist."""
        therapist = self.staff.therapist
        record = evaluations.start_initial_evaluation(
            self.db, therapist, self.new_patient(), "Back spasm", EVAL_DAY
        )
        record = evaluations.save_draft(self.db, therapist, record.id, record.version, _complete())
        plans.save_plan(self.db, therapist, record.id, None, _plan(self.db))
        return evaluations.get_evaluation(self.db, therapist, record.id)


@pytest.fixture
def clinic_records(db: Database, staff: Staff, tmp_path: Path) -> Clinic:
    first = Clinic(db, staff, tmp_path, 0, 0, 0, 0, 0)
    draft = first.draft()
    signed = evaluations.sign(db, staff.therapist, draft.id, draft.version)
    target = accounts.create_user(
        db,
        staff.admin,
        accounts.NewUser("target", "Tess Target", Role.OFFICE_MANAGER, TEST_PASSWORD, None),
    )
    exercise = exercises.save_exercise(
        db, staff.admin, None, None, ExerciseContent("Matrix bridge", "Lift the hips.")
    )
    first.patient_id = evaluations.patient_of(db, signed.id) or 0
    first.signed_id, first.episode_id = signed.id, signed.episode_id
    first.target_user_id, first.exercise_id = target.id, exercise.id
    return first


Action = Callable[[Clinic, Actor], Any]
P = Permission


def _actions() -> dict[str, tuple[frozenset[Permission], Action]]:
    """Every service entry point a user reaches, with the permissions it needs."""
    period = CaseloadFilter(*default_period(date.today()))

    def update_patient(c: Clinic, a: Actor) -> Any:
        record = patients.get_patient(c.db, c.staff.therapist, c.patient_id)
        fields = replace(record.fields, phone="(631) 555-0100")
        return patients.update_patient(c.db, a, c.patient_id, record.version, fields)

    def open_chart(c: Clinic, a: Actor) -> Any:
        opened = chart.open_chart(c.db, a, c.patient_id)
        clinical = has_permission(a.role, P.VIEW_CLINICAL)
        assert opened.shows_clinical == clinical, "clinical content shown to the wrong role"
        assert bool(opened.episodes) == clinical
        return opened

    def save_draft(c: Clinic, a: Actor) -> Any:
        d = c.draft()
        return evaluations.save_draft(c.db, a, d.id, d.version, _complete(nprs_now=5))

    def sign(c: Clinic, a: Actor) -> Any:
        d = c.draft()
        return evaluations.sign(c.db, a, d.id, d.version)

    def save_plan(c: Clinic, a: Actor) -> Any:
        d = c.draft()
        current = plans.get_plan(c.db, c.staff.therapist, d.id)
        return plans.save_plan(c.db, a, d.id, current.version if current else None, _plan(c.db))

    def export_report(c: Clinic, a: Actor) -> Any:
        board = caseload.dashboard(c.db, c.staff.admin, period)
        return caseload.export_report(c.db, a, board)

    def save_exercise(c: Clinic, a: Actor) -> Any:
        return exercises.save_exercise(
            c.db, a, None, None, ExerciseContent(f"Matrix plank {c.new_patient()}", "Hold it.")
        )

    def audit_export(c: Clinic, a: Actor) -> Any:
        import io

        return audit_log.export_csv(c.db, a, audit_log.AuditFilter(), io.StringIO())

    def change_password(c: Clinic, a: Actor) -> Any:
        accounts.change_password(c.db, a, TEST_PASSWORD, "a new long password")
        accounts.change_password(c.db, a, "a new long password", TEST_PASSWORD)

    def new_template(c: Clinic, a: Actor) -> Any:
        starter = templates.list_templates(c.db, c.staff.therapist)[0]
        content = replace(starter.content, name=f"Matrix template {c.new_patient()}")
        return templates.save_template(c.db, a, None, None, content)

    def retire_template(c: Clinic, a: Actor) -> Any:
        made = new_template(c, c.staff.therapist)
        return templates.retire_template(c.db, a, made.id, made.version)

    def apply_template(c: Clinic, a: Actor) -> Any:
        d = c.draft()
        current = plans.get_plan(c.db, c.staff.therapist, d.id)
        template = templates.list_templates(c.db, c.staff.therapist)[0]
        return templates.apply_template(
            c.db, a, d.id, template.id, d.version, current.version if current else None
        )

    def accept_codes(c: Clinic, a: Actor) -> Any:
        d = c.draft()
        return evaluation_defaults.accept_suggested_codes(c.db, a, d.id, d.version)

    none: frozenset[Permission] = frozenset()
    return {
        # patients
        "create patient": (
            frozenset({P.EDIT_DEMOGRAPHICS}),
            lambda c, a: patients.create_patient(
                c.db, a, patients.PatientFields("Ann", "New", date(1990, 2, 3), Sex.FEMALE)
            ),
        ),
        "open patient details": (
            frozenset({P.VIEW_DEMOGRAPHICS}),
            lambda c, a: patients.get_patient(c.db, a, c.patient_id),
        ),
        "change patient details": (frozenset({P.EDIT_DEMOGRAPHICS}), update_patient),
        "count patients": (
            frozenset({P.VIEW_DEMOGRAPHICS}),
            lambda c, a: patients.count_patients(c.db, a),
        ),
        "list patients": (
            frozenset({P.VIEW_DEMOGRAPHICS}),
            lambda c, a: patients.list_patients(c.db, a, PatientQuery()),
        ),
        "search patients": (
            frozenset({P.VIEW_DEMOGRAPHICS}),
            lambda c, a: patients.search_patients(c.db, a, "Matrix"),
        ),
        "check duplicates": (
            frozenset({P.VIEW_DEMOGRAPHICS}),
            lambda c, a: patients.possible_duplicates(c.db, a, "Ann", "New", date(1990, 2, 3)),
        ),
        # the chart and evaluations
        # Without VIEW_CLINICAL the chart opens with the demographics only.
        "open chart": (frozenset({P.VIEW_DEMOGRAPHICS}), open_chart),
        "start evaluation": (
            frozenset({P.EDIT_CLINICAL}),
            lambda c, a: evaluations.start_initial_evaluation(
                c.db, a, c.new_patient(), "Spasm", EVAL_DAY
            ),
        ),
        "read evaluation": (
            frozenset({P.VIEW_CLINICAL}),
            lambda c, a: evaluations.get_evaluation(c.db, a, c.signed_id),
        ),
        "list evaluations": (
            frozenset({P.VIEW_CLINICAL}),
            lambda c, a: evaluations.list_evaluations(c.db, a, c.patient_id),
        ),
        "save evaluation draft": (frozenset({P.EDIT_CLINICAL}), save_draft),
        "sign evaluation": (frozenset({P.SIGN_CLINICAL}), sign),
        "discard draft": (
            frozenset({P.EDIT_CLINICAL}),
            lambda c, a: evaluations.discard_draft(c.db, a, c.draft().id),
        ),
        "add addendum": (
            frozenset({P.EDIT_CLINICAL}),
            lambda c, a: evaluations.add_addendum(c.db, a, c.signed_id, "Phoned: sleeping better."),
        ),
        "search diagnosis codes": (
            frozenset({P.EDIT_CLINICAL}),
            lambda c, a: evaluations.search_codes(c.db, a, "spasm"),
        ),
        "read plan": (
            frozenset({P.VIEW_CLINICAL}),
            lambda c, a: plans.get_plan(c.db, a, c.signed_id),
        ),
        "save plan": (frozenset({P.EDIT_CLINICAL}), save_plan),
        "record visit": (
            frozenset({P.EDIT_CLINICAL}),
            lambda c, a: visits.record_visit(
                c.db, a, c.episode_id, visits.VisitContent(EVAL_DAY + timedelta(days=1))
            ),
        ),
        "episode progress": (
            frozenset({P.VIEW_CLINICAL}),
            lambda c, a: visits.progress(c.db, a, c.episode_id),
        ),
        "start follow-up": (
            frozenset({P.EDIT_CLINICAL}),
            lambda c, a: follow_up.start_follow_up(
                c.db, a, c.episode_id, EvaluationKind.PROGRESS_REPORT, EVAL_DAY + timedelta(days=2)
            ),
        ),
        # templates, carry-forward, defaults and the patient intake
        "list templates": (none, lambda c, a: templates.list_templates(c.db, a)),
        "add template": (frozenset({P.EDIT_TEMPLATES}), new_template),
        "retire template": (frozenset({P.EDIT_TEMPLATES}), retire_template),
        "save signed plan as template": (
            frozenset({P.EDIT_TEMPLATES, P.VIEW_CLINICAL}),
            lambda c, a: templates.save_plan_as_template(
                c.db, a, c.signed_id, f"Matrix saved {c.new_patient()}"
            ),
        ),
        "apply template": (frozenset({P.EDIT_CLINICAL}), apply_template),
        "carry-forward offer": (
            frozenset({P.EDIT_CLINICAL}),
            lambda c, a: carry_forward.carry_forward_offer(c.db, a, c.draft().id),
        ),
        "accept suggested codes": (frozenset({P.EDIT_CLINICAL}), accept_codes),
        "complexity suggestion": (
            frozenset({P.VIEW_CLINICAL}),
            lambda c, a: evaluation_defaults.suggested_complexity(c.db, a, c.signed_id),
        ),
        "open patient intake": (
            frozenset({P.EDIT_CLINICAL}),
            lambda c, a: intake.open_intake(c.db, a, c.patient_id),
        ),
        "review patient intakes": (
            frozenset({P.VIEW_CLINICAL}),
            lambda c, a: intake.list_intakes(c.db, a, c.patient_id),
        ),
        # documents
        "print take-home plan": (
            frozenset({P.PRINT_DOCUMENTS}),
            lambda c, a: documents.render(c.db, a, c.signed_id),
        ),
        "evaluation as documents print it": (
            frozenset({P.VIEW_CLINICAL}),
            lambda c, a: documents.snapshot(c.db, a, c.signed_id),
        ),
        "save take-home plans in bulk": (
            frozenset({P.PRINT_DOCUMENTS}),
            lambda c, a: batch.export_take_home_plans(c.db, a, [c.patient_id], c.folder),
        ),
        # caseload
        "caseload dashboard": (
            frozenset({P.VIEW_CASELOAD}),
            lambda c, a: caseload.dashboard(c.db, a, period),
        ),
        "caseload worklist, a page": (
            frozenset({P.VIEW_CASELOAD}),
            lambda c, a: caseload.worklist_page(c.db, a, period, limit=5),
        ),
        "caseload by therapist": (
            frozenset({P.VIEW_CASELOAD}),
            lambda c, a: clinic.caseload_by_therapist(c.db, a),
        ),
        "caseload table as CSV": (
            frozenset({P.EXPORT_DATA}),
            lambda c, a: caseload.export_csv(c.db, a, "Therapists", ["a"], [["1"]]),
        ),
        "caseload report PDF": (frozenset({P.EXPORT_DATA}), export_report),
        "change clinic details": (
            frozenset({P.MANAGE_CLINIC}),
            lambda c, a: clinic.update_details(
                c.db,
                a,
                None,
                clinic.ClinicDetails("Harbor Spine & Sport PT", phone="(631) 555-0199"),
            ),
        ),
        # exercise library
        "list exercises": (none, lambda c, a: exercises.list_library(c.db, a)),
        "add exercise": (frozenset({P.EDIT_EXERCISE_LIBRARY}), save_exercise),
        "exercise picture": (
            frozenset({P.EDIT_EXERCISE_LIBRARY}),
            lambda c, a: exercises.set_image(c.db, a, c.exercise_id, PNG),
        ),
        # accounts
        "list users": (none, lambda c, a: accounts.list_users(c.db, a)),
        "change own password": (none, change_password),
        "create user": (
            frozenset({P.MANAGE_USERS}),
            lambda c, a: accounts.create_user(
                c.db,
                a,
                accounts.NewUser(
                    f"u{c.new_patient()}", "New Person", Role.OFFICE_MANAGER, TEST_PASSWORD, None
                ),
            ),
        ),
        "deactivate user": (
            frozenset({P.MANAGE_USERS}),
            lambda c, a: accounts.set_active(c.db, a, c.target_user_id, False),
        ),
        "change role": (
            frozenset({P.MANAGE_USERS}),
            lambda c, a: accounts.set_role(c.db, a, c.target_user_id, Role.ADMINISTRATOR),
        ),
        "reset password": (
            frozenset({P.MANAGE_USERS}),
            lambda c, a: accounts.reset_password(c.db, a, c.target_user_id, "reset to this one"),
        ),
        # audit log
        "view audit log": (
            frozenset({P.VIEW_AUDIT_LOG}),
            lambda c, a: audit_log.search(c.db, a, audit_log.AuditFilter()),
        ),
        "export audit log": (frozenset({P.VIEW_AUDIT_LOG}), audit_export),
        "verify audit log": (
            frozenset({P.VIEW_AUDIT_LOG}),
            lambda c, a: audit_log.verify_chain(c.db, a),
        ),
    }


ACTIONS = _actions()


def _denials(db: Database) -> int:
    with db.session() as session:
        return int(
            session.scalar(select(func.count()).where(AuditEntry.outcome == AuditOutcome.DENIED))
            or 0
        )


@pytest.mark.parametrize("role", list(Role))
def test_every_role_against_every_action(
    db: Database, staff: Staff, clinic_records: Clinic, role: Role
) -> None:
    actor = {
        Role.THERAPIST: staff.therapist,
        Role.OFFICE_MANAGER: staff.manager,
        Role.ADMINISTRATOR: staff.admin,
    }[role]
    wrong: list[str] = []
    for name, (needed, action) in ACTIONS.items():
        allowed = all(has_permission(role, p) for p in needed)
        before = _denials(db)
        try:
            action(clinic_records, actor)
        except PermissionDenied:
            if allowed:
                wrong.append(f"{name}: refused, but {role.value} may")
            elif _denials(db) != before + 1:
                wrong.append(f"{name}: refused without an audit row")
        except Exception as error:  # noqa: BLE001 - collected, so one run names every gap
            wrong.append(f"{name}: {type(error).__name__}: {error}")
        else:
            if not allowed:
                wrong.append(f"{name}: allowed, but {role.value} may not")
    assert wrong == []


def test_the_matrix_covers_every_permission() -> None:
    """Each permission gates at least one action here, so a new one needs a row."""
    used = set().union(*(needed for needed, _ in ACTIONS.values()))
    assert used == set(Permission)
