"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, and a small clinic."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Headless Qt for every test; set before anything creates a QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import make_url

from casemanager.db import episode_summary
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import Base
from casemanager.domain.audit_chain import GENESIS
from casemanager.domain.enums import Role
from casemanager.services import accounts, passwords, setup
from casemanager.services.context import Actor
from tests import postgres_server

TEST_PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test does touches the real data folder, settings or database."""
    monkeypatch.setenv("CASEMANAGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CASEMANAGER_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    # Cheap hashing keeps the suite fast; test_accounts checks the production parameters.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


# ---------------------------------------------------------------- SQLite


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    return path


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    try:
        return postgres_server.server_url()
    except postgres_server.PostgresUnavailable as error:
        if postgres_server.required():
            pytest.fail(f"PostgreSQL is required here (CI) but unavailable: {error}")
        pytest.skip(f"no PostgreSQL server: {error}")


class PostgresDatabases:
    """Creates and drops databases on the test server."""

    def __init__(self, admin_url: str) -> None:
        self.admin = Database(admin_url)
        self.base_url = make_url(admin_url)
        self._counter = 0

    def create(self, prefix: str) -> str:
        self._counter += 1
        name = f"cm_{prefix}_{os.getpid()}_{self._counter}"
        with self.admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            c.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
        return self.base_url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_databases(postgres_admin_url: str) -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(postgres_admin_url)
    yield databases
    databases.admin.dispose()


@pytest.fixture(scope="session")
def postgres_shared_url(postgres_databases: PostgresDatabases) -> Iterator[str]:
    """One migrated database for the session; tests empty it afterwards."""
    url = postgres_databases.create("suite")
    db = Database(url)
    upgrade(db)
    db.dispose()
    yield url
    postgres_databases.drop(url)


def _empty_postgres(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # As migration 0012 leaves it: the chain's head before the first audit row.
        conn.execute(
            text("INSERT INTO audit_chain_head (id, rows, last_hash) VALUES (1, 0, :genesis)"),
            {"genesis": GENESIS},
        )


# ---------------------------------------------------------------- the fixture tests use


def _check_episode_summary(database: Database) -> None:
    """After every test, whatever it did through the services: each episode's summary row
    still says what its records say."""
    with database.session() as session:
        wrong = episode_summary.mismatches(session)
    assert not wrong, f"episode_summary is stale for episodes {wrong[:10]}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: a SQLite file, or a real PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "clinic.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
        yield database
        _check_episode_summary(database)
        database.dispose()
    else:
        database = Database(request.getfixturevalue("postgres_shared_url"))
        try:
            yield database
            _check_episode_summary(database)
        finally:
            _empty_postgres(database)
            database.dispose()


@dataclass(frozen=True)
class Staff:
    admin: Actor
    therapist: Actor
    therapist2: Actor
    manager: Actor


@pytest.fixture
def staff(db: Database) -> Staff:
    """A clinic with an administrator, two therapists and an office manager, all logged in."""
    admin = setup.create_clinic(
        db,
        setup.NewClinic("Harbor Spine & Sport PT", "admin", "Sam Admin", TEST_PASSWORD),
        workstation="test-ws",
    )

    def add(username: str, name: str, role: Role, licence: str | None) -> Actor:
        accounts.create_user(
            db, admin, accounts.NewUser(username, name, role, TEST_PASSWORD, licence)
        )
        return accounts.authenticate(db, username, TEST_PASSWORD, "test-ws")

    return Staff(
        admin=admin,
        therapist=add("rivera", "Ana Rivera, PT", Role.THERAPIST, "PT-1001"),
        therapist2=add("nguyen", "Minh Nguyễn, PT", Role.THERAPIST, "PT-1002"),
        manager=add("manager", "Jordan Lee", Role.OFFICE_MANAGER, None),
    )
