"""Two workstations changing the same record at the same moment: the one that writes second
gets a message that says what the other workstation did and what to do now, never a raw
database error, and nothing is half-written.

Each test opens the database twice, as two workstations do (two engines on one SQLite file,
or two connection pools on one PostgreSQL database), and lets the second workstation's whole
action run and commit at the worst moment for the first: after the first has read the rows
and checked them, just before its own changes reach the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from casemanager.db.engine import Database
from casemanager.db.models import EpisodeOfCare, Evaluation, GoalAssessment, PatientIntake
from casemanager.domain import medicare
from casemanager.domain.enums import EvaluationKind, EvaluationStatus, RedFlagAction, Role, Sex
from casemanager.domain.errors import ClosedElsewhere, ConflictError, DomainError, NotFound
from casemanager.domain.intake import IntakeStatus, from_data
from casemanager.services import (
    accounts,
    audit_log,
    carry_forward,
    clinic,
    evaluation_defaults,
    evaluations,
    goal_progress,
    intake,
    patients,
    plans,
    referrals,
    templates,
)
from casemanager.services.context import Actor
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_intake import ANSWERS

# ---------------------------------------------------------------- two workstations


@pytest.fixture
def other(db: Database) -> Iterator[Database]:
    """The same database opened by a second workstation: its own engine and sessions."""
    second = Database(db.url.render_as_string(hide_password=False))
    yield second
    second.dispose()


def elsewhere(actor: Actor) -> Actor:
    """The same person (or a colleague) logged in at the front desk."""
    return replace(actor, workstation="front-desk")


class Meanwhile:
    """Runs another workstation's action once, committed, just before this workstation's
    first write reaches the database (it has read and checked the rows, and holds no lock
    yet: on SQLite the write transaction begins with that statement)."""

    WRITES = ("INSERT", "UPDATE", "DELETE")

    def __init__(self, action: Callable[[], Any], at: str | None) -> None:
        self.action = action
        self.at = at  # the start of the statement to run it before (else the first write)
        self.ran = False
        self.result: Any = None

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        text = statement.lstrip().upper()
        if self.ran or not text.startswith(self.at.upper() if self.at else self.WRITES):
            return
        self.ran = True
        self.result = self.action()


@contextmanager
def meanwhile(
    db: Database, action: Callable[[], Any], at: str | None = None
) -> Iterator[Meanwhile]:
    hook = Meanwhile(action, at)
    event.listen(db.engine, "before_cursor_execute", hook)
    try:
        yield hook
    finally:
        event.remove(db.engine, "before_cursor_execute", hook)


def refused_by(
    db: Database, mine: Callable[[], Any], theirs: Callable[[], Any], at: str | None = None
) -> DomainError:
    """Run `mine` with `theirs` committed in the middle of it; `mine` must be refused with a
    message a person can act on. Returns the refusal."""
    with meanwhile(db, theirs, at) as other_workstation, pytest.raises(DomainError) as refused:
        mine()
    assert other_workstation.ran, "the other workstation's action never ran"
    message = refused.value.message
    for leak in ("UPDATE", "DELETE", "INSERT", "statement", "row(s)", "constraint"):
        assert leak not in message
    return refused.value


def lost_to(
    db: Database, mine: Callable[[], Any], theirs: Callable[[], Any], at: str | None = None
) -> str:
    """refused_by's message."""
    return refused_by(db, mine, theirs, at).message


def chain_holds(db: Database, staff: Staff) -> None:
    assert audit_log.verify_chain(db, staff.admin).broken is None


# ---------------------------------------------------------------- records to clash over


def _patient(db: Database, staff: Staff, given: str = "Rosa") -> int:
    fields = patients.PatientFields(given, "Clash", date(1975, 3, 3), Sex.FEMALE)
    return patients.create_patient(db, staff.therapist, fields).id


def _submitted_intake(db: Database, staff: Staff, patient_id: int) -> int:
    ticket = intake.open_intake(db, staff.therapist, patient_id, "en")
    intake.save_intake_answers(db, ticket.token, ANSWERS, "tablet")
    intake.submit_intake(db, ticket.token, "tablet")
    return ticket.intake_id


def _draft(db: Database, staff: Staff, patient_id: int) -> evaluations.EvaluationRecord:
    return evaluations.start_initial_evaluation(
        db, staff.therapist, patient_id, "Low back spasm", EVAL_DAY
    )


def _intake_row(db: Database, intake_id: int) -> PatientIntake:
    with db.session() as session:
        row = session.get(PatientIntake, intake_id)
        assert row is not None
        return row


# ---------------------------------------------------------------- the patient intake


def test_one_intake_confirmed_on_two_workstations_into_the_open_evaluation(
    db: Database, other: Database, staff: Staff
) -> None:
    patient_id = _patient(db, staff)
    draft = _draft(db, staff, patient_id)
    intake_id = _submitted_intake(db, staff, patient_id)
    front_desk = elsewhere(staff.therapist)

    message = lost_to(
        db,
        lambda: intake.confirm_intake(db, staff.therapist, intake_id, draft.id, draft.version),
        lambda: intake.confirm_intake(other, front_desk, intake_id, draft.id, draft.version),
    )
    assert "intake was confirmed on another workstation" in message
    assert "Ana Rivera, PT" in message and "open" in message.lower()
    # Confirmed once, into the draft, by the front desk.
    row = _intake_row(db, intake_id)
    assert row.status == IntakeStatus.CONFIRMED and row.evaluation_id == draft.id
    stored = evaluations.get_evaluation(db, staff.therapist, draft.id)
    assert stored.content.chief_complaint == "Low back spasm"  # the therapist's words kept
    assert stored.content.nprs_now == ANSWERS.nprs_now
    chain_holds(db, staff)


def test_one_intake_confirmed_from_two_charts_starts_one_episode(
    db: Database, other: Database, staff: Staff
) -> None:
    patient_id = _patient(db, staff)
    intake_id = _submitted_intake(db, staff, patient_id)
    front_desk = elsewhere(staff.therapist)

    message = lost_to(
        db,
        lambda: intake.confirm_intake_from_chart(db, staff.therapist, intake_id, today=EVAL_DAY),
        lambda: intake.confirm_intake_from_chart(other, front_desk, intake_id, today=EVAL_DAY),
    )
    assert "intake was confirmed on another workstation" in message
    assert "chart" in message
    with db.session() as session:
        episodes = session.scalar(
            select(func.count()).where(EpisodeOfCare.patient_id == patient_id)
        )
        drafts = session.scalar(select(func.count()).select_from(Evaluation))
    assert (episodes, drafts) == (1, 1)
    assert _intake_row(db, intake_id).status == IntakeStatus.CONFIRMED
    chain_holds(db, staff)


def test_one_intake_confirmed_from_two_charts_into_the_same_draft(
    db: Database, other: Database, staff: Staff
) -> None:
    patient_id = _patient(db, staff)
    draft = _draft(db, staff, patient_id)
    intake_id = _submitted_intake(db, staff, patient_id)
    message = lost_to(
        db,
        lambda: intake.confirm_intake_from_chart(db, staff.therapist, intake_id),
        lambda: intake.confirm_intake_from_chart(other, elsewhere(staff.therapist), intake_id),
    )
    assert "intake was confirmed on another workstation" in message
    assert _intake_row(db, intake_id).evaluation_id == draft.id
    chain_holds(db, staff)


def test_an_intake_cancelled_elsewhere_while_it_is_confirmed(
    db: Database, other: Database, staff: Staff
) -> None:
    patient_id = _patient(db, staff)
    draft = _draft(db, staff, patient_id)
    intake_id = _submitted_intake(db, staff, patient_id)
    message = lost_to(
        db,
        lambda: intake.confirm_intake(db, staff.therapist, intake_id, draft.id, draft.version),
        lambda: intake.cancel_intake(other, elsewhere(staff.therapist2), intake_id),
    )
    assert "intake was cancelled on another workstation" in message
    assert "Minh Nguyễn, PT" in message
    assert _intake_row(db, intake_id).status == IntakeStatus.CANCELLED
    # The evaluation draft is as it was: nothing of the intake went in.
    assert evaluations.get_evaluation(db, staff.therapist, draft.id).version == draft.version


def test_an_intake_confirmed_elsewhere_while_it_is_cancelled(
    db: Database, other: Database, staff: Staff
) -> None:
    patient_id = _patient(db, staff)
    draft = _draft(db, staff, patient_id)
    intake_id = _submitted_intake(db, staff, patient_id)
    message = lost_to(
        db,
        lambda: intake.cancel_intake(db, staff.therapist2, intake_id),
        lambda: intake.confirm_intake(
            other, elsewhere(staff.therapist), intake_id, draft.id, draft.version
        ),
    )
    assert "intake was confirmed on another workstation" in message
    assert _intake_row(db, intake_id).status == IntakeStatus.CONFIRMED


@pytest.mark.parametrize("step", ["save", "submit"])
def test_the_tablet_while_the_therapist_opens_a_new_intake(
    db: Database, other: Database, staff: Staff, step: str
) -> None:
    """The patient taps on while the therapist, at their desk, replaces the intake: the
    tablet is told the intake is closed, in words a patient understands."""
    patient_id = _patient(db, staff)
    ticket = intake.open_intake(db, staff.therapist, patient_id, "en")
    intake.save_intake_answers(db, ticket.token, ANSWERS, "tablet")
    newer = elsewhere(staff.therapist)
    if step == "save":
        tablet: Callable[[], Any] = lambda: intake.save_intake_answers(  # noqa: E731
            db, ticket.token, replace(ANSWERS, nprs_now=2), "tablet"
        )
    else:
        tablet = lambda: intake.submit_intake(db, ticket.token, "tablet")  # noqa: E731
    message = lost_to(db, tablet, lambda: intake.open_intake(other, newer, patient_id, "en"))
    assert message == "This intake is closed. Please give the tablet back to the front desk."
    old = _intake_row(db, ticket.intake_id)
    assert old.status == IntakeStatus.CANCELLED
    assert from_data(old.answers).nprs_now == ANSWERS.nprs_now  # the answers before, kept


def test_the_tablet_submits_while_the_therapist_confirms_what_is_there(
    db: Database, other: Database, staff: Staff
) -> None:
    patient_id = _patient(db, staff)
    draft = _draft(db, staff, patient_id)
    ticket = intake.open_intake(db, staff.therapist, patient_id, "en")
    intake.save_intake_answers(db, ticket.token, ANSWERS, "tablet")
    with pytest.raises(NotFound, match="intake is closed"):
        with meanwhile(
            db,
            lambda: intake.confirm_intake(
                other, staff.therapist, ticket.intake_id, draft.id, draft.version
            ),
        ):
            intake.submit_intake(db, ticket.token, "tablet")
    assert _intake_row(db, ticket.intake_id).status == IntakeStatus.CONFIRMED


# ---------------------------------------------------------------- the evaluation and its plan


def _ready_to_sign(db: Database, staff: Staff) -> evaluations.EvaluationRecord:
    from tests.services.test_plans import _plan

    draft = _draft(db, staff, _patient(db, staff))
    saved = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete())
    plans.save_plan(db, staff.therapist, draft.id, None, _plan(db))
    return saved


def test_signing_while_the_draft_is_saved_on_another_workstation(
    db: Database, other: Database, staff: Staff
) -> None:
    saved = draft = _ready_to_sign(db, staff)
    message = lost_to(
        db,
        lambda: evaluations.sign(db, staff.therapist, draft.id, saved.version),
        lambda: evaluations.save_draft(
            other, elsewhere(staff.therapist), draft.id, saved.version, _complete(nprs_now=5)
        ),
    )
    assert "This evaluation's contents: changed by rivera" in message
    assert "kept on screen" in message
    stored = evaluations.get_evaluation(db, staff.therapist, draft.id)
    assert not stored.is_signed and stored.content.nprs_now == 5
    chain_holds(db, staff)


def test_saving_a_draft_signed_meanwhile_on_another_workstation(
    db: Database, other: Database, staff: Staff, caplog: pytest.LogCaptureFixture
) -> None:
    saved = draft = _ready_to_sign(db, staff)
    refusal = refused_by(
        db,
        lambda: evaluations.save_draft(
            db, staff.therapist, draft.id, saved.version, _complete(nprs_now=5)
        ),
        lambda: evaluations.sign(other, elsewhere(staff.therapist), draft.id, saved.version),
    )
    assert "signed on another workstation" in refusal.message and "addendum" in refusal.message
    assert isinstance(refusal, ClosedElsewhere)  # nothing left to compare with
    # A trace for whoever looks into it: the kind and the table, never the values.
    (trace,) = [r.getMessage() for r in caplog.records if "write clash" in r.getMessage()]
    assert trace == "write clash: StaleDataError on evaluation"
    assert evaluations.get_evaluation(db, staff.therapist, draft.id).is_signed


def test_discarding_a_draft_saved_meanwhile_on_another_workstation(
    db: Database, other: Database, staff: Staff
) -> None:
    draft = _draft(db, staff, _patient(db, staff))
    message = lost_to(
        db,
        lambda: evaluations.discard_draft(db, staff.therapist, draft.id),
        lambda: evaluations.save_draft(
            other, elsewhere(staff.therapist), draft.id, draft.version, _complete()
        ),
    )
    assert "changed by rivera" in message
    assert evaluations.get_evaluation(db, staff.therapist, draft.id).content.nprs_now == 7


@pytest.mark.parametrize("first", ["carry_forward", "suggested_codes"])
def test_one_action_fills_a_draft_saved_meanwhile(
    db: Database, other: Database, staff: Staff, first: str
) -> None:
    draft = _draft(db, staff, _patient(db, staff))
    saved = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete())
    fill: Callable[[], Any]
    if first == "carry_forward":
        fill = lambda: carry_forward.confirm_carry_forward(  # noqa: E731
            db, staff.therapist, draft.id, saved.version
        )
    else:
        fill = lambda: evaluation_defaults.accept_suggested_codes(  # noqa: E731
            db, staff.therapist, draft.id, saved.version, ("M54.50",)
        )
    message = lost_to(
        db,
        fill,
        lambda: evaluations.save_draft(
            other, elsewhere(staff.therapist), draft.id, saved.version, _complete(nprs_now=4)
        ),
    )
    assert "This evaluation's contents: changed by rivera" in message


def _signed_with_plan(db: Database, staff: Staff) -> evaluations.EvaluationRecord:
    saved = _ready_to_sign(db, staff)
    return evaluations.sign(db, staff.therapist, saved.id, saved.version)


def test_a_plan_certified_on_two_workstations(db: Database, other: Database, staff: Staff) -> None:
    signed = _signed_with_plan(db, staff)
    day = EVAL_DAY + timedelta(days=3)
    message = lost_to(
        db,
        lambda: plans.record_certification(
            db, staff.therapist, signed.id, medicare.Certification("Dr. Brooks", day), today=day
        ),
        lambda: plans.record_certification(
            other,
            elsewhere(staff.therapist2),
            signed.id,
            medicare.Certification("Dr. Haddad", day),
            today=day,
        ),
    )
    assert "This plan of care: changed by nguyen" in message
    plan = plans.get_plan(db, staff.therapist, signed.id)
    assert plan is not None and plan.certification is not None
    assert plan.certification.physician == "Dr. Haddad"


def test_goal_judgements_saved_twice_at_once(db: Database, other: Database, staff: Staff) -> None:
    """A double submit of the same progress judgements: both clear the old ones, then both
    insert the same rows; the database keeps one set and the second is told. (On SQLite one
    writer waits for the other's commit, then replaces its rows: no clash to meet.)"""
    if db.is_sqlite:
        pytest.skip("SQLite serializes the two writers; the duplicate cannot arise")
    from casemanager.services import follow_up

    signed = _signed_with_plan(db, staff)
    episode_id = signed.episode_id
    report = follow_up.start_follow_up(
        db,
        staff.therapist,
        episode_id,
        EvaluationKind.PROGRESS_REPORT,
        EVAL_DAY + timedelta(days=10),
        today=EVAL_DAY + timedelta(days=10),
    )
    goals = goal_progress.goals_to_judge(db, staff.therapist, report.id).goals
    judged = tuple(
        medicare.GoalAssessment(g.id, medicare.GoalProgress.PROGRESSING, "Sits 20 minutes")
        for g in goals
    )
    message = lost_to(
        db,
        lambda: goal_progress.save_goal_assessments(db, staff.therapist, report.id, judged),
        lambda: goal_progress.save_goal_assessments(
            other, elsewhere(staff.therapist), report.id, judged
        ),
        at="INSERT INTO goal_assessment",
    )
    assert "The goal judgements: the same was saved on another workstation" in message
    with db.session() as session:
        rows = session.scalar(select(func.count()).where(GoalAssessment.evaluation_id == report.id))
    assert rows == len(goals)


# ---------------------------------------------------------------- referrals, clinic records


def test_a_referral_closed_on_two_workstations(db: Database, other: Database, staff: Staff) -> None:
    from tests.services.test_red_flag_referrals import TODAY, _screen, _sign

    signed = _sign(db, staff, _screen(both_legs=(RedFlagAction.EMERGENCY, None)))
    from casemanager.services import chart

    (flag,) = chart.open_chart(db, staff.therapist, signed.patient_id, today=TODAY).open_red_flags
    seen = EVAL_DAY + timedelta(days=1)
    message = lost_to(
        db,
        lambda: referrals.record_outcome(
            db,
            staff.therapist,
            flag.referral_id,
            referrals.ReferralOutcome("Dr. Omar Haddad", seen, True),
            today=TODAY,
        ),
        lambda: referrals.record_outcome(
            other,
            elsewhere(staff.therapist2),
            flag.referral_id,
            referrals.ReferralOutcome("Dr. Lena Park", seen, False),
            today=TODAY,
        ),
    )
    assert "This referral: changed by nguyen" in message


def test_clinic_details_saved_on_two_workstations(
    db: Database, other: Database, staff: Staff
) -> None:
    first = clinic.ClinicDetails("Harbor Spine PT", "(631) 555-0100")
    second = clinic.ClinicDetails("Harbor Spine & Sport", "(631) 555-0199")
    version = clinic.update_details(db, staff.admin, None, clinic.ClinicDetails("Harbor PT"))
    message = lost_to(
        db,
        lambda: clinic.update_details(db, staff.admin, version, first),
        lambda: clinic.update_details(other, elsewhere(staff.admin), version, second),
    )
    assert "clinic details were changed on another workstation" in message
    assert clinic.overview(db, staff.admin).clinic_name == "Harbor Spine & Sport"


def _template(db: Database, staff: Staff) -> templates.TemplateRecord:
    from casemanager.domain.enums import Cause
    from casemanager.domain.templates import TemplateContent

    return templates.save_template(
        db, staff.admin, None, None, TemplateContent("Lifting strain", Cause.HEAVY_LIFTING)
    )


def test_a_template_retired_on_two_workstations(
    db: Database, other: Database, staff: Staff
) -> None:
    (first, *_rest) = templates.list_templates(db, staff.admin) or [_template(db, staff)]
    message = lost_to(
        db,
        lambda: templates.retire_template(db, staff.admin, first.id, first.version),
        lambda: templates.retire_template(other, elsewhere(staff.admin), first.id, first.version),
    )
    assert "This template: changed by admin" in message


def test_an_account_changed_on_two_workstations(
    db: Database, other: Database, staff: Staff
) -> None:
    assert staff.therapist2.user_id is not None
    user_id = staff.therapist2.user_id
    message = lost_to(
        db,
        lambda: accounts.set_role(db, staff.admin, user_id, Role.OFFICE_MANAGER),
        lambda: accounts.set_active(other, elsewhere(staff.admin), user_id, False),
    )
    assert "This account: changed by admin" in message
    (account,) = [u for u in accounts.list_users(db, staff.admin) if u.id == user_id]
    assert account.role == Role.THERAPIST and not account.active


def test_patient_details_saved_on_two_workstations(
    db: Database, other: Database, staff: Staff
) -> None:
    patient_id = _patient(db, staff)
    record = patients.get_patient(db, staff.therapist, patient_id)
    message = lost_to(
        db,
        lambda: patients.update_patient(
            db,
            staff.therapist,
            patient_id,
            record.version,
            replace(record.fields, phone="(631) 555-0122"),
        ),
        lambda: patients.update_patient(
            other,
            elsewhere(staff.manager),
            patient_id,
            record.version,
            replace(record.fields, phone="(631) 555-0111"),
        ),
    )
    assert "This patient's details: changed by manager" in message


def test_a_conflict_is_a_conflict_error(db: Database, other: Database, staff: Staff) -> None:
    """The UI tells a clash from other refusals (the evaluation window offers to compare)."""
    draft = _ready_to_sign(db, staff)
    with (
        meanwhile(
            db,
            lambda: evaluations.save_draft(
                other, elsewhere(staff.therapist), draft.id, draft.version, _complete(nprs_now=3)
            ),
        ),
        pytest.raises(ConflictError),
    ):
        evaluations.sign(db, staff.therapist, draft.id, draft.version)
    with db.session() as session:
        status = session.scalar(select(Evaluation.status).where(Evaluation.id == draft.id))
    assert status == EvaluationStatus.DRAFT


def test_a_clash_outside_a_use_case_is_still_a_message(db: Database, staff: Staff) -> None:
    """The UI's last resort (ui/messages.classify asks environment.describe): a clash that
    reached it without a use case's words is still a calm message, never the bug report;
    an integrity error that is not a duplicate stays a bug."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from casemanager.db.models import Patient, Visit
    from casemanager.services import clashes, environment

    stale = StaleDataError("UPDATE statement on table 'visit' expected to update 1 row(s)")
    assert environment.describe(stale) == clashes.GENERAL
    patient_id = _patient(db, staff)
    with pytest.raises(IntegrityError) as duplicate, db.session() as session:
        first = session.get(Patient, patient_id)  # a real duplicate: the same MRN twice
        assert first is not None
        session.add(
            Patient(
                clinic_id=first.clinic_id,
                mrn=first.mrn,
                given_name="Twin",
                family_name="Clash",
                date_of_birth=first.date_of_birth,
                sex=first.sex,
                search_name="twin clash",
                status=first.status,
            )
        )
        session.flush()
    assert clashes.is_clash(duplicate.value)
    assert clashes.clashed_table(duplicate.value) == "patient"
    assert environment.describe(duplicate.value) == clashes.GENERAL
    with pytest.raises(IntegrityError) as dangling, db.session() as session:
        session.add(Visit(episode_id=999_999, therapist_id=999_999, visit_date=EVAL_DAY))
        session.flush()
    assert not clashes.is_clash(dangling.value)
    assert environment.describe(dangling.value) is None
