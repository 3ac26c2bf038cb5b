"""Ports for widget tests without a database: each call is recorded, and answered (or held)
as the test says. They satisfy the same Protocols the controllers implement, which mypy checks
(`_typed` below)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casemanager.domain.evaluation import EvaluationContent
from casemanager.domain.medicare import GoalAssessment
from casemanager.domain.plan import PlanContent

Failed = Callable[[BaseException], None]


@dataclass
class Call:
    name: str
    args: tuple[Any, ...]
    done: Callable[[Any], None]
    failed: Failed | None


@dataclass
class RecordingEvaluationPort:
    """Records every call; `answer` later calls its `done` (or `failed`) as the worker would."""

    calls: list[Call] = field(default_factory=list)

    def names(self) -> list[str]:
        return [call.name for call in self.calls]

    def last(self, name: str) -> Call:
        return next(call for call in reversed(self.calls) if call.name == name)

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
class RecordingExercisePort:
    """The exercise library's port, recording each call."""

    calls: list[Call] = field(default_factory=list)

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
class RecordingDocumentPort:
    """The document dialog's port, recording each rendering asked for."""

    calls: list[Call] = field(default_factory=list)

    def render(
        self, request: Any, done: Callable[[bytes], None], failed: Callable[[BaseException], None]
    ) -> None:
        self.calls.append(Call("render", (request,), done, failed))


def _document_port_typed() -> None:
    """Never run: mypy checks that the fake is a `DocumentPort`."""
    from casemanager.ui.documents.dialog import DocumentPort

    port: DocumentPort = RecordingDocumentPort()
    del port
