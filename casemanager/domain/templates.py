"""Evaluation templates by suspected cause: the codes, treatment paths, goals and home
exercises a clinic usually chooses for a cause, filled into a draft in one action and then
edited where the patient differs. Pure: no storage.

A template never answers red-flag questions or records findings: signing still needs the
full screen, and the guideline notes are worked out on the filled plan as on any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

from casemanager.domain import codes as code_rules
from casemanager.domain import field_limits as limits
from casemanager.domain import plan as plan_rules
from casemanager.domain import validation
from casemanager.domain.enums import Cause, GoalTerm, HeatIce, Side, TreatmentPathKind, Urgency
from casemanager.domain.errors import ValidationError
from casemanager.domain.filling import Filled, is_blank
from casemanager.domain.plan import GoalContent, HomeExerciseContent, PathContent, PlanContent

MAX_GOAL_WEEKS = 52
_CHECK_DAY = date(2000, 1, 3)  # any day: templates hold weeks, not dates


@dataclass(frozen=True)
class GoalTemplate:
    term: GoalTerm
    description: str
    weeks: int  # the target date is the evaluation date plus this many weeks


@dataclass(frozen=True)
class TemplateContent:
    name: str
    cause: Cause
    diagnosis_codes: tuple[str, ...] = ()
    paths: tuple[PathContent, ...] = ()
    goals: tuple[GoalTemplate, ...] = ()
    home_exercises: tuple[HomeExerciseContent, ...] = ()  # ids in the clinic's library
    note: str | None = None  # for the therapist: when the template fits, what to change


def instantiate(template: TemplateContent, evaluation_date: date) -> PlanContent:
    """The template's plan for an evaluation on `evaluation_date` (goal targets counted from
    it); the certification period is left to evaluation_defaults."""
    return PlanContent(
        paths=template.paths,
        goals=tuple(
            GoalContent(g.term, g.description, evaluation_date + timedelta(weeks=g.weeks))
            for g in template.goals
        ),
        home_exercises=template.home_exercises,
    )


def clean(template: TemplateContent) -> TemplateContent:
    """The same checks a plan of care gets, plus the template's own: a name, billable
    codes, goals with 1-52 weeks to their target. Raises ValidationError naming the field."""
    name = validation.require_text(
        "template_name", template.name, "Template name", limits.TEMPLATE_NAME
    )
    note = validation.optional_text("template_note", template.note, "Template note", limits.NOTE)
    checked: list[str] = []
    for code in template.diagnosis_codes:
        normal = code_rules.validate_billable_code("diagnosis_codes", code)
        if normal in checked:
            raise ValidationError("diagnosis_codes", f"{normal} is listed twice.")
        checked.append(normal)
    for index, goal in enumerate(template.goals, start=1):
        validation.in_range(f"goal_{index}", goal.weeks, 1, MAX_GOAL_WEEKS, "Weeks to the target")
    plan = plan_rules.clean(instantiate(template, _CHECK_DAY), _CHECK_DAY)
    goals = tuple(
        replace(goal, description=cleaned.description)
        for goal, cleaned in zip(template.goals, plan.goals, strict=True)
    )
    return replace(
        template,
        name=name,
        note=note,
        diagnosis_codes=tuple(checked),
        paths=plan.paths,
        goals=goals,
    )


def from_plan(
    name: str, cause: Cause, codes: tuple[str, ...], plan: PlanContent, evaluation_date: date
) -> TemplateContent:
    """A template from a signed plan: goal dates become weeks from its evaluation (rounded,
    at least one). What names this patient's care rather than the cause's stays behind: the
    physician referred to, the booked appointment, the plan's note and the period."""
    goals = tuple(
        GoalTemplate(
            g.term,
            g.description,
            max(1, round((g.target_date - evaluation_date).days / 7)) if g.target_date else 4,
        )
        for g in plan.goals
    )
    return TemplateContent(
        name=name,
        cause=cause,
        diagnosis_codes=codes,
        paths=tuple(replace(p, refer_to=None) for p in plan.paths),
        goals=tuple(replace(g, weeks=min(g.weeks, MAX_GOAL_WEEKS)) for g in goals),
        home_exercises=plan.home_exercises,
    )


# ---------------------------------------------------------------- filling a plan

_MERGED = [f.name for f in fields(PathContent) if f.name not in ("kind", "urgency")]


def _merge_path(current: PathContent, offered: PathContent) -> tuple[PathContent, bool, bool]:
    """Blank details of the therapist's path filled from the template's; returns the path,
    whether anything was filled and whether anything of theirs was kept."""
    changes: dict[str, Any] = {}
    kept = False
    for name in _MERGED:
        mine, theirs = getattr(current, name), getattr(offered, name)
        if is_blank(theirs) or theirs is False or mine == theirs:
            continue
        if is_blank(mine) or mine is False:
            changes[name] = theirs
        else:
            kept = True
    return replace(current, **changes), bool(changes), kept


def fill_plan(
    plan: PlanContent | None,
    template: TemplateContent,
    evaluation_date: date,
    overwrite: bool = False,
) -> tuple[PlanContent, Filled]:
    """The draft's plan with what the template covers put where the therapist has entered
    nothing (everywhere when `overwrite`): each path (a path already chosen gets only its
    blank details), the goals and the home program (each as a whole)."""
    current = plan or PlanContent()
    offered = instantiate(template, evaluation_date)
    filled: list[str] = []
    kept: list[str] = []
    paths = list(current.paths)
    for path in offered.paths:
        field = f"path_{path.kind.value}"
        index = next((i for i, p in enumerate(paths) if p.kind == path.kind), None)
        if index is None:
            paths.append(path)
            filled.append(field)
        elif overwrite:
            if paths[index] != path:
                paths[index] = path
                filled.append(field)
        else:
            paths[index], any_filled, any_kept = _merge_path(paths[index], path)
            filled += [field] if any_filled else []
            kept += [field] if any_kept else []
    changes: dict[str, Any] = {"paths": tuple(paths)}
    for name in ("goals", "home_exercises"):
        mine, theirs = getattr(current, name), getattr(offered, name)
        if not theirs or mine == theirs:
            continue
        if not mine or overwrite:
            changes[name] = theirs
            filled.append(name)
        else:
            kept.append(name)
    return replace(current, **changes), Filled(tuple(filled), tuple(kept))


# ---------------------------------------------------------------- stored form (JSON)


def _path_data(path: PathContent) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": path.kind.value}
    for f in fields(PathContent):
        value = getattr(path, f.name)
        if f.name == "kind" or value == f.default:
            continue
        data[f.name] = list(value) if isinstance(value, tuple) else getattr(value, "value", value)
    return data


def _path_from(data: Mapping[str, Any]) -> PathContent:
    values = dict(data)
    values["kind"] = TreatmentPathKind(values["kind"])
    if "interventions" in values:
        values["interventions"] = tuple(values["interventions"])
    if values.get("heat_ice") is not None:
        values["heat_ice"] = HeatIce(values["heat_ice"])
    if values.get("injection_side") is not None:
        values["injection_side"] = Side(values["injection_side"])
    if "urgency" in values:
        values["urgency"] = Urgency(values["urgency"])
    return PathContent(**values)


def to_data(template: TemplateContent) -> dict[str, Any]:
    """What the database keeps beside the template's name, cause and note."""
    return {
        "diagnosis_codes": list(template.diagnosis_codes),
        "paths": [_path_data(p) for p in template.paths],
        "goals": [
            {"term": g.term.value, "description": g.description, "weeks": g.weeks}
            for g in template.goals
        ],
        "home_exercises": [
            {
                "exercise_id": h.exercise_id,
                "sets": h.sets,
                "reps": h.reps,
                "hold_seconds": h.hold_seconds,
                "times_per_day": h.times_per_day,
                "note": h.note,
            }
            for h in template.home_exercises
        ],
    }


def from_data(
    name: str, cause: Cause, note: str | None, data: Mapping[str, Any]
) -> TemplateContent:
    return TemplateContent(
        name=name,
        cause=cause,
        note=note,
        diagnosis_codes=tuple(data.get("diagnosis_codes", ())),
        paths=tuple(_path_from(p) for p in data.get("paths", ())),
        goals=tuple(
            GoalTemplate(GoalTerm(g["term"]), g["description"], int(g["weeks"]))
            for g in data.get("goals", ())
        ),
        home_exercises=tuple(HomeExerciseContent(**h) for h in data.get("home_exercises", ())),
    )
