"""casemanager-admin: the same services from a terminal, for clinic IT.

Every command takes --database URL (else CASEMANAGER_DATABASE_URL, else the embedded file)
and acts, in the audit log, as the operating-system user.
"""

from __future__ import annotations

import argparse
import getpass
import io
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from casemanager import config
from casemanager.domain.enums import AuditAction, DataCategory, Role
from casemanager.domain.errors import DomainError

if TYPE_CHECKING:  # the command line loads services only for the command run
    from casemanager.services.context import Actor

EXIT_OK = 0
EXIT_REFUSED = 1  # a domain error or a failed check: the message says what to do
EXIT_USAGE = 2
EXIT_TAMPERED = 3  # `audit verify`: the hash chain is broken


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casemanager-admin",
        description="Administer a CaseManager database: migrate, demo data, users, catalog, "
        "audit log.",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user@server/casemanager "
        "(default: $CASEMANAGER_DATABASE_URL, else the embedded SQLite file); never with a "
        "passphrase in it",
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help="an encrypted database's passphrase, the first line of FILE (else it is asked for)",
    )
    parser.add_argument(
        "--passphrase-stdin",
        action="store_true",
        dest="database_passphrase_stdin",
        help="an encrypted database's passphrase, the first line of standard input",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    migrate = commands.add_parser("migrate", help="upgrade the schema (backs up SQLite first)")
    migrate.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if the database is not at the latest schema or differs "
        "from the models",
    )

    demo = commands.add_parser("demo", help="fill an empty database with a demo clinic")
    demo.add_argument("--patients", type=int, default=500, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")

    catalog = commands.add_parser("catalog", help="print the clinical catalogs the app offers")
    catalog.add_argument("--json", action="store_true", required=True, help="as JSON")

    plan = commands.add_parser(
        "care-plan", help="write the latest signed evaluation's document as a PDF"
    )
    plan.add_argument("mrn", metavar="MRN", help="the patient's medical record number")
    plan.add_argument("--out", required=True, metavar="FILE", help="where to write the PDF")
    plan.add_argument(
        "--kind", choices=["take-home", "plan-of-care", "referral"], default="take-home"
    )
    plan.add_argument("--language", default="en", help="take-home plan language (en, es, …)")
    plan.add_argument("--large-print", action="store_true", help="take-home plan in large print")
    plan.add_argument(
        "--user",
        required=True,
        metavar="USERNAME",
        help="your CaseManager account (a therapist or office manager: the document is made "
        "with that account's rights and audited under it)",
    )
    plan.add_argument(
        "--password-stdin", action="store_true", help="read your password from standard input"
    )

    caseload = commands.add_parser(
        "caseload", help="print the caseload figures (no patient names) as JSON or CSV"
    )
    caseload.add_argument("--format", choices=["json", "csv"], default="json")
    caseload.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="default: 90 days ago")
    caseload.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="default: today")
    caseload.add_argument("--therapist", metavar="USERNAME", help="one therapist's caseload")

    audit = commands.add_parser("audit", help="check the audit log's hash chain, or export it")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_commands.add_parser(
        "verify",
        help="recompute every row's hash; exit 0 if the chain is intact, 3 naming the first "
        "broken row if not",
    )
    reanchor = audit_commands.add_parser(
        "reanchor",
        help="put back a removed chain record (audit_chain_head), counting the rows as they "
        "are; recorded in the log, and named by every later verify",
    )
    reanchor.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    export = audit_commands.add_parser(
        "export", help="the audit log as CSV (UTF-8, oldest first), all of it or some days"
    )
    export.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (local)")
    export.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (local)")
    export.add_argument("--user", metavar="USERNAME", help="one user's rows")
    export.add_argument("--out", metavar="FILE", help="write here (default: standard output)")

    backup = commands.add_parser(
        "backup", help="copy the embedded database to DEST (a folder or a .sqlite3 file), checked"
    )
    backup.add_argument("destination", metavar="DEST")
    restore = commands.add_parser(
        "restore",
        help="replace the embedded database with a backup (the current one is kept in the "
        "backups folder first); close CaseManager everywhere before",
    )
    restore.add_argument("source", metavar="SRC")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    encrypt = commands.add_parser(
        "encrypt",
        help="encrypt the embedded database file with a passphrase (SQLCipher); close "
        "CaseManager everywhere before",
    )
    encrypt.add_argument(
        "--passphrase-stdin", action="store_true", help="read the passphrase from standard input"
    )
    encrypt.add_argument(
        "--passphrase-file", metavar="FILE", help="read the passphrase from the first line of FILE"
    )
    encrypt.add_argument(
        "--delete-plain-copies",
        action="store_true",
        help="delete the unencrypted database files found afterwards without asking",
    )

    export = commands.add_parser("export", help="take the clinic's data out in a standard form")
    export_kinds = export.add_subparsers(dest="export_kind", required=True, metavar="FORMAT")
    fhir = export_kinds.add_parser(
        "fhir", help="FHIR R4 bulk data: one NDJSON file per resource type (docs/export-formats.md)"
    )
    fhir.add_argument("--out", required=True, metavar="DIR", help="folder for the .ndjson files")
    fhir.add_argument("--patient", metavar="MRN", help="only this patient's record")
    tables = export_kinds.add_parser(
        "csv", help="every table as CSV, with data-dictionary.csv (docs/data-model.md)"
    )
    tables.add_argument("--out", required=True, metavar="DIR", help="folder for the .csv files")

    bring = commands.add_parser("import", help="bring patients in from another system")
    bring_kinds = bring.add_subparsers(dest="import_kind", required=True, metavar="WHAT")
    people = bring_kinds.add_parser(
        "patients", help="patients from a CSV file or FHIR Patient NDJSON (all rows or none)"
    )
    people.add_argument("file", metavar="FILE")
    people.add_argument("--format", choices=["csv", "fhir"], help="default: from the file name")
    people.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="which CSV column holds a field, e.g. --map 'date_of_birth=DOB' (the rest are "
        "guessed from the header); fields: "
        + ", ".join(
            [
                "source_id",
                "given_name",
                "family_name",
                "date_of_birth",
                "sex",
                "phone",
                "email",
                "address",
                "preferred_language",
            ]
        ),
    )
    people.add_argument("--check", action="store_true", help="check every row, import nothing")

    user = commands.add_parser("create-user", help="add a user account")
    user.add_argument("--username", required=True)
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--display-name", help="full name as printed on notes (default: username)")
    user.add_argument("--licence-number", help="required for therapists")
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except DomainError as error:
        print(f"casemanager-admin: {error.message}", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as error:
        from casemanager.services import environment

        message = environment.describe(error)
        if message is None:
            raise  # a bug: the traceback is the report
        print(f"casemanager-admin: {message}", file=sys.stderr)
        return EXIT_REFUSED


@contextmanager
def _open(args: argparse.Namespace, *, migrate: bool = True, create: bool = True) -> Iterator[Any]:
    """The database named by --database (migrated unless told not to), closed afterwards."""
    from casemanager.db.engine import Database
    from casemanager.services import setup

    url = _database_url(args)
    _refuse_missing_sqlite_file(url, create=create)
    if migrate:
        db, result = setup.open_database(url, config.backup_dir())
        if result.backup is not None:
            print(f"Backed up the database to {result.backup} before upgrading.", file=sys.stderr)
    else:
        db = Database(url)
    try:
        yield db
    finally:
        db.dispose()


def _given_url(args: argparse.Namespace) -> str:
    """--database, else CASEMANAGER_DATABASE_URL, else the embedded file; never one that
    carries a passphrase (anyone on the computer reads a command line in the process list)."""
    url = config.database_url(args.database)
    if url.startswith(config.ENCRYPTED_DRIVER):
        raise DomainError(
            "Do not put the passphrase in the database URL: anyone on this computer can read "
            "it in the process list. Name the file as sqlite:///PATH; the passphrase is then "
            "asked for, or read with --passphrase-file FILE or --passphrase-stdin."
        )
    return url


def _database_url(args: argparse.Namespace) -> str:
    """The URL to open. An encrypted embedded file is opened with the passphrase typed at the
    prompt, read from --passphrase-file or from standard input; a wrong one is one message."""
    url = _given_url(args)
    path = config.plain_sqlite_path(url)
    if path is None or not config.looks_encrypted(path):
        return url
    from casemanager.db import sqlite_files
    from casemanager.domain.errors import WrongPassphrase

    if args.passphrase_file:
        passphrase = _first_line(args.passphrase_file)
    elif args.database_passphrase_stdin:
        passphrase = sys.stdin.readline().rstrip("\r\n")
    else:
        passphrase = getpass.getpass(f"Passphrase of {path}: ")
    if not passphrase or not sqlite_files.opens_with(path, passphrase):
        raise WrongPassphrase(
            f"That passphrase does not open {path}. Check it (capitals and spaces count) and "
            "try again. Nothing was changed."
        )
    return config.encrypted_url(path, passphrase)


def _first_line(path: str) -> str:
    """A passphrase kept in a file (readable by its owner only), never on the command line."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.readline().rstrip("\r\n")
    except OSError as error:
        raise DomainError(f"Could not read the passphrase file {path}: {error.strerror}.") from None


def _live(db: Any) -> list[Any]:
    """The database a command has open: no output of the command may be written over it."""
    return [db.sqlite_path]


def _refuse_missing_sqlite_file(url: str, *, create: bool) -> None:
    """A check must not create the file it checks (a mistyped path would look 'empty')."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if create or parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    from pathlib import Path

    if not Path(parsed.database).exists():
        raise DomainError(f"There is no database file at {parsed.database}. Check the path.")


def _cli_actor(db: Any) -> Actor:
    from casemanager.services import setup
    from casemanager.services.context import Actor

    clinic = setup.clinic_info(db)
    if clinic is None:
        raise DomainError(
            "This database holds no clinic yet. Start the app to create one, "
            "or run `casemanager-admin demo` on an empty database."
        )
    return Actor.command_line(clinic.id)


def _migrate(args: argparse.Namespace) -> int:
    with _open(args, migrate=False, create=not args.check) as db:
        return _check(db) if args.check else _upgrade(db)


def _check(db: Any) -> int:
    from casemanager.db import migrate

    current, head = migrate.current_revision(db), migrate.head_revision()
    if current != head:
        print(
            f"Schema is at {current or 'nothing'}; the latest is {head}. "
            "Run `casemanager-admin migrate`.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    differences = migrate.schema_differences(db)
    if differences:
        print("The database differs from the models:", file=sys.stderr)
        for difference in differences:
            print(f"  {difference}", file=sys.stderr)
    safeguards = migrate.missing_safeguards(db)
    if safeguards:
        print("The audit log is not protected as it should be:", file=sys.stderr)
        for problem in safeguards:
            print(f"  {problem}", file=sys.stderr)
        print("Run `casemanager-admin migrate` to put the triggers back.", file=sys.stderr)
    if differences or safeguards:
        return EXIT_REFUSED
    print(f"Schema is up to date ({head}), matches the models, and the audit log is append-only.")
    return EXIT_OK


def _upgrade(db: Any) -> int:
    from casemanager.db import migrate
    from casemanager.services import audit
    from casemanager.services.context import Actor

    before = migrate.current_revision(db)
    result = migrate.upgrade(db, config.backup_dir())
    if result.backup is not None:
        print(f"Backed up the database to {result.backup}.")
    restored = migrate.restore_safeguards(db)
    if restored:
        audit.record_now(
            db,
            Actor.command_line(clinic_id=0),
            AuditAction.UPDATE,
            DataCategory.SYSTEM,
            detail="audit log append-only triggers put back: " + "; ".join(restored),
        )
        print("Put back the audit log's append-only triggers (" + "; ".join(restored) + ").")
    if before == result.to_revision:
        print(f"Schema already at {result.to_revision}.")
        return EXIT_OK
    audit.record_now(
        db,
        Actor.command_line(clinic_id=0),
        AuditAction.UPDATE,
        DataCategory.SYSTEM,
        detail=f"schema {before or 'empty'} -> {result.to_revision}",
    )
    print(f"Schema upgraded from {before or 'empty'} to {result.to_revision}.")
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from casemanager.cli_progress import CommandProgress
    from casemanager.services import demo

    with _open(args) as db, CommandProgress("demo", "patients") as progress:
        summary = demo.generate_demo_clinic(
            db,
            patients=args.patients,
            seed=args.seed,
            progress=progress,
            actor_name=f"os:{config.operating_system_user()}",
            workstation=config.workstation_name(),
        )
    print(
        f"Demo clinic created in {summary.seconds:.1f} s: {summary.patients:,} patients, "
        f"{summary.episodes:,} episodes, {summary.evaluations:,} evaluations, "
        f"{summary.visits:,} visits, {summary.referrals:,} referrals.\n"
        f"Log in as {', '.join(u for u, *_ in demo.DEMO_STAFF)} "
        f"with the password {demo.DEMO_PASSWORD!r}."
    )
    return EXIT_OK


def _catalog(args: argparse.Namespace) -> int:
    from casemanager.domain.catalogs import catalog_as_dict

    _check_stdout(None)
    json.dump(catalog_as_dict(), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return EXIT_OK


def _user_actor(db: Any, username: str, password: str) -> Any:
    """A command that shows clinical records acts as a CaseManager account, with its rights
    (the permission matrix), its login throttling and its name in the audit log."""
    from casemanager.services import accounts

    return accounts.authenticate(db, username, password, config.workstation_name())


def _care_plan(args: argparse.Namespace) -> int:
    from casemanager.reports import wording
    from casemanager.services import documents, patients

    if args.language not in wording.languages():
        raise DomainError(
            f"No care plan wording for {args.language!r}; choose one of: "
            + ", ".join(wording.languages())
        )
    from casemanager import output_files

    with _open(args) as db:
        out = output_files.check(args.out, databases=_live(db))  # before anything is made
        password = _secret(args.password_stdin, f"Password of {args.user}", "", twice=False)
        actor = _user_actor(db, args.user, password or "")
        patient = patients.find_by_mrn(db, actor, args.mrn)
        evaluation_id = documents.latest_signed_evaluation(db, actor, patient.id)
        pdf = documents.render(
            db,
            actor,
            evaluation_id,
            documents.DocumentKind(args.kind),
            language=args.language,
            large_print=args.large_print,
            action=AuditAction.EXPORT,
        )
        output_files.write_bytes(out, pdf, databases=_live(db))
    print(f"Wrote {out} ({len(pdf):,} bytes).")
    return EXIT_OK


def _day(text: str | None, option: str) -> Any:
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(f"{option} {text!r} is not a date: write it as YYYY-MM-DD.") from None


def _caseload(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from datetime import date

    from casemanager.domain.caseload import CaseloadFilter, default_period
    from casemanager.reports import table_csv
    from casemanager.services import accounts, caseload

    start, end = default_period(date.today())
    filt = CaseloadFilter(_day(args.start, "--from") or start, _day(args.end, "--to") or end)
    with _open(args) as db:
        actor = _cli_actor(db)
        if args.therapist:
            users = [u for u in accounts.list_users(db, actor) if u.username == args.therapist]
            if not users or users[0].role != Role.THERAPIST:
                raise DomainError(f"No therapist has the username {args.therapist!r}.")
            filt = replace(filt, therapist_id=users[0].id)
        _check_stdout(db)  # before the figures are read (and audited)
        board = caseload.figures(db, actor, filt)  # what it prints: never the worklist
    if args.format == "json":
        json.dump(caseload.as_dict(board), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        data = table_csv.to_csv(caseload.ROW_HEADERS, caseload.as_rows(board), bom=False)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


def _audit(args: argparse.Namespace) -> int:
    from casemanager.db import migrate
    from casemanager.services import audit_log

    # Read as it is: checking a log must not upgrade (change) the database first.
    with _open(args, migrate=False, create=False) as db:
        if migrate.current_revision(db) != migrate.head_revision():
            raise DomainError(
                "This database's schema is not the latest: run `casemanager-admin migrate` "
                "first (it backs the file up)."
            )
        actor = _cli_actor(db)
        if args.audit_command == "verify":
            from casemanager.cli_progress import CommandProgress

            with CommandProgress("audit verify", "rows") as progress:
                report = audit_log.verify_chain(db, actor, progress)
            return _print_verdict(report)
        if args.audit_command == "reanchor":
            return _reanchor(db, actor, args.yes)
        filt = audit_log.AuditFilter(
            _day(args.start, "--from"), _day(args.end, "--to"), actor=args.user
        )
        if args.out:
            from casemanager import output_files

            with output_files.replacing(args.out, databases=_live(db), text=True) as out:
                count = audit_log.export_csv(db, actor, filt, out, bom=True)
            print(f"Wrote {count:,} rows to {args.out}.", file=sys.stderr)
        else:
            _check_stdout(db)
            stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            audit_log.export_csv(db, actor, filt, stdout, bom=False)
            stdout.flush()
            stdout.detach()
    return EXIT_OK


def _print_verdict(report: Any) -> int:
    """What was checked, what was found, and whether the check itself is on record."""
    for problem in report.missing_safeguards:
        print(f"Warning: {problem}. Run `casemanager-admin migrate`.", file=sys.stderr)
    for mark in report.reanchored:
        print(
            f"Note: the chain was re-anchored at row {mark.row_id} on "
            f"{mark.occurred_at:%Y-%m-%d %H:%M} UTC by {mark.actor}, because its chain record "
            "had been removed: rows cut off the end before then cannot be ruled out.",
            file=sys.stderr,
        )
    if report.broken is not None:
        print(
            f"The audit log is broken at row {report.broken.row_id}: "
            f"{report.broken.reason}. {report.rows:,} rows before it are intact.",
            file=sys.stderr,
        )
    elif report.last_id is None:
        print("The audit log is empty.")
    else:
        print(
            f"The audit log is intact: checked rows {report.first_id} to {report.last_id} "
            f"({report.rows:,} rows, as many as the chain record counts). "
            f"Last row {report.last_id}, hash {report.last_hash}."
        )
    if report.recorded_as is not None:
        print(f"This check was recorded in the log as row {report.recorded_as}.")
    else:
        print("This check could not be recorded: the log takes no new row until it is mended.")
    if report.broken is not None or report.missing_safeguards:
        return EXIT_TAMPERED
    return EXIT_OK


def _reanchor(db: Any, actor: Any, yes: bool) -> int:
    from casemanager.services import audit_log

    if not yes:
        answer = input(
            "Re-anchor the audit log's chain at its rows as they are now? Rows removed from "
            "its end before now could no longer be detected; the re-anchoring is recorded and "
            "every later verify names it. Type yes to go on: "
        )
        if answer.strip().lower() != "yes":
            print("Nothing was changed.", file=sys.stderr)
            return EXIT_REFUSED
    done = audit_log.reanchor_chain(db, actor)
    print(
        f"The chain record is back: {done.rows:,} rows counted, the last with hash "
        f"{done.last_hash}. Recorded as row {done.recorded_as}. Saving works again."
    )
    return EXIT_OK


def _check_stdout(db: Any) -> None:
    """Standard output sent (`>>`) to the database or one of its files is refused."""
    from casemanager import output_files

    sys.stdout.flush()
    output_files.check_stream(sys.stdout, databases=_live(db) if db is not None else ())


def _backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casemanager.cli_progress import CommandProgress
    from casemanager.services import backup

    with _open(args, create=False) as db, CommandProgress("backup", "bytes") as progress:
        target = backup.backup(db, _cli_actor(db), Path(args.destination), progress)
    print(f"Backed up to {target} ({target.stat().st_size:,} bytes); integrity check passed.")
    return EXIT_OK


def _where(url: str) -> str:
    """A database URL fit to print: never the password or passphrase it may carry."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casemanager.services import backup

    url = _database_url(args)  # an encrypted clinic's backup is checked with its passphrase
    if not args.yes:
        answer = input(
            f"Replace the database at {_where(url)} with {args.source}? The current one is kept in "
            f"{config.backup_dir()} first. Type yes to go on: "
        )
        if answer.strip().lower() != "yes":
            print("Nothing was changed.", file=sys.stderr)
            return EXIT_REFUSED
    from casemanager.cli_progress import CommandProgress

    with CommandProgress("restore", "bytes") as progress:
        result = backup.restore(url, Path(args.source), config.backup_dir(), progress)
    if result.previous_copy is not None:
        print(f"The database as it was is kept at {result.previous_copy}.")
    if result.upgraded_from is not None:
        print(f"The backup's schema ({result.upgraded_from}) was upgraded to the latest.")
    print(f"Restored from {result.restored_from}; integrity check passed.")
    return EXIT_OK


def _secret(from_stdin: bool, prompt: str, plural: str, *, twice: bool = True) -> str | None:
    """A password or passphrase: one line of standard input, or typed (twice for a new one;
    None if the two differ, after saying so)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    secret = getpass.getpass(f"{prompt}: ")
    if twice and getpass.getpass("Type it again: ") != secret:
        print(f"casemanager-admin: the two {plural} differ; nothing changed.", file=sys.stderr)
        return None
    return secret


def _encrypt(args: argparse.Namespace) -> int:
    from casemanager.services import encryption

    url = _given_url(args)
    passphrase: str | None
    if args.passphrase_file:
        passphrase = _first_line(args.passphrase_file)
    else:
        passphrase = _secret(
            args.passphrase_stdin, "Passphrase for the database file", "passphrases"
        )
    if passphrase is None:
        return EXIT_REFUSED
    from casemanager.cli_progress import CommandProgress

    with CommandProgress("encrypt", "steps") as progress:
        done = encryption.encrypt_database(url, passphrase, config.data_dir(), progress)
    print(
        "The database file is encrypted. The app asks for the passphrase when it starts, and "
        "so does casemanager-admin (or it reads it with --passphrase-file FILE or "
        "--passphrase-stdin; never put it in --database, where anyone can read it). Without "
        "the passphrase nobody (clinic IT included) can read the file: keep it safe."
    )
    if not done.plain_copies:
        return EXIT_OK
    print(f"{len(done.plain_copies)} unencrypted database files remain, with patient records:")
    for path in done.plain_copies:
        print(f"  {path}")
    delete = args.delete_plain_copies
    if not delete and not args.passphrase_stdin and sys.stdin.isatty():
        answer = input("Delete them now? Type yes to delete, anything else to keep them: ")
        delete = answer.strip().lower() == "yes"
    if delete:
        gone = encryption.delete_plain_copies(done.url, done.plain_copies)
        print(f"Deleted {len(gone)} files.")
    else:
        print("Move them to safe storage or delete them (docs/encryption.md).")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casemanager.cli_progress import CommandProgress
    from casemanager.services import csv_export, fhir_export, patients

    with _open(args, create=False) as db:
        actor = _cli_actor(db)
        if args.export_kind == "csv":
            with CommandProgress("export csv", "rows") as progress:
                tables = csv_export.export(db, actor, Path(args.out), progress)
            for name, count in tables.rows.items():
                print(f"{count:>10,}  {name}.csv")
            print(
                f"Wrote {len(tables.rows)} tables, {tables.images} exercise pictures and "
                f"{csv_export.DICTIONARY_FILE} to {tables.folder}."
            )
            return EXIT_OK
        patient_id = None
        if args.patient:
            patient_id = patients.find_by_mrn(db, actor, args.patient).id
        with CommandProgress("export fhir", "records") as progress:
            result = fhir_export.export(
                db, actor, Path(args.out), patient_id=patient_id, progress=progress
            )
    for kind, count in sorted(result.counts.items()):
        print(f"{count:>10,}  {kind}.ndjson")
    print(f"Wrote FHIR R4 NDJSON to {result.folder}.")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casemanager.cli_progress import CommandProgress
    from casemanager.interop import patient_files
    from casemanager.services import patient_import

    path = Path(args.file)
    kind = args.format or ("fhir" if path.suffix.lower() in (".ndjson", ".json") else "csv")
    if kind == "csv":
        header, rows = patient_files.read_csv(path)
        mapping = patient_files.suggest_mapping(header)
        for item in args.map:
            key, _, column = item.partition("=")
            if key not in patient_files.FIELDS:
                raise DomainError(f"--map {item}: {key} is not a field we import.")
            mapping[key] = column
        print("Columns used: " + ", ".join(f"{k}={v}" for k, v in mapping.items()), file=sys.stderr)
        candidates = patient_files.csv_candidates(header, rows, mapping)
    else:
        candidates = patient_files.fhir_candidates(path)
    # The rows are read as they are checked (a big file never sits in memory whole); its
    # line count is cheap and gives the progress bar its time left.
    with path.open("rb") as counted:
        lines = sum(1 for _ in counted) - (1 if kind == "csv" else 0)
    with _open(args) as db, CommandProgress("import", "rows") as progress:
        report = patient_import.import_patients(
            db, _cli_actor(db), candidates, dry_run=args.check, progress=progress, total=lines
        )
    if report.problems:
        for problem in report.problems[:200]:
            print(f"row {problem.row}: {problem.message}", file=sys.stderr)
        more = len(report.problems) - 200
        print(
            (f"… and {more} more. " if more > 0 else "")
            + f"{len(report.problems)} rows need fixing; nothing was imported.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    if args.check:
        print(f"All {report.added} rows are fine; nothing was imported (--check).")
    else:
        print(f"Imported {report.added} patients; {report.already_there} were already here.")
    return EXIT_OK


def _create_user(args: argparse.Namespace) -> int:
    from casemanager.services import accounts

    password = _secret(args.password_stdin, "Password for the new user", "passwords")
    if password is None:
        return EXIT_REFUSED
    with _open(args) as db:
        user = accounts.create_user(
            db,
            _cli_actor(db),
            accounts.NewUser(
                username=args.username,
                display_name=args.display_name or args.username,
                role=Role(args.role),
                password=password,
                licence_number=args.licence_number,
            ),
        )
    print(f"Created {user.role.value} {user.username} ({user.display_name}).")
    return EXIT_OK


_COMMANDS = {
    "migrate": _migrate,
    "demo": _demo,
    "catalog": _catalog,
    "create-user": _create_user,
    "care-plan": _care_plan,
    "caseload": _caseload,
    "audit": _audit,
    "backup": _backup,
    "restore": _restore,
    "encrypt": _encrypt,
    "export": _export,
    "import": _import,
}


if __name__ == "__main__":
    raise SystemExit(main())
