"""The patient search reads an index (migration 0020) but must find exactly what a plain scan of
every search name finds; its audit row is a separate step; odd input gets a message."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from casemanager.db import patient_search
from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Patient
from casemanager.domain import validation
from casemanager.domain.enums import AuditAction, PatientStatus, Sex
from casemanager.domain.errors import ValidationError
from casemanager.services import patients
from casemanager.services.context import Actor
from tests.conftest import Staff

TODAY = date(2026, 11, 26)

# Names in many scripts and shapes: short ones, joined ones, punctuation the index query
# language treats specially, accents that fold away, letters that change length when folded.
NAMES = [
    ("José", "Núñez"),
    ("Łukasz", "Wiśniewski"),
    ("秀英", "王"),
    ("王", "小明"),
    ("Дмитрий", "Иванов"),
    ("Ива", "Петрова"),
    ("Nguyễn", "Văn An"),
    ("An", "Nguyen"),
    ("Li", "Li"),
    ("O", "Ba"),
    ("Mary-Jo", "O'Brien"),
    ('Ann "Annie"', "Smith"),
    ("John", "Smith"),
    ("Jo", "Smithson"),
    ("María", "García López"),
    ("Lola", "Garcia-Lopez"),
    ("Straße", "Groß"),
    ("Ægir", "Søren"),
    ("Γιώργος", "Παπαδόπουλος"),
    ("민준", "김"),
    ("さくら", "山田"),
    ("Ann100%", "Under_Score"),
    ("Back\\slash", "Star*"),
    ("Zoë", "Ab"),
]


def _add(db: Database, actor: Actor, given: str, family: str, **kw: object) -> int:
    fields = patients.PatientFields(given, family, date(1970, 5, 17), Sex.FEMALE, **kw)  # type: ignore[arg-type]
    return patients.create_patient(db, actor, fields, today=TODAY).id


def _plain_scan(db: Database, text: str, limit: int) -> list[int]:
    """The search as it was before the index: every search name checked, in list order."""
    words = validation.normalize_for_search(text).split()
    with db.session() as session:
        return list(
            session.scalars(
                select(Patient.id)
                .where(patient_search.words_condition(words))
                .order_by(Patient.family_name, Patient.given_name, Patient.id)
                .limit(limit)
            )
        )


def _queries(names: list[str], rng: random.Random) -> list[str]:
    """Every 1- and 2-character piece, pieces of every length, two-word mixes, misses."""
    queries = {"zz", "q", "xyzzy", "a b", "%", "_", '"', "ab ab", "ma ma ma"}
    for name in names:
        folded = validation.normalize_for_search(name)
        for size in (1, 2, 3, 4, 6):
            for start in range(max(1, len(folded) - size + 1)):
                queries.add(folded[start : start + size])
    pool = sorted(queries)
    for _ in range(60):
        queries.add(f"{rng.choice(pool)} {rng.choice(pool)}")
    queries.update(name.upper() for name in names)  # accents and case, as typed
    return sorted(q for q in queries if q.strip() and _is_name_search(q))


def _is_name_search(text: str) -> bool:
    """Mostly digits is an MRN or phone search, with separators maybe a date (not names)."""
    digits = validation.phone_digits(text)
    by_number = bool(digits) and len(digits) >= len(text.replace(" ", "")) - 4
    return not by_number and patients.parse_search_date(text) is None


@pytest.mark.parametrize("few", [patient_search.FEW, 2])
def test_the_index_finds_exactly_what_a_scan_finds(
    db: Database, staff: Staff, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """`few` = 2 sends every common word down the list-order path (on PostgreSQL once its
    statistics of the pieces are there: ANALYZE)."""
    monkeypatch.setattr(patient_search, "FEW", few)
    rng = random.Random(17)
    for given, family in NAMES:
        _add(db, staff.therapist, given, family)
    # A renamed patient: the index must follow the new name and forget the old one.
    renamed = patients.get_patient(db, staff.therapist, _add(db, staff.therapist, "Old", "Name"))
    fields = replace(renamed.fields, given_name="Nina", family_name="Renamed")
    patients.update_patient(db, staff.therapist, renamed.id, renamed.version, fields, today=TODAY)
    names = [f"{g} {f}" for g, f in [*NAMES, ("Nina", "Renamed")]]
    if not db.is_sqlite:
        _analyze(db)
        assert _is_few(db, ["a"]) == (few > 2) and _is_few(db, ["王"])
    checked = 0
    for query in _queries(names, rng):
        for limit in (200, 3):
            found = patients.find_patients(
                db, staff.therapist, patients.PatientQuery(query), limit=limit
            )
            assert [p.id for p in found] == _plain_scan(db, query, limit), query
            checked += 1
    assert checked > 500
    assert patients.search_patients(db, staff.therapist, "old name") == []
    assert [p.family_name for p in patients.search_patients(db, staff.therapist, "王")] == [
        "小明",
        "王",
    ]
    assert [p.family_name for p in patients.search_patients(db, staff.therapist, '"annie"')] == [
        "Smith"
    ]


def _analyze(db: Database) -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE patient")


def _is_few(db: Database, words: list[str]) -> bool:
    """Whether a search of these words goes through the index (on PostgreSQL the choice is
    made from the statistics of the pieces; on SQLite the index is asked in SQL)."""
    with db.session() as session:
        matches = patient_search.name_search(session, words)
        if matches.few is None:
            return matches.narrowed is not None
        return bool(session.scalar(select(matches.few)))


def test_filters_and_other_sorts_still_apply_to_indexed_matches(db: Database, staff: Staff) -> None:
    t = staff.therapist
    _add(db, t, "Ana", "Nguyen", primary_therapist_id=t.user_id)
    _add(db, t, "Bao", "Nguyen", status=PatientStatus.DISCHARGED)
    _add(db, t, "Chi", "Nguyen", primary_therapist_id=staff.therapist2.user_id)
    query = patients.PatientQuery("nguyen", sort=patients.PatientSort.NAME, descending=True)
    assert [p.given_name for p in patients.find_patients(db, t, query)] == ["Chi", "Bao", "Ana"]
    mine = patients.PatientQuery("ngu", therapist_id=t.user_id)
    assert [p.given_name for p in patients.find_patients(db, t, mine)] == ["Ana"]
    gone = patients.PatientQuery("ng", status=PatientStatus.DISCHARGED)
    assert [p.given_name for p in patients.find_patients(db, t, gone)] == ["Bao"]


def _audit_rows(db: Database) -> int:
    with db.session() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    AuditEntry.action == AuditAction.READ, AuditEntry.detail.like("patient list%")
                )
            )
            or 0
        )


def test_the_rows_come_first_and_the_audit_row_is_its_own_step(db: Database, staff: Staff) -> None:
    _add(db, staff.therapist, "Ana", "Silva")
    before = _audit_rows(db)
    shown = patients.find_patients(db, staff.manager, patients.PatientQuery("silva"))
    assert len(shown) == 1 and _audit_rows(db) == before  # nothing written to read them
    patients.record_listed(db, staff.manager, shown)
    assert _audit_rows(db) == before + 1
    patients.list_patients(db, staff.manager, patients.PatientQuery("silva"))
    assert _audit_rows(db) == before + 2  # the list as the app calls it: read, then audited


def _listing_rows(db: Database, after: int) -> list[tuple[object, ...]]:
    """What each listing's audit row says: every column but its id, time and hashes."""
    with db.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(
                    AuditEntry.user_id,
                    AuditEntry.actor,
                    AuditEntry.workstation,
                    AuditEntry.patient_id,
                    AuditEntry.action,
                    AuditEntry.data_category,
                    AuditEntry.outcome,
                    AuditEntry.detail,
                )
                .where(AuditEntry.id > after)
                .order_by(AuditEntry.id)
            )
        ]


def _last_audit_id(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.max(AuditEntry.id))) or 0)


def test_lists_audited_together_get_a_row_each_as_one_at_a_time(db: Database, staff: Staff) -> None:
    from casemanager.services import audit_log

    _add(db, staff.therapist, "Ana", "Silva")
    one_by_one = _last_audit_id(db)
    for shown in ([], patients.find_patients(db, staff.manager, patients.PatientQuery("silva"))):
        patients.record_listed(db, staff.manager, shown)
    together = _last_audit_id(db)
    patients.record_listings(db, staff.manager, [0, 1])
    rows = _listing_rows(db, one_by_one)
    assert len(rows) == 4 and rows[2:] == rows[:2]  # the same rows, whichever way written
    assert [row[-1] for row in rows[:2]] == [
        "patient list: 0 patients listed",
        "patient list: 1 patients listed",
    ]
    assert _listing_rows(db, together) == rows[2:]
    patients.record_listings(db, staff.manager, [])  # nothing shown: nothing written
    assert _last_audit_id(db) == together + 2
    report = audit_log.verify_chain(db, staff.admin)
    assert report.broken is None and report.rows == report.head_rows


def test_pages_in_every_order_hold_each_match_once_in_that_order(
    db: Database, staff: Staff
) -> None:
    """Page after page, in every sort and direction, for a search and for the whole list: the
    pages together are the one long list, each patient once, in the order asked for."""
    therapists = (None, staff.therapist.user_id, staff.therapist2.user_id)
    for n, (given, family) in enumerate(
        [("Ana", "Silva"), ("Bo", "Silva"), ("Cy", "Abbot"), ("Di", "Zed"), ("Ed", "Silvan"),
         ("Fa", "Abbot"), ("Gil", "Mora"), ("Hal", "Silva"), ("Ida", "Ames")]
    ):  # fmt: skip
        fields = patients.PatientFields(
            given,
            family,
            date(1950 + n % 4, 1 + n, 1),
            Sex.FEMALE,
            primary_therapist_id=therapists[n % 3],
            status=(PatientStatus.ACTIVE, PatientStatus.DISCHARGED)[n % 2],
        )
        patients.create_patient(db, staff.therapist, fields, today=TODAY)
    for text, matches in (("", 9), ("silva", 4), ("a", 8)):
        for sort in patients.PatientSort:
            for descending in (False, True):
                query = patients.PatientQuery(text, sort=sort, descending=descending)
                whole = patients.find_patients(db, staff.manager, query, limit=100)
                paged = [
                    p
                    for offset in range(0, 12, 2)
                    for p in patients.find_patients(
                        db, staff.manager, query, offset=offset, limit=2
                    )
                ]
                assert paged == whole and len({p.id for p in whole}) == matches, (text, sort)
                if sort == patients.PatientSort.THERAPIST:
                    continue  # where a patient with no therapist goes is the engine's own
                key = {
                    patients.PatientSort.NAME: lambda p: (p.family_name, p.given_name),
                    patients.PatientSort.MRN: lambda p: (p.mrn,),
                    patients.PatientSort.DATE_OF_BIRTH: lambda p: (p.date_of_birth,),
                    patients.PatientSort.STATUS: lambda p: (
                        p.status.value,
                        p.family_name,
                        p.given_name,
                    ),
                }[sort]
                expected = sorted(whole, key=lambda p: (*key(p), p.id), reverse=descending)
                assert whole == expected, (text, sort, descending)


def test_the_permission_check_stays_in_front_of_the_rows(db: Database, staff: Staff) -> None:
    from casemanager.domain.errors import PermissionDenied
    from casemanager.services import accounts

    _add(db, staff.therapist, "Ana", "Silva")
    accounts.set_active(db, staff.admin, staff.manager.user_id or 0, False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        patients.find_patients(db, staff.manager, patients.PatientQuery("silva"))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (" ".join(["ana"] * 999), "too long"),  # SQLite: "Expression tree is too large"
        ("王" * 17_000, "too long"),  # SQLite: "LIKE or GLOB pattern too complex"
        ("ana\x00silva", "U+0000"),  # PostgreSQL: DataError, NUL in a string
        ("ana\x1fsilva", "U+001F"),
        ("ana\ud800", "U+D800"),
    ],
)
def test_searches_no_database_can_run_get_a_message(
    db: Database, staff: Staff, text: str, says: str
) -> None:
    _add(db, staff.therapist, "Ana", "Silva")
    for search in (
        lambda: patients.search_patients(db, staff.therapist, text),
        lambda: patients.list_patients(db, staff.therapist, patients.PatientQuery(text)),
    ):
        with pytest.raises(ValidationError) as error:
            search()
        assert error.value.field == "search" and says in error.value.message
    longest = "a" * patients.MAX_SEARCH_LENGTH  # the longest search allowed still runs
    assert patients.search_patients(db, staff.therapist, longest) == []
    words = " ".join(["a"] * (patients.MAX_SEARCH_LENGTH // 2))  # 200 one-letter words
    assert [p.family_name for p in patients.search_patients(db, staff.therapist, words)] == [
        "Silva"
    ]
