"""The worklist's SQL, read a page at a time.

The worklist's order is the kind of item first (what harms a patient soonest), then the day
it became due, then the patient's name (`domain.caseload.WorkKey`). So each kind is its own
list, and a page is read kind by kind from where the previous page ended: for the kinds that
come from open episodes, sorted and limited in SQL; evaluations left unsigned and referrals
to close are few, and are read whole (their day is the local date of a timestamp, worked out
in Python as before). How many items there are comes from one pass over the open episodes.

A page, the whole list included, is one statement: its counts and every kind of item are read
at one moment on both engines (SQLite outside a write transaction and PostgreSQL's READ
COMMITTED give each statement, not each transaction, its own snapshot), so a list saved as
CSV never mixes items read before and after a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Enum,
    Row,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
    union_all,
)

from casemanager.db.caseload_queries import CaseloadQueries, E
from casemanager.db.models import EpisodeSummary, Evaluation, Patient, Referral, Visit
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


class WorkRow(NamedTuple):
    """An item of the worklist as `WorklistQueries.read` reads it: for an item due on an open
    episode, its episode's facts; for an evaluation left unsigned or a referral to close, the
    record's own (the other columns are None)."""

    priority: int  # WORK_PRIORITY of its kind
    since: date | None  # None for an unsigned evaluation or a referral (worked out in Python)
    record_id: int  # the episode, evaluation or referral
    therapist_id: int
    patient_id: int
    visits_since_report: int | None
    certification_end: date | None
    last_visit: date | None
    last_evaluation: date | None
    period_set_on: date | None
    patient_name: str
    mrn: str
    evaluation_kind: str | None  # an EvaluationKind's value
    evaluation_date: date | None
    referral_kind: str | None  # a ReferralKind's value
    urgency: str | None  # an Urgency's value
    to_whom: str | None
    sent_on: date | None
    created_at: datetime | None


@dataclass(frozen=True)
class WorklistRead:
    """What one statement read: how many items of each kind the whole list holds, the items
    due on open episodes (in the worklist's order), and the unsigned evaluations and
    referrals asked for (every one of them, unsorted)."""

    counts: dict[WorkKind, int]
    episodes: list[WorkRow]
    unsigned: list[WorkRow]
    referrals: list[WorkRow]


_EPISODE_PRIORITIES = frozenset(WORK_PRIORITY[kind] for kind in EPISODE_KINDS)


# The columns of an unsigned evaluation's or a referral's row that an episode's row has not.
_RECORD_COLUMNS = {
    "evaluation_kind": Evaluation.kind,
    "evaluation_date": Evaluation.evaluation_date,
    "referral_kind": Referral.kind,
    "urgency": Referral.urgency,
    "to_whom": Referral.to_whom,
    "sent_on": Referral.sent_on,
    "created_at": Referral.created_at,
}


def _none(column: Any) -> Any:
    """NULL typed as `column`, for the columns a kind of row does not have (the first row
    source of a UNION gives every column its type, on both engines); an enum's as text."""
    typed = cast(null(), column.type)
    return _text(typed) if isinstance(column.type, Enum) else typed


def _text(column: Any) -> Any:
    """An enum column read as its text: the few rows that have one convert it, rather than
    every row of a whole worklist calling the enum's converter for its NULL."""
    return type_coerce(column, String())


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
                due.c.episode_id.label("record_id"),
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
        if room is None:  # the whole list: sorted once, with the other kinds
            return query.subquery()
        return query.order_by(*order).limit(room).subquery()

    def _episode_page(
        self, due: Any, after: WorkKey | None, room: int | None, ahead: list[Any]
    ) -> Any | None:
        """The first `room` items due on open episodes after `after`, in the worklist's order
        (None when none can follow `after`), less the items `ahead` of them on the page: the
        counts of the kinds that come first, worked out in the statement."""
        branches = [
            self._branch(
                due, kind, after if after and after[0] == WORK_PRIORITY[kind] else None, room
            )
            for kind in EPISODE_KINDS
            if room != 0 and (after is None or WORK_PRIORITY[kind] >= after[0])
        ]
        if not branches:
            return None
        items = union_all(*(select(branch) for branch in branches)).subquery("due_item")
        c = items.c
        page = select(
            *c,
            *(_none(column).label(name) for name, column in _RECORD_COLUMNS.items()),
        )
        if room is None:
            return page
        page = page.order_by(c.priority, c.since, c.patient_name, c.patient_id, c.record_id)
        # A first page of urgent referrals and unsigned evaluations has no room left: the
        # episodes' branches are then not even run.
        left = literal(room) - sum(ahead, literal(0))
        return page.limit(case((left > 0, left), else_=0))

    def _record_row(self, priority: WorkKind, record_id: Any, therapist_id: Any) -> list[Any]:
        """The leading columns of an unsigned evaluation's or a referral's row."""
        return [
            literal(WORK_PRIORITY[priority]).label("priority"),
            _none(Visit.visit_date).label("since"),
            record_id.label("record_id"),
            therapist_id.label("therapist_id"),
            E.patient_id,
            _none(EpisodeSummary.visits_since_report).label("visits_since_report"),
            _none(EpisodeSummary.certification_end).label("certification_end"),
            _none(EpisodeSummary.last_visit).label("last_visit"),
            _none(EpisodeSummary.last_evaluation).label("last_evaluation"),
            _none(EpisodeSummary.plan_day).label("period_set_on"),
            *self._names(),
        ]

    def _unsigned_rows(self) -> Any:
        """Every evaluation left unsigned too long, with its patient."""
        q = self.q
        return (
            q.episodes_query(
                *self._record_row(WorkKind.UNSIGNED, Evaluation.id, Evaluation.therapist_id),
                _text(Evaluation.kind).label("evaluation_kind"),
                Evaluation.evaluation_date,
                _none(Referral.kind).label("referral_kind"),
                _none(Referral.urgency).label("urgency"),
                _none(Referral.to_whom).label("to_whom"),
                _none(Referral.sent_on).label("sent_on"),
                Evaluation.created_at,
            )
            .join(Evaluation, Evaluation.episode_id == E.id)
            .join(Patient, Patient.id == E.patient_id)
            .where(*q.unsigned_conditions())
        )

    def _referrals(self, *columns: Any) -> Any:
        """Urgent or red-flag referrals still open (with `columns`; their ids by default)."""
        q = self.q
        return (
            q.episodes_query(*(columns or (Referral.id,)))
            .join(Referral, Referral.episode_id == E.id)
            .where(*q.episode_filter(), q.referral_condition(red_flag_only=False))
        )

    def _referral_rows(self) -> Any:
        """Every urgent or red-flag referral still open, with its patient."""
        return self._referrals(
            *self._record_row(WorkKind.URGENT_REFERRAL, Referral.id, E.therapist_id),
            _none(Evaluation.kind).label("evaluation_kind"),
            _none(Evaluation.evaluation_date).label("evaluation_date"),
            _text(Referral.kind).label("referral_kind"),
            _text(Referral.urgency).label("urgency"),
            Referral.to_whom,
            Referral.sent_on,
            Referral.created_at,
        ).join(Patient, Patient.id == E.patient_id)

    def read(
        self, after: WorkKey | None, room: int | None, *, unsigned: bool, referrals: bool
    ) -> WorklistRead:
        """How many items of each kind there are; the first `room` items due on open episodes
        after `after` (all of them for None), in the worklist's order; and, when asked for,
        every evaluation left unsigned and every referral to close. One statement, one pass
        over the open episodes."""
        q = self.q
        due = self._due()
        # Unsigned evaluations and referrals: when their rows are read, read once (with their
        # patients) and counted from there; else only counted.
        records: dict[WorkKind, tuple[Any, Any]] = {}  # kind: (its count, its rows or None)
        for kind, wanted, rows_of, found in (
            (WorkKind.URGENT_REFERRAL, referrals, self._referral_rows, self._referrals),
            (WorkKind.UNSIGNED, unsigned, self._unsigned_rows, q.unsigned_evaluations),
        ):
            if wanted:
                kept = rows_of().cte(f"{kind.value}_item").prefix_with("MATERIALIZED")
                records[kind] = (select(func.count()).select_from(kept), select(kept))
            else:
                records[kind] = (select(func.count()).select_from(found().subquery()), None)
        counts = select(
            *(
                func.coalesce(func.sum(due.c[kind.value]), 0).label(kind.value)
                for kind in EPISODE_KINDS
            ),
            *(count.scalar_subquery().label(kind.value) for kind, (count, _) in records.items()),
        ).subquery("counts")
        # Unsigned evaluations and referrals of a kind wholly after `after` come first on the
        # page (those of the kind `after` is in are sorted in Python: their day is local).
        ahead = [
            count.scalar_subquery()
            for kind, (count, _) in records.items()
            if after is None or WORK_PRIORITY[kind] > after[0]
        ]
        episodes = self._episode_page(due, after, room, ahead)
        sources = [
            source
            for source in (episodes, *(rows for _, rows in records.values()))
            if source is not None
        ]
        if not sources:
            return WorklistRead(_counts(q.session.execute(select(counts)).one()), [], [], [])
        # The episode page keeps its own order and limit inside the union (a subquery).
        items = union_all(*(select(source.subquery()) for source in sources)).subquery("item")
        query = (
            select(counts, items)
            .join(items, true(), isouter=True)
            .order_by(
                items.c.priority,
                items.c.since,
                items.c.patient_name,
                items.c.patient_id,
                items.c.record_id,
            )
        )
        # Core rows, without the ORM's loading layer: a whole worklist is thousands of them.
        rows = q.session.connection().execute(query).all()
        width = len(counts.c)
        read = WorklistRead(_counts(rows[0]), [], [], [])
        by_priority = {
            WORK_PRIORITY[WorkKind.UNSIGNED]: read.unsigned,
            WORK_PRIORITY[WorkKind.URGENT_REFERRAL]: read.referrals,
        }
        # Plain tuples from here: a whole worklist is tens of thousands of rows.
        for row in rows:
            if row.record_id is None:
                continue  # no item at all: the counts alone
            item = WorkRow._make(row[width:])
            if item.priority in _EPISODE_PRIORITIES:
                read.episodes.append(item)
            else:
                by_priority[item.priority].append(item)
        return read


def _counts(row: Row[Any]) -> dict[WorkKind, int]:
    return {kind: int(getattr(row, kind.value)) for kind in WorkKind}
