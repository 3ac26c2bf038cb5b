"""Printed documents: gather a signed evaluation into an EvaluationSnapshot, render it with
casemanager.reports, and audit every print and export (what, for whom, never the content)."""

from __future__ import annotations

import io
import secrets
from dataclasses import replace
from datetime import date

from pypdf import PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, undefer

from casemanager.db.engine import Database
from casemanager.db.models import (
    Clinic,
    EpisodeOfCare,
    Evaluation,
    Exercise,
    Patient,
    PrintedDocument,
    Referral,
    User,
)
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import (
    AuditAction,
    DataCategory,
    EvaluationStatus,
)
from casemanager.domain.errors import DomainError, NotFound, ValidationError
from casemanager.domain.permissions import Permission
from casemanager.reports import fonts, plan_of_care, referral_letter, take_home
from casemanager.reports.data import (
    ClinicHeader,
    EvaluationSnapshot,
)
from casemanager.services import audit, document_data, goal_mappers
from casemanager.services.context import Actor
from casemanager.services.document_data import DocumentKind as DocumentKind
from casemanager.services.use_case import Case, evaluation_case


def latest_signed_evaluation(db: Database, actor: Actor, patient_id: int) -> int:
    """The newest signed evaluation with a plan: the one a care plan is printed from."""
    with db.session() as session:
        found = session.scalar(
            select(Evaluation.id)
            .join(EpisodeOfCare, EpisodeOfCare.id == Evaluation.episode_id)
            .join(Patient, Patient.id == EpisodeOfCare.patient_id)
            .where(
                Patient.id == patient_id,
                Patient.clinic_id == actor.clinic_id,
                Evaluation.status == EvaluationStatus.SIGNED,
                # A discharge summary closes the plan; the plan printed is the last one made.
                Evaluation.kind.in_(rules.PLAN_KINDS),
            )
            .order_by(Evaluation.evaluation_date.desc(), Evaluation.id.desc())
            .limit(1)
        )
    if found is None:
        raise DomainError("This patient has no signed evaluation yet: sign one, then print.")
    return found


def snapshot(
    db: Database, actor: Actor, evaluation_id: int, *, today: date | None = None
) -> EvaluationSnapshot:
    """Everything the documents of one signed evaluation print: the evaluation in full, so
    only a role that may open clinical records gets it (a refusal is audited; the print or
    export itself is audited by the caller)."""
    with evaluation_case(
        db, actor, evaluation_id, Permission.VIEW_CLINICAL, AuditAction.READ, DataCategory.DOCUMENT
    ) as case:
        return _read(case, evaluation_id, today or date.today())


def _read(case: Case, evaluation_id: int, today: date) -> EvaluationSnapshot:
    session, actor = case.session, case.actor
    # The evaluation, its episode and patient, the clinic and the therapist in one statement
    # (five lazy loads one after the other before); the lists each load once when read.
    found = session.execute(
        select(Evaluation, Clinic, User)
        .join(EpisodeOfCare, EpisodeOfCare.id == Evaluation.episode_id)
        .join(Patient, Patient.id == EpisodeOfCare.patient_id)
        .join(Clinic, Clinic.id == Patient.clinic_id)
        .join(User, User.id == Evaluation.therapist_id)
        .where(Evaluation.id == evaluation_id, Patient.clinic_id == actor.clinic_id)
        .options(contains_eager(Evaluation.episode).contains_eager(EpisodeOfCare.patient))
    ).one_or_none()
    if found is None:
        raise NotFound("That evaluation is not in this clinic's records.")
    evaluation, clinic, therapist = found
    if evaluation.status != EvaluationStatus.SIGNED:
        raise DomainError("Only a signed evaluation is printed. Sign it first.")
    plan = evaluation.plan
    library = {
        e.id: e
        for e in session.scalars(
            select(Exercise)
            .options(undefer(Exercise.image))
            .where(Exercise.id.in_([h.exercise_id for h in (plan.home_exercises if plan else ())]))
        )
    }
    # The episode's referrals, each with the date of the evaluation that made it (if any).
    episode_referrals: list[Referral] = []
    made_on: dict[int, date] = {}
    for referral, day in session.execute(
        select(Referral, Evaluation.evaluation_date)
        .outerjoin(
            Evaluation,
            (Evaluation.id == Referral.evaluation_id)
            & (Evaluation.episode_id == Referral.episode_id),
        )
        .where(Referral.episode_id == evaluation.episode_id)
        .order_by(Referral.id)
    ):
        episode_referrals.append(referral)
        if day is not None and referral.evaluation_id is not None:
            made_on[referral.evaluation_id] = day
    return document_data.assemble(
        evaluation,
        ClinicHeader(clinic.name, clinic.phone, clinic.address, clinic.email),
        therapist,
        library,
        episode_referrals,
        made_on,
        today,
        goal_mappers.assessed_goals(session, [evaluation.id]).get(evaluation.id, ()),
    )


def unprintable(data: EvaluationSnapshot) -> str:
    """Characters of the record no embedded font can draw (rare scripts): the dialog says so
    before anything is printed, instead of a silent box on paper."""
    texts = [data.patient.full_name, data.therapist_name, data.clinic.name]
    texts += [value for value in vars(data.content).values() if isinstance(value, str)]
    if data.plan is not None:
        texts += [goal.description for goal in data.plan.goals]
        texts += [path.refer_to or "" for path in data.plan.paths]
    texts += [f"{e.name} {e.instructions} {e.precautions or ''}" for e in data.exercises]
    return "".join(sorted(fonts.missing_glyphs(" ".join(texts))))


MIN_PASSWORD = 8


def protect(pdf: bytes, password: str) -> bytes:
    """A copy that opens only with the password: AES-256 (PDF 2.0, revision 6), which every
    current reader opens. The owner password is random, so nobody can lift the restrictions
    (no editing); printing stays allowed for the patient."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            "password", f"Use a password of at least {MIN_PASSWORD} characters for the copy."
        )
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(
        user_password=password,
        owner_password=secrets.token_urlsafe(24),
        permissions_flag=UserAccessPermissions.PRINT
        | UserAccessPermissions.PRINT_TO_REPRESENTATION,
        algorithm="AES-256",
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    kind: DocumentKind = DocumentKind.TAKE_HOME,
    *,
    language: str = "en",
    large_print: bool = False,
    referral_id: int | None = None,
    action: AuditAction = AuditAction.PRINT,
    password: str | None = None,
    today: date | None = None,
    invariant: bool = False,
) -> bytes:
    """The PDF of one document of a signed evaluation; printing or exporting it is audited.
    Everyone, the command line included, needs PRINT_DOCUMENTS (and VIEW_CLINICAL)."""
    with evaluation_case(
        db, actor, evaluation_id, Permission.PRINT_DOCUMENTS, action, DataCategory.DOCUMENT
    ) as case:
        patient_id = case.patient_id
        if password is not None and len(password) < MIN_PASSWORD:
            protect(b"", password)  # refuses before any work, with the field to fix
        # The document prints the evaluation in full: its reader must open clinical records.
        refused = audit.refusal(case.session, actor, Permission.VIEW_CLINICAL)
        data = None if refused else _read(case, evaluation_id, today or date.today())
    if data is None:
        assert refused is not None
        raise audit.refuse(
            db, actor, refused, AuditAction.READ, DataCategory.DOCUMENT, patient_id=patient_id
        )
    if kind == DocumentKind.TAKE_HOME:
        pdf = take_home.render(data, language, large_print, invariant)
    elif kind == DocumentKind.PLAN_OF_CARE:
        pdf = plan_of_care.render(data, invariant)
    else:
        chosen = [r for r in data.referrals if referral_id in (None, r.id)]
        if not chosen:
            raise DomainError("This evaluation made no referral to write a letter for.")
        pdf = referral_letter.render(replace(data, referrals=tuple(chosen)), invariant)
    if password is not None:
        pdf = protect(pdf, password)
    detail = f"{kind.value} of evaluation {evaluation_id}"
    if kind == DocumentKind.TAKE_HOME:
        detail += f" ({language}{', large print' if large_print else ''})"
    if password:
        detail += ", password-protected"
    with db.session() as session:
        if action in (AuditAction.PRINT, AuditAction.EXPORT):  # a preview is not a record
            session.add(
                PrintedDocument(
                    evaluation_id=evaluation_id,
                    kind=kind.value,
                    language=language if kind == DocumentKind.TAKE_HOME else None,
                    large_print=large_print and kind == DocumentKind.TAKE_HOME,
                    action=action,
                    user_id=actor.user_id,
                    actor=actor.username,
                )
            )
        audit.record(
            session, actor, action, DataCategory.DOCUMENT, patient_id=patient_id, detail=detail
        )
    return pdf
