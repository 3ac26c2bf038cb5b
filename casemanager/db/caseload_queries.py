"""The caseload's SQL: every figure is an aggregate the database computes, written once for
SQLite and PostgreSQL alike. `domain/caseload.py` says what each figure means.

Where each episode stands (its current cause and paths, certification, visits since the last
report, last contact, intake and latest follow-up) is read from `episode_summary`, one row per
episode kept true by `db/episode_summary.py`, rather than searched for in its history. Only
figures that depend on the chosen period (visits and new evaluations in it, the latest
follow-up for a period that ended earlier) still look into an episode's records, and only
for the episodes that can have any.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from casemanager.db.episode_summary import (
    OUTCOME_KEYS,
    PATHS,
    latest_follow_up_id,
    outcome,
)
from casemanager.db.models import (
    EpisodeOfCare,
    EpisodeSummary,
    Evaluation,
    Patient,
    Referral,
    User,
    Visit,
)
from casemanager.domain import medicare
from casemanager.domain.caseload import NOT_SEEN_DAYS, UNSIGNED_AFTER_HOURS, CaseloadFilter
from casemanager.domain.enums import (
    EpisodeStatus,
    EvaluationStatus,
    PatientStatus,
    ReferralKind,
    ReferralStatus,
    Role,
    Urgency,
)

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

E = EpisodeOfCare
S = EpisodeSummary


def _of_episode(column: Any) -> Any:
    """A column of the summary of the episode in the enclosing query (correlated)."""
    return select(column).where(S.episode_id == E.id).scalar_subquery()


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
        if session.get_bind().dialect.name == "postgresql":
            # For this transaction only, in one round trip:
            # - no JIT: PostgreSQL compiles statements this big to machine code first, about
            #   a second at 100,000 patients, more than running them;
            # - the caseload's tables are read from memory (shared buffers, the OS cache),
            #   where an index lookup costs about what a sequential read does; at the default
            #   cost the planner scanned every episode to join a thousand drafts or referrals.
            session.execute(
                text(
                    "SELECT set_config('jit', 'off', true),"
                    " set_config('random_page_cost', '1.1', true)"
                )
            )

    # -- which episodes count ---------------------------------------------------------------
    def episode_filter(self) -> list[ColumnElement[bool]]:
        """Conditions on EpisodeOfCare for the chosen filters. The clinic needs no condition:
        a database holds one clinic (setup refuses a second). The cause and paths are the
        episode's summary's, looked up for each episode: the queries that use this start from
        a few drafts, referrals or this week's visits, and a join would let the planner walk
        every episode's summary instead."""
        f = self.f
        conditions: list[ColumnElement[bool]] = []
        if f.therapist_id is not None:
            conditions.append(E.therapist_id == f.therapist_id)
        if f.status is not None:
            conditions.append(E.patient_id.in_(self._patients_of_status()))
        if f.cause is not None:
            conditions.append(_of_episode(S.cause) == f.cause)
        if f.path is not None:
            conditions.append(_of_episode(S.paths).bitwise_and(1 << PATHS.index(f.path)) != 0)
        return conditions

    def _patients_of_status(self) -> Select[Any]:
        """The patients of the chosen status, listed once (from ix_patient_status_therapist)
        rather than looked up for each episode: episodes are read in an index's order, and
        one lookup each, scattered over the patient table, cost more than the figures."""
        person = aliased(Patient)  # the filter may sit in a query that reads patients
        return select(person.id).where(person.status == self.f.status)

    def _active_in_period(self) -> ColumnElement[bool]:
        return and_(
            E.start_date <= self.f.end, or_(E.end_date.is_(None), E.end_date >= self.f.start)
        )

    def episodes_query(self, *columns: Any, summary: bool = False) -> Select[Any]:
        """Episodes (with their summary when asked for)."""
        query = select(*columns).select_from(E)
        if summary:
            query = query.join(S, S.episode_id == E.id)
        return query

    # -- the period: one statement for totals, distributions and outcomes ------------------
    def summary_filter(self) -> list[ColumnElement[bool]]:
        """`episode_filter` on the summary alone (it keeps each episode's therapist and
        patient)."""
        f = self.f
        conditions: list[ColumnElement[bool]] = []
        if f.therapist_id is not None:
            conditions.append(S.therapist_id == f.therapist_id)
        if f.status is not None:
            conditions.append(S.patient_id.in_(self._patients_of_status()))
        if f.cause is not None:
            conditions.append(S.cause == f.cause)
        if f.path is not None:
            conditions.append(S.paths.bitwise_and(1 << PATHS.index(f.path)) != 0)
        return conditions

    def period(self) -> list[dict[str, Any]]:
        """The episodes active in the period, grouped by (therapist, cause, paths): each group
        holds its counts, visit totals and outcome sums. Sums and counts add up exactly, so
        the service rolls the groups up into the totals, the distributions and the outcomes
        without a second pass over the episodes (a group may come twice: its counts add).

        One pass over the summary's figures index, which holds every column read here in the
        order grouped by: neither engine copies or sorts the episodes. Each figure counts only
        the episodes it concerns (FILTER), so an episode costs what it adds."""
        f = self.f
        # The dates first: SQLite tests the conditions in this order, and a patient-status
        # filter looks up each episode's patient.
        in_period = (
            S.start_date <= f.end,
            or_(S.end_date.is_(None), S.end_date >= f.start),
            *self.summary_filter(),
        )
        discharged = and_(
            S.status == EpisodeStatus.DISCHARGED, S.end_date >= f.start, S.end_date <= f.end
        )
        # Visits in the period: none when the summary says the visits ended before it or began
        # after it, all of them when they lie within it; only an episode whose visits straddle
        # one of its edges has its visits counted.
        visits = case(
            (or_(S.last_visit < f.start, S.first_visit > f.end), 0),
            (and_(S.first_visit >= f.start, S.last_visit <= f.end), S.visit_count),
            (
                S.last_visit >= f.start,
                select(func.count())
                .where(
                    Visit.episode_id == S.episode_id,
                    Visit.visit_date >= f.start,
                    Visit.visit_date <= f.end,
                )
                .scalar_subquery(),
            ),
            else_=0,
        )
        # Each episode has one initial evaluation, made with it (a follow-up cannot be one).
        new = and_(S.initial_date >= f.start, S.initial_date <= f.end)
        # The outcome kept in the summary is that of the latest signed follow-up, good for a
        # period it falls in (an episode without one adds nothing to the outcomes).
        kept = and_(S.followed_up == 1, S.latest_follow_up_date <= f.end)
        outcomes = [func.count().filter(kept)]
        for name in OUTCOME_KEYS:
            change = getattr(S, f"{name}_change")
            outcomes += [
                func.count(change).filter(kept),
                func.sum(change).filter(kept),
                func.count().filter(and_(kept, getattr(S, f"{name}_ok") == 1)),
            ]
        groups: list[Any] = [S.therapist_id, S.cause, S.paths]
        current = (
            select(
                *groups,
                func.count(),
                func.count().filter(discharged),
                func.coalesce(func.sum(S.visit_count).filter(discharged), 0),
                func.coalesce(func.sum(visits), 0),
                func.count().filter(new),
                *outcomes,
            )
            .where(*in_period)
            .group_by(*groups)
        )
        rows: Any = self.session.execute(union_all(current, self._earlier(in_period)))
        return [dict(zip(PERIOD_KEYS, row, strict=True)) for row in rows]

    def _earlier(self, in_period: tuple[ColumnElement[bool], ...]) -> Select[Any]:
        """The outcomes of the episodes followed up after a period that ended earlier: their
        latest follow-up dated by the period's end is looked up (rarely: only those episodes,
        found by the day of their latest follow-up). Only the outcome figures; the others
        are counted with every episode."""
        f = self.f
        earlier = latest_follow_up_id(S.episode_id, until=f.end, outer=EpisodeSummary)

        def earlier_score(column: Any) -> Any:
            return select(column).where(Evaluation.id == earlier).scalar_subquery()

        followed_up, *looked_up = outcome(
            and_(S.intake_evaluation_id.is_not(None), earlier.is_not(None)),
            {"nprs": S.intake_nprs, "odi": S.intake_odi, "psfs": S.intake_psfs},
            {
                "nprs": earlier_score(Evaluation.nprs_now),
                "odi": earlier_score(Evaluation.odi_percent),
                "psfs": earlier_score(Evaluation.psfs_mean),
            },
        )
        names = [f"{m}_{part}" for m in OUTCOME_KEYS for part in ("change", "ok")]
        # Materialized: those episodes are found by the day of their latest follow-up first
        # (grouped directly, SQLite would walk the figures index for its order instead).
        episodes = (
            select(
                S.therapist_id,
                S.cause,
                S.paths,
                followed_up.label("followed_up"),
                *(value.label(name) for value, name in zip(looked_up, names, strict=True)),
            )
            .where(*in_period, S.latest_follow_up_date > f.end)
            .cte("followed_up_later")
            .prefix_with("MATERIALIZED")
        )
        e = episodes.c
        measures: list[Any] = []
        for m in OUTCOME_KEYS:
            change = e[f"{m}_change"]
            measures += [func.count(change), func.sum(change), func.sum(e[f"{m}_ok"])]
        groups: list[Any] = [e.therapist_id, e.cause, e.paths]
        query: Select[Any] = select(
            *groups, *(literal(0) for _ in range(5)), func.sum(e.followed_up), *measures
        ).group_by(*groups)
        return query

    # -- today: open episodes and where each stands -----------------------------------------
    def open_episodes(self, *, contact: bool) -> Any:
        """One row per open episode (filtered): visits since the last progress report, the
        certification in force and, with `contact`, the last visit and last evaluation. From
        the summary's open-episode index alone (it keeps each episode's therapist, patient
        and status), and the patient's status from ix_patient_id_status."""
        query = select(
            S.episode_id,
            S.therapist_id,
            S.patient_id,
            S.certification_end,
            S.visits_since_report,
        ).where(*self.summary_filter(), S.status == EpisodeStatus.OPEN)
        if contact:
            query = query.join(Patient, Patient.id == S.patient_id).add_columns(
                Patient.status.label("patient_status"),
                S.last_visit,
                S.last_evaluation,
                S.certified,
                S.plan_day.label("period_set_on"),
            )
        return query.subquery("open_episode")

    def conditions(self, episodes: Any) -> dict[str, ColumnElement[bool]]:
        """Today's action conditions on a row of `open_episodes()`."""
        cutoff = self.today - timedelta(days=NOT_SEEN_DAYS)
        conditions = {
            # visits_since_report holds treatment days (domain.medicare.reporting_period).
            "progress_report": episodes.c.visits_since_report
            >= medicare.REPORT_DUE_AFTER_TREATMENT_DAYS,
            "certification": and_(
                episodes.c.certification_end.is_not(None),
                episodes.c.certification_end
                <= self.today + timedelta(days=medicare.CERTIFICATION_ENDING_WARNING_DAYS),
            ),
        }
        if "last_visit" in episodes.c:
            # A certification period in force that no physician has certified yet.
            conditions["uncertified"] = and_(
                episodes.c.certification_end.is_not(None), episodes.c.certified.is_(False)
            )
            conditions["on_hold"] = episodes.c.patient_status == PatientStatus.ON_HOLD
            conditions["not_seen"] = and_(
                episodes.c.patient_status == PatientStatus.ACTIVE,
                or_(episodes.c.last_visit.is_(None), episodes.c.last_visit <= cutoff),
                or_(episodes.c.last_evaluation.is_(None), episodes.c.last_evaluation <= cutoff),
            )
        return conditions

    def unsigned_cutoff(self) -> datetime:
        return self.now - timedelta(hours=UNSIGNED_AFTER_HOURS)

    def unsigned_conditions(self) -> list[ColumnElement[bool]]:
        """Evaluations (joined to their episode) left unsigned too long, for the filter."""
        return [
            *self.episode_filter(),
            Evaluation.status == EvaluationStatus.DRAFT,
            Evaluation.created_at <= self.unsigned_cutoff(),
        ]

    def unsigned_evaluations(self) -> Select[Any]:
        return (
            self.episodes_query(Evaluation.therapist_id, Evaluation.id)
            .join(Evaluation, Evaluation.episode_id == E.id)
            .where(*self.unsigned_conditions())
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

        # The open episodes from the summary alone (it keeps their therapist and status).
        episodes = (
            select(S.therapist_id, S.certification_end, S.visits_since_report)
            .where(*self.summary_filter(), S.status == EpisodeStatus.OPEN)
            .subquery("open_episode")
        )
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
                self.episodes_query(E.therapist_id, func.count())
                .join(Visit, Visit.episode_id == E.id)
                .where(
                    *self.episode_filter(),
                    Visit.visit_date >= self.today - timedelta(days=self.today.weekday()),
                    Visit.visit_date <= self.today,
                )
                .group_by(E.therapist_id)
            ),
        )
        # Materialized: the few drafts first, found by status (grouped directly, SQLite read
        # every evaluation in therapist order instead).
        unsigned = self.unsigned_evaluations().cte("unsigned").prefix_with("MATERIALIZED")
        add(
            "unsigned_over_24h",
            self.session.execute(
                select(unsigned.c.therapist_id, func.count()).group_by(unsigned.c.therapist_id)
            ),
        )
        add(
            "open_red_flag_referrals",
            self.session.execute(
                self.episodes_query(E.therapist_id, func.count())
                .join(Referral, Referral.episode_id == E.id)
                .where(*self.episode_filter(), self.referral_condition(red_flag_only=True))
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
