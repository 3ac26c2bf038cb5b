"""Progress of long casemanager-admin commands: a bar on a terminal (run for real in a
pseudo-terminal), plain lines every few seconds when piped, one summary line either way."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from casemanager import cli
from casemanager.cli_progress import CommandProgress
from casemanager.db.engine import Database
from casemanager.db.sqlite_files import encryption_available
from casemanager.services import demo

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CASEMANAGER_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
        COLUMNS="120",
        TERM="xterm-256color",
        **extra,
    )
    env.pop("NO_COLOR", None)
    return env


def _admin(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "casemanager.cli", "--database", url, *args]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_on_a_terminal_a_bar_with_rate_and_time_left(tmp_path: Path) -> None:
    """The real command in a pseudo-terminal: rich draws the bar, then clears it for the
    summary line."""
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    main, secondary = pty.openpty()
    with subprocess.Popen(
        _admin(url, "demo", "--patients", "1500"),  # three chunks: a rate before the end
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=_env(tmp_path),
        cwd=ROOT,
    ) as process:
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the command has ended and closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=300) == 0
    os.close(main)
    raw = b"".join(chunks).decode("utf-8", "replace")
    assert ANSI.search(raw), "drawn with terminal control codes"
    frames = ANSI.sub("", raw).split("\r")  # each redraw starts at the line's beginning
    assert any(re.fullmatch(r"demo ━+ +0/1500 +0% +-:--:-- left", f) for f in frames), frames[:3]
    # Once rich has a rate: count, share, rate and time left on one line.
    assert any(
        re.fullmatch(r"demo ━+[╸╺]?━* 1000/1500 +67% [\d,]+ patients/s \d+:\d\d:\d\d left", f)
        for f in frames
    ), frames
    assert any(f.startswith("demo ") and "1500/1500 100%" in f for f in frames)
    summary = [line for line in ANSI.sub("", raw).splitlines() if "Demo clinic created" in line]
    assert len(summary) == 1 and "1,500 patients" in summary[0]
    assert "500 / 1,500 patients" not in raw  # the old counter that ran together


def test_piped_plain_lines_then_one_summary(tmp_path: Path) -> None:
    """Into a log file: plain lines, no control codes, no carriage returns; the summary on
    standard output."""
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    done = subprocess.run(
        _admin(url, "demo", "--patients", "1000"),
        capture_output=True,
        text=True,
        env=_env(tmp_path, CASEMANAGER_PROGRESS_SECONDS="0"),  # a line at every report
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert not ANSI.search(done.stderr) and "\r" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines == [
        line for line in lines if re.fullmatch(r"demo: [\d,]+ / 1,000 patients \(\d+%\), .+", line)
    ]
    assert lines[0].startswith("demo: 500 / 1,000 patients (50%), ")
    assert "patients/s, about" in lines[0] and lines[0].endswith(" left")
    assert lines[-1].startswith("demo: 1,000 / 1,000 patients (100%)")
    assert done.stdout.count("Demo clinic created") == 1
    # The same audit check piped: a summary line, and nothing from progress by default.
    verify = subprocess.run(
        _admin(url, "audit", "verify"),
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert verify.returncode == 0, verify.stderr
    assert verify.stderr == "" and verify.stdout.startswith("The audit log is intact:")


def test_plain_lines_come_every_few_seconds_with_rate_and_time_left() -> None:
    clock, out = Clock(), io.StringIO()
    progress = CommandProgress("export csv", "rows", stream=out, terminal=False, clock=clock)
    assert progress.every == 5.0
    for second in range(1, 13):
        clock.now += 1
        progress(second * 100, 2000)
    assert out.getvalue().splitlines() == [
        "export csv: 500 / 2,000 rows (25%), 100 rows/s, about 15 s left",
        "export csv: 1,000 / 2,000 rows (50%), 100 rows/s, about 10 s left",
    ]


def test_a_new_stage_counts_from_its_own_start_and_an_unknown_total() -> None:
    clock, out = Clock(), io.StringIO()
    progress = CommandProgress("import", "rows", stream=out, terminal=False, clock=clock, every=0)
    clock.now += 2
    progress(200, 0, "checking")  # the stage starts here: its own clock
    clock.now += 4
    progress(400, 0, "checking")
    progress(400, 400, "importing")
    clock.now += 10
    progress(250, 400, "importing")
    assert out.getvalue().splitlines() == [
        "import (checking): 200 rows",  # the stage has just started: no rate yet
        "import (checking): 400 rows, 100 rows/s",  # no total: no share, no time left
        "import (importing): 400 / 400 rows (100%)",
        "import (importing): 250 / 400 rows (62%), 25 rows/s, about 6 s left",
    ]


def test_bytes_read_as_sizes() -> None:
    clock, out = Clock(), io.StringIO()
    progress = CommandProgress("backup", "bytes", stream=out, terminal=False, clock=clock, every=0)
    clock.now += 2
    progress(50_000_000, 200_000_000)
    assert out.getvalue() == "backup: 50.0 MB / 200.0 MB (25%), 25.0 MB/s, about 6 s left\n"


def test_services_report_to_the_cli(
    db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each long command hands its progress to the service: with every report shown (piped,
    interval 0), each one prints lines for its own unit, and its summary on standard output."""
    monkeypatch.setenv("CASEMANAGER_PROGRESS_SECONDS", "0")
    url = db.url.render_as_string(hide_password=False)
    demo.generate_demo_clinic(db, patients=30, seed=2)
    runs = {
        ("export", "csv", "--out", str(tmp_path / "csv")): ("export csv: ", "rows"),
        ("export", "fhir", "--out", str(tmp_path / "fhir")): ("export fhir: ", "records"),
        ("audit", "verify"): ("audit verify: ", "rows"),
    }
    people = tmp_path / "people.csv"
    people.write_text(
        "MRN,Last name,First name,DOB,Sex\n"
        + "".join(f"X-{n},Rowe,Sam,1970-01-{n:02d},F\n" for n in range(1, 21)),
        encoding="utf-8",
    )
    runs[("import", "patients", str(people))] = ("import (", "rows")
    copy = tmp_path / "copy.sqlite3"
    if db.is_sqlite:
        runs[("backup", str(copy))] = ("backup: ", "B /")
    for args, (label, unit) in runs.items():
        capsys.readouterr()
        assert cli.main(["--database", url, *args]) == 0
        captured = capsys.readouterr()
        lines = [line for line in captured.err.splitlines() if not line.startswith("Columns")]
        assert lines and all(line.startswith(label) and unit in line for line in lines), lines
        assert "(100%)" in lines[-1], lines
        assert captured.out.strip(), "a summary"
    if not db.is_sqlite:
        return
    db.dispose()  # a restore or encryption refuses a file someone has open
    assert cli.main(["--database", url, "restore", str(copy), "--yes"]) == 0
    captured = capsys.readouterr()
    # The backup is copied and checked before the current database is kept and replaced.
    assert captured.err.splitlines()[0].startswith("restore (checking the backup): ")
    assert captured.err.splitlines()[-1].startswith("restore (keeping the current one): ")
    assert "(100%)" in captured.err.splitlines()[-1]
    assert "Restored from" in captured.out
    if encryption_available():
        monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
        copy_url = f"sqlite:///{copy}"  # the fixture's own file stays plain for its teardown
        assert cli.main(["--database", copy_url, "encrypt", "--passphrase-stdin"]) == 0
        lines = capsys.readouterr().err.splitlines()
        assert lines[-1].startswith("encrypt: 3 / 3 steps (100%)"), lines
