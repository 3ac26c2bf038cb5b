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
from typing import Any

from casemanager import config
from casemanager.domain.enums import AuditAction, DataCategory, Role
from casemanager.domain.errors import DomainError

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
        "(default: $CASEMANAGER_DATABASE_URL, else the embedded SQLite file)",
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

    url = config.database_url(args.database)
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


def _refuse_missing_sqlite_file(url: str, *, create: bool) -> None:
    """A check must not create the file it checks (a mistyped path would look 'empty')."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if create or parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    from pathlib import Path

    if not Path(parsed.database).exists():
        raise DomainError(f"There is no database file at {parsed.database}. Check the path.")


def _cli_actor(db):
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
        return EXIT_REFUSED
    print(f"Schema is up to date ({head}) and matches the models.")
    return EXIT_OK


def _upgrade(db: Any) -> int:
    from casemanager.db import migrate
    from casemanager.services import audit
    from casemanager.services.context import Actor

    before = migrate.current_revision(db)
    result = migrate.upgrade(db, config.backup_dir())
    if result.backup is not None:
        print(f"Backed up the database to {result.backup}.")
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
    from casemanager.services import demo

    def progress(done: int, total: int) -> None:
        print(f"\r{done:,} / {total:,} patients", end="", file=sys.stderr, flush=True)

    with _open(args) as db:
        summary = demo.generate_demo_clinic(
            db,
            patients=args.patients,
            seed=args.seed,
            progress=progress,
            actor_name=f"os:{config.operating_system_user()}",
            workstation=config.workstation_name(),
        )
    print(file=sys.stderr)
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

    json.dump(catalog_as_dict(), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return EXIT_OK


def _care_plan(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casemanager.domain.permissions import Permission
    from casemanager.reports import wording
    from casemanager.services import documents, patients

    if args.language not in wording.languages():
        raise DomainError(
            f"No care plan wording for {args.language!r}; choose one of: "
            + ", ".join(wording.languages())
        )
    with _open(args) as db:
        actor = _cli_actor(db)
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
            permission=Permission.EXPORT_DATA,
        )
    out = Path(args.out)
    try:
        out.write_bytes(pdf)
    except OSError as error:
        raise DomainError(f"Could not write {out}: {error.strerror}.") from None
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
        board = caseload.dashboard(db, actor, filt)
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
            report = audit_log.verify_chain(db, actor)
            if report.broken is not None:
                print(
                    f"The audit log is broken at row {report.broken.row_id}: "
                    f"{report.broken.reason}. {report.rows:,} rows before it are intact.",
                    file=sys.stderr,
                )
                return EXIT_TAMPERED
            if report.last_id is None:
                print("The audit log is empty.")
            else:
                print(
                    f"The audit log is intact: {report.rows:,} rows. "
                    f"Last row {report.last_id}, hash {report.last_hash}."
                )
            return EXIT_OK
        filt = audit_log.AuditFilter(
            _day(args.start, "--from"), _day(args.end, "--to"), actor=args.user
        )
        if args.out:
            try:
                with open(args.out, "w", encoding="utf-8", newline="") as out:
                    count = audit_log.export_csv(db, actor, filt, out, bom=True)
            except OSError as error:
                raise DomainError(f"Could not write {args.out}: {error.strerror}.") from None
            print(f"Wrote {count:,} rows to {args.out}.", file=sys.stderr)
        else:
            stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            audit_log.export_csv(db, actor, filt, stdout, bom=False)
            stdout.flush()
            stdout.detach()
    return EXIT_OK


def _backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casemanager.services import backup

    with _open(args, create=False) as db:
        target = backup.backup(db, _cli_actor(db), Path(args.destination))
    print(f"Backed up to {target} ({target.stat().st_size:,} bytes); integrity check passed.")
    return EXIT_OK


def _where(url: str) -> str:
    """A database URL fit to print: never the password or passphrase it may carry."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casemanager.services import backup

    url = config.database_url(args.database)
    if not args.yes:
        answer = input(
            f"Replace the database at {_where(url)} with {args.source}? The current one is kept in "
            f"{config.backup_dir()} first. Type yes to go on: "
        )
        if answer.strip().lower() != "yes":
            print("Nothing was changed.", file=sys.stderr)
            return EXIT_REFUSED
    result = backup.restore(url, Path(args.source), config.backup_dir())
    if result.previous_copy is not None:
        print(f"The database as it was is kept at {result.previous_copy}.")
    if result.upgraded_from is not None:
        print(f"The backup's schema ({result.upgraded_from}) was upgraded to the latest.")
    print(f"Restored from {result.restored_from}; integrity check passed.")
    return EXIT_OK


def _secret(from_stdin: bool, prompt: str, plural: str) -> str | None:
    """A password or passphrase: one line of standard input, or typed twice (None if the two
    differ, after saying so)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    secret = getpass.getpass(f"{prompt}: ")
    if getpass.getpass("Type it again: ") != secret:
        print(f"casemanager-admin: the two {plural} differ; nothing changed.", file=sys.stderr)
        return None
    return secret


def _encrypt(args: argparse.Namespace) -> int:
    from casemanager.services import encryption

    url = config.database_url(args.database)
    passphrase = _secret(args.passphrase_stdin, "Passphrase for the database file", "passphrases")
    if passphrase is None:
        return EXIT_REFUSED
    done = encryption.encrypt_database(url, passphrase, config.backup_dir())
    print(
        "The database file is encrypted. The app asks for the passphrase when it starts; "
        "scripts open it with --database 'sqlite+pysqlcipher://:PASSPHRASE@/PATH'. "
        "Without the passphrase nobody (clinic IT included) can read it: keep it safe."
    )
    if done.plain_copies:
        print(
            f"{len(done.plain_copies)} unencrypted backups made before remain, for example "
            f"{done.plain_copies[0]}: move them to safe storage or delete them."
        )
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casemanager.services import csv_export, fhir_export, patients

    with _open(args, create=False) as db:
        actor = _cli_actor(db)
        if args.export_kind == "csv":
            tables = csv_export.export(db, actor, Path(args.out))
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
        result = fhir_export.export(db, actor, Path(args.out), patient_id=patient_id)
    for kind, count in sorted(result.counts.items()):
        print(f"{count:>10,}  {kind}.ndjson")
    print(f"Wrote FHIR R4 NDJSON to {result.folder}.")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from pathlib import Path

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
    with _open(args) as db:
        report = patient_import.import_patients(db, _cli_actor(db), candidates, dry_run=args.check)
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
