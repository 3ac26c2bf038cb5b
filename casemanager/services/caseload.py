"""The caseload review: the dashboard's figures, the worklist, and their exports.

A therapist sees the same screen restricted to their own episodes; an administrator sees the
figures but not the worklist, which names patients with clinical reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from casemanager.db.caseload_queries import PATHS, CaseloadQueries
from casemanager.db.engine import Database
from casemanager.db.models import Clinic
from casemanager.db.worklist_queries import WorklistQueries, WorkRow
from casemanager.domain import catalogs, medicare
from casemanager.domain.caseload import (
    WORK_PRIORITY,
    WORKLIST_PAGE,
    CaseloadFilter,
    Dashboard,
    MeasureChange,
    OutcomeGroup,
    Share,
    TherapistRow,
    Totals,
    WorkItem,
    WorkKey,
    WorkKind,
    WorklistPage,
)
from casemanager.domain.enums import (
    AuditAction,
    Cause,
    DataCategory,
    EvaluationKind,
    ReferralKind,
    Role,
    TreatmentPathKind,
    Urgency,
)
from casemanager.domain.permissions import Permission, has_permission
from casemanager.domain.validation import format_date
from casemanager.reports import caseload_report, table_csv
from casemanager.services import audit
from casemanager.services.context import Actor

NOT_RECORDED = "Not recorded yet"  # an episode whose first evaluation is unsigned


def cause_label(cause: Cause | None) -> str:
    return catalogs.cause_info(cause).label if cause is not None else NOT_RECORDED


def path_label(kind: TreatmentPathKind) -> str:
    return catalogs.treatment_path_info(kind).label


def scope_for(actor: Actor, filt: CaseloadFilter) -> CaseloadFilter:
    """A therapist's dashboard is always their own caseload."""
    if actor.role == Role.THERAPIST:
        return replace(filt, therapist_id=actor.user_id)
    return filt


def dashboard(
    db: Database,
    actor: Actor,
    filt: CaseloadFilter,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """The figures and the worklist in one read (see `figures` and `worklist` to show the
    figures first)."""
    audit.authorize(db, actor, Permission.VIEW_CASELOAD, AuditAction.READ, DataCategory.CLINICAL)
    filt = scope_for(actor, filt.checked())
    today = today or date.today()
    with db.session() as session:
        q = CaseloadQueries(session, actor.clinic_id, filt, today, now or datetime.now(UTC))
        board = _figures(q, filt, today)
        items = _page(q, actor, filt, board.therapists_by_id, today, None, None).items
        audit.record(
            session,
            actor,
            AuditAction.READ,
            DataCategory.CLINICAL,
            detail=f"caseload dashboard, worklist of {len(items)}",
        )
    return replace(board.dashboard, worklist=items)


def figures(
    db: Database,
    actor: Actor,
    filt: CaseloadFilter,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """The dashboard without its worklist: what the screen shows first (no patient names)."""
    audit.authorize(db, actor, Permission.VIEW_CASELOAD, AuditAction.READ, DataCategory.CLINICAL)
    filt = scope_for(actor, filt.checked())
    today = today or date.today()
    with db.session() as session:
        q = CaseloadQueries(session, actor.clinic_id, filt, today, now or datetime.now(UTC))
        board = _figures(q, filt, today)
        audit.record(
            session, actor, AuditAction.READ, DataCategory.CLINICAL, detail="caseload figures"
        )
    return board.dashboard


def worklist(
    db: Database,
    actor: Actor,
    filt: CaseloadFilter,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> tuple[WorkItem, ...]:
    """The whole worklist (empty for a role that may not see clinical records), in its order:
    for a CSV of every item. The screen reads it a page at a time (`worklist_page`)."""
    return worklist_page(db, actor, filt, limit=None, today=today, now=now).items


def worklist_page(
    db: Database,
    actor: Actor,
    filt: CaseloadFilter,
    *,
    after: WorkKey | None = None,
    limit: int | None = WORKLIST_PAGE,
    today: date | None = None,
    now: datetime | None = None,
) -> WorklistPage:
    """The worklist's items in its order from just after `after` (from the top when None), at
    most `limit` of them (None: all), with how many the whole list holds.

    The first page is audited as the whole list always was ("caseload worklist of N": the
    list and its size were disclosed); the pages after it show more of that same list and
    add no audit row. Each page checks the permission again."""
    audit.authorize(db, actor, Permission.VIEW_CASELOAD, AuditAction.READ, DataCategory.CLINICAL)
    filt = scope_for(actor, filt.checked())
    today = today or date.today()
    with db.session() as session:
        q = CaseloadQueries(session, actor.clinic_id, filt, today, now or datetime.now(UTC))
        names = {tid: name for tid, name, _active in q.therapists()}
        page = _page(q, actor, filt, names, today, after, limit)
        if after is None:
            audit.record(
                session,
                actor,
                AuditAction.READ,
                DataCategory.CLINICAL,
                detail=f"caseload worklist of {page.total}",
            )
    return page


@dataclass(frozen=True)
class _Figures:
    dashboard: Dashboard  # with an empty worklist
    therapists_by_id: dict[int, str]


def _figures(q: CaseloadQueries, filt: CaseloadFilter, today: date) -> _Figures:
    therapists = q.therapists()
    names = {tid: name for tid, name, _active in therapists}
    groups = q.period()
    rows = _therapist_rows(therapists, q.therapist_counts())
    by_therapist = _roll_up(groups, "therapist_id", lambda t: names.get(t, f"User {t}"))
    by_cause = _roll_up(groups, "cause", cause_label)
    board = Dashboard(
        filter=filt,
        today=today,
        totals=Totals(*(_sum(groups, k) for k in TOTAL_KEYS)),
        therapists=rows,
        causes=_causes(groups),
        paths=_paths(groups),
        outcomes_by_therapist=by_therapist,
        outcomes_by_cause=by_cause,
        worklist=(),
        filter_words=describe_filter(filt, names),
        filter_choices=_choices(filt, names),
    )
    return _Figures(board, names)


def _page(
    q: CaseloadQueries,
    actor: Actor,
    filt: CaseloadFilter,
    names: dict[int, str],
    today: date,
    after: WorkKey | None,
    limit: int | None,
) -> WorklistPage:
    if not has_permission(actor.role, Permission.VIEW_CLINICAL):
        return WorklistPage(filt, after, (), 0, False)  # it names patients with clinical reasons
    after_kind = -1 if after is None else after[0]
    wanted = None if limit is None else limit + 1  # one more says whether more follow
    # One statement for the counts and every kind of item: a page (the whole list for a CSV)
    # is read at one moment.
    read = WorklistQueries(q).read(
        after,
        wanted,
        unsigned=WORK_PRIORITY[WorkKind.UNSIGNED] >= after_kind,
        referrals=WORK_PRIORITY[WorkKind.URGENT_REFERRAL] >= after_kind,
    )
    items: list[WorkItem] = []
    # Referrals to close and unsigned evaluations come first, and are few: read whole.
    for kind, rows in (
        (WorkKind.URGENT_REFERRAL, read.referrals),
        (WorkKind.UNSIGNED, read.unsigned),
    ):
        room = None if wanted is None else wanted - len(items)
        priority = WORK_PRIORITY[kind]
        if room == 0 or priority < after_kind:
            continue
        start = after if after is not None and priority == after[0] else None
        items += _items(rows, kind, names, today, start, room)
    room = None if wanted is None else wanted - len(items)
    items += [_episode_item(row, names, today) for row in read.episodes[:room]]
    shown = items if limit is None else items[:limit]
    total = sum(read.counts.values())
    return WorklistPage(filt, after, tuple(shown), total, len(items) > len(shown))


TOTAL_KEYS = ("episodes", "new_evaluations", "discharges", "visits", "visits_of_discharged")


def _sum(groups: list[dict[str, Any]], key: str) -> int:
    return sum(int(g[key]) for g in groups)


def _causes(groups: list[dict[str, Any]]) -> tuple[Share, ...]:
    by_cause: dict[Cause | None, int] = {}
    for g in groups:
        by_cause[g["cause"]] = by_cause.get(g["cause"], 0) + int(g["episodes"])
    shares = [Share(c.value if c else "", cause_label(c), n) for c, n in by_cause.items()]
    return tuple(sorted(shares, key=lambda s: (not s.key, -s.episodes, s.label)))


def _paths(groups: list[dict[str, Any]]) -> tuple[Share, ...]:
    """Episodes whose current plan holds each path (a plan may hold several)."""
    shares = []
    for bit, kind in enumerate(PATHS):
        n = sum(int(g["episodes"]) for g in groups if int(g["paths"]) & (1 << bit))
        if n:
            shares.append(Share(kind.value, path_label(kind), n))
    return tuple(sorted(shares, key=lambda s: (-s.episodes, s.label)))


def describe_filter(filt: CaseloadFilter, names: dict[int, str]) -> str:
    period = f"{format_date(filt.start)} to {format_date(filt.end)}"
    return " · ".join((period, *_choices(filt, names)))


def _choices(filt: CaseloadFilter, names: dict[int, str]) -> tuple[str, ...]:
    words: list[str] = []
    if filt.therapist_id is not None:
        words.append(names.get(filt.therapist_id, "one therapist"))
    if filt.status is not None:
        words.append(f"patients {filt.status.value.replace('_', ' ')}")
    if filt.cause is not None:
        words.append(cause_label(filt.cause))
    if filt.path is not None:
        words.append(path_label(filt.path))
    return tuple(words)


def _therapist_rows(
    therapists: list[tuple[int, str, bool]], counts: dict[int, dict[str, int]]
) -> tuple[TherapistRow, ...]:
    rows = []
    for tid, name, active in sorted(therapists, key=lambda t: t[1].casefold()):
        figures = counts.get(tid, {})
        if not active and not any(figures.values()):
            continue  # a former therapist with nothing left to hand over
        rows.append(
            TherapistRow(
                therapist_id=tid,
                name=name,
                active_cases=figures.get("active_cases", 0),
                visits_this_week=figures.get("visits_this_week", 0),
                unsigned_over_24h=figures.get("unsigned_over_24h", 0),
                progress_reports_due=figures.get("progress_reports_due", 0),
                certifications_ending=figures.get("certifications_ending", 0),
                open_red_flag_referrals=figures.get("open_red_flag_referrals", 0),
            )
        )
    return tuple(rows)


def _roll_up(groups: list[dict[str, Any]], key: str, label: Any) -> tuple[OutcomeGroup, ...]:
    """Sum the (therapist, cause) aggregates over one of the two keys: sums and counts add
    up exactly, so the means are those SQL would give for the coarser grouping."""
    totals: dict[Any, dict[str, float]] = {}
    for group in groups:
        into = totals.setdefault(group[key], {})
        for name, value in group.items():
            if name not in ("therapist_id", "cause", "paths"):
                into[name] = into.get(name, 0) + float(value or 0)

    def measure(t: dict[str, float], name: str) -> MeasureChange:
        n = int(t[f"{name}_n"])
        return MeasureChange(n, t[f"{name}_sum"] / n if n else None, int(t[f"{name}_ok"]))

    result = [
        OutcomeGroup(
            key="" if k is None else str(getattr(k, "value", k)),
            label=label(k),
            episodes=int(t["followed_up"]),
            nprs=measure(t, "nprs"),
            odi=measure(t, "odi"),
            psfs=measure(t, "psfs"),
        )
        for k, t in totals.items()
        if t["followed_up"]
    ]
    return tuple(sorted(result, key=lambda g: (-g.episodes, g.label)))


@lru_cache(maxsize=4096)
def _day(value: date) -> str:
    """format_date, kept: a worklist says the same few hundred dates thousands of times."""
    return format_date(value)


def _items(
    rows: list[WorkRow],
    kind: WorkKind,
    names: dict[int, str],
    today: date,
    after: WorkKey | None,
    limit: int | None,
) -> list[WorkItem]:
    """Referrals to close or unsigned evaluations in the worklist's order, after `after`, at
    most `limit`: their day is the local date of a timestamp, so they are sorted here."""
    if kind == WorkKind.UNSIGNED:
        items = [_unsigned_item(row, _therapist(names, row), today) for row in rows]
    else:
        items = [_referral_item(row, _therapist(names, row)) for row in rows]
    items.sort(key=lambda item: item.key)
    if after is not None:
        items = [item for item in items if item.key > after]
    return items if limit is None else items[:limit]


def _therapist(names: dict[int, str], row: WorkRow) -> str:
    name = names.get(row.therapist_id)
    return f"User {row.therapist_id}" if name is None else name


def _episode_item(row: WorkRow, names: dict[int, str], today: date) -> WorkItem:
    """An item due on an open episode."""
    kind = _KIND_OF_PRIORITY[row.priority]
    last_visit, last_evaluation = row.last_visit, row.last_evaluation
    if last_evaluation is None or (last_visit is not None and last_visit >= last_evaluation):
        last = last_visit
    else:
        last = last_evaluation
    seen = f"last seen {_day(last)}" if last else "not seen yet"
    since = last or today
    if kind == WorkKind.PROGRESS_REPORT:
        days = row.visits_since_report
        assert days is not None  # every open episode's row has it
        overdue = days >= medicare.PROGRESS_REPORT_EVERY_TREATMENT_DAYS
        detail = f"{days} treatment days since the evaluation or the last report" + (
            " (overdue)" if overdue else ""
        )
    elif kind == WorkKind.UNCERTIFIED:
        plan_day = row.period_set_on
        assert plan_day is not None  # set with every certification period in force
        since = plan_day
        due = medicare.certification_due(plan_day)
        state = (
            f"{_days((today - due).days)} past the {medicare.CERTIFICATION_DUE_DAYS}-day limit"
            if today > due
            else f"due by {_day(due)}"
        )
        detail = f"Plan of care of {_day(plan_day)} not certified by a physician: {state}"
    elif kind == WorkKind.CERTIFICATION:
        ending = row.certification_end
        assert ending is not None  # the item's condition
        since = ending
        detail = f"Plan of care {'ended' if ending < today else 'ends'} {_day(ending)}"
    elif kind == WorkKind.NOT_SEEN:
        detail = seen.capitalize()
    else:
        detail = f"On hold; {seen}"
    therapist = _therapist(names, row)
    return WorkItem(
        kind, row.patient_id, row.patient_name, row.mrn, therapist, since, detail, row.record_id
    )


_KIND_OF_PRIORITY = {priority: kind for kind, priority in WORK_PRIORITY.items()}


def _unsigned_item(row: WorkRow, therapist: str, today: date) -> WorkItem:
    assert row.created_at is not None and row.evaluation_kind is not None  # an evaluation's row
    assert row.evaluation_date is not None
    created = row.created_at.astimezone().date()
    return WorkItem(
        WorkKind.UNSIGNED,
        row.patient_id,
        row.patient_name,
        row.mrn,
        therapist,
        created,
        f"{catalogs.EVALUATION_KIND_LABELS[EvaluationKind(row.evaluation_kind)]} of "
        f"{_day(row.evaluation_date)}, unsigned for {_days((today - created).days)}",
        row.record_id,
    )


def _referral_item(row: WorkRow, therapist: str) -> WorkItem:
    assert row.created_at is not None and row.referral_kind is not None  # a referral's row
    assert row.urgency is not None
    state = "sent" if row.sent_on else "not sent yet"
    return WorkItem(
        WorkKind.URGENT_REFERRAL,
        row.patient_id,
        row.patient_name,
        row.mrn,
        therapist,
        row.sent_on or row.created_at.astimezone().date(),
        f"{catalogs.REFERRAL_KIND_LABELS[ReferralKind(row.referral_kind)]} referral, "
        f"{catalogs.URGENCY_LABELS[Urgency(row.urgency)]}, to {row.to_whom}: {state}, "
        f"no outcome recorded",
        row.record_id,
    )


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


# -- exports --------------------------------------------------------------------------------


def export_csv(
    db: Database, actor: Actor, table: str, headers: list[str], rows: list[list[Any]]
) -> bytes:
    """A table as shown on screen, as CSV a spreadsheet opens cleanly; audited as an export."""
    audit.authorize(db, actor, Permission.EXPORT_DATA, AuditAction.EXPORT, DataCategory.CLINICAL)
    data = table_csv.to_csv(headers, rows)
    audit.record_now(
        db,
        actor,
        AuditAction.EXPORT,
        DataCategory.CLINICAL,
        detail=f"caseload CSV: {table[:60]}, {len(rows)} rows",
    )
    return data


def export_report(db: Database, actor: Actor, board: Dashboard) -> bytes:
    """The caseload report PDF: figures, charts and tables, no patient names."""
    audit.authorize(db, actor, Permission.EXPORT_DATA, AuditAction.EXPORT, DataCategory.CLINICAL)
    with db.session() as session:
        clinic = session.get(Clinic, actor.clinic_id)
        clinic_name = clinic.name if clinic is not None else ""
    pdf = caseload_report.render(board, clinic_name, prepared_by=actor.display_name)
    audit.record_now(
        db, actor, AuditAction.EXPORT, DataCategory.CLINICAL, detail="caseload report PDF"
    )
    return pdf


# -- the figures as plain data, for scripts ----------------------------------------------------


def _measure_dict(m: MeasureChange) -> dict[str, Any]:
    mean = None if m.mean_change is None else round(m.mean_change, 2)
    share = None if m.share_meaningful is None else round(m.share_meaningful, 4)
    return {
        "measured": m.measured,
        "mean_change": mean,
        "meaningful": m.meaningful,
        "share_meaningful": share,
    }


def _outcome_dict(g: OutcomeGroup) -> dict[str, Any]:
    return {
        "key": g.key,
        "label": g.label,
        "episodes": g.episodes,
        "nprs": _measure_dict(g.nprs),
        "oswestry": _measure_dict(g.odi),
        "psfs": _measure_dict(g.psfs),
    }


def as_dict(board: Dashboard) -> dict[str, Any]:
    """Every figure of the dashboard (no patient names), for JSON."""
    f, t = board.filter, board.totals
    per = {
        "visits_per_active_episode": t.visits_per_active_episode,
        "visits_per_discharged_episode": t.visits_per_discharged_episode,
    }
    return {
        "period": {"from": f.start.isoformat(), "to": f.end.isoformat()},
        "as_of": board.today.isoformat(),
        "filters": {
            "therapist_id": f.therapist_id,
            "patient_status": f.status.value if f.status else None,
            "cause": f.cause.value if f.cause else None,
            "treatment_path": f.path.value if f.path else None,
        },
        "totals": {
            "active_episodes": t.active_episodes,
            "new_evaluations": t.new_evaluations,
            "discharges": t.discharges,
            "visits": t.visits,
            "visits_of_discharged_episodes": t.visits_of_discharged,
            **{k: None if v is None else round(v, 2) for k, v in per.items()},
        },
        "therapists": [
            {
                "id": r.therapist_id,
                "name": r.name,
                "active_cases": r.active_cases,
                "visits_this_week": r.visits_this_week,
                "unsigned_over_24h": r.unsigned_over_24h,
                "progress_reports_due": r.progress_reports_due,
                "certifications_ending_within_7_days": r.certifications_ending,
                "open_red_flag_referrals": r.open_red_flag_referrals,
            }
            for r in board.therapists
        ],
        "causes": [{"key": s.key, "label": s.label, "episodes": s.episodes} for s in board.causes],
        "treatment_paths": [
            {"key": s.key, "label": s.label, "episodes": s.episodes} for s in board.paths
        ],
        "outcomes_by_therapist": [_outcome_dict(g) for g in board.outcomes_by_therapist],
        "outcomes_by_cause": [_outcome_dict(g) for g in board.outcomes_by_cause],
    }


def as_rows(board: Dashboard) -> list[list[Any]]:
    """The same figures as long rows (section, group, figure, value): one CSV for scripts."""
    data = as_dict(board)
    rows: list[list[Any]] = [["totals", "", k, v] for k, v in data["totals"].items()]
    for r in data["therapists"]:
        rows += [["therapist", r["name"], k, v] for k, v in r.items() if k not in ("id", "name")]
    for section in ("causes", "treatment_paths"):
        rows += [[section, s["label"], "episodes", s["episodes"]] for s in data[section]]
    for section in ("outcomes_by_therapist", "outcomes_by_cause"):
        for g in data[section]:
            rows.append([section, g["label"], "episodes", g["episodes"]])
            for measure in ("nprs", "oswestry", "psfs"):
                rows += [[section, g["label"], f"{measure}_{k}", v] for k, v in g[measure].items()]
    return rows


ROW_HEADERS = ["section", "group", "figure", "value"]
