"""The evaluation window against a fake port, without a database: what it asks for and
when, and what it shows when the answer is a conflict or a save."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from pytestqt.qtbot import QtBot

from casemanager.domain.enums import EvaluationKind, EvaluationStatus
from casemanager.domain.errors import ClosedElsewhere, ConflictError
from casemanager.domain.evaluation import EvaluationContent, compute_scores
from casemanager.services.evaluations import EvaluationRecord
from casemanager.ui.evaluation.window import EvaluationWindow
from tests.ui.fake_ports import RecordingEvaluationPort

DRAFT = EvaluationRecord(
    id=5,
    episode_id=3,
    patient_id=2,
    kind=EvaluationKind.INITIAL,
    evaluation_date=date(2026, 11, 20),
    status=EvaluationStatus.DRAFT,
    therapist_id=9,
    therapist_name="Wei Chen, PT",
    signed_by_name=None,
    signed_at=None,
    version=1,
    updated_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    content=EvaluationContent(),
    scores=compute_scores(EvaluationContent()),
    addenda=(),
)


def _window(
    qtbot: QtBot, can_discard: bool = True
) -> tuple[EvaluationWindow, RecordingEvaluationPort]:
    port = RecordingEvaluationPort()
    screen = EvaluationWindow(DRAFT, None, [], "Łucja Wiśniewska", port, can_discard=can_discard)
    qtbot.addWidget(screen)
    screen.show()
    return screen, port


def test_typing_saves_once_with_what_was_typed(qtbot: QtBot) -> None:
    screen, port = _window(qtbot)
    qtbot.keyClicks(screen.form.mechanism, "Lifted a crate")
    qtbot.waitUntil(lambda: "save" in port.names(), timeout=5_000)
    call = port.last("save")
    content, version = call.args
    assert content.mechanism_of_injury == "Lifted a crate" and version == 1
    qtbot.keyClicks(screen.form.mechanism, " at work")  # typed while the save is out
    saved = replace(DRAFT, version=2, content=content)
    call.done(saved)
    assert screen.record.version == 2
    qtbot.waitUntil(lambda: port.names().count("save") == 2, timeout=5_000)
    again, version = port.last("save").args
    assert again.mechanism_of_injury == "Lifted a crate at work" and version == 2


def test_a_conflict_keeps_the_typing_and_offers_a_comparison(qtbot: QtBot) -> None:
    screen, port = _window(qtbot)
    qtbot.keyClicks(screen.form.mechanism, "Slipped on ice")
    qtbot.waitUntil(lambda: "save" in port.names(), timeout=5_000)
    failed = port.last("save").failed
    assert failed is not None
    failed(ConflictError("This draft was changed by chen at 09:14. Compare the two versions."))
    assert screen.compare_button.isVisible() and "changed by chen" in screen.status.text()
    assert screen.form.mechanism.toPlainText() == "Slipped on ice"
    screen.compare_button.click()  # asks for the stored version, to compare with
    theirs = replace(DRAFT, version=2, content=EvaluationContent(mechanism_of_injury="Fell"))
    port.last("load_current").done(theirs)
    table = screen.compare_dialog.table
    mine, theirs_shown = table.item(0, 1), table.item(0, 2)
    assert mine is not None and theirs_shown is not None
    assert (mine.text(), theirs_shown.text()) == ("Slipped on ice", "Fell")
    screen.compare_dialog.close()


def test_only_the_author_may_discard(qtbot: QtBot) -> None:
    author, _port = _window(qtbot)
    other, port = _window(qtbot, can_discard=False)
    assert author.discard_button.isVisible() and not other.discard_button.isVisible()
    other._discard_now()
    assert "discard" not in port.names()


def test_a_draft_signed_elsewhere_offers_no_comparison(qtbot: QtBot) -> None:
    """Signed (or discarded) on another workstation meanwhile: there is no draft left to
    compare with or keep this screen's version over, so no Compare; the typing stays."""
    screen, port = _window(qtbot)
    qtbot.keyClicks(screen.form.mechanism, "Slipped on ice")
    qtbot.waitUntil(lambda: "save" in port.names(), timeout=5_000)
    failed = port.last("save").failed
    assert failed is not None
    failed(ClosedElsewhere("This evaluation was signed on another workstation a moment ago."))
    assert not screen.compare_button.isVisible()
    assert "signed on another workstation" in screen.status.text()
    assert screen.form.mechanism.toPlainText() == "Slipped on ice"
