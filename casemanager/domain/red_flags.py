"""Red-flag screening rules: what each positive answer recommends, when a choice needs a
written reason, and which referrals signing makes (pure; no storage, no Qt).

Sources, rule by rule, are named in each docstring and listed in docs/clinical-rules.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from casemanager.domain import catalogs
from casemanager.domain.enums import RedFlagAction, RedFlagAnswer, Urgency


@dataclass(frozen=True)
class RedFlagEntry:
    code: str  # catalogs.RED_FLAGS item code
    answer: RedFlagAnswer
    action: RedFlagAction | None = None  # required when the answer is yes
    note: str | None = None
    # Why the action is below the one recommended, or why a finding is only monitored.
    reason: str | None = None

    def __post_init__(self) -> None:
        # A referral urgency given as the action (same stored values) reads as that action.
        if self.action is not None and not isinstance(self.action, RedFlagAction):
            object.__setattr__(self, "action", RedFlagAction(str(self.action)))


Answers = Mapping[str, RedFlagAnswer]


def answers_of(entries: Iterable[RedFlagEntry]) -> dict[str, RedFlagAnswer]:
    return {entry.code: entry.answer for entry in entries}


def _positive(condition: str, answers: Answers) -> list[catalogs.RedFlagItem]:
    return [
        i for i in catalogs.red_flag_items(condition) if answers.get(i.code) == RedFlagAnswer.YES
    ]


def suspected(condition: str, answers: Answers) -> bool:
    """A condition is suspected on any true red flag, or on a cluster of risk factors.

    IFOMPT framework (Finucane 2020): single risk factors are weak and are weighed together;
    Henschke 2009: 80% of patients have at least one flag, so one risk factor alone does not
    call for a referral. Axial spondyloarthritis: NICE NG65 1.1.1 (pain from before 45 lasting
    over 3 months, with inflammatory features), see the condition's `cluster_size`.
    """
    info = catalogs.red_flag_condition(condition)
    positive = _positive(condition, answers)
    if any(not item.risk_factor for item in positive):
        return True
    if info.required is not None and info.required not in {i.code for i in positive}:
        return False
    return len(positive) >= info.cluster_size


def recommended_action(code: str, answers: Answers) -> RedFlagAction:
    """The action to preselect for a yes to `code`, given every answer so far.

    A risk factor alone: noted and monitored. A suspected condition: the most urgent action
    among its positive items (cauda equina, progressive deficit, AAA and infection with fever:
    emergency, same day; fracture and malignancy: urgent; axial spondyloarthritis: routine
    rheumatology referral), per the catalog (IFOMPT framework, Finucane 2020; NICE NG59 1.1.1).
    """
    item = catalogs.red_flag(code)
    if not suspected(item.condition, answers):
        return RedFlagAction.MONITOR
    info = catalogs.red_flag_condition(item.condition)
    own = [i.action or info.action for i in _positive(item.condition, answers)]
    best = max(own or [info.action], key=lambda u: RedFlagAction(u.value).rank)
    return RedFlagAction(best.value)


def needs_reason(entry: RedFlagEntry, answers: Answers) -> bool:
    """A lower action than recommended, or only monitoring, is a clinical judgement the
    record must explain (IFOMPT framework, Finucane 2020: document the reasoning)."""
    if entry.answer != RedFlagAnswer.YES or entry.action is None:
        return False
    if entry.action == RedFlagAction.MONITOR:
        return True
    return entry.action.rank < recommended_action(entry.code, answers).rank


@dataclass(frozen=True)
class MissingItem:
    field: str
    message: str


def missing_for_signing(entries: Iterable[RedFlagEntry]) -> list[MissingItem]:
    """Every item asked; every yes acted on; every lower-than-recommended choice explained."""
    entries = list(entries)
    answered = {entry.code: entry for entry in entries}
    answers = answers_of(entries)
    missing: list[MissingItem] = []
    for item in catalogs.RED_FLAGS:
        entry = answered.get(item.code)
        field = f"red_flag_{item.code}"
        if entry is None or entry.answer == RedFlagAnswer.NOT_ASKED:
            missing.append(MissingItem(field, f"Red flag not asked: {item.question}"))
        elif entry.answer == RedFlagAnswer.YES and entry.action is None:
            recommended = catalogs.RED_FLAG_ACTION_LABELS[recommended_action(item.code, answers)]
            missing.append(
                MissingItem(
                    field,
                    f"Positive red flag needs an action ({recommended} is "
                    f"recommended): {item.question}",
                )
            )
        elif needs_reason(entry, answers) and not (entry.reason or "").strip():
            missing.append(
                MissingItem(f"red_flag_reason_{item.code}", _reason_prompt(entry, answers))
            )
    return missing


def _reason_prompt(entry: RedFlagEntry, answers: Answers) -> str:
    item = catalogs.red_flag(entry.code)
    recommended = recommended_action(entry.code, answers)
    assert entry.action is not None
    chosen = catalogs.RED_FLAG_ACTION_LABELS[entry.action]
    if entry.action == RedFlagAction.MONITOR and recommended == RedFlagAction.MONITOR:
        return f"Say why monitoring is enough for: {item.finding}."
    return (
        f"Say why you chose {chosen} when {catalogs.RED_FLAG_ACTION_LABELS[recommended]} is "
        f"recommended for: {item.finding}."
    )


@dataclass(frozen=True)
class RedFlagReferral:
    """A referral that signing creates: one per suspected condition that was referred."""

    code: str  # the first referred item of the condition (stored on the referral)
    condition: str
    urgency: Urgency
    reason: str  # the findings, in a clinician's words, and any reason for a lower urgency
    refer_to: str | None  # None: the emergency department or the patient's physician
    specialty: str | None


def referrals(entries: Iterable[RedFlagEntry]) -> list[RedFlagReferral]:
    """One referral per condition with a referred yes: the most urgent action chosen among
    its items; the letter names the findings, never the screening questions."""
    entries = list(entries)
    answers = answers_of(entries)
    out: list[RedFlagReferral] = []
    for info in catalogs.RED_FLAG_CONDITIONS:
        codes = {i.code for i in catalogs.red_flag_items(info.code)}
        positive = [e for e in entries if e.code in codes and e.answer == RedFlagAnswer.YES]
        referred = [e for e in positive if e.action is not None and e.action.urgency is not None]
        if not referred:
            continue
        top = max(referred, key=lambda e: e.action.rank if e.action else -1)
        assert top.action is not None and top.action.urgency is not None
        findings = "; ".join(catalogs.red_flag(e.code).finding for e in positive)
        reason = f"Suspected {info.label.lower()}. Findings: {findings}."
        recommended = recommended_action(top.code, answers)
        if top.action.rank < recommended.rank and top.reason:
            reason += (
                f" {catalogs.RED_FLAG_ACTION_LABELS[top.action].capitalize()} chosen rather than "
                f"{catalogs.RED_FLAG_ACTION_LABELS[recommended]}: {top.reason.strip()}"
            )
        out.append(
            RedFlagReferral(
                referred[0].code,
                info.code,
                top.action.urgency,
                reason,
                info.refer_to,
                info.specialty,
            )
        )
    return out


def condition_of(code: str | None) -> str | None:
    """The condition a stored referral's red-flag code belongs to (None for an unknown code,
    e.g. one retired from the catalog)."""
    if code is None:
        return None
    try:
        return catalogs.red_flag(code).condition
    except KeyError:
        return None
