"""Every gap in the audit log's protection is reported, on both engines: the append-only
triggers dropped or switched off, a well-forged row appended past the chain record's count,
the chain record deleted (and re-anchored, with the break still named afterwards), and what
`audit verify` says it checked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from casemanager import cli
from casemanager.db import migrate
from casemanager.db.engine import Database
from casemanager.db.models import AuditChainHead, AuditEntry
from casemanager.db.types import utcnow
from casemanager.domain.audit_chain import ChainedFields, row_hash
from casemanager.domain.enums import Role, Sex
from casemanager.domain.errors import DomainError
from casemanager.domain.permissions import Permission, refusal
from casemanager.services import audit_log, patients
from tests.conftest import Staff


def _url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def _activity(db: Database, staff: Staff) -> None:
    patients.create_patient(
        db, staff.therapist, patients.PatientFields("Ines", "Duarte", date(1980, 3, 4), Sex.FEMALE)
    )


@pytest.mark.parametrize("how", ["dropped", "switched off"])
def test_missing_append_only_triggers_are_reported_and_put_back(
    db: Database, staff: Staff, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    _activity(db, staff)
    if how == "switched off" and db.is_sqlite:
        pytest.skip("SQLite triggers cannot be switched off, only dropped")
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        elif how == "dropped":
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    try:
        url = _url(db)
        assert cli.main(["--database", url, "migrate", "--check"]) == cli.EXIT_REFUSED
        err = capsys.readouterr().err
        assert "no longer refuses changes to audit rows" in err
        assert "audit_log_no_update" in err if db.is_sqlite else "audit_log_append_only" in err

        assert cli.main(["--database", url, "audit", "verify"]) == cli.EXIT_TAMPERED
        err = capsys.readouterr().err
        assert "no longer refuses changes to audit rows" in err
        report = audit_log.verify_chain(db, staff.admin)
        assert report.broken is None and len(report.missing_safeguards) >= 1
    finally:
        # `migrate` puts them back (and says so), even at the latest schema.
        assert cli.main(["--database", _url(db), "migrate"]) == cli.EXIT_OK
    assert "Put back the audit log's append-only triggers" in capsys.readouterr().out
    assert migrate.missing_safeguards(db) == []
    assert cli.main(["--database", _url(db), "migrate", "--check"]) == cli.EXIT_OK
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail = 'rewritten'"))


def test_a_forged_row_past_the_chain_record_is_named(db: Database, staff: Staff) -> None:
    """Appended with a correct hash, but the chain record was not told: 'intact: 18 rows'
    would be a lie."""
    _activity(db, staff)
    with db.session() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        fields = ChainedFields(
            utcnow(), None, "forger", "ws", None, "read", "system", "success", "nothing here"
        )
        forged = AuditEntry(
            occurred_at=fields.occurred_at,
            user_id=None,
            actor="forger",
            workstation="ws",
            patient_id=None,
            action="read",
            data_category="system",
            outcome="success",
            detail="nothing here",
            prev_hash=last.row_hash,
            row_hash=row_hash(str(last.row_hash), fields),
        )
        session.add(forged)
        session.flush()
        forged_id = forged.id
    report = audit_log.verify_chain(db, staff.admin)
    assert report.broken is not None and report.broken.row_id == forged_id
    assert "comes after the last of them" in report.broken.reason
    assert report.rows == report.head_rows


def test_a_deleted_chain_record_is_explained_and_re_anchored(
    db: Database, staff: Staff, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _activity(db, staff)
    url = _url(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_chain_head"))

    with pytest.raises(DomainError) as refused:
        _activity(db, staff)
    assert "audit reanchor" in refused.value.message
    assert "audit verify`." not in refused.value.message  # not "run the command you just ran"

    assert cli.main(["--database", url, "audit", "verify"]) == cli.EXIT_TAMPERED
    captured = capsys.readouterr()
    assert "chain record (audit_chain_head)" in captured.err and "was removed" in captured.err
    assert "casemanager-admin audit reanchor" in captured.err
    assert "could not be recorded" in captured.out

    monkeypatch.setattr("builtins.input", lambda _prompt: "no")
    assert cli.main(["--database", url, "audit", "reanchor"]) == cli.EXIT_REFUSED
    with db.session() as session:
        assert session.get(AuditChainHead, 1) is None  # not without a yes
    monkeypatch.setattr("builtins.input", lambda _prompt: "yes")
    assert cli.main(["--database", url, "audit", "reanchor"]) == cli.EXIT_OK
    assert "Saving works again" in capsys.readouterr().out
    _activity(db, staff)  # saving works again

    for _ in range(2):  # the break stays visible in every later check
        assert cli.main(["--database", url, "audit", "verify"]) == cli.EXIT_OK
        captured = capsys.readouterr()
        assert "the chain was re-anchored at row" in captured.err
        assert "The audit log is intact" in captured.out
    assert cli.main(["--database", url, "audit", "reanchor", "--yes"]) == cli.EXIT_REFUSED
    assert "nothing to re-anchor" in capsys.readouterr().err


def test_re_anchoring_is_for_administrators(db: Database, staff: Staff) -> None:
    with pytest.raises(DomainError):
        audit_log.reanchor_chain(db, staff.therapist)


def test_verify_says_what_it_checked_and_that_it_was_recorded(
    db: Database, staff: Staff, capsys: pytest.CaptureFixture[str]
) -> None:
    _activity(db, staff)
    with db.session() as session:
        ids = list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
    assert cli.main(["--database", _url(db), "audit", "verify"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert f"checked rows {ids[0]} to {ids[-1]} ({len(ids):,} rows" in out
    with db.session() as session:
        own = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert f"This check was recorded in the log as row {own.id}." in out
    assert own.detail == f"audit chain checked: {len(ids)} rows"


def test_refusals_fit_the_role() -> None:
    admin = refusal(Role.ADMINISTRATOR, Permission.VIEW_CLINICAL)
    assert "Ask an administrator" not in admin
    assert admin.startswith("An administrator may not open clinical records")
    assert "a therapist or an office manager may" in admin
    therapist = refusal(Role.THERAPIST, Permission.VIEW_AUDIT_LOG)
    assert "Ask an administrator" in therapist
    assert therapist.startswith("A therapist may not view the audit log")
