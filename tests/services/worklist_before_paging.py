"""The worklist as it was built before it was read a page at a time: every item read, then
built and sorted in Python. Kept here as it stood (the SQL and the building), as the answer
the paged worklist must give."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Row, case, or_, select

from casemanager.db.caseload_queries import CaseloadQueries, E
from casemanager.db.models import Evaluation, Patient, Referral
from casemanager.domain import catalogs, medicare
from casemanager.domain.caseload import WORK_PRIORITY, WorkItem, WorkKind
from casemanager.domain.enums import EvaluationKind
from casemanager.domain.validation import format_date


@dataclass(frozen=True)
class WorklistRows:
    episodes: Sequence[Row[Any]]
    unsigned: Sequence[Row[Any]]
    referrals: Sequence[Row[Any]]


def worklist_rows(self: CaseloadQueries) -> WorklistRows:
    """Every action item with its patient and therapist: three lists of rows, read by
    column name (no dict per row: a big clinic's worklist has tens of thousands)."""
    names = (
        (Patient.family_name + ", " + Patient.given_name).label("patient_name"),
        Patient.mrn.label("mrn"),
    )
    episodes = self.open_episodes(contact=True)
    when = self.conditions(episodes)
    # Materialized: the due episodes are picked from the summary and the patient-status
    # index first; only their patients' rows (the names) are read after.
    due = (
        select(
            episodes.c.therapist_id,
            episodes.c.patient_id,
            episodes.c.visits_since_report,
            episodes.c.certification_end,
            episodes.c.last_visit,
            episodes.c.last_evaluation,
            when["progress_report"].label("due_report"),
            when["certification"].label("due_certification"),
            when["uncertified"].label("due_uncertified"),
            case((when["uncertified"], episodes.c.period_set_on), else_=None).label("plan_day"),
            when["not_seen"].label("due_not_seen"),
            when["on_hold"].label("due_on_hold"),
        )
        .where(or_(*when.values()))
        .cte("due_episode")
        .prefix_with("MATERIALIZED")
    )
    due_episodes = self.session.execute(
        select(due, *names).join(Patient, Patient.id == due.c.patient_id)
    ).all()
    unsigned = self.session.execute(
        self.unsigned_evaluations()
        .join(Patient, Patient.id == E.patient_id)
        .add_columns(
            Evaluation.kind,
            Evaluation.evaluation_date,
            Evaluation.created_at,
            E.patient_id,
            *names,
        )
    ).all()
    referrals = self.session.execute(
        self.episodes_query(
            E.therapist_id,
            E.patient_id,
            Referral.kind,
            Referral.urgency,
            Referral.status,
            Referral.to_whom,
            Referral.sent_on,
            Referral.created_at,
            *names,
        )
        .join(Referral, Referral.episode_id == E.id)
        .join(Patient, Patient.id == E.patient_id)
        .where(*self.episode_filter(), self.referral_condition(red_flag_only=False))
    ).all()
    return WorklistRows(due_episodes, unsigned, referrals)


@lru_cache(maxsize=4096)
def _day(value: date) -> str:
    """format_date, kept: a worklist says the same few hundred dates thousands of times."""
    return format_date(value)


def _worklist(rows: WorklistRows, names: dict[int, str], today: date) -> list[WorkItem]:
    """The items in `sort_worklist`'s order. Sorted here on plain tuples with the same key
    (priority, since, patient name; ties keep their order): thousands of items sort
    several times faster than through the enum-keyed lookup."""
    keyed: list[tuple[int, date, str, int, WorkItem]] = []
    priority = {kind: WORK_PRIORITY[kind] for kind in WorkKind}
    therapists: dict[int, str] = {}

    def add(kind: WorkKind, who: tuple[Any, ...], since: date, detail: str) -> None:
        tid, patient_id, name, mrn = who
        therapist = therapists.get(tid)
        if therapist is None:
            therapist = therapists[tid] = names.get(tid, f"User {tid}")
        item = WorkItem(kind, patient_id, name, mrn, therapist, since, detail)
        keyed.append((priority[kind], since, name, len(keyed), item))

    overdue_after = medicare.PROGRESS_REPORT_EVERY_TREATMENT_DAYS
    limit = medicare.CERTIFICATION_DUE_DAYS
    for row in rows.episodes:
        (
            therapist_id,
            patient_id,
            treatment_days,
            certification_end,
            last_visit,
            last_evaluation,
            due_report,
            due_certification,
            due_uncertified,
            plan_day,
            due_not_seen,
            due_on_hold,
            name,
            mrn,
        ) = cast(tuple[Any, ...], row)
        who = (therapist_id, patient_id, name, mrn)
        if last_evaluation is None or (last_visit is not None and last_visit >= last_evaluation):
            last = last_visit
        else:
            last = last_evaluation
        seen = f"last seen {_day(last)}" if last else "not seen yet"
        if due_report:
            add(
                WorkKind.PROGRESS_REPORT,
                who,
                last or today,
                f"{treatment_days} treatment days since the evaluation or the last report"
                + (" (overdue)" if treatment_days >= overdue_after else ""),
            )
        if due_uncertified:
            due = medicare.certification_due(plan_day)
            state = (
                f"{_days((today - due).days)} past the {limit}-day limit"
                if today > due
                else f"due by {_day(due)}"
            )
            add(
                WorkKind.UNCERTIFIED,
                who,
                plan_day,
                f"Plan of care of {_day(plan_day)} not certified by a physician: {state}",
            )
        if due_certification:
            verb = "ended" if certification_end < today else "ends"
            add(
                WorkKind.CERTIFICATION,
                who,
                certification_end,
                f"Plan of care {verb} {_day(certification_end)}",
            )
        if due_not_seen:
            add(WorkKind.NOT_SEEN, who, last or today, seen.capitalize())
        if due_on_hold:
            add(WorkKind.ON_HOLD, who, last or today, f"On hold; {seen}")
    for row in rows.unsigned:
        created = row.created_at.astimezone().date()
        add(
            WorkKind.UNSIGNED,
            (row.therapist_id, row.patient_id, row.patient_name, row.mrn),
            created,
            f"{catalogs.EVALUATION_KIND_LABELS[EvaluationKind(row.kind)]} of "
            f"{_day(row.evaluation_date)}, unsigned for {_days((today - created).days)}",
        )
    for row in rows.referrals:
        sent = row.sent_on or row.created_at.astimezone().date()
        state = "sent" if row.sent_on else "not sent yet"
        add(
            WorkKind.URGENT_REFERRAL,
            (row.therapist_id, row.patient_id, row.patient_name, row.mrn),
            sent,
            f"{catalogs.REFERRAL_KIND_LABELS[row.kind]} referral, "
            f"{catalogs.URGENCY_LABELS[row.urgency]}, to {row.to_whom}: {state}, "
            f"no outcome recorded",
        )
    keyed.sort(key=lambda k: k[:4])
    return [k[4] for k in keyed]


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def complete_worklist(q: CaseloadQueries, today: date) -> list[WorkItem]:
    """Every item for the filter of `q`, in the order the worklist had."""
    names = {tid: name for tid, name, _active in q.therapists()}
    return _worklist(worklist_rows(q), names, today)
