"""A synthetic demo clinic: realistic, deterministic for a seed and a 'today', and fast.

Charts are built in chunks of CHUNK patients, in worker processes when there are many
(both cores of a small machine), and written table by table in bulk by this process.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from casemanager.db import episode_summary
from casemanager.db.engine import Database
from casemanager.db.models import Clinic, EpisodeSummary, Exercise, User
from casemanager.domain.enums import AuditAction, DataCategory, Role
from casemanager.domain.errors import DomainError
from casemanager.services import audit, clashes
from casemanager.services.content_mappers import add_starter_templates, starter_exercise_rows
from casemanager.services.context import Actor
from casemanager.services.demo import bulk
from casemanager.services.demo.records import ChunkSpec, build_chunk, code_facts
from casemanager.services.passwords import hash_password

DEMO_PASSWORD = "demo-password"
DEMO_CLINIC_NAME = "Harbor Spine & Sport Physical Therapy (demo)"

# (username, display name, role, licence number); printed in the README.
DEMO_STAFF: tuple[tuple[str, str, Role, str | None], ...] = (
    ("alvarez", "María Álvarez, PT, DPT", Role.THERAPIST, "PT-204817"),
    ("chen", "Wei Chen, PT", Role.THERAPIST, "PT-311052"),
    ("okafor", "Chinedu Okafor, PT, DPT", Role.THERAPIST, "PT-118634"),
    ("nowak", "Anna Nowak, PT", Role.THERAPIST, "PT-275590"),
    ("manager", "Jordan Lee", Role.OFFICE_MANAGER, None),
    ("admin", "Sam Patel", Role.ADMINISTRATOR, None),
)

CHUNK = 500  # patients per chunk; part of what makes a seed's clinic the same every time
PARALLEL_FROM = 8 * CHUNK  # below this, starting worker processes costs more than it saves

_COUNTED = ("patient", "episode_of_care", "evaluation", "visit", "referral")


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    episodes: int
    evaluations: int
    visits: int
    referrals: int
    seconds: float


def _create_clinic_and_staff(
    session: Session, actor_name: str | None, workstation: str
) -> tuple[int, tuple[int, ...], tuple[int, ...], Actor]:
    if session.scalar(select(func.count()).select_from(Clinic)):
        raise DomainError(
            "This database already holds a clinic. Demo data goes into an empty database: "
            "choose another file or server database."
        )
    clinic = Clinic(
        name=DEMO_CLINIC_NAME,
        phone="(631) 555-0100",
        phone_e164="+16315550100",
        email="frontdesk@harbor-pt.example",
        address="120 Great Neck Road, Copiague, NY 11726",
        is_demo=True,
    )
    session.add(clinic)
    session.flush()
    password_hash = hash_password(DEMO_PASSWORD)  # one hash: all demo accounts share it
    staff = [
        User(
            clinic_id=clinic.id,
            username=username,
            display_name=name,
            role=role,
            licence_number=licence,
            password_hash=password_hash,
            active=True,
        )
        for username, name, role, licence in DEMO_STAFF
    ]
    session.add_all(staff)
    session.add_all(Exercise(**row) for row in starter_exercise_rows(clinic.id))
    add_starter_templates(session, clinic.id)
    session.flush()
    admin = next(u for u in staff if u.role == Role.ADMINISTRATOR)
    actor = Actor(
        admin.id if actor_name is None else None,
        actor_name or admin.username,
        admin.display_name,
        Role.ADMINISTRATOR,
        clinic.id,
        workstation,
    )
    therapists = tuple(u.id for u in staff if u.role == Role.THERAPIST)
    exercises = tuple(session.scalars(select(Exercise.id).order_by(Exercise.id)))
    return clinic.id, therapists, exercises, actor


def _built_chunks(specs: list[ChunkSpec]) -> Iterator[dict[str, bulk.Rows]]:
    """Chunks in order; built by worker processes while this one writes, when worth it."""
    workers = os.cpu_count() or 1
    if len(specs) * CHUNK < PARALLEL_FROM or workers < 2:
        yield from (build_chunk(spec) for spec in specs)
        return
    # spawn, not fork: the caller may be a Qt app with threads, which fork would copy badly.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[dict[str, bulk.Rows]]] = deque()
        queue = iter(specs)
        for spec in queue:  # keep a few chunks in flight, not the whole clinic in memory
            pending.append(pool.submit(build_chunk, spec))
            if len(pending) >= 2 * workers:
                break
        while pending:
            chunk = pending.popleft().result()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(build_chunk, following))
            yield chunk


def generate_demo_clinic(
    db: Database,
    *,
    patients: int,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    actor_name: str | None = None,
    workstation: str = "demo",
) -> DemoSummary:
    """Fill an empty database with a demo clinic of `patients` patients.

    Deterministic for the same seed and `today`. The demo accounts share DEMO_PASSWORD.
    """
    if patients < 0:
        raise DomainError("The number of demo patients cannot be negative.")
    started = time.perf_counter()
    today = today or date.today()
    descriptions, conflicts = code_facts()
    totals = dict.fromkeys(_COUNTED, 0)
    # One transaction: a failure (or a closed window) leaves the database as empty as it was,
    # so the first-run choices are offered again. A clinic created at the same moment on
    # another workstation (the database keeps one) is a message, not a crash.
    with clashes.translated(db, category=DataCategory.CLINIC), db.engine.begin() as conn:
        session = Session(bind=conn)
        clinic_id, therapists, exercises, actor = _create_clinic_and_staff(
            session, actor_name, workstation
        )
        specs = [
            ChunkSpec(
                seed=seed,
                index=index,
                first_patient=first,
                count=min(CHUNK, patients - first),
                today=today,
                clinic_id=clinic_id,
                therapist_ids=therapists,
                exercise_ids=exercises,
                descriptions=descriptions,
                conflicts=conflicts,
                sqlite=db.is_sqlite,
            )
            for index, first in enumerate(range(0, patients, CHUNK))
        ]
        next_id = {
            table.name: int(conn.scalar(select(func.max(table.c.id))) or 0) + 1
            for table in bulk.TABLES
        }
        done = 0
        for chunk, spec in zip(_built_chunks(specs), specs, strict=True):
            offsets = {name: next_id[name] - 1 for name in chunk}
            for table in bulk.TABLES:
                if table.name in chunk:
                    bulk.shift_ids(table, chunk[table.name], offsets)
                    bulk.write(conn, table, chunk[table.name])
            for name, (_columns, values) in chunk.items():
                next_id[name] += len(values)
                if name in totals:
                    totals[name] += len(values)
            done += spec.count
            if progress is not None:
                progress(done, patients)
        bulk.reset_sequences(conn)
        # Migration tests fill schemas older than the summary (0011 builds it then).
        if inspect(conn).has_table(EpisodeSummary.__tablename__):
            episode_summary.rebuild(session)
        audit.record(
            session,
            actor,
            AuditAction.CREATE,
            DataCategory.SYSTEM,
            detail=f"demo clinic generated: {patients} patients, seed {seed}",
        )
        session.flush()
        session.close()
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))  # fresh statistics so the planner picks the right indexes
    return DemoSummary(
        patients=totals["patient"],
        episodes=totals["episode_of_care"],
        evaluations=totals["evaluation"],
        visits=totals["visit"],
        referrals=totals["referral"],
        seconds=time.perf_counter() - started,
    )
