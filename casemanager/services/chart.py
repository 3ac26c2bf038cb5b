"""The patient chart: a header a clinician reads at a glance, then each episode of care with
its timeline (evaluations, visits, referrals, discharge), newest first.

One call reads everything in a fixed number of queries, whatever the length of the history,
and the read is audited once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from casemanager.db.engine import Database
from casemanager.db.models import (
    EpisodeOfCare,
    Evaluation,
    GoalAssessment,
    PrintedDocument,
    RedFlagFinding,
    Referral,
    TreatmentPlan,
    Visit,
    VisitIntervention,
)
from casemanager.domain import catalogs, medicare, outcomes
from casemanager.domain import red_flags as red_flag_rules
from casemanager.domain.enums import (
    AuditAction,
    EpisodeStatus,
    EvaluationKind,
    EvaluationStatus,
    RedFlagAction,
    RedFlagAnswer,
    ReferralKind,
    ReferralStatus,
)
from casemanager.domain.episode_progress import EpisodeProgress, summarize
from casemanager.domain.patients import PatientRecord
from casemanager.domain.permissions import Permission, has_permission
from casemanager.reports import wording
from casemanager.services import goal_mappers
from casemanager.services.content_mappers import certification_of, measures_of, user_names
from casemanager.services.context import Actor
from casemanager.services.patient_rows import open_record
from casemanager.services.use_case import patient_case


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    what: str  # "Initial evaluation", "Visit", "Referral: Steroid injection", "Discharged"…
    detail: str
    evaluation_id: int | None = None  # opens the evaluation from the timeline
    is_draft: bool = False


@dataclass(frozen=True)
class EpisodeChart:
    id: int
    complaint: str
    start_date: date
    end_date: date | None
    status: EpisodeStatus
    therapist_name: str
    progress: EpisodeProgress
    outcomes: tuple[outcomes.Outcome, ...]  # latest signed follow-up against intake
    draft_id: int | None  # the unsigned evaluation to finish, if any
    has_signed_initial: bool
    next_appointment: datetime | None  # as booked in the latest plan (UTC)
    timeline: tuple[TimelineEntry, ...]  # newest first

    @property
    def is_open(self) -> bool:
        return self.status == EpisodeStatus.OPEN


@dataclass(frozen=True)
class OpenRedFlag:
    """A red-flag referral nobody has recorded the outcome of yet."""

    referral_id: int
    text: str


@dataclass(frozen=True)
class Chart:
    patient: PatientRecord
    age: int
    # The banner: red flags whose referral is still open, in any episode. A closed one is on
    # the timeline with who saw the patient and when.
    red_flags: tuple[str, ...]
    episodes: tuple[EpisodeChart, ...]  # newest first; empty when the role sees no clinical data
    shows_clinical: bool
    open_red_flags: tuple[OpenRedFlag, ...] = ()
    # Risk factors noted and monitored (no referral) on the open episode's latest evaluation.
    monitored: tuple[str, ...] = ()

    @property
    def open_episode(self) -> EpisodeChart | None:
        return next((e for e in self.episodes if e.is_open), None)


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def open_chart(db: Database, actor: Actor, patient_id: int, *, today: date | None = None) -> Chart:
    today = today or date.today()
    # The demographics are read (and audited) whatever the clinical part then allows.
    record = open_record(db, actor, patient_id)
    age = age_on(record.fields.date_of_birth, today)
    if not has_permission(actor.role, Permission.VIEW_CLINICAL):
        return Chart(record, age, (), (), shows_clinical=False)
    with patient_case(db, actor, patient_id, Permission.VIEW_CLINICAL, AuditAction.READ) as case:
        session = case.session
        episodes = session.scalars(
            select(EpisodeOfCare)
            .where(EpisodeOfCare.patient_id == patient_id)
            .order_by(EpisodeOfCare.start_date.desc(), EpisodeOfCare.id.desc())
        ).all()
        ids = [e.id for e in episodes] or [0]
        evaluations = session.scalars(
            select(Evaluation)
            .where(Evaluation.episode_id.in_(ids))
            .order_by(Evaluation.evaluation_date, Evaluation.id)
            .options(selectinload(Evaluation.psfs_activities))  # the PSFS one-activity rule
        ).all()
        visit_rows = session.scalars(
            select(Visit).where(Visit.episode_id.in_(ids)).order_by(Visit.visit_date, Visit.id)
        ).all()
        # Minutes per visit, summed over this patient's visits only (never the whole table).
        minutes: dict[int, int] = {
            visit_id: int(total)
            for visit_id, total in session.execute(
                select(VisitIntervention.visit_id, func.sum(VisitIntervention.minutes))
                .join(Visit, Visit.id == VisitIntervention.visit_id)
                .where(Visit.episode_id.in_(ids))
                .group_by(VisitIntervention.visit_id)
            )
        }
        referrals = session.scalars(
            select(Referral).where(Referral.episode_id.in_(ids)).order_by(Referral.id)
        ).all()
        # A progress report's verdicts on the goals, per visit, for the timeline.
        verdicts: dict[int, list[medicare.GoalProgress]] = defaultdict(list)
        for visit_id, verdict in session.execute(
            select(GoalAssessment.visit_id, GoalAssessment.progress)
            .join(Visit, Visit.id == GoalAssessment.visit_id)
            .where(Visit.episode_id.in_(ids))
            .order_by(GoalAssessment.id)
        ):
            # The join makes the visit certain; a visit's verdict is always given.
            assert visit_id is not None and verdict is not None
            verdicts[visit_id].append(verdict)
        # The same verdicts given by a progress report or re-evaluation written as such.
        judged_in = {
            evaluation_id: [a.progress for a in assessed]
            for evaluation_id, assessed in goal_mappers.assessed_goals(
                session, [e.id for e in evaluations if e.status == EvaluationStatus.SIGNED]
            ).items()
        }
        certification: dict[int, medicare.SignedPlan] = {}
        booked: dict[int, datetime] = {}
        dates = {e.id: e.evaluation_date for e in evaluations}
        for plan in session.scalars(
            select(TreatmentPlan).where(
                TreatmentPlan.evaluation_id.in_([e.id for e in evaluations] or [0])
            )
        ):
            certification[plan.evaluation_id] = medicare.SignedPlan(
                dates[plan.evaluation_id],
                plan.certification_start,
                plan.certification_end,
                certification_of(plan),
            )
            if plan.next_appointment is not None:
                booked[plan.evaluation_id] = plan.next_appointment
        printed = session.scalars(
            select(PrintedDocument)
            .where(PrintedDocument.evaluation_id.in_([e.id for e in evaluations] or [0]))
            .order_by(PrintedDocument.id)
        ).all()
        findings = session.execute(
            select(
                RedFlagFinding.evaluation_id, RedFlagFinding.flag_code, RedFlagFinding.action_reason
            )
            .where(
                RedFlagFinding.evaluation_id.in_([e.id for e in evaluations] or [0]),
                RedFlagFinding.answer == RedFlagAnswer.YES,
                RedFlagFinding.action == RedFlagAction.MONITOR,
            )
            .order_by(RedFlagFinding.id)
        ).all()
        # The names the chart shows: therapists, signers, who recorded a referral's outcome.
        names = user_names(
            session,
            {e.therapist_id for e in episodes}
            | {e.therapist_id for e in evaluations}
            | {e.signed_by_id or 0 for e in evaluations}
            | {v.therapist_id for v in visit_rows}
            | {r.closed_by_id or 0 for r in referrals},
        )
        case.record(f"chart: {len(episodes)} episodes")

    by_episode: dict[int, list[Evaluation]] = defaultdict(list)
    for evaluation in evaluations:
        by_episode[evaluation.episode_id].append(evaluation)
    visits_by_episode: dict[int, list[tuple[Visit, int | None]]] = defaultdict(list)
    for visit in visit_rows:
        visits_by_episode[visit.episode_id].append((visit, minutes.get(visit.id)))
    referrals_by_episode: dict[int, list[Referral]] = defaultdict(list)
    for referral in referrals:
        referrals_by_episode[referral.episode_id].append(referral)
    episode_of = {e.id: e.episode_id for e in evaluations}
    evaluation_dates = {e.id: e.evaluation_date for e in evaluations}
    documents_by_episode: dict[int, list[PrintedDocument]] = defaultdict(list)
    for document in printed:
        documents_by_episode[episode_of[document.evaluation_id]].append(document)
    monitored_by_evaluation: dict[int, list[str]] = defaultdict(list)
    for evaluation_id, code, reason in findings:
        finding = catalogs.red_flag(code).finding if _known(code) else code
        monitored_by_evaluation[evaluation_id].append(
            f"{finding}" + (f" ({reason})" if reason else "")
        )
    open_flags = [
        OpenRedFlag(r.id, _open_red_flag_text(r, evaluation_dates))
        for r in referrals
        if r.kind == ReferralKind.RED_FLAG and r.status != ReferralStatus.CLOSED
    ]
    charts = []
    monitored: list[str] = []
    for episode in episodes:
        signed = [e for e in by_episode[episode.id] if e.status == EvaluationStatus.SIGNED]
        if episode.status == EpisodeStatus.OPEN and signed:
            monitored += monitored_by_evaluation[signed[-1].id]
        charts.append(
            _episode_chart(
                episode,
                by_episode[episode.id],
                visits_by_episode[episode.id],
                referrals_by_episode[episode.id],
                documents_by_episode[episode.id],
                certification,
                booked,
                names,
                today,
                verdicts,
                judged_in,
            )
        )
    return Chart(
        record,
        age,
        tuple(flag.text for flag in open_flags),
        tuple(charts),
        shows_clinical=True,
        open_red_flags=tuple(open_flags),
        monitored=tuple(monitored),
    )


def _known(code: str) -> bool:
    return red_flag_rules.condition_of(code) is not None


def _open_red_flag_text(referral: Referral, evaluation_dates: dict[int, date]) -> str:
    made = evaluation_dates.get(referral.evaluation_id or 0) or referral.created_at.date()
    state = "not sent yet" if referral.status == ReferralStatus.OPEN else "sent, awaiting outcome"
    return (
        f"{referral.reason} {catalogs.URGENCY_LABELS[referral.urgency].capitalize()} referral "
        f"to {referral.to_whom} on {made:%m/%d/%Y}; {state}."
    )


def _episode_chart(
    episode: EpisodeOfCare,
    evaluations: list[Evaluation],
    visits: list[tuple[Visit, int | None]],
    referrals: list[Referral],
    printed: list[PrintedDocument],
    certification: dict[int, medicare.SignedPlan],
    booked: dict[int, datetime],
    names: dict[int, str],
    today: date,
    verdicts: dict[int, list[medicare.GoalProgress]],
    judged_in: dict[int, list[medicare.GoalProgress]],
) -> EpisodeChart:
    signed = [e for e in evaluations if e.status == EvaluationStatus.SIGNED]
    intake = next((e for e in signed if e.kind == EvaluationKind.INITIAL), None)
    last_report = max(
        (
            e.evaluation_date
            for e in signed
            if e.kind in (EvaluationKind.PROGRESS_REPORT, EvaluationKind.RE_EVALUATION)
        ),
        default=None,
    )
    progress = summarize(
        episode.id,
        episode.status == EpisodeStatus.OPEN,
        [(v.visit_date, v.is_progress_report) for v, _total in visits],
        last_report,
        [certification[e.id] for e in signed if e.id in certification],
        today,
        min(
            (e.evaluation_date for e in evaluations if e.kind == EvaluationKind.INITIAL),
            default=None,
        ),
    )
    follow_ups = [e for e in signed if e.kind != EvaluationKind.INITIAL]
    change: tuple[outcomes.Outcome, ...] = ()
    if intake is not None and follow_ups:
        change = outcomes.compare(measures_of(intake), measures_of(follow_ups[-1]))

    # Within one day: the initial evaluation, its referrals, visits, a follow-up written
    # after the day's visit, then the discharge.
    entries: list[tuple[date, int, TimelineEntry]] = []
    for e in evaluations:
        order = 0 if e.kind == EvaluationKind.INITIAL else 3
        entries.append(
            (e.evaluation_date, order, _evaluation_entry(e, names, judged_in.get(e.id, [])))
        )
    for visit, total in visits:
        parts = [f"NPRS {visit.nprs}" if visit.nprs is not None else "NPRS not taken"]
        if total:
            parts.append(f"{total} min")
        if visit.therapist_id != episode.therapist_id:  # a colleague covering: say who
            parts.append(names.get(visit.therapist_id, "unknown"))
        judged = verdicts.get(visit.id, [])
        if judged:
            parts.append(_verdict_counts(judged))
        what = "Visit (progress report)" if visit.is_progress_report else "Visit"
        entries.append(
            (visit.visit_date, 1, TimelineEntry(visit.visit_date, what, "; ".join(parts)))
        )
    for e in signed:
        recorded = certification.get(e.id)
        if recorded is not None and recorded.certification is not None:
            c = recorded.certification
            late = f"; late: {c.delay_reason}" if c.delay_reason else ""
            entries.append(
                (
                    c.certified_on,
                    2,
                    TimelineEntry(
                        c.certified_on,
                        "Plan of care certified",
                        f"By {c.physician}{late}",
                        e.id,
                    ),
                )
            )
    evaluation_days = {e.id: e.evaluation_date for e in evaluations}
    for referral in referrals:
        # Dated by the evaluation that made it (signing may come a day or two later).
        made = evaluation_days.get(referral.evaluation_id or 0) or referral.created_at.date()
        label = catalogs.REFERRAL_KIND_LABELS[referral.kind]
        entries.append(
            (
                made,
                1,
                TimelineEntry(
                    made,
                    f"Referral: {label}",
                    f"To {referral.to_whom}, {catalogs.URGENCY_LABELS[referral.urgency]}; "
                    f"{referral.status.value}",
                ),
            )
        )
        if referral.status == ReferralStatus.CLOSED and referral.closed_on:
            entries.append(
                (
                    referral.closed_on,
                    3,
                    TimelineEntry(
                        referral.closed_on,
                        _closed_title(referral, label),
                        _closed_detail(referral, names),
                    ),
                )
            )
    for document in printed:
        day = document.created_at.astimezone().date()
        entries.append((day, 4, _document_entry(document, day)))
    if episode.end_date is not None and episode.status == EpisodeStatus.DISCHARGED:
        entries.append(
            (
                episode.end_date,
                5,
                TimelineEntry(episode.end_date, "Discharged", episode.discharge_reason or ""),
            )
        )
    entries.sort(key=lambda item: (item[0], item[1]), reverse=True)
    draft = next((e for e in evaluations if e.status == EvaluationStatus.DRAFT), None)
    appointments = [booked[e.id] for e in evaluations if e.id in booked]
    return EpisodeChart(
        id=episode.id,
        complaint=episode.complaint,
        start_date=episode.start_date,
        end_date=episode.end_date,
        status=episode.status,
        therapist_name=names.get(episode.therapist_id, "unknown"),
        progress=progress,
        outcomes=change,
        draft_id=draft.id if draft else None,
        has_signed_initial=intake is not None,
        next_appointment=appointments[-1] if appointments else None,
        timeline=tuple(entry for _day, _order, entry in entries),
    )


def _closed_title(referral: Referral, label: str) -> str:
    if referral.kind == ReferralKind.RED_FLAG and referral.cleared_for_therapy is not None:
        return "Red flag cleared" if referral.cleared_for_therapy else "Red flag: not cleared"
    return f"Referral closed: {label}"


def _closed_detail(referral: Referral, names: dict[int, str]) -> str:
    """Who saw the patient and when, then who recorded it: "Cleared for therapy by Dr X on
    12/01/2026; recorded by Ana Rivera, PT. <note>"."""
    parts = []
    if referral.seen_by and referral.closed_on:
        verdict = (
            "Cleared for therapy by"
            if referral.cleared_for_therapy
            else "Seen, not cleared for therapy, by"
        )
        parts.append(f"{verdict} {referral.seen_by} on {referral.closed_on:%m/%d/%Y}")
    if referral.closed_by_id is not None:
        parts.append(f"recorded by {names.get(referral.closed_by_id, 'unknown')}")
    text = "; ".join(parts)
    note = referral.outcome_note or ""
    return f"{text}. {note}".strip() if text else note


_DOCUMENT_NAMES = {
    "take-home": "take-home care plan",
    "plan-of-care": "plan of care",
    "referral": "referral letter",
}


def _document_entry(document: PrintedDocument, day: date) -> TimelineEntry:
    verb = "Printed" if document.action == AuditAction.PRINT else "Saved"
    details = []
    if document.language:
        details.append(wording.languages().get(document.language, document.language))
    if document.large_print:
        details.append("large print")
    details.append(f"by {document.actor}")
    what = f"{verb}: {_DOCUMENT_NAMES.get(document.kind, document.kind)}"
    return TimelineEntry(day, what, ", ".join(details), document.evaluation_id)


def _verdict_counts(judged: list[medicare.GoalProgress]) -> str:
    """A progress report's verdicts on the goals, counted: "goals: met 1, progressing 2"."""
    return "goals: " + ", ".join(
        f"{label.lower()} {judged.count(progress)}"
        for progress, label in medicare.GOAL_PROGRESS_LABELS.items()
        if progress in judged
    )


def _evaluation_entry(
    evaluation: Evaluation, names: dict[int, str], judged: list[medicare.GoalProgress]
) -> TimelineEntry:
    what = catalogs.EVALUATION_KIND_LABELS[evaluation.kind]
    therapist = names.get(evaluation.therapist_id, "unknown")
    if evaluation.status == EvaluationStatus.DRAFT:
        return TimelineEntry(
            evaluation.evaluation_date,
            f"{what} (draft)",
            f"{therapist}; not signed yet",
            evaluation.id,
            is_draft=True,
        )
    scores = []
    if evaluation.nprs_now is not None:
        scores.append(f"NPRS {evaluation.nprs_now}")
    if evaluation.odi_percent is not None:
        scores.append(f"Oswestry {evaluation.odi_percent:g}%")
    if evaluation.psfs_mean is not None:
        scores.append(f"PSFS {evaluation.psfs_mean:g}")
    if judged:
        scores.append(_verdict_counts(judged))
    signer = names.get(evaluation.signed_by_id or 0, therapist)
    return TimelineEntry(
        evaluation.evaluation_date,
        what,
        "; ".join([*scores, f"signed by {signer}"]),
        evaluation.id,
    )
