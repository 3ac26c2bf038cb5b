"""What a printed document of one signed evaluation holds (reports.data.EvaluationSnapshot),
read for one evaluation or many at once. One definition for the single print
(services/documents.py) and the batch (services/batch_reading.py).

The reading selects columns, not ORM objects, with the same ten statements for 1 evaluation
or 100: the evaluation with its episode, patient, clinic, therapist and plan in one, then one
for each list (red flags, PSFS activities, contributing causes, diagnosis codes, paths, goals,
prescribed exercises with their library rows, the episodes' referrals, goal verdicts). The
lists are read by the evaluation ids given, so none waits for another's answer. ORM objects
with their lists loaded one relationship at a time cost a print about 5 ms of CPU on SQLite
and 11 on PostgreSQL; the columns, about 1 and 3.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import BindParameter, Row, Select, Table, and_, bindparam, select
from sqlalchemy.orm import Session

from casemanager.db.models import Base
from casemanager.domain import catalogs
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import EpisodeStatus, EvaluationStatus, ReferralKind
from casemanager.domain.evaluation import PsfsEntry, RedFlagEntry
from casemanager.domain.plan import GoalContent
from casemanager.reports.data import (
    ClinicHeader,
    EvaluationSnapshot,
    ExerciseSheet,
    GoalVerdict,
    PatientHeader,
    ReferralInfo,
)
from casemanager.services.content_mappers import (
    certification_of,
    content_from,
    home_exercise_content,
    path_content,
    plan_from,
)
from casemanager.services.goal_mappers import assessed_goals


class DocumentKind(StrEnum):
    TAKE_HOME = "take-home"
    PLAN_OF_CARE = "plan-of-care"
    REFERRAL = "referral"


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


_EVALUATION = _table("evaluation")
_EPISODE = _table("episode_of_care")
_PATIENT = _table("patient")
_CLINIC = _table("clinic")
_USER = _table("users")
_PLAN = _table("treatment_plan")
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)  # the evaluation ids asked for


def _main() -> Select[Any]:
    """The signed evaluations of a clinic with what is printed beside them. The evaluation's
    and the plan's columns keep their own names (the content mappers read them), the rest are
    named for what they are."""
    e, plan = _EVALUATION, _PLAN
    return (
        select(
            *e.c,
            _EPISODE.c.status.label("episode_status"),
            _PATIENT.c.given_name,
            _PATIENT.c.family_name,
            _PATIENT.c.date_of_birth,
            _PATIENT.c.mrn,
            _PATIENT.c.referring_physician,
            _CLINIC.c.name.label("clinic_name"),
            _CLINIC.c.phone.label("clinic_phone"),
            _CLINIC.c.address.label("clinic_address"),
            _CLINIC.c.email.label("clinic_email"),
            _USER.c.display_name.label("therapist_name"),
            _USER.c.licence_number.label("therapist_licence"),
            plan.c.id.label("plan_id"),
            plan.c.certification_start,
            plan.c.certification_end,
            plan.c.next_appointment,
            plan.c.note,
            plan.c.certified_by,
            plan.c.certified_on,
            plan.c.certification_delay_reason,
        )
        .join(_EPISODE, _EPISODE.c.id == e.c.episode_id)
        .join(_PATIENT, _PATIENT.c.id == _EPISODE.c.patient_id)
        .join(_CLINIC, _CLINIC.c.id == _PATIENT.c.clinic_id)
        .join(_USER, _USER.c.id == e.c.therapist_id)
        .outerjoin(plan, plan.c.evaluation_id == e.c.id)
        .where(
            e.c.id.in_(_IDS),
            _PATIENT.c.clinic_id == bindparam("clinic"),
            e.c.status == EvaluationStatus.SIGNED,
        )
    )


def _of_evaluations(name: str, *columns: str, order: Sequence[str] = ("id",)) -> Select[Any]:
    """A list kept by evaluation id, in its order."""
    table = _table(name)
    return (
        select(table.c.evaluation_id, *(table.c[c] for c in columns))
        .where(table.c.evaluation_id.in_(_IDS))
        .order_by(*(table.c[c] for c in order))
    )


def _of_plans(name: str, order: Sequence[str] = ("id",)) -> Select[Any]:
    """A list of the evaluations' plans, by evaluation id, in its order."""
    table = _table(name)
    return (
        select(_PLAN.c.evaluation_id, *(c for c in table.c if c.key != "id"), table.c.id)
        .join(_PLAN, _PLAN.c.id == table.c.plan_id)
        .where(_PLAN.c.evaluation_id.in_(_IDS))
        .order_by(*(table.c[c] for c in order))
    )


def _prescribed() -> Select[Any]:
    """The plans' home exercises in order, each with its library exercise."""
    home, library = _table("home_exercise"), _table("exercise")
    return (
        select(
            _PLAN.c.evaluation_id,
            home.c.exercise_id,
            home.c.sets,
            home.c.reps,
            home.c.hold_seconds,
            home.c.times_per_day,
            home.c.note,
            home.c.signed_name,
            home.c.signed_instructions,
            home.c.signed_precautions,
            library.c.key.label("library_key"),
            library.c.name.label("library_name"),
            library.c.instructions.label("library_instructions"),
            library.c.precautions.label("library_precautions"),
            library.c.image.label("library_image"),
        )
        .join(_PLAN, _PLAN.c.id == home.c.plan_id)
        .join(library, library.c.id == home.c.exercise_id)
        .where(_PLAN.c.evaluation_id.in_(_IDS))
        .order_by(home.c.position, home.c.id)
    )


def _referrals() -> Select[Any]:
    """Every referral of the evaluations' episodes in id order, each with the date of the
    evaluation of that episode that made it (if any)."""
    referral, maker = _table("referral"), _EVALUATION.alias("maker")
    return (
        select(*referral.c, maker.c.evaluation_date.label("made_on"))
        .outerjoin(
            maker,
            and_(
                maker.c.id == referral.c.evaluation_id, maker.c.episode_id == referral.c.episode_id
            ),
        )
        .where(
            referral.c.episode_id.in_(
                select(_EVALUATION.c.episode_id).where(_EVALUATION.c.id.in_(_IDS)).scalar_subquery()
            )
        )
        .order_by(referral.c.id)
    )


# Built once: the same statements every time (SQLAlchemy's compiled cache does the rest).
_MAIN = _main()
_RED_FLAGS = _of_evaluations(
    "red_flag_finding", "flag_code", "answer", "action", "note", "action_reason"
)
_PSFS = _of_evaluations("psfs_activity", "activity", "score", order=("position", "id"))
_CAUSES = _of_evaluations("contributing_cause", "cause")
_CODES = _of_evaluations("diagnosis_code", "code", "description", order=("position", "id"))
_PATHS = _of_plans("treatment_path")
_GOALS = _of_plans("goal")
_PRESCRIBED = _prescribed()
_REFERRALS = _referrals()


def read_snapshots(
    session: Session, clinic_id: int, evaluation_ids: Collection[int], today: date
) -> dict[int, EvaluationSnapshot]:
    """The printable snapshot of each signed evaluation of this clinic among
    `evaluation_ids` (the others are left out), by evaluation id."""
    if not evaluation_ids:
        return {}
    ids = {"ids": list(evaluation_ids)}
    connection = session.connection()
    found = connection.execute(_MAIN, {**ids, "clinic": clinic_id}).all()
    if not found:
        return {}

    def by_evaluation(statement: Select[Any]) -> dict[int, list[Row[Any]]]:
        rows: dict[int, list[Row[Any]]] = defaultdict(list)
        for row in connection.execute(statement, ids):
            rows[row.evaluation_id].append(row)
        return rows

    red_flags, psfs = by_evaluation(_RED_FLAGS), by_evaluation(_PSFS)
    causes, codes = by_evaluation(_CAUSES), by_evaluation(_CODES)
    paths, goals = by_evaluation(_PATHS), by_evaluation(_GOALS)
    prescribed = by_evaluation(_PRESCRIBED)
    referrals: dict[int, list[ReferralInfo]] = defaultdict(list)  # by episode, in id order
    made_by: dict[int, int | None] = {}  # the evaluation that made each referral
    for row in connection.execute(_REFERRALS, ids):
        referrals[row.episode_id].append(referral_info(row, row.made_on))
        made_by[row.id] = row.evaluation_id
    judged = assessed_goals(session, [row.id for row in found])
    return {
        row.id: _snapshot(
            row,
            red_flags=red_flags[row.id],
            psfs=psfs[row.id],
            causes=causes[row.id],
            codes=codes[row.id],
            paths=paths[row.id],
            goals=goals[row.id],
            prescribed=prescribed[row.id],
            referrals=[(made_by[r.id], r) for r in referrals[row.episode_id]],
            verdicts=tuple(
                GoalVerdict(a.goal.term, a.goal.description, a.progress, a.note)
                for a in judged.get(row.id, ())
            ),
            today=today,
        )
        for row in found
    }


def referral_info(referral: Any, made_on: date | None) -> ReferralInfo:
    """A referral as documents print it, from a row of its columns; `made_on` is the date of
    the evaluation that made it (else the day it was recorded)."""
    return ReferralInfo(
        referral.id,
        referral.kind,
        referral.to_whom,
        referral.specialty,
        referral.reason,
        referral.urgency,
        made_on or referral.created_at.date(),
        status=referral.status,
        seen_by=referral.seen_by,
        seen_on=referral.closed_on,
        cleared_for_therapy=referral.cleared_for_therapy,
        red_flag_code=referral.red_flag_code,
    )


def _snapshot(
    row: Row[Any],
    *,
    red_flags: list[Row[Any]],
    psfs: list[Row[Any]],
    causes: list[Row[Any]],
    codes: list[Row[Any]],
    paths: list[Row[Any]],
    goals: list[Row[Any]],
    prescribed: list[Row[Any]],
    referrals: list[tuple[int | None, ReferralInfo]],
    verdicts: tuple[GoalVerdict, ...],
    today: date,
) -> EvaluationSnapshot:
    """One evaluation's snapshot from its rows. `referrals` holds every referral of its
    episode in id order with the evaluation that made it: its own are printed as its
    referrals, the episode's red-flag ones as they stand today."""
    content = content_from(
        row,
        red_flags=(
            RedFlagEntry(f.flag_code, f.answer, f.action, f.note, f.action_reason)
            for f in red_flags
        ),
        psfs=(PsfsEntry(a.activity, a.score) for a in psfs),
        contributing_causes=(c.cause for c in causes),
        diagnosis_codes=(d.code for d in codes),
    )
    has_plan = row.plan_id is not None
    plan = (
        plan_from(
            row,
            paths=(path_content(p) for p in paths),
            goals=(GoalContent(g.term, g.description, g.target_date, g.status) for g in goals),
            home_exercises=(home_exercise_content(h) for h in prescribed),
        )
        if has_plan
        else None
    )
    return EvaluationSnapshot(
        clinic=ClinicHeader(
            row.clinic_name, row.clinic_phone, row.clinic_address, row.clinic_email
        ),
        patient=PatientHeader(row.given_name, row.family_name, row.date_of_birth, row.mrn),
        therapist_name=row.therapist_name,
        therapist_licence=row.therapist_licence,
        kind=row.kind,
        evaluation_date=row.evaluation_date,
        signed_at=row.signed_at,
        content=content,
        scores=rules.compute_scores(content),
        plan=plan,
        exercises=tuple(_sheet(h) for h in prescribed),
        diagnoses=tuple((d.code, d.description) for d in codes),
        referring_physician=row.referring_physician,
        referrals=tuple(info for maker, info in referrals if maker == row.id),
        printed_on=today,
        episode_open=row.episode_status == EpisodeStatus.OPEN,
        certification=certification_of(row) if has_plan else None,
        red_flag_referrals=tuple(
            info for _maker, info in referrals if info.kind == ReferralKind.RED_FLAG
        ),
        goal_verdicts=verdicts,
    )


_STARTERS = {t.key: t for t in catalogs.STARTER_EXERCISES}


def _sheet(prescribed: Row[Any]) -> ExerciseSheet:
    """A prescribed exercise as its sheet prints it. A signed plan prints the wording it was
    signed with, whatever the library says now."""
    p = prescribed
    starter = _STARTERS.get(p.library_key or "")
    name, instructions, precautions = (
        (p.signed_name, p.signed_instructions, p.signed_precautions)
        if p.signed_name is not None
        else (p.library_name, p.library_instructions, p.library_precautions)
    )
    return ExerciseSheet(
        starter_key=p.library_key,
        name=name,
        instructions=instructions or "",
        precautions=precautions,
        sets=p.sets,
        reps=p.reps,
        hold_seconds=p.hold_seconds,
        times_per_day=p.times_per_day,
        image=p.library_image,
        is_starter_text=starter is not None
        and (starter.name, starter.instructions) == (p.library_name, p.library_instructions),
    )
