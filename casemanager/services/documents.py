"""Printed documents: gather a signed evaluation into an EvaluationSnapshot, render it with
casemanager.reports, and audit every print and export (what, for whom, never the content)."""

from __future__ import annotations

import io
import secrets
from dataclasses import replace
from datetime import date

from pypdf import PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions
from sqlalchemy import insert, select

from casemanager.db.engine import Database
from casemanager.db.models import (
    EpisodeOfCare,
    Evaluation,
    Patient,
    PrintedDocument,
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
    EvaluationSnapshot,
)
from casemanager.services import audit, document_data
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
    found = document_data.read_snapshots(case.session, case.actor.clinic_id, [evaluation_id], today)
    if evaluation_id in found:
        return found[evaluation_id]
    # Not printable: say why (this clinic's draft, or not this clinic's at all).
    status = case.session.scalar(
        select(Evaluation.status)
        .join(EpisodeOfCare, EpisodeOfCare.id == Evaluation.episode_id)
        .join(Patient, Patient.id == EpisodeOfCare.patient_id)
        .where(Evaluation.id == evaluation_id, Patient.clinic_id == case.actor.clinic_id)
    )
    if status is None:
        raise NotFound("That evaluation is not in this clinic's records.")
    raise DomainError("Only a signed evaluation is printed. Sign it first.")


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
        if refused is None:
            # Read, made and audited in one transaction: a document that could not be made
            # leaves no record of a print.
            data = _read(case, evaluation_id, today or date.today())
            pdf = _make(data, kind, language, large_print, referral_id, invariant)
            if password is not None:
                pdf = protect(pdf, password)
            if action in (AuditAction.PRINT, AuditAction.EXPORT):  # a preview is not a record
                _record_print(case, evaluation_id, kind, language, large_print)
            detail = f"{kind.value} of evaluation {evaluation_id}"
            if kind == DocumentKind.TAKE_HOME:
                detail += f" ({language}{', large print' if large_print else ''})"
            if password:
                detail += ", password-protected"
            audit.record_many(
                case.session,
                actor,
                [audit.Entry(action, DataCategory.DOCUMENT, patient_id=patient_id, detail=detail)],
            )
            return pdf
    raise audit.refuse(
        db, actor, refused, AuditAction.READ, DataCategory.DOCUMENT, patient_id=patient_id
    )


def _make(
    data: EvaluationSnapshot,
    kind: DocumentKind,
    language: str,
    large_print: bool,
    referral_id: int | None,
    invariant: bool,
) -> bytes:
    if kind == DocumentKind.TAKE_HOME:
        return take_home.render(data, language, large_print, invariant)
    if kind == DocumentKind.PLAN_OF_CARE:
        return plan_of_care.render(data, invariant)
    chosen = [r for r in data.referrals if referral_id in (None, r.id)]
    if not chosen:
        raise DomainError("This evaluation made no referral to write a letter for.")
    return referral_letter.render(replace(data, referrals=tuple(chosen)), invariant)


_PRINTED = insert(PrintedDocument)


def _record_print(
    case: Case, evaluation_id: int, kind: DocumentKind, language: str, large_print: bool
) -> None:
    """The printed-document row (a plain insert: no ORM object to flush)."""
    case.session.connection().execute(
        _PRINTED,
        {
            "evaluation_id": evaluation_id,
            "kind": kind.value,
            "language": language if kind == DocumentKind.TAKE_HOME else None,
            "large_print": large_print and kind == DocumentKind.TAKE_HOME,
            "action": case.action,
            "user_id": case.actor.user_id,
            "actor": case.actor.username,
        },
    )
