"""The code picker explains the injury codes' 7th character (A or D) whenever one is offered
or chosen (ICD-10-CM guidelines I.C.19.a)."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from casemanager.domain import catalogs
from casemanager.domain.enums import Cause
from casemanager.ui.evaluation.form import EvaluationForm


def test_the_a_or_d_choice_is_explained_beside_injury_codes(qtbot: QtBot) -> None:
    form = EvaluationForm(date(2026, 11, 20), [])
    qtbot.addWidget(form)
    cause = form.primary_cause
    assert form.encounter_help.isHidden()
    cause.setCurrentIndex(cause.findData(Cause.TISSUE_INJURY))
    assert "S33.5XXA, S33.5XXD" in form.suggested.text()
    assert not form.encounter_help.isHidden()
    assert form.encounter_help.text() == catalogs.ENCOUNTER_CHARACTER_HELP
    cause.setCurrentIndex(cause.findData(Cause.WEAK_ABDOMINALS))
    assert form.suggested.text() == "R29.898, M54.50"
    assert form.encounter_help.isHidden()
    qtbot.keyClicks(form.codes, "M54.50, s39.012d")  # typed, in any case
    assert not form.encounter_help.isHidden()
