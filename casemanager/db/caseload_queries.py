"""The caseload's SQL: every figure is an aggregate the database computes, written once for
SQLite and PostgreSQL alike. `domain/caseload.py` says what each figure means.

Each episode's "plan evaluation" (its latest signed evaluation that carries a plan) gives its
suspected cause and treatment paths; it is looked up per episode through the index on
(episode_id, status, evaluation_date), never by scanning every evaluation.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from casemanager.db.models import (
    EpisodeOfCare,
    Evaluation,
    Patient,
    Referral,
    TreatmentPath,
    TreatmentPlan,
    User,
    Visit,
)
from casemanager.domain import scoring
from casemanager.domain.caseload import NOT_SEEN_DAYS, UNSIGNED_AFTER_HOURS, CaseloadFilter
from casemanager.domain.enums import (
    EpisodeStatus,
    EvaluationKind,
    EvaluationStatus,
    PatientStatus,
    ReferralKind,
    ReferralStatus,
    Role,
    TreatmentPathKind,
    Urgency,
)

PLAN_KINDS = (EvaluationKind.INITIAL, EvaluationKind.RE_EVALUATION, EvaluationKind.PROGRESS_REPORT)
FOLLOW_UP_KINDS = (
    EvaluationKind.PROGRESS_REPORT,
    EvaluationKind.RE_EVALUATION,
    EvaluationKind.DISCHARGE,
)
PATHS = tuple(TreatmentPathKind)  # bit i of a plan's path mask is PATHS[i]
PERIOD_KEYS = (
    "therapist_id",
    "cause",
    "paths",
    "episodes",
    "discharges",
    "visits_of_discharged",
    "visits",
    "new_evaluations",
    "followed_up",
    "nprs_n",
    "nprs_sum",
    "nprs_ok",
    "odi_n",
    "odi_sum",
    "odi_ok",
    "psfs_n",
    "psfs_sum",
    "psfs_ok",
)
NOT_CLOSED = (ReferralStatus.OPEN, ReferralStatus.SENT)
# Float scores are stored to one decimal: this absorbs binary rounding at an exact MCIC.
_EPSILON = 1e-6
_LONG_AGO = date(1900, 1, 1)

E = EpisodeOfCare


def plan_evaluation_id(episode_id: Any) -> Any:
    """The episode's latest signed evaluation with a plan (a correlated scalar subquery)."""
    ev = aliased(Evaluation)
    return (
        select(ev.id)
        .where(
            ev.episode_id == episode_id,
            ev.status == EvaluationStatus.SIGNED,
            ev.kind.in_(PLAN_KINDS),
        )
        .order_by(ev.evaluation_date.desc(), ev.id.desc())
        .limit(1)
        .correlate(EpisodeOfCare)  # to the episode however deep it is nested in a filter
        .scalar_subquery()
    )


class CaseloadQueries:
    """The figures for one clinic and one filter, read in one session."""

    def __init__(
        self, session: Session, clinic_id: int, filt: CaseloadFilter, today: date, now: datetime
    ) -> None:
        self.session = session
        self.clinic_id = clinic_id
        self.f = filt
        self.today = today
        self.now = now

    # -- which episodes count ---------------------------------------------------------------
    def _episode_filter(self, plan_id: Any | None = None) -> list[ColumnElement[bool]]:
        """Conditions on EpisodeOfCare for the chosen filters. The clinic needs no condition:
        a database holds one clinic (setup refuses a second), so none is added to each row."""
        f = self.f
        conditions: list[ColumnElement[bool]] = []
        if f.therapist_id is not None:
            conditions.append(E.therapist_id == f.therapist_id)
        # Aliases: the filter may sit in a query that already reads these tables.
        chosen, plan, path = aliased(Evaluation), aliased(TreatmentPlan), aliased(TreatmentPath)
        if f.status is not None:
            person = aliased(Patient)
            conditions.append(exists().where(person.id == E.patient_id, person.status == f.status))
        if f.cause is not None or f.path is not None:
            plan_id = plan_id if plan_id is not None else plan_evaluation_id(E.id)
        if f.cause is not None:
            conditions.append(exists().where(chosen.id == plan_id, chosen.primary_cause == f.cause))
        if f.path is not None:
            conditions.append(
                exists()
                .where(plan.evaluation_id == plan_id)
                .where(path.plan_id == plan.id, path.kind == f.path)
            )
        return conditions

    def _active_in_period(self) -> ColumnElement[bool]:
        return and_(
            E.start_date <= self.f.end, or_(E.end_date.is_(None), E.end_date >= self.f.start)
        )

    def _episodes(self, *columns: Any) -> Select[Any]:
        return select(*columns).select_from(E)

    # -- the period: one statement for totals, distributions and outcomes ------------------
    def period(self) -> list[dict[str, Any]]:
        """The episodes active in the period, grouped by (therapist, cause, paths): each group
        holds its counts, visit totals and outcome sums. Sums and counts add up exactly, so
        the service rolls the groups up into the totals, the distributions and the outcomes
        without a second pass over the episodes."""
        f = self.f
        plan_id = plan_evaluation_id(E.id)
        follow = aliased(Evaluation)
        latest_id = (
            select(follow.id)
            .where(
                follow.episode_id == E.id,
                follow.status == EvaluationStatus.SIGNED,
                follow.kind.in_(FOLLOW_UP_KINDS),
                follow.evaluation_date <= f.end,
            )
            .order_by(follow.evaluation_date.desc(), follow.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        discharged = and_(
            E.status == EpisodeStatus.DISCHARGED, E.end_date >= f.start, E.end_date <= f.end
        )
        visits = (
            select(func.count())
            .where(Visit.episode_id == E.id, Visit.visit_date >= f.start, Visit.visit_date <= f.end)
            .scalar_subquery()
        )
        whole_course = select(func.count()).where(Visit.episode_id == E.id).scalar_subquery()
        new = (
            select(func.count())
            .where(
                Evaluation.episode_id == E.id,
                Evaluation.kind == EvaluationKind.INITIAL,
                Evaluation.evaluation_date >= f.start,
                Evaluation.evaluation_date <= f.end,
            )
            .scalar_subquery()
        )
        scope = (
            self._episodes(
                E.id,
                E.therapist_id,
                plan_id.label("plan_id"),
                latest_id.label("latest_id"),
                case((discharged, 1), else_=0).label("discharged"),
                case((discharged, whole_course), else_=0).label("whole_course"),
                visits.label("visits"),
                new.label("new"),
            )
            .where(*self._episode_filter(plan_id), self._active_in_period())
            .cte("period_episode")
            .prefix_with("MATERIALIZED")  # each lookup once per episode (SQLite 3.35+, PG 12+)
        )
        # The plan's paths as a bit mask (one lookup per episode instead of one per path).
        mask = (
            select(
                func.coalesce(
                    func.sum(
                        case(
                            *[(TreatmentPath.kind == k, 1 << bit) for bit, k in enumerate(PATHS)],
                            else_=0,
                        )
                    ),
                    0,
                )
            )
            .join(TreatmentPlan, TreatmentPlan.id == TreatmentPath.plan_id)
            .where(TreatmentPlan.evaluation_id == scope.c.plan_id)
            .scalar_subquery()
        )
        masked = (
            select(*scope.c, mask.label("paths")).cte("period_paths").prefix_with("MATERIALIZED")
        )
        intake = aliased(Evaluation)
        latest = aliased(Evaluation)
        current = aliased(Evaluation)
        measured = and_(latest.id.is_not(None), intake.id.is_not(None))

        def total(value: Any) -> Any:
            return func.coalesce(func.sum(value), 0)

        def measure(before: Any, after: Any, improvement: Any, meaningful: Any) -> list[Any]:
            both = and_(before.is_not(None), after.is_not(None))
            return [
                total(case((both, 1), else_=0)),
                func.sum(case((both, improvement))),
                total(case((and_(both, meaningful), 1), else_=0)),
            ]

        nprs = intake.nprs_now - latest.nprs_now
        odi = intake.odi_percent - latest.odi_percent
        psfs = latest.psfs_mean - intake.psfs_mean
        odi_meaningful = and_(
            intake.odi_percent > 0,
            or_(
                odi >= scoring.MCIC_ODI_POINTS - _EPSILON,
                odi >= intake.odi_percent * scoring.MCIC_ODI_RELATIVE - _EPSILON,
            ),
        )
        rows = self.session.execute(
            select(
                masked.c.therapist_id,
                current.primary_cause,
                masked.c.paths,
                func.count(),
                total(masked.c.discharged),
                total(masked.c.whole_course),
                total(masked.c.visits),
                total(masked.c.new),
                total(case((measured, 1), else_=0)),
                *measure(intake.nprs_now, latest.nprs_now, nprs, nprs >= scoring.MCIC_NPRS),
                *measure(intake.odi_percent, latest.odi_percent, odi, odi_meaningful),
                *measure(
                    intake.psfs_mean,
                    latest.psfs_mean,
                    psfs,
                    psfs >= scoring.MCIC_PSFS_MEAN - _EPSILON,
                ),
            )
            .select_from(masked)
            .outerjoin(current, current.id == masked.c.plan_id)
            .outerjoin(latest, latest.id == masked.c.latest_id)
            .outerjoin(
                intake,
                and_(
                    masked.c.latest_id.is_not(None),
                    intake.episode_id == masked.c.id,
                    intake.kind == EvaluationKind.INITIAL,
                    intake.status == EvaluationStatus.SIGNED,
                ),
            )
            .group_by(masked.c.therapist_id, current.primary_cause, masked.c.paths)
        )
        return [dict(zip(PERIOD_KEYS, row, strict=True)) for row in rows]

    # -- today: open episodes and where each stands -----------------------------------------
    def open_episodes(self, *, contact: bool) -> Any:
        """One row per open episode (filtered): visits since the last progress report, the
        certification in force and, with `contact`, the last visit and last evaluation."""
        ev = aliased(Evaluation)
        last_report = (
            select(func.max(ev.evaluation_date))
            .where(
                ev.episode_id == E.id,
                ev.status == EvaluationStatus.SIGNED,
                ev.kind.in_([EvaluationKind.PROGRESS_REPORT, EvaluationKind.RE_EVALUATION]),
            )
            .scalar_subquery()
        )
        plan = aliased(Evaluation)
        certification = (
            select(TreatmentPlan.certification_end)
            .join(plan, plan.id == TreatmentPlan.evaluation_id)
            .where(
                plan.episode_id == E.id,
                plan.status == EvaluationStatus.SIGNED,
                TreatmentPlan.certification_end.is_not(None),
            )
            .order_by(plan.evaluation_date.desc(), plan.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        seen = aliased(Evaluation)
        last_evaluation = (
            select(func.max(seen.evaluation_date)).where(seen.episode_id == E.id).scalar_subquery()
        )
        last_visit = (
            select(func.max(Visit.visit_date)).where(Visit.episode_id == E.id).scalar_subquery()
        )
        # Materialized, so each correlated lookup runs once per open episode, however often
        # the steps below refer to its result (SQLite 3.35+, PostgreSQL 12+).
        base = (
            self._episodes(
                E.id.label("episode_id"),
                E.therapist_id,
                E.patient_id,
                Patient.status.label("patient_status"),
                func.coalesce(last_report, literal(_LONG_AGO, Date)).label("report_day"),
                certification.label("certification_end"),
                *(
                    (last_visit.label("last_visit"), last_evaluation.label("last_evaluation"))
                    if contact
                    else ()
                ),
            )
            .join(Patient, Patient.id == E.patient_id)
            .where(*self._episode_filter(), E.status == EpisodeStatus.OPEN)
            .cte("open_episode")
            .prefix_with("MATERIALIZED")
        )
        # A visit ticked "progress report" restarts the count, like a signed report does:
        # the anchor is the last such visit after the last signed report.
        flagged = aliased(Visit)
        anchor_id = (
            select(flagged.id)
            .where(
                flagged.episode_id == base.c.episode_id,
                flagged.is_progress_report.is_(True),
                flagged.visit_date > base.c.report_day,
            )
            .order_by(flagged.visit_date.desc(), flagged.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        anchored = (
            select(*base.c, anchor_id.label("anchor_id"))
            .cte("open_episode_anchor")
            .prefix_with("MATERIALIZED")
        )
        anchor = aliased(Visit)
        counted = aliased(Visit)
        since = (
            select(func.count())
            .where(
                counted.episode_id == anchored.c.episode_id,
                counted.visit_date > anchored.c.report_day,
                or_(
                    anchor.id.is_(None),
                    counted.visit_date > anchor.visit_date,
                    and_(counted.visit_date == anchor.visit_date, counted.id > anchor.id),
                ),
            )
            .correlate(anchored, anchor)
            .scalar_subquery()
        )
        keep = [c for c in anchored.c if c.name not in ("report_day", "anchor_id")]
        return (
            select(*keep, since.label("visits_since_report"))
            .select_from(anchored)
            .outerjoin(anchor, anchor.id == anchored.c.anchor_id)
            .subquery()
        )

    def conditions(self, episodes: Any) -> dict[str, ColumnElement[bool]]:
        """Today's action conditions on a row of `open_episodes()`."""
        cutoff = self.today - timedelta(days=NOT_SEEN_DAYS)
        conditions = {
            "progress_report": episodes.c.visits_since_report
            >= scoring.PROGRESS_REPORT_EVERY_VISITS,
            "certification": and_(
                episodes.c.certification_end.is_not(None),
                episodes.c.certification_end
                <= self.today + timedelta(days=scoring.CERTIFICATION_WARNING_DAYS),
            ),
            "on_hold": episodes.c.patient_status == PatientStatus.ON_HOLD,
        }
        if "last_visit" in episodes.c:
            conditions["not_seen"] = and_(
                episodes.c.patient_status == PatientStatus.ACTIVE,
                or_(episodes.c.last_visit.is_(None), episodes.c.last_visit <= cutoff),
                or_(episodes.c.last_evaluation.is_(None), episodes.c.last_evaluation <= cutoff),
            )
        return conditions

    def unsigned_cutoff(self) -> datetime:
        return self.now - timedelta(hours=UNSIGNED_AFTER_HOURS)

    def _unsigned(self) -> Select[Any]:
        return (
            self._episodes(Evaluation.therapist_id, Evaluation.id)
            .join(Evaluation, Evaluation.episode_id == E.id)
            .where(
                *self._episode_filter(),
                Evaluation.status == EvaluationStatus.DRAFT,
                Evaluation.created_at <= self.unsigned_cutoff(),
            )
        )

    def referral_condition(self, red_flag_only: bool) -> ColumnElement[bool]:
        pressing = (
            Referral.kind == ReferralKind.RED_FLAG
            if red_flag_only
            else or_(
                Referral.kind == ReferralKind.RED_FLAG,
                Referral.urgency.in_([Urgency.EMERGENCY, Urgency.URGENT]),
            )
        )
        return and_(Referral.status.in_(NOT_CLOSED), pressing)

    def therapist_counts(self) -> dict[int, dict[str, int]]:
        """Per therapist: today's figures, each one grouped count."""
        counts: dict[int, dict[str, int]] = {}

        def add(figure: str, rows: Any) -> None:
            for therapist_id, n in rows:
                counts.setdefault(int(therapist_id), {})[figure] = int(n)

        episodes = self.open_episodes(contact=False)
        when = self.conditions(episodes)

        def flag(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        rows = self.session.execute(
            select(
                episodes.c.therapist_id,
                func.count(),
                flag(when["progress_report"]),
                flag(when["certification"]),
            ).group_by(episodes.c.therapist_id)
        )
        for therapist_id, active, due, ending in rows:
            counts.setdefault(int(therapist_id), {}).update(
                active_cases=int(active),
                progress_reports_due=int(due),
                certifications_ending=int(ending),
            )
        add(
            "visits_this_week",
            self.session.execute(
                self._episodes(E.therapist_id, func.count())
                .join(Visit, Visit.episode_id == E.id)
                .where(
                    *self._episode_filter(),
                    Visit.visit_date >= self.today - timedelta(days=self.today.weekday()),
                    Visit.visit_date <= self.today,
                )
                .group_by(E.therapist_id)
            ),
        )
        unsigned = self._unsigned().subquery()
        add(
            "unsigned_over_24h",
            self.session.execute(
                select(unsigned.c.therapist_id, func.count()).group_by(unsigned.c.therapist_id)
            ),
        )
        add(
            "open_red_flag_referrals",
            self.session.execute(
                self._episodes(E.therapist_id, func.count())
                .join(Referral, Referral.episode_id == E.id)
                .where(*self._episode_filter(), self.referral_condition(red_flag_only=True))
                .group_by(E.therapist_id)
            ),
        )
        return counts

    def therapists(self) -> list[tuple[int, str, bool]]:
        """(id, name, active) of the clinic's therapists."""
        query = select(User.id, User.display_name, User.active).where(
            User.clinic_id == self.clinic_id, User.role == Role.THERAPIST
        )
        if self.f.therapist_id is not None:
            query = query.where(User.id == self.f.therapist_id)
        return [(int(i), n, bool(a)) for i, n, a in self.session.execute(query)]

    # -- the worklist -----------------------------------------------------------------------
    def worklist_rows(self) -> list[dict[str, Any]]:
        """Every action item with its patient and therapist, as plain rows."""
        names = {
            "patient_name": Patient.family_name + ", " + Patient.given_name,
            "mrn": Patient.mrn,
        }
        items: list[dict[str, Any]] = []
        episodes = self.open_episodes(contact=True)
        when = self.conditions(episodes)
        any_due = or_(*when.values())
        for row in self.session.execute(
            select(
                episodes,
                when["progress_report"].label("due_report"),
                when["certification"].label("due_certification"),
                when["not_seen"].label("due_not_seen"),
                when["on_hold"].label("due_on_hold"),
                *[c.label(k) for k, c in names.items()],
            )
            .join(Patient, Patient.id == episodes.c.patient_id)
            .where(any_due)
        ).mappings():
            items.append({"source": "episode", **row})
        for row in self.session.execute(
            self._unsigned()
            .join(Patient, Patient.id == E.patient_id)
            .add_columns(
                Evaluation.kind,
                Evaluation.evaluation_date,
                Evaluation.created_at,
                E.patient_id,
                *[c.label(k) for k, c in names.items()],
            )
        ).mappings():
            items.append({"source": "unsigned", **row})
        for row in self.session.execute(
            self._episodes(
                E.therapist_id,
                E.patient_id,
                Referral.kind,
                Referral.urgency,
                Referral.status,
                Referral.to_whom,
                Referral.sent_on,
                Referral.created_at,
                *[c.label(k) for k, c in names.items()],
            )
            .join(Referral, Referral.episode_id == E.id)
            .join(Patient, Patient.id == E.patient_id)
            .where(*self._episode_filter(), self.referral_condition(red_flag_only=False))
        ).mappings():
            items.append({"source": "referral", **row})
        return items
