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
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Row,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union_all,
)

from casemanager.db.caseload_queries import CaseloadQueries, E
from casemanager.db.models import Evaluation, Patient, Referral
from casemanager.domain.caseload import WORK_PRIORITY, WorkKey, WorkKind

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


class EpisodeRow(NamedTuple):
    """An item due on an open episode, as `counts_and_episode_items` reads it."""

    priority: int
    since: date
    episode_id: int
    therapist_id: int
    patient_id: int
    visits_since_report: int
    certification_end: date | None
    last_visit: date | None
    last_evaluation: date | None
    period_set_on: date | None
    patient_name: str
    mrn: str


class WorklistQueries:
    """The worklist for the filter of `q` (one clinic, one filter, one session)."""

    def __init__(self, q: CaseloadQueries) -> None:
        self.q = q
        self.dialect = q.session.get_bind().dialect.name

    def _names(self) -> tuple[Any, ...]:
        return (patient_name(self.dialect).label("patient_name"), Patient.mrn.label("mrn"))

    def _due(self) -> Any:
        """The open episodes with anything due: one flag per kind and the day each kind is
        sorted by, without the patients' names (only the rows of a page read those)."""
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
        return (
            select(
                c.episode_id,
                c.therapist_id,
                c.patient_id,
                c.visits_since_report,
                c.certification_end,
                c.last_visit,
                c.last_evaluation,
                c.period_set_on,
                func.coalesce(last, literal(q.today)).label("contact_day"),
                *(
                    case((when[_CONDITION[kind]], 1), else_=0).label(kind.value)
                    for kind in EPISODE_KINDS
                ),
            )
            .where(or_(*when.values()))
            .cte("due_episode")
            .prefix_with("MATERIALIZED")
        )

    @staticmethod
    def _since(due: Any, kind: WorkKind) -> Any:
        if kind == WorkKind.UNCERTIFIED:
            return due.c.period_set_on
        if kind == WorkKind.CERTIFICATION:
            return due.c.certification_end
        return due.c.contact_day

    def _branch(self, due: Any, kind: WorkKind, after: WorkKey | None, room: int | None) -> Any:
        """The first `room` episodes of this kind after `after`, in the worklist's order.

        Only the episodes due by the `room`-th day after the cursor's day can be on the page:
        that day is found on the dates alone, so only those episodes' patients are read
        (for the names that order a day's items)."""
        since = self._since(due, kind)
        flagged = due.c[kind.value] == 1
        on_page: Any = flagged
        if room is not None:
            later = select(since).where(flagged)
            if after is not None:
                later = later.where(since > after[1])
            bound = later.order_by(since).limit(1).offset(room - 1).scalar_subquery()
            on_page = and_(flagged, since <= func.coalesce(bound, since))
        name = patient_name(self.dialect)
        order = (since, name, due.c.patient_id, due.c.episode_id)
        query = (
            select(
                literal(WORK_PRIORITY[kind]).label("priority"),
                since.label("since"),
                due.c.episode_id,
                due.c.therapist_id,
                due.c.patient_id,
                due.c.visits_since_report,
                due.c.certification_end,
                due.c.last_visit,
                due.c.last_evaluation,
                due.c.period_set_on,
                *self._names(),
            )
            .join(Patient, Patient.id == due.c.patient_id)
            .where(on_page)
        )
        if after is not None:
            query = query.where(tuple_(*order) > tuple_(*(literal(v) for v in after[1:])))
        return query.order_by(*order).limit(room).subquery()

    def counts_and_episode_items(
        self, after: WorkKey | None, room: int | None
    ) -> tuple[dict[WorkKind, int], list[EpisodeRow]]:
        """How many items of each kind there are, and the first `room` items due on open
        episodes after `after` (all of them for None), in the worklist's order: one
        statement, one pass over the open episodes."""
        q = self.q
        due = self._due()
        unsigned = (
            select(func.count()).select_from(q.unsigned_evaluations().subquery()).scalar_subquery()
        )
        referrals = (
            select(func.count())
            .select_from(self._referrals(Referral.id).subquery())
            .scalar_subquery()
        )
        counts = select(
            *(
                func.coalesce(func.sum(due.c[kind.value]), 0).label(kind.value)
                for kind in EPISODE_KINDS
            ),
            unsigned.label(WorkKind.UNSIGNED.value),
            referrals.label(WorkKind.URGENT_REFERRAL.value),
        ).subquery("counts")
        branches = [
            self._branch(
                due, kind, after if after and after[0] == WORK_PRIORITY[kind] else None, room
            )
            for kind in EPISODE_KINDS
            if room != 0 and (after is None or WORK_PRIORITY[kind] >= after[0])
        ]
        if not branches:
            row = q.session.execute(select(counts)).one()
            return _counts(row), []
        items = union_all(*(select(branch) for branch in branches)).subquery("page")
        key = (
            items.c.priority,
            items.c.since,
            items.c.patient_name,
            items.c.patient_id,
            items.c.episode_id,
        )
        query = select(counts, items).join(items, true(), isouter=True).order_by(*key)
        if room is not None:
            query = query.limit(room)
        rows = q.session.execute(query).all()
        width = len(counts.c)
        # Plain tuples from here: a whole worklist is tens of thousands of rows.
        return _counts(rows[0]), [
            EpisodeRow._make(row[width:]) for row in rows if row.episode_id is not None
        ]

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


def _counts(row: Row[Any]) -> dict[WorkKind, int]:
    return {kind: int(getattr(row, kind.value)) for kind in WorkKind}
