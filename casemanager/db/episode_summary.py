"""Keeping `episode_summary` true: one row per episode with where it stands (current cause and
paths, certification, visits since the last report, last contact, intake and latest
follow-up), so the caseload reads one row per episode instead of searching its history.

The facts are computed here, in SQL, from the visits and signed evaluations; nothing else
writes the table. `track()` hooks a session factory: any flush that adds, changes or
deletes a visit, an evaluation, a plan or an episode marks the episode, and before the
transaction commits its summary row is written again from the records, in the same
transaction. Bulk loads that bypass the ORM (the demo generator) and schema upgrades (once
at head) call `rebuild()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    event,
    exists,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased, sessionmaker

from casemanager.db.models import (
    EpisodeOfCare,
    EpisodeSummary,
    Evaluation,
    TreatmentPath,
    TreatmentPlan,
    Visit,
)
from casemanager.domain import evaluation as rules
from casemanager.domain import scoring
from casemanager.domain.enums import EvaluationKind, EvaluationStatus, TreatmentPathKind

PLAN_KINDS = sorted(rules.PLAN_KINDS)
FOLLOW_UP_KINDS = rules.FOLLOW_UP_KINDS
REPORT_KINDS = (EvaluationKind.PROGRESS_REPORT, EvaluationKind.RE_EVALUATION)
PATHS = tuple(TreatmentPathKind)  # bit i of a plan's path mask is PATHS[i]

# Float scores are stored to one decimal: this absorbs binary rounding at an exact MCIC.
EPSILON = 1e-6
OUTCOME_KEYS = ("nprs", "odi", "psfs")

E = EpisodeOfCare
_TABLE = cast(Table, EpisodeSummary.__table__)
# session.info keys: the episodes (and plans, whose episode is looked up) changed so far
_DIRTY = "episode_summary_episodes"
_DIRTY_PLANS = "episode_summary_plans"


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
        .correlate(EpisodeOfCare)
        .scalar_subquery()
    )


def latest_follow_up_id(episode_id: Any, until: Any = None, outer: Any = EpisodeOfCare) -> Any:
    """The episode's latest signed follow-up (dated by `until`, if given), in a query over
    `outer` (the table `episode_id` belongs to)."""
    ev = aliased(Evaluation)
    query = select(ev.id).where(
        ev.episode_id == episode_id,
        ev.status == EvaluationStatus.SIGNED,
        ev.kind.in_(FOLLOW_UP_KINDS),
    )
    if until is not None:
        query = query.where(ev.evaluation_date <= until)
    return (
        query.order_by(ev.evaluation_date.desc(), ev.id.desc())
        .limit(1)
        .correlate(outer)
        .scalar_subquery()
    )


def outcome(followed_up: Any, intake: dict[str, Any], latest: dict[str, Any]) -> list[Any]:
    """An episode's outcome, as domain.scoring compares an intake with a follow-up: whether it
    was followed up (1/0, given), then per measure the change (improvement positive; NULL
    unless followed up with the measure at both) and whether it is meaningful (1/0)."""
    columns = [case((followed_up, 1), else_=0)]
    for name in OUTCOME_KEYS:
        before, after = intake[name], latest[name]
        both = and_(followed_up, before.is_not(None), after.is_not(None))
        change = after - before if name == "psfs" else before - after
        if name == "nprs":
            meaningful = change >= scoring.MCIC_NPRS
        elif name == "odi":  # at least the MCIC, from a baseline high enough to show it
            meaningful = and_(
                before >= scoring.MCIC_ODI_POINTS - EPSILON,
                change >= scoring.MCIC_ODI_POINTS - EPSILON,
            )
        else:
            meaningful = change >= scoring.MCIC_PSFS_MEAN - EPSILON
        columns += [case((both, change)), case((and_(both, meaningful), 1), else_=0)]
    return columns


def _facts(some: bool) -> Select[Any]:
    """SELECT producing summary rows: for the episodes in the `ids` parameter when `some`,
    else for all."""
    ev = aliased(Evaluation)
    last_report = (
        select(func.max(ev.evaluation_date))
        .where(
            ev.episode_id == E.id,
            ev.status == EvaluationStatus.SIGNED,
            ev.kind.in_(REPORT_KINDS),
        )
        .scalar_subquery()
    )
    plan = aliased(Evaluation)
    certification = (  # the plan whose certification period is in force
        select(TreatmentPlan.id)
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
    intake = aliased(Evaluation)
    intake_id = (
        select(intake.id)
        .where(
            intake.episode_id == E.id,
            intake.status == EvaluationStatus.SIGNED,
            intake.kind == EvaluationKind.INITIAL,
        )
        .order_by(intake.evaluation_date, intake.id)
        .limit(1)
        .scalar_subquery()
    )
    seen = aliased(Evaluation)
    base = select(
        E.id.label("episode_id"),
        E.therapist_id,
        E.patient_id,
        E.status,
        E.start_date,
        E.end_date,
        plan_evaluation_id(E.id).label("plan_evaluation_id"),
        last_report.label("report_day"),
        certification.label("certification_plan_id"),
        select(func.count()).where(Visit.episode_id == E.id).scalar_subquery().label("visits"),
        select(func.min(Visit.visit_date))
        .where(Visit.episode_id == E.id)
        .scalar_subquery()
        .label("first_visit"),
        select(func.max(Visit.visit_date))
        .where(Visit.episode_id == E.id)
        .scalar_subquery()
        .label("last_visit"),
        select(func.max(seen.evaluation_date))
        .where(seen.episode_id == E.id)
        .scalar_subquery()
        .label("last_evaluation"),
        select(func.min(seen.evaluation_date))
        .where(seen.episode_id == E.id, seen.kind == EvaluationKind.INITIAL)
        .scalar_subquery()
        .label("initial_date"),
        intake_id.label("intake_evaluation_id"),
        latest_follow_up_id(E.id).label("latest_follow_up_id"),
    )
    if some:
        base = base.where(E.id.in_(bindparam("ids", expanding=True)))
    # Materialized: each lookup runs once per episode however often the steps below read it.
    first = base.cte("summary_base").prefix_with("MATERIALIZED")
    # The current progress-report period (domain.medicare.reporting_period): it follows the
    # last report, a signed one or a visit recorded as the report, whichever is later, and
    # counts treatment days (calendar days), the evaluation day included.
    flagged = aliased(Visit)
    flagged_day = (
        select(func.max(flagged.visit_date))
        .where(flagged.episode_id == first.c.episode_id, flagged.is_progress_report.is_(True))
        .scalar_subquery()
    )
    second = select(*first.c, flagged_day.label("flagged_day")).cte("summary_flagged")
    second = second.prefix_with("MATERIALIZED")
    ended = case(
        (second.c.report_day.is_(None), second.c.flagged_day),
        (second.c.flagged_day.is_(None), second.c.report_day),
        (second.c.flagged_day > second.c.report_day, second.c.flagged_day),
        else_=second.c.report_day,
    )
    third = select(*second.c, ended.label("ended")).cte("summary_period")
    third = third.prefix_with("MATERIALIZED")
    counted, same_day = aliased(Visit), aliased(Visit)
    visit_days = (
        select(func.count(func.distinct(counted.visit_date)))
        .where(
            counted.episode_id == third.c.episode_id,
            or_(third.c.ended.is_(None), counted.visit_date > third.c.ended),
        )
        .scalar_subquery()
    )
    evaluation_day = case(
        (
            and_(
                third.c.initial_date.is_not(None),
                or_(third.c.ended.is_(None), third.c.initial_date > third.c.ended),
                ~exists().where(
                    same_day.episode_id == third.c.episode_id,
                    same_day.visit_date == third.c.initial_date,
                ),
            ),
            1,
        ),
        else_=0,
    )
    since = visit_days + evaluation_day
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
        .where(TreatmentPlan.evaluation_id == third.c.plan_evaluation_id)
        .scalar_subquery()
    )
    current, latest, intake = aliased(Evaluation), aliased(Evaluation), aliased(Evaluation)
    in_force = aliased(TreatmentPlan)
    # The signed plans sharing the certification period in force (as
    # domain.medicare.certification_in_force): whether a physician has certified it, and
    # the day of the evaluation that set it (its 30 days to certify count from there).
    same_plan, same_ev = aliased(TreatmentPlan), aliased(Evaluation)
    same_period = (
        same_ev.episode_id == third.c.episode_id,
        same_ev.status == EvaluationStatus.SIGNED,
        same_plan.evaluation_id == same_ev.id,
        same_plan.certification_end == in_force.certification_end,
        same_plan.certification_start == in_force.certification_start,
    )
    certified = case(
        (
            exists().where(*same_period, same_plan.certified_on.is_not(None)),
            True,
        ),
        else_=False,
    )
    plan_day = (
        select(func.min(same_ev.evaluation_date))
        .select_from(same_ev)
        .join(same_plan, same_plan.evaluation_id == same_ev.id)
        .where(*same_period)
        .scalar_subquery()
    )
    return (
        select(
            third.c.episode_id,
            third.c.plan_evaluation_id,
            current.primary_cause,
            mask,
            in_force.certification_end,
            since,
            third.c.visits,
            third.c.first_visit,
            third.c.last_visit,
            third.c.last_evaluation,
            third.c.initial_date,
            third.c.intake_evaluation_id,
            third.c.latest_follow_up_id,
            latest.evaluation_date,
            in_force.certification_start,
            certified,
            case((in_force.id.is_not(None), plan_day), else_=None),
            intake.nprs_now,
            intake.odi_percent,
            intake.psfs_mean,
            latest.nprs_now,
            latest.odi_percent,
            latest.psfs_mean,
            third.c.therapist_id,
            third.c.patient_id,
            third.c.status,
            third.c.start_date,
            third.c.end_date,
            *outcome(
                and_(
                    third.c.intake_evaluation_id.is_not(None),
                    third.c.latest_follow_up_id.is_not(None),
                ),
                {"nprs": intake.nprs_now, "odi": intake.odi_percent, "psfs": intake.psfs_mean},
                {"nprs": latest.nprs_now, "odi": latest.odi_percent, "psfs": latest.psfs_mean},
            ),
        )
        .select_from(third)
        .outerjoin(current, current.id == third.c.plan_evaluation_id)
        .outerjoin(latest, latest.id == third.c.latest_follow_up_id)
        .outerjoin(intake, intake.id == third.c.intake_evaluation_id)
        .outerjoin(in_force, in_force.id == third.c.certification_plan_id)
    )


_COLUMNS = [
    EpisodeSummary.episode_id,
    EpisodeSummary.plan_evaluation_id,
    EpisodeSummary.cause,
    EpisodeSummary.paths,
    EpisodeSummary.certification_end,
    EpisodeSummary.visits_since_report,
    EpisodeSummary.visit_count,
    EpisodeSummary.first_visit,
    EpisodeSummary.last_visit,
    EpisodeSummary.last_evaluation,
    EpisodeSummary.initial_date,
    EpisodeSummary.intake_evaluation_id,
    EpisodeSummary.latest_follow_up_id,
    EpisodeSummary.latest_follow_up_date,
    EpisodeSummary.certification_start,
    EpisodeSummary.certified,
    EpisodeSummary.plan_day,
    EpisodeSummary.intake_nprs,
    EpisodeSummary.intake_odi,
    EpisodeSummary.intake_psfs,
    EpisodeSummary.latest_nprs,
    EpisodeSummary.latest_odi,
    EpisodeSummary.latest_psfs,
    EpisodeSummary.therapist_id,
    EpisodeSummary.patient_id,
    EpisodeSummary.status,
    EpisodeSummary.start_date,
    EpisodeSummary.end_date,
    EpisodeSummary.followed_up,
    EpisodeSummary.nprs_change,
    EpisodeSummary.nprs_ok,
    EpisodeSummary.odi_change,
    EpisodeSummary.odi_ok,
    EpisodeSummary.psfs_change,
    EpisodeSummary.psfs_ok,
]


@cache
def _insert(some: bool) -> Any:
    """Built once: the statement is large, and building it cost more than running it."""
    return insert(_TABLE).from_select([c.key for c in _COLUMNS], _facts(some))


def _write(session: Session | Connection, episode_ids: list[int] | None) -> None:
    if episode_ids is None:
        session.execute(delete(_TABLE))
        session.execute(_insert(False))
    else:
        session.execute(delete(_TABLE).where(_TABLE.c.episode_id.in_(episode_ids)))
        session.execute(_insert(True), {"ids": episode_ids})


def rebuild(session: Session | Connection) -> None:
    """Write every episode's row again (after a bulk load, or an upgrade once it reaches the
    head schema: casemanager.db.migrate; the migrations themselves never call this)."""
    _write(session, None)


def _lock(session: Session, ids: list[int]) -> None:
    # In id order, so two workstations cannot deadlock: on PostgreSQL a second writer waits,
    # and its facts include the first one's rows. NO KEY UPDATE, because each writer already
    # holds KEY SHARE from inserting its visits.
    session.execute(
        select(E.id).where(E.id.in_(ids)).order_by(E.id).with_for_update(key_share=True)
    )


def lock_pending(session: Session) -> None:
    """Lock the episodes changed so far in this transaction (before other locks are taken)."""
    ids = sorted(session.info.get(_DIRTY, ()))
    if ids:
        _lock(session, ids)


def refresh(session: Session, episode_ids: Iterable[int]) -> None:
    """Write these episodes' rows again from their records, in the session's transaction."""
    ids = sorted(set(episode_ids))
    if not ids:
        return
    _lock(session, ids)
    for start in range(0, len(ids), 500):  # stay under the drivers' parameter limits
        _write(session, ids[start : start + 500])


def mismatches(session: Session) -> list[int]:
    """Episodes whose stored row differs from what their records say (none, if all is well)."""
    stored = {
        row[0]: tuple(row) for row in session.execute(select(*[_TABLE.c[c.key] for c in _COLUMNS]))
    }
    wanted = {row[0]: tuple(row) for row in session.execute(_facts(some=False))}
    return sorted(
        episode
        for episode in stored.keys() | wanted.keys()
        if stored.get(episode) != wanted.get(episode)
    )


# -- tracking changes ---------------------------------------------------------------------------
def _after_flush(session: Session, _context: Any) -> None:
    episodes: set[int] = session.info.setdefault(_DIRTY, set())
    plans: set[int] = session.info.setdefault(_DIRTY_PLANS, set())
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, EpisodeOfCare):
            episodes.add(instance.id)
        elif isinstance(instance, Visit | Evaluation):
            episodes.add(instance.episode_id)
        elif isinstance(instance, TreatmentPlan):
            plans.add(instance.id)
        elif isinstance(instance, TreatmentPath):
            plans.add(instance.plan_id)


def _before_commit(session: Session) -> None:
    session.flush()  # the last changes, so _after_flush has seen them
    dirty: set[int] = session.info.pop(_DIRTY, set())
    plans: set[int] = session.info.pop(_DIRTY_PLANS, set())
    if plans:
        dirty.update(
            session.scalars(
                select(Evaluation.episode_id)
                .join(TreatmentPlan, TreatmentPlan.evaluation_id == Evaluation.id)
                .where(TreatmentPlan.id.in_(sorted(plans)))
            )
        )
    refresh(session, dirty)


def _after_rollback(session: Session) -> None:
    session.info.pop(_DIRTY, None)
    session.info.pop(_DIRTY_PLANS, None)


def track(factory: sessionmaker[Session]) -> None:
    """Keep the summary true for every session this factory makes."""
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(
        factory, "after_soft_rollback", lambda session, _previous: _after_rollback(session)
    )
