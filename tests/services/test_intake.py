"""The patient intake: a token reaches one patient's intake draft and nothing else; the
answers land as a draft, a yes to a red flag is flagged, the therapist confirms them into
the evaluation draft, and every step is audited."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, EpisodeOfCare, PatientIntake
from casemanager.db.types import utcnow
from casemanager.domain import catalogs
from casemanager.domain.enums import AuditAction, RedFlagAnswer, Sex
from casemanager.domain.errors import DomainError, NotFound, PermissionDenied, ValidationError
from casemanager.domain.evaluation import PsfsEntry, RedFlagEntry
from casemanager.domain.intake import IntakeAnswers, IntakeStatus
from casemanager.services import csv_export, evaluations, intake, patients, plans
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import _plan

ANSWERS = IntakeAnswers(
    history=(
        ("chief_complaint", "My lower back seized up"),
        ("occupation", "Cook"),
        ("patient_goals", "Stand through a whole shift"),
    ),
    onset="hace 2 semanas",
    red_flags=tuple(
        (code, code == "night_sweats")
        for code in ("saddle_numbness", "night_sweats", "osteoporosis")
    ),
    nprs_now=6,
    nprs_best=3,
    nprs_worst=8,
    psfs=(PsfsEntry("Standing at work", 3), PsfsEntry("Lifting pots", 2)),
)


def _patient(db: Database, staff: Staff, given: str, language: str = "en") -> int:
    fields = patients.PatientFields(
        given, "Intake", date(1979, 4, 4), Sex.FEMALE, preferred_language=language
    )
    return patients.create_patient(db, staff.therapist, fields).id


def test_the_token_reaches_one_patients_intake_and_nothing_else(db: Database, staff: Staff) -> None:
    ana = _patient(db, staff, "Ana", "es")
    bea = _patient(db, staff, "Bea")
    ana_ticket = intake.open_intake(db, staff.therapist, ana)
    bea_ticket = intake.open_intake(db, staff.therapist, bea)
    assert ana_ticket.language == "es" and bea_ticket.language == "en"
    form = intake.intake_form(db, ana_ticket.token, "tablet-1")
    assert (form.first_name, form.wording.language) == ("Ana", "es")
    intake.save_intake_answers(db, ana_ticket.token, ANSWERS, "tablet-1")
    # Bea's intake is untouched, and Ana's token shows Ana's answers only.
    assert intake.intake_form(db, bea_ticket.token, "tablet-2").answers == IntakeAnswers()
    assert intake.intake_form(db, ana_ticket.token, "tablet-1").answers.text("occupation") == "Cook"
    # A guessed or altered token opens nothing; the refusal does not say what exists.
    for wrong in (
        "",
        "x",
        ana_ticket.token[:-1],
        ana_ticket.token + "a",
        str(ana_ticket.intake_id),
    ):
        with pytest.raises(NotFound, match="intake is closed"):
            intake.intake_form(db, wrong, "tablet-1")
        with pytest.raises(NotFound):
            intake.save_intake_answers(db, wrong, ANSWERS, "tablet-1")
    # The token is not stored, only its hash.
    with db.session() as session:
        stored = set(session.scalars(select(PatientIntake.token_hash)))
    assert ana_ticket.token not in stored and bea_ticket.token not in stored
    # Finished: the token closes.
    intake.submit_intake(db, ana_ticket.token, "tablet-1")
    with pytest.raises(NotFound):
        intake.intake_form(db, ana_ticket.token, "tablet-1")
    with pytest.raises(NotFound):
        intake.save_intake_answers(db, ana_ticket.token, IntakeAnswers(), "tablet-1")


def test_an_intake_expires_and_a_new_one_replaces_the_old(db: Database, staff: Staff) -> None:
    ana = _patient(db, staff, "Ana")
    first = intake.open_intake(db, staff.therapist, ana)
    later = utcnow() + intake.OPEN_FOR + timedelta(seconds=1)
    with pytest.raises(NotFound):
        intake.intake_form(db, first.token, "tablet", now=later)
    second = intake.open_intake(db, staff.therapist, ana)
    with pytest.raises(NotFound):
        intake.intake_form(db, first.token, "tablet")
    assert intake.intake_form(db, second.token, "tablet").intake_id == second.intake_id
    statuses = [r.status for r in intake.list_intakes(db, staff.therapist, ana)]
    assert statuses == [IntakeStatus.OPEN, IntakeStatus.CANCELLED]


def test_bad_answers_are_refused_in_the_intakes_language(db: Database, staff: Staff) -> None:
    ticket = intake.open_intake(db, staff.therapist, _patient(db, staff, "Ana"), "es")
    with pytest.raises(ValidationError, match="No entendimos"):
        intake.save_intake_answers(db, ticket.token, IntakeAnswers(onset="pronto"), "tablet")
    with pytest.raises(ValidationError):
        intake.open_intake(db, staff.therapist, _patient(db, staff, "Eva"), "fr")


def test_answers_land_as_a_draft_and_confirm_into_the_evaluation(
    db: Database, staff: Staff
) -> None:
    ana = _patient(db, staff, "Ana", "es")
    ticket = intake.open_intake(db, staff.therapist, ana)
    saved = intake.save_intake_answers(db, ticket.token, ANSWERS, "tablet-1")
    intake.submit_intake(db, ticket.token, "tablet-1")
    review = intake.review_intake(db, staff.therapist, ticket.intake_id)
    assert review.status == IntakeStatus.SUBMITTED and review.answers == saved
    # The positive answer is flagged for the therapist, in clinical words.
    assert [(f.code, f.finding, f.condition) for f in review.positive_red_flags] == [
        ("night_sweats", "night sweats", "Cancer (malignancy)")
    ]
    today = utcnow().astimezone().date()
    assert review.onset_date == today - timedelta(weeks=2)
    # Nothing reached the chart before the therapist confirms.
    draft = evaluations.start_initial_evaluation(db, staff.therapist, ana, "Back spasm", EVAL_DAY)
    assert draft.content.occupation is None and draft.content.red_flags == ()
    mine = replace(
        draft.content,
        nprs_now=5,  # the therapist's own rating
        red_flags=(RedFlagEntry("saddle_numbness", RedFlagAnswer.NO),),
    )
    draft = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, mine)
    confirmed = intake.confirm_intake(
        db, staff.therapist, ticket.intake_id, draft.id, draft.version
    )
    content = confirmed.evaluation.content
    assert content.chief_complaint == "Back spasm"  # kept: the therapist's words
    assert (content.occupation, content.patient_goals) == ("Cook", "Stand through a whole shift")
    assert (content.nprs_now, content.nprs_best, content.nprs_worst) == (5, 3, 8)
    assert content.psfs == ANSWERS.psfs
    assert content.onset_date is not None
    flags = {e.code: e for e in content.red_flags}
    assert flags["night_sweats"] == RedFlagEntry("night_sweats", RedFlagAnswer.YES)  # no action
    assert flags["osteoporosis"].answer == RedFlagAnswer.NO
    assert {"chief_complaint", "nprs_now"} <= set(confirmed.filled.kept)
    assert {"occupation", "psfs", "red_flag_night_sweats"} <= set(confirmed.filled.filled)
    assert evaluations.get_evaluation(db, staff.therapist, draft.id).content == content
    # The positive answer waits for the therapist's action before signing.
    with pytest.raises(evaluations.IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, draft.id, confirmed.evaluation.version)
    assert "red_flag_night_sweats" in {m.field for m in refused.value.missing}
    # Confirmed once: not again.
    with pytest.raises(DomainError, match="already confirmed"):
        intake.confirm_intake(
            db, staff.therapist, ticket.intake_id, draft.id, confirmed.evaluation.version
        )
    assert intake.review_intake(db, staff.therapist, ticket.intake_id).evaluation_id == draft.id


def test_confirming_into_another_patients_evaluation_is_refused(db: Database, staff: Staff) -> None:
    ana, bea = _patient(db, staff, "Ana"), _patient(db, staff, "Bea")
    ticket = intake.open_intake(db, staff.therapist, ana)
    intake.save_intake_answers(db, ticket.token, ANSWERS, "tablet")
    beas = evaluations.start_initial_evaluation(db, staff.therapist, bea, "Back pain", EVAL_DAY)
    with pytest.raises(DomainError, match="another patient's"):
        intake.confirm_intake(db, staff.therapist, ticket.intake_id, beas.id, beas.version)
    untouched = evaluations.get_evaluation(db, staff.therapist, beas.id)
    assert untouched.content == beas.content and untouched.version == beas.version


def test_who_may_open_review_and_confirm(db: Database, staff: Staff) -> None:
    ana = _patient(db, staff, "Ana")
    with pytest.raises(PermissionDenied):
        intake.open_intake(db, staff.manager, ana)
    with pytest.raises(PermissionDenied):
        intake.open_intake(db, staff.admin, ana)
    ticket = intake.open_intake(db, staff.therapist, ana)
    with pytest.raises(PermissionDenied):
        intake.review_intake(db, staff.admin, ticket.intake_id)
    assert intake.review_intake(db, staff.manager, ticket.intake_id).status == IntakeStatus.OPEN
    draft = evaluations.start_initial_evaluation(db, staff.therapist, ana, "Spasm", EVAL_DAY)
    with pytest.raises(PermissionDenied, match="Only the evaluating therapist"):
        intake.confirm_intake(db, staff.therapist2, ticket.intake_id, draft.id, draft.version)
    intake.cancel_intake(db, staff.therapist, ticket.intake_id)
    with pytest.raises(NotFound):
        intake.intake_form(db, ticket.token, "tablet")
    with pytest.raises(DomainError, match="cancelled"):
        intake.confirm_intake(db, staff.therapist, ticket.intake_id, draft.id, draft.version)


def test_every_step_is_audited_against_the_patient(db: Database, staff: Staff) -> None:
    ana = _patient(db, staff, "Ana")
    ticket = intake.open_intake(db, staff.therapist, ana)
    intake.intake_form(db, ticket.token, "tablet-7")
    intake.save_intake_answers(db, ticket.token, ANSWERS, "tablet-7")
    intake.submit_intake(db, ticket.token, "tablet-7")
    draft = evaluations.start_initial_evaluation(db, staff.therapist, ana, "Spasm", EVAL_DAY)
    intake.confirm_intake(db, staff.therapist, ticket.intake_id, draft.id, draft.version)
    with db.session() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.workstation, AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.patient_id == ana, AuditEntry.detail.contains("intake"))
            .order_by(AuditEntry.id)
        ).all()
    n = ticket.intake_id
    assert [tuple(r) for r in rows] == [
        ("rivera", "test-ws", AuditAction.CREATE, f"intake {n} opened"),
        (f"intake:{n}", "tablet-7", AuditAction.READ, f"intake {n} form"),
        (f"intake:{n}", "tablet-7", AuditAction.UPDATE, f"intake {n} answers"),
        (f"intake:{n}", "tablet-7", AuditAction.UPDATE, f"intake {n} submitted; 1 red flag(s) yes"),
        ("rivera", "test-ws", AuditAction.UPDATE, f"evaluation {draft.id} filled from intake {n}"),
    ]
    # No answer text reaches the audit log.
    assert not any("Cook" in (r.detail or "") for r in rows)
    assert catalogs.red_flag("night_sweats").finding not in " ".join(r.detail for r in rows)


def test_the_csv_export_writes_answers_and_templates_as_json_without_the_token(
    db: Database, staff: Staff, tmp_path: Path
) -> None:
    ana = _patient(db, staff, "Ana")
    ticket = intake.open_intake(db, staff.therapist, ana)
    intake.save_intake_answers(db, ticket.token, ANSWERS, "tablet")
    csv_export.export(db, staff.manager, tmp_path / "export")
    with (tmp_path / "export" / "patient_intake.csv").open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert "token_hash" not in row
    assert json.loads(row["answers"])["history"]["occupation"] == "Cook"
    with (tmp_path / "export" / "evaluation_template.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 8 and all(len(json.loads(r["content"])["goals"]) == 2 for r in rows)


def test_confirmed_from_the_chart_a_draft_is_started_for_the_answers(
    db: Database, staff: Staff
) -> None:
    """No evaluation open: a patient with no episode gets a new one, its initial evaluation
    started as a draft with the answers in it (the chief complaint in their own words)."""
    ana = _patient(db, staff, "Ana", "es")
    ticket = intake.open_intake(db, staff.therapist, ana)
    intake.save_intake_answers(db, ticket.token, ANSWERS, "tablet")
    intake.submit_intake(db, ticket.token, "tablet")
    confirmed = intake.confirm_intake_from_chart(db, staff.therapist, ticket.intake_id)
    assert confirmed.started
    made = confirmed.evaluation
    assert (made.patient_id, made.therapist_name, made.is_signed) == (ana, "Ana Rivera, PT", False)
    assert made.content.chief_complaint == "My lower back seized up"
    assert made.content.occupation == "Cook" and made.content.nprs_worst == 8
    flags = {e.code: e.answer for e in made.content.red_flags}
    assert flags["night_sweats"] == RedFlagAnswer.YES
    with db.session() as session:  # the episode is named in the patient's words, no stock phrase
        episode = session.scalar(select(EpisodeOfCare).where(EpisodeOfCare.patient_id == ana))
        assert episode is not None and episode.complaint == "My lower back seized up"
    assert "red_flag_night_sweats" in confirmed.filled.filled and confirmed.filled.kept == ()
    (listed,) = evaluations.list_evaluations(db, staff.therapist, ana)
    assert listed.id == made.id
    assert intake.review_intake(db, staff.therapist, ticket.intake_id).evaluation_id == made.id
    with pytest.raises(DomainError, match="already confirmed"):
        intake.confirm_intake_from_chart(db, staff.therapist, ticket.intake_id)


def test_confirmed_from_the_chart_into_the_therapists_own_draft(db: Database, staff: Staff) -> None:
    ana = _patient(db, staff, "Ana")
    draft = evaluations.start_initial_evaluation(db, staff.therapist, ana, "Spasm", EVAL_DAY)
    draft = evaluations.save_draft(
        db, staff.therapist, draft.id, draft.version, replace(draft.content, nprs_now=4)
    )
    ticket = intake.open_intake(db, staff.therapist, ana)
    intake.save_intake_answers(db, ticket.token, ANSWERS, "tablet")
    # Another therapist's draft is theirs to fill; nothing changes.
    with pytest.raises(DomainError, match="Ana Rivera, PT's: only they"):
        intake.confirm_intake_from_chart(db, staff.therapist2, ticket.intake_id)
    assert evaluations.get_evaluation(db, staff.therapist, draft.id).version == draft.version
    confirmed = intake.confirm_intake_from_chart(db, staff.therapist, ticket.intake_id)
    assert not confirmed.started and confirmed.evaluation.id == draft.id
    assert confirmed.evaluation.content.nprs_now == 4  # the therapist's, kept
    assert confirmed.evaluation.content.chief_complaint == "Spasm"
    assert confirmed.evaluation.content.occupation == "Cook"
    assert {"chief_complaint", "nprs_now"} <= set(confirmed.filled.kept)


def test_confirmed_from_the_chart_with_an_episode_open_and_no_draft(
    db: Database, staff: Staff
) -> None:
    """An open episode whose initial evaluation is signed: the intake does not start a second
    episode; the message says what to start first."""
    ana = _patient(db, staff, "Ana")
    draft = evaluations.start_initial_evaluation(db, staff.therapist, ana, "Spasm", EVAL_DAY)
    draft = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete())
    plans.save_plan(db, staff.therapist, draft.id, None, _plan(db))
    evaluations.sign(db, staff.therapist, draft.id, draft.version)
    ticket = intake.open_intake(db, staff.therapist, ana)
    with pytest.raises(DomainError, match="start their re-evaluation or progress report"):
        intake.confirm_intake_from_chart(db, staff.therapist, ticket.intake_id)
    assert intake.review_intake(db, staff.therapist, ticket.intake_id).status == IntakeStatus.OPEN
    assert len(evaluations.list_evaluations(db, staff.therapist, ana)) == 1
