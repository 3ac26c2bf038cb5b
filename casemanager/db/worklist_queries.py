"""The worklist's SQL, read a page at a time.

The worklist's order is the kind of item first (what harms a patient soonest), then the day
it became due, then the patient's name (`domain.caseload.WorkKey`). So each kind is its own
list, and a page is read kind by kind from where the previous page ended: for the kinds that
come from open episodes, sorted and limited in SQL; evaluations left unsigned and referrals
to close are few, and are read whole (their day is the local date of a timestamp, worked out
in Python as before). How many items there are comes from one pass over the open episodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, literal, or_, select, tuple_

from casemanager.db.caseload_queries import CaseloadQueries, E
from casemanager.db.models import Evaluation, Patient, Referral
from casemanager.domain.caseload import WorkKey, WorkKind

# The kinds read from open episodes, each with its condition in `CaseloadQueries.conditions`.
EPISODE_KINDS = (
    WorkKind.PROGRESS_REPORT,
    WorkKind.UNCERTIFIED,
    WorkKind.CERTIFICATION,
    WorkKind.NOT_SEEN,
    WorkKind.ON_HOLD,
)
_CONDITION = {
    WorkKind.PROGRESS_REPORT: "progress_report",
    WorkKind.UNCERTIFIED: "uncertified",
    WorkKind.CERTIFICATION: "certification",
    WorkKind.NOT_SEEN: "not_seen",
    WorkKind.ON_HOLD: "on_hold",
}


def patient_name(dialect: str) -> ColumnElement[str]:
    """The patient as "Family, Given", compared by code point on both engines, as Python
    compares strings (PostgreSQL's default collation would sort by language rules)."""
    name = Patient.family_name + ", " + Patient.given_name
    return name.collate("C") if dialect == "postgresql" else name


class WorklistQueries:
    """The worklist for the filter of `q` (one clinic, one filter, one session)."""

    def __init__(self, q: CaseloadQueries) -> None:
        self.q = q
        self.dialect = q.session.get_bind().dialect.name

    def _names(self) -> tuple[Any, ...]:
        return (patient_name(self.dialect).label("patient_name"), Patient.mrn.label("mrn"))

    # -- how many ---------------------------------------------------------------------------
    def counts(self) -> dict[WorkKind, int]:
        """Items of each kind, in one statement (one pass over the open episodes)."""
        q = self.q
        episodes = q.open_episodes(contact=True)
        when = q.conditions(episodes)

        def flagged(kind: WorkKind) -> Any:
            return func.coalesce(func.sum(case((when[_CONDITION[kind]], 1), else_=0)), 0)

        unsigned = (
            select(func.count()).select_from(q.unsigned_evaluations().subquery()).scalar_subquery()
        )
        referrals = (
            select(func.count())
            .select_from(self._referrals(Referral.id).subquery())
            .scalar_subquery()
        )
        row = q.session.execute(
            select(*(flagged(kind) for kind in EPISODE_KINDS), unsigned, referrals)
        ).one()
        counts = {kind: int(n) for kind, n in zip(EPISODE_KINDS, row[:5], strict=True)}
        counts[WorkKind.UNSIGNED] = int(row[5])
        counts[WorkKind.URGENT_REFERRAL] = int(row[6])
        return counts

    # -- the items --------------------------------------------------------------------------
    def episode_items(
        self, kind: WorkKind, after: WorkKey | None, limit: int | None
    ) -> Sequence[Row[Any]]:
        """Open episodes with this kind of item due, in the worklist's order, from just after
        `after` (a key of this kind), at most `limit` of them."""
        q = self.q
        episodes = q.open_episodes(contact=True)
        c = episodes.c
        when = q.conditions(episodes)
        # The last contact, a visit or an evaluation (none yet: today), as the worklist says.
        last = case(
            (
                or_(
                    c.last_evaluation.is_(None),
                    and_(c.last_visit.is_not(None), c.last_visit >= c.last_evaluation),
                ),
                c.last_visit,
            ),
            else_=c.last_evaluation,
        )
        since: Any = {
            WorkKind.UNCERTIFIED: c.period_set_on,
            WorkKind.CERTIFICATION: c.certification_end,
        }.get(kind, func.coalesce(last, literal(q.today)))
        name = patient_name(self.dialect)
        order = (since, name, c.patient_id, c.episode_id)
        query = (
            select(
                since.label("since"),
                c.episode_id,
                c.therapist_id,
                c.patient_id,
                c.visits_since_report,
                c.certification_end,
                c.last_visit,
                c.last_evaluation,
                c.period_set_on,
                *self._names(),
            )
            .join(Patient, Patient.id == c.patient_id)
            .where(when[_CONDITION[kind]])
            .order_by(*order)
        )
        if after is not None:
            query = query.where(tuple_(*order) > tuple_(*(literal(v) for v in after[1:])))
        if limit is not None:
            query = query.limit(limit)
        return q.session.execute(query).all()

    def unsigned(self) -> Sequence[Row[Any]]:
        """Every evaluation left unsigned too long, with its patient."""
        q = self.q
        return q.session.execute(
            q.unsigned_evaluations()
            .join(Patient, Patient.id == E.patient_id)
            .add_columns(
                Evaluation.kind,
                Evaluation.evaluation_date,
                Evaluation.created_at,
                E.patient_id,
                *self._names(),
            )
        ).all()

    def _referrals(self, *columns: Any) -> Any:
        q = self.q
        return (
            q.episodes_query(*columns)
            .join(Referral, Referral.episode_id == E.id)
            .where(*q.episode_filter(), q.referral_condition(red_flag_only=False))
        )

    def referrals(self) -> Sequence[Row[Any]]:
        """Every urgent or red-flag referral still open, with its patient."""
        q = self.q
        return q.session.execute(
            self._referrals(
                E.therapist_id,
                E.patient_id,
                Referral.id,
                Referral.kind,
                Referral.urgency,
                Referral.to_whom,
                Referral.sent_on,
                Referral.created_at,
                *self._names(),
            ).join(Patient, Patient.id == E.patient_id)
        ).all()
