"""A PostgreSQL server for the test suite.

CASEMANAGER_TEST_POSTGRES_URL (a URL to a database the tests may create databases from)
wins; otherwise we start a throwaway server from the Debian binaries, listening only on a
Unix socket in its own temporary folder. Under CI (CI=true) a missing server is a failure,
never a skip.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile

ENV_URL = "CASEMANAGER_TEST_POSTGRES_URL"


class PostgresUnavailable(RuntimeError):
    pass


def required() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"} or bool(
        os.environ.get("CASEMANAGER_REQUIRE_POSTGRES")
    )


def _bindir() -> str | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], as_postgres: bool) -> None:
    if as_postgres:
        args = ["runuser", "-u", "postgres", "--", *args]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresUnavailable(f"{' '.join(args)} failed: {result.stderr.strip()[-500:]}")


def start_throwaway_server() -> str:
    """Start a private server; returns a URL to its `postgres` database."""
    bindir = _bindir()
    if bindir is None:
        raise PostgresUnavailable("no PostgreSQL server binaries under /usr/lib/postgresql")
    as_postgres = os.geteuid() == 0  # initdb refuses to run as root
    folder = tempfile.mkdtemp(prefix="casemanager-pg-")
    datadir = os.path.join(folder, "data")
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    _run(
        [
            f"{bindir}/initdb",
            "-D",
            datadir,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        ],
        as_postgres,
    )
    options = f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off"
    _run(
        [f"{bindir}/pg_ctl", "-D", datadir, "-o", options, "-l", f"{folder}/log", "-w", "start"],
        as_postgres,
    )

    def stop() -> None:
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if as_postgres else [])
            + [f"{bindir}/pg_ctl", "-D", datadir, "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql+psycopg://postgres@/postgres?host={folder}&port={port}"


def server_url() -> str:
    url = os.environ.get(ENV_URL)
    if url:
        return url
    return start_throwaway_server()
