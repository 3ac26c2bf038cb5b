"""The figures read from the episode summary alone give what the figures read from episodes
joined to their summary gave (tests/services/caseload_figures_before.py), for every filter,
period and role, on a demo clinic whose records then change through the services' sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from casemanager.db.caseload_queries import CaseloadQueries
from casemanager.db.engine import Database
from casemanager.db.models import EpisodeOfCare, User
from casemanager.domain.caseload import CaseloadFilter
from casemanager.domain.enums import (
    Cause,
    EpisodeStatus,
    PatientStatus,
    Role,
    TreatmentPathKind,
)
from casemanager.services import accounts, caseload, demo
from tests.services.caseload_figures_before import CaseloadQueriesBefore

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def _filters(therapists: list[int]) -> list[CaseloadFilter]:
    periods = [
        (TODAY - timedelta(days=89), TODAY),  # the default quarter
        (date(2026, 9, 1), date(2026, 9, 30)),  # ended earlier: follow-ups after it are looked up
        (date(2025, 1, 1), TODAY),
        (TODAY, TODAY),
    ]
    filters = [CaseloadFilter(start, end) for start, end in periods]
    whole = filters[0]
    filters += [CaseloadFilter(whole.start, whole.end, therapist_id=t) for t in therapists]
    filters += [CaseloadFilter(whole.start, whole.end, status=s) for s in PatientStatus]
    filters += [CaseloadFilter(date(2026, 9, 1), TODAY, cause=c) for c in Cause]
    filters += [CaseloadFilter(whole.start, whole.end, path=p) for p in TreatmentPathKind]
    filters.append(
        CaseloadFilter(
            date(2026, 6, 1),
            date(2026, 10, 15),
            therapist_id=therapists[0],
            status=PatientStatus.ACTIVE,
            path=TreatmentPathKind.PT_PLAN,
        )
    )
    return filters


def _figures(db: Database, queries: type[Any], filt: CaseloadFilter) -> dict[str, Any]:
    with db.session() as session:
        q = queries(session, 1, filt, TODAY, NOW)
        return caseload.as_dict(caseload._figures(q, filt, TODAY).dashboard)


def _same(db: Database) -> int:
    with db.session() as session:
        therapists = list(session.scalars(select(User.id).where(User.role == Role.THERAPIST)))
    compared = 0
    for filt in _filters(therapists):
        before = _figures(db, CaseloadQueriesBefore, filt)
        assert _figures(db, CaseloadQueries, filt) == before, filt
        compared += 1
    return compared


def test_the_same_figures_for_every_filter_before_and_after_changes(db: Database) -> None:
    demo.generate_demo_clinic(db, patients=160, seed=11, today=TODAY)
    assert _same(db) > 20
    whole = _figures(db, CaseloadQueries, CaseloadFilter(TODAY - timedelta(days=89), TODAY))
    assert whole["totals"]["active_episodes"] > 20  # a clinic with figures worth comparing
    assert whole["outcomes_by_cause"]  # and outcomes

    # Episodes change hands, close and reopen through ORM sessions: the summary follows.
    with db.session() as session:
        therapists = list(session.scalars(select(User.id).where(User.role == Role.THERAPIST)))
        episodes = session.scalars(select(EpisodeOfCare).order_by(EpisodeOfCare.id)).all()
        for n, episode in enumerate(episodes[:40]):
            if n % 3 == 0:
                following = (therapists.index(episode.therapist_id) + 1) % len(therapists)
                episode.therapist_id = therapists[following]
            elif n % 3 == 1 and episode.status == EpisodeStatus.OPEN:
                episode.status = EpisodeStatus.DISCHARGED
                episode.end_date = TODAY - timedelta(days=n)
            else:
                episode.start_date = episode.start_date - timedelta(days=30)
    assert _same(db) > 20


def test_the_cli_and_the_screen_read_the_same_figures(db: Database) -> None:
    """Through the service, with its permission check, as the manager and an administrator."""
    demo.generate_demo_clinic(db, patients=60, seed=5, today=TODAY)
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    filt = CaseloadFilter(TODAY - timedelta(days=89), TODAY)
    board = caseload.figures(db, manager, filt, today=TODAY, now=NOW)
    assert caseload.as_dict(board) == _figures(db, CaseloadQueriesBefore, filt)
