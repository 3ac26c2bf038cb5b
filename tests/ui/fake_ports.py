"""Ports for widget tests without a database: each call is recorded, and answered (or held)
as the test says. They satisfy the same Protocols the controllers implement, which mypy checks
(`_typed` below)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from casemanager.domain.enums import PatientStatus, Sex
from casemanager.domain.evaluation import EvaluationContent
from casemanager.domain.medicare import GoalAssessment
from casemanager.domain.patients import PatientQuery, PatientSummary
from casemanager.domain.plan import PlanContent
from casemanager.ui.ops import Change, Changes, Lane, Ops
from casemanager.ui.tasks import ErrorCallback

Failed = Callable[[BaseException], None]
T = TypeVar("T")


@dataclass
class Call:
    name: str
    args: tuple[Any, ...]
    done: Callable[[Any], None]
    failed: Failed | None


@dataclass
class Recording:
    """Records every call; the test later calls its `done` (or `failed`) as the worker would."""

    calls: list[Call] = field(default_factory=list)

    def names(self) -> list[str]:
        return [call.name for call in self.calls]

    def last(self, name: str) -> Call:
        return next(call for call in reversed(self.calls) if call.name == name)


@dataclass
class RecordingEvaluationPort(Recording):
    """The evaluation window's port."""

    def save(
        self, content: EvaluationContent, version: int, done: Callable[[Any], None], failed: Failed
    ) -> None:
        self.calls.append(Call("save", (content, version), done, failed))

    def save_plan(
        self, content: PlanContent, version: int | None, done: Callable[[Any], None], failed: Failed
    ) -> None:
        self.calls.append(Call("save_plan", (content, version), done, failed))

    def save_goals(
        self,
        assessments: tuple[GoalAssessment, ...],
        done: Callable[[Any], None],
        failed: Failed,
    ) -> None:
        self.calls.append(Call("save_goals", (assessments,), done, failed))

    def sign(self, version: int, done: Callable[[Any], None], failed: Failed) -> None:
        self.calls.append(Call("sign", (version,), done, failed))

    def add_addendum(self, text: str, done: Callable[[Any], None], failed: Failed) -> None:
        self.calls.append(Call("add_addendum", (text,), done, failed))

    def search_codes(self, text: str, done: Callable[[list[tuple[str, str]]], None]) -> None:
        self.calls.append(Call("search_codes", (text,), done, None))

    def discard(self, done: Callable[[None], None], failed: Failed) -> None:
        self.calls.append(Call("discard", (), done, failed))

    def load_current(self, done: Callable[[Any], None], failed: Failed) -> None:
        self.calls.append(Call("load_current", (), done, failed))


def _typed() -> None:
    """Never run: mypy checks that the fake is an `EvaluationPort`."""
    from casemanager.ui.evaluation.window import EvaluationPort

    port: EvaluationPort = RecordingEvaluationPort()
    del port


@dataclass
class RecordingExercisePort(Recording):
    """The exercise library's port, recording each call."""

    def save(
        self,
        exercise_id: int | None,
        version: int | None,
        content: Any,
        done: Callable[[Any], None],
        failed: Failed,
    ) -> None:
        self.calls.append(Call("save", (exercise_id, version, content), done, failed))

    def set_image(
        self, exercise_id: int, data: bytes | None, done: Callable[[Any], None], failed: Failed
    ) -> None:
        self.calls.append(Call("set_image", (exercise_id, data), done, failed))

    def get_image(self, exercise_id: int, done: Callable[[bytes | None], None]) -> None:
        self.calls.append(Call("get_image", (exercise_id,), done, None))


def _exercise_port_typed() -> None:
    """Never run: mypy checks that the fake is an `ExerciseLibraryPort`."""
    from casemanager.ui.exercises.library import ExerciseLibraryPort

    port: ExerciseLibraryPort = RecordingExercisePort()
    del port


@dataclass
class RecordingDocumentPort(Recording):
    """The document dialog's port, recording each rendering asked for."""

    def render(
        self, request: Any, done: Callable[[bytes], None], failed: Callable[[BaseException], None]
    ) -> None:
        self.calls.append(Call("render", (request,), done, failed))


def _document_port_typed() -> None:
    """Never run: mypy checks that the fake is a `DocumentPort`."""
    from casemanager.ui.documents.dialog import DocumentPort

    port: DocumentPort = RecordingDocumentPort()
    del port


@dataclass
class RecordingPatientFetch(Recording):
    """The patient list model's port (`Fetch`): each page asked for, answered by the test."""

    def __call__(
        self,
        query: PatientQuery,
        offset: int,
        limit: int,
        deliver: Callable[[list[PatientSummary]], None],
    ) -> None:
        self.calls.append(Call("fetch", (query, offset, limit), deliver, None))


def patient_rows(ids: range, status: PatientStatus = PatientStatus.ACTIVE) -> list[PatientSummary]:
    """Rows of the patient list, one a number in `ids`, named so they sort by id."""
    return [
        PatientSummary(
            i,
            f"MRN-{i:05}",
            "Given",
            f"Family{i:05}",
            date(1960, 1, 1),
            Sex.FEMALE,
            None,
            status,
            7,
            "Wei Chen, PT",
        )
        for i in ids
    ]


def _patient_fetch_typed() -> None:
    """Never run: mypy checks that the fake is the model's `Fetch`."""
    from casemanager.ui.patients.model import Fetch

    port: Fetch = RecordingPatientFetch()
    del port


class RecordingOps(Ops):
    """The operations, with nothing run: each read and change is recorded under the name of
    the controller function that asked (`PatientsController._fetch`), for the test to answer.
    `changed` is the real signal, so controllers hear changes as in the app."""

    def __init__(self) -> None:
        super().__init__(show_error=self._unexpected)
        self.calls: list[Call] = []

    @staticmethod
    def _unexpected(error: BaseException) -> None:
        raise AssertionError(f"an operation failed: {error!r}")

    def read(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: ErrorCallback | None = None,
        lane: Lane = Lane.MAIN,
    ) -> None:
        self.calls.append(Call(_asker(work), (lane,), done, failed))

    def change(
        self,
        work: Callable[[], T],
        changes: Changes | Callable[[T], Changes],
        done: Callable[[T], None] = lambda _result: None,
        failed: ErrorCallback | None = None,
        lane: Lane = Lane.MAIN,
    ) -> None:
        self.calls.append(Call(_asker(work), (lane, changes), done, failed))

    def asked(self) -> list[str]:
        """Who asked, in order, still unanswered."""
        return [call.name for call in self.calls]

    def answer(self, name: str, result: object) -> None:
        """The oldest unanswered call of `name` gets `result`, as the worker would give it;
        a change then tells every screen what it changed, as `Ops.change` does."""
        call = self._take(name)
        call.done(result)
        if len(call.args) == 2:  # (lane, changes): a change
            changes = call.args[1]
            said = changes(result) if callable(changes) else changes
            self.changed.emit(said | Changes(Change.AUDIT))

    def fail(self, name: str, error: BaseException) -> None:
        """The oldest unanswered call of `name` fails with `error`."""
        call = self._take(name)
        assert call.failed is not None, f"{name} has no failure path of its own"
        call.failed(error)

    def forget(self) -> None:
        self.calls.clear()

    def _take(self, name: str) -> Call:
        call = next(call for call in self.calls if call.name == name)
        self.calls.remove(call)
        return call


def _asker(work: Callable[[], object]) -> str:
    """`PatientsController._fetch` for the `work` closure defined in it."""
    return work.__qualname__.split(".<locals>")[0]
