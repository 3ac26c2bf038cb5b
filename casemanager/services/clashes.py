"""Two workstations changing the same record at the same moment. Every check a use case makes
passes on both, and the database refuses the second write: the row's version moved on under
it (StaleDataError, from the `version` column), or the row it inserts now exists twice (a
unique constraint: a double submit). Both are turned here, for every use case, into a
ConflictError that says what was changed elsewhere and what to do now; no raw database error
reaches a screen, and the refused transaction is rolled back whole.

A use case that knows better words passes `explain`: it reads, in a fresh transaction, what
the other workstation did (an intake confirmed, a draft signed) and says so. A rule "at most
one" that the database keeps with a unique index (one open episode per patient, one unsigned
evaluation per episode, one open intake per patient, one clinic) has its own words here: what
the other workstation has just started, and where to find it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casemanager.db.engine import Database
from casemanager.db.models import Base
from casemanager.db.types import utcnow
from casemanager.domain.enums import DataCategory
from casemanager.domain.errors import ConflictError, DomainError
from casemanager.services import audit

log = logging.getLogger(__name__)

# What the other workstation did, read after the clash; None for the general wording.
Explain = Callable[[Session], DomainError | None]

# A record as a clinician names it, by the table whose row clashed.
_RECORDS = {
    "patient": "This patient's details",
    "episode_of_care": "This episode of care",
    "evaluation": "This evaluation's contents",
    "red_flag_finding": "This evaluation's contents",
    "psfs_activity": "This evaluation's contents",
    "contributing_cause": "This evaluation's contents",
    "diagnosis_code": "This evaluation's contents",
    "treatment_plan": "This plan of care",
    "treatment_path": "This plan of care",
    "goal": "This plan of care",
    "home_exercise": "This plan of care",
    "goal_assessment": "The goal judgements",
    "referral": "This referral",
    "visit": "This visit",
    "visit_intervention": "This visit",
    "patient_intake": "This intake",
    "clinic": "The clinic's details",
    "users": "This account",
    "exercise": "This exercise",
    "evaluation_template": "This template",
}

# A second open episode for a patient (the database allows one): a chart's Start evaluation
# or an intake confirmed on two workstations at once.
STARTED_ELSEWHERE = (
    "Another workstation has just started an episode of care for this patient. "
    "Refresh the chart and continue from there."
)
# A second unsigned evaluation in an episode: a follow-up started on two workstations at once.
DRAFT_STARTED_ELSEWHERE = (
    "Another workstation has just started an evaluation in this episode of care, and an "
    "episode holds one unsigned evaluation at a time. Refresh the chart and open it from there."
)
# A second open intake for a patient: opened on two workstations at once.
INTAKE_OPENED_ELSEWHERE = (
    "Another workstation has just opened an intake for this patient. Hand over the tablet it "
    "was opened on, or open the intake again here to replace it."
)
# A second clinic in the database: first start run on two workstations at once.
CLINIC_CREATED_ELSEWHERE = (
    "The clinic was created on another workstation a moment ago, so this one was not: a "
    "database holds one clinic. What you typed is still on screen. Go back and log in with "
    "the administrator account made there, or ask the person who made it for an account."
)

# The rules "at most one" that the database keeps with a unique index (db/models), by the
# index's name: what the other workstation has just done, and what to do now.
_ONE_ONLY = {
    "uq_episode_one_open_per_patient": STARTED_ELSEWHERE,
    "uq_evaluation_one_draft_per_episode": DRAFT_STARTED_ELSEWHERE,
    "uq_patient_intake_one_open_per_patient": INTAKE_OPENED_ELSEWHERE,
    "uq_clinic_only_one": CLINIC_CREATED_ELSEWHERE,
}

# When nothing more is known (the safety net of ui/messages for a path not in a use case).
GENERAL = (
    "Another workstation saved the same record at the same moment, so this change was not "
    "saved. What you typed is still on screen: reload to see theirs, then save again."
)


class SavedTwice(ConflictError):
    """A row inserted on two workstations at once; `table` names where (a use case that
    draws a new number, such as an MRN, tries again)."""

    def __init__(self, message: str, table: str | None) -> None:
        super().__init__(message)
        self.table = table


def is_clash(error: BaseException) -> bool:
    """A write refused because another workstation wrote the same record first."""
    if isinstance(error, StaleDataError):
        return True
    return isinstance(error, IntegrityError) and _is_duplicate(error)


def _is_duplicate(error: IntegrityError) -> bool:
    if getattr(error.orig, "sqlstate", None) == "23505":  # PostgreSQL: unique_violation
        return True
    return "UNIQUE constraint failed" in str(error.orig)  # SQLite


def noted(error: BaseException) -> None:
    """Leave a trace of each clash, the kind and the table only (no values: they may be
    patient data), so a bug that looks like a clash can still be found."""
    log.warning("write clash: %s on %s", type(error).__name__, clashed_table(error) or "?")


def clashed_table(error: BaseException) -> str | None:
    """The table whose row clashed, as the database or SQLAlchemy names it."""
    if isinstance(error, IntegrityError):
        diag = getattr(error.orig, "diag", None)  # psycopg
        if diag is not None and getattr(diag, "table_name", None):
            return str(diag.table_name)
        found = re.search(r"UNIQUE constraint failed: (\w+)\.", str(error.orig))
    else:  # "UPDATE statement on table 'evaluation' expected to update 1 row(s); ..."
        found = re.search(r"on table '(\w+)'", str(error))
    return found.group(1) if found else None


def clashed_index(error: IntegrityError) -> str | None:
    """The unique index a duplicate broke: PostgreSQL names it; SQLite names its table and
    columns, which name one unique index of the models."""
    diag = getattr(error.orig, "diag", None)  # psycopg
    if diag is not None and getattr(diag, "constraint_name", None):
        return str(diag.constraint_name)
    found = re.search(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)", str(error.orig))
    if found is None:
        return None
    table, _dot, _column = found.group(1).partition(".")
    columns = [name.partition(".")[2] for name in found.group(1).split(", ")]
    model = Base.metadata.tables.get(table)
    for index in model.indexes if model is not None else ():
        if index.unique and [column.name for column in index.columns] == columns:
            return str(index.name)
    return None


def refusal(
    db: Database,
    error: BaseException,
    *,
    patient_id: int | None,
    category: DataCategory,
    explain: Explain | None = None,
    since: datetime | None = None,
) -> DomainError:
    """The message for a clash (`is_clash(error)`), read in a transaction of its own: the
    use case's own words when `explain` has some, else what clashed, who changed it last and
    when, and what to do."""
    noted(error)
    with db.session() as session:
        if explain is not None:
            explained = explain(session)
            if explained is not None:
                return explained
        table = clashed_table(error)
        if isinstance(error, IntegrityError):
            one_only = _ONE_ONLY.get(clashed_index(error) or "")
            if one_only is not None:
                return SavedTwice(one_only, table)
            what = _RECORDS.get(table or "", "This record")
            return SavedTwice(
                f"{what}: the same was saved on another workstation at the same moment, so "
                "this was not saved twice. What you typed is still on screen: reload to see "
                "what was saved, then change it if needed.",
                table,
            )
        what = _RECORDS.get(table or "", "This record")
        return audit.conflict(session, patient_id, category, what, since or utcnow())


@contextmanager
def translated(
    db: Database,
    *,
    patient_id: int | None = None,
    category: DataCategory = DataCategory.CLINICAL,
    explain: Explain | None = None,
) -> Iterator[None]:
    """Around a transaction that is not a use case (the intake tablet's): a clash comes out
    as a message."""
    try:
        yield
    except (StaleDataError, IntegrityError) as error:
        if not is_clash(error):
            raise
        raise refusal(
            db, error, patient_id=patient_id, category=category, explain=explain
        ) from None
