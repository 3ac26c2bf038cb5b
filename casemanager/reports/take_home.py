"""The take-home care plan: what the patient reads at home, in plain words, in their
language, with a large-print option. Every patient-facing sentence comes from the wording
catalog; names, goals and notes come from the record, escaped."""

from __future__ import annotations

from datetime import date, datetime

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Spacer, TableStyle

from casemanager.domain import red_flags as red_flag_rules
from casemanager.domain.enums import HeatIce, RedFlagAnswer, TreatmentPathKind, Urgency
from casemanager.domain.plan import GoalContent, PathContent, PlanContent
from casemanager.reports import dates, page
from casemanager.reports.data import EvaluationSnapshot, ExerciseSheet, ReferralInfo
from casemanager.reports.figures import picture
from casemanager.reports.page import Styles, bullets, para
from casemanager.reports.wording import Wording


def render(
    snapshot: EvaluationSnapshot,
    language: str = "en",
    large_print: bool = False,
    invariant: bool = False,
    encrypt: object = None,
) -> bytes:
    words = Wording(language)
    look = page.styles(large_print)
    story = _story(snapshot, words, look)
    patient = snapshot.patient
    frame = page.PageFrame(
        clinic=snapshot.clinic.name,
        patient=f"{patient.full_name} · {words('labels.born')} "
        f"{_day(words, patient.date_of_birth)}",
        printed=words("labels.printed", date=_day(words, snapshot.printed_on)),
        page_label=lambda number, total: words("labels.page", page=number, pages=total),
        title=f"{words('title')}: {patient.full_name}",
        author=snapshot.therapist_name,
        subject=f"{snapshot.clinic.name}, {_day(words, snapshot.evaluation_date)}",
        language=language,
    )
    return page.build(story, frame, large_print, invariant, encrypt)


def _day(words: Wording, day: date) -> str:
    return dates.day(day, words.code)


def _time(words: Wording, moment: datetime) -> str:
    return dates.time_of_day(moment, words.code)


def _story(snapshot: EvaluationSnapshot, words: Wording, look: Styles) -> list[Flowable]:
    if snapshot.waiting_for_a_doctor:
        return _waiting_story(snapshot, words, look)
    plan = snapshot.plan or PlanContent()
    story: list[Flowable] = [para(words("title"), look.title)]
    story.append(_facts(snapshot, words, look))
    story += _see_a_doctor(snapshot, words, look)
    story += _cleared(snapshot, words, look)
    story += _found(snapshot, words, look)
    if plan.goals:
        story.append(para(words("sections.goals"), look.heading))
        story += bullets([_goal(goal, words) for goal in plan.goals], look.bullet)
    if plan.paths:
        story.append(para(words("sections.treatment"), look.heading))
        for path in plan.paths:
            story.append(KeepTogether(_path(path, snapshot, words, look)))
    story.append(para(words("sections.exercises"), look.heading))
    if snapshot.exercises:
        for sheet in snapshot.exercises:
            story += _exercise(sheet, words, look)
    else:
        story.append(para(words("no_exercises"), look.body))
    story += _heat_ice(plan, words, look)
    story += _medication(plan, words, look)
    story.append(para(words("sections.advice"), look.heading))
    story += bullets(words.items("advice"), look.bullet)
    story += _warnings(words, look)
    story.append(para(words("sections.next"), look.heading))
    booked = plan.next_appointment
    if not snapshot.episode_open:
        story.append(para(words("next_discharged"), look.body))
    elif booked is not None:
        local = booked.astimezone()
        story.append(
            para(
                words("next_at", date=_day(words, local.date()), time=_time(words, local)),
                look.body,
                bold=True,
            )
        )
    else:
        story.append(para(words("next_none"), look.body))
    story.append(_contact(snapshot, words, look))
    return story


def _waiting_story(snapshot: EvaluationSnapshot, words: Wording, look: Styles) -> list[Flowable]:
    """An emergency or urgent red-flag referral is open: the sheet says only what to do now
    (where to go, what to tell them, the warning signs) and that therapy waits until a doctor
    has seen the patient. No exercises, no visit schedule, no "keep moving" (IFOMPT
    framework, Finucane 2020: treatment waits for medical assessment)."""
    story: list[Flowable] = [
        para(words("waiting.sheet_title"), look.title),
        _facts(snapshot, words, look),
    ]
    conditions = {
        red_flag_rules.condition_of(r.red_flag_code) for r in snapshot.waiting_for_a_doctor
    }
    told = [
        words(f"flag_words.{entry.code}")
        for entry in snapshot.content.red_flags
        if entry.answer == RedFlagAnswer.YES
        and red_flag_rules.condition_of(entry.code) in conditions
    ]
    # One box with everything to do now: where to go, what to tell them, take this sheet.
    now = _doctor_lines(snapshot, words, look)
    if told:
        now.append(Spacer(1, 4))
        now.append(para(words("waiting.tell_them"), look.body, bold=True))
        now += bullets(told, look.bullet)
    now.append(para(words("waiting.show_sheet"), look.body))
    story += [Spacer(1, 6), _box(now, page.WARNING_FILL)]
    story.append(para(words("waiting.title"), look.heading))
    story += bullets(words.items("waiting.text"), look.bullet)
    story += _warnings(words, look, prompt=False, heading="waiting.signs")
    story.append(Spacer(1, 8))
    story.append(_contact(snapshot, words, look))
    return story


def _contact(snapshot: EvaluationSnapshot, words: Wording, look: Styles) -> Flowable:
    clinic = snapshot.clinic
    return para(
        words("labels.questions", clinic=clinic.name, phone=clinic.phone)
        if clinic.phone
        else words("labels.questions_no_phone", clinic=clinic.name),
        look.body,
    )


def _facts(snapshot: EvaluationSnapshot, words: Wording, look: Styles) -> page.Table:
    rows = [
        (words("labels.patient"), snapshot.patient.full_name),
        (words("labels.date"), _day(words, snapshot.evaluation_date)),
        (words("labels.therapist"), snapshot.therapist_name),
    ]
    if snapshot.clinic.phone:
        rows.append((words("labels.phone"), snapshot.clinic.phone))
    if snapshot.clinic.address:
        rows.append((words("labels.address"), snapshot.clinic.address))
    table = page.Table(
        [[para(label, look.body, bold=True), para(value, look.body)] for label, value in rows],
        colWidths=[1.7 * inch * look.scale, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _found(snapshot: EvaluationSnapshot, words: Wording, look: Styles) -> list[Flowable]:
    content = snapshot.content
    found: list[Flowable] = [para(words("sections.found"), look.heading)]
    if content.primary_cause is not None:
        found.append(para(words(f"causes.{content.primary_cause.value}"), look.body))
    if content.cause_note and content.primary_cause is not None:
        if content.primary_cause.value in ("activity_strain", "other"):
            found.append(para(words("labels.noted", note=content.cause_note), look.body))
    if content.contributing_causes:
        names = ", ".join(words(f"cause_names.{c.value}") for c in content.contributing_causes)
        found.append(para(words("also", causes=names), look.body))
    if not _needs_a_doctor_soon(snapshot):  # no "it is safe" beside a red flag
        found.append(_box([para(words("reassurance"), look.body)], page.NOTE_FILL))
    return found


def _red_flag_referrals(snapshot: EvaluationSnapshot) -> list[ReferralInfo]:
    """The episode's red-flag referrals still waiting for a doctor, as of printing."""
    return [r for r in snapshot.red_flag_referrals if r.is_open]


def _needs_a_doctor_soon(snapshot: EvaluationSnapshot) -> bool:
    return bool(snapshot.waiting_for_a_doctor)


def _cleared(snapshot: EvaluationSnapshot, words: Wording, look: Styles) -> list[Flowable]:
    """A red flag a doctor has since checked: say so, instead of an old warning."""
    lines = [
        para(words("see_now.cleared", seen_by=r.seen_by, date=_day(words, r.seen_on)), look.body)
        for r in snapshot.red_flag_referrals
        if not r.is_open and r.cleared_for_therapy and r.seen_by and r.seen_on
    ]
    return [Spacer(1, 6), _box(lines, page.NOTE_FILL)] if lines else []


def _see_a_doctor(snapshot: EvaluationSnapshot, words: Wording, look: Styles) -> list[Flowable]:
    """Red-flag referrals first, in red: the one thing the patient must act on."""
    lines = _doctor_lines(snapshot, words, look)
    return [Spacer(1, 6), _box(lines, page.WARNING_FILL)] if lines else []


def _doctor_lines(snapshot: EvaluationSnapshot, words: Wording, look: Styles) -> list[Flowable]:
    referrals = _red_flag_referrals(snapshot)
    if not referrals:
        return []
    lines: list[Flowable] = [para(words("see_now.title"), look.warning_heading)]
    said: set[str] = set()
    for referral in sorted(referrals, key=lambda r: list(Urgency).index(r.urgency)):
        text = words(f"see_now.{referral.urgency.value}", to_whom=words.recipient(referral.to_whom))
        if text not in said:  # several flags, one doctor: say it once
            said.add(text)
            lines.append(para(text, look.body, bold=referral.urgency != Urgency.ROUTINE))
    return lines


def _goal(goal: GoalContent, words: Wording) -> str:
    text = f"{words(f'goal_terms.{goal.term.value}')}: {words.goal(goal.description)}"
    if goal.target_date:
        text += f" ({words('goal_by', date=_day(words, goal.target_date))})"
    return text


def _path(
    path: PathContent, snapshot: EvaluationSnapshot, words: Wording, look: Styles
) -> list[Flowable]:
    key = f"paths.{path.kind.value}"
    lines: list[Flowable] = [
        para(words(f"{key}.title"), look.body, bold=True),
        para(words(f"{key}.what"), look.body),
    ]
    if path.kind == TreatmentPathKind.PT_PLAN:
        if path.frequency_per_week and path.duration_weeks:
            lines.append(
                para(
                    words(
                        f"{key}.next", per_week=path.frequency_per_week, weeks=path.duration_weeks
                    ),
                    look.body,
                )
            )
        else:
            lines.append(para(words(f"{key}.next_unplanned"), look.body))
    else:
        named = path.refer_to or snapshot.referring_physician
        to = words.recipient(named) if named else words("your_doctor")
        lines.append(para(words(f"{key}.next", refer_to=to), look.body))
        if path.urgency in (Urgency.URGENT, Urgency.EMERGENCY):
            lines.append(para(words(f"soon.{path.urgency.value}"), look.warning_heading))
    return lines


def _dose(sheet: ExerciseSheet, words: Wording) -> str:
    parts = []
    if sheet.sets and sheet.reps:
        key = "dose.set_of" if sheet.sets == 1 else "dose.sets_reps"
        parts.append(words(key, sets=sheet.sets, reps=sheet.reps))
    elif sheet.reps:
        parts.append(words("dose.reps", reps=sheet.reps))
    elif sheet.sets:
        parts.append(
            words("dose.one_set") if sheet.sets == 1 else words("dose.sets", sets=sheet.sets)
        )
    if sheet.hold_seconds:
        parts.append(words("dose.hold", seconds=sheet.hold_seconds))
    if sheet.times_per_day == 1:
        parts.append(words("dose.once"))
    elif sheet.times_per_day:
        parts.append(words("dose.times_per_day", times=sheet.times_per_day))
    return " · ".join(parts)


LONG_TEXT = 1200  # characters of instructions that still fit beside the picture


def _exercise(sheet: ExerciseSheet, words: Wording, look: Styles) -> list[Flowable]:
    own = words.exercise(sheet.starter_key) if sheet.is_starter_text else None
    name = own["name"] if own else sheet.name
    instructions = own["instructions"] if own else sheet.instructions
    precautions = own.get("precautions") if own else sheet.precautions
    text: list[Flowable] = [para(name, look.body, bold=True)]
    dose = _dose(sheet, words)
    if dose:
        text.append(para(dose, look.body, bold=True))
    text.append(para(instructions, look.body))
    if precautions:
        text.append(para(f"{words('take_care')} {precautions}", look.small))
    art_width = 1.9 * inch * look.scale
    art = picture(sheet.starter_key, sheet.image, art_width)
    if len(instructions) + len(precautions or "") > LONG_TEXT:
        # Too long for a table cell, which cannot break across pages: picture, then text.
        head = KeepTogether([art, *text[:2]] if art else text[:2])
        return [head, *text[2:]]
    table = page.Table(
        [[art or Spacer(art_width, 1), text]],
        colWidths=[art_width + 0.2 * inch, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, page.RULE),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
            ]
        )
    )
    return [KeepTogether([table])]


def _heat_ice(plan: PlanContent, words: Wording, look: Styles) -> list[Flowable]:
    pt = next((p for p in plan.paths if p.kind == TreatmentPathKind.PT_PLAN), None)
    if pt is None or pt.heat_ice in (None, HeatIce.NONE):
        return []
    texts = {
        HeatIce.HEAT: words.items("heat"),
        HeatIce.ICE: words.items("ice"),
        HeatIce.HEAT_AND_ICE: [
            *words.items("heat_and_ice"),
            *words.items("heat"),
            *words.items("ice"),
        ],
    }[pt.heat_ice]
    out: list[Flowable] = [para(words("sections.heat_ice"), look.heading)]
    out += [para(text, look.body) for text in texts]
    if pt.heat_ice_minutes and pt.heat_ice_times_per_day:
        out.append(
            para(
                words(
                    "heat_ice_dose", minutes=pt.heat_ice_minutes, times=pt.heat_ice_times_per_day
                ),
                look.body,
                bold=True,
            )
        )
    out += bullets(words.items("heat_ice_safety"), look.bullet)
    return out


def _medication(plan: PlanContent, words: Wording, look: Styles) -> list[Flowable]:
    med = next((p for p in plan.paths if p.kind == TreatmentPathKind.MEDICATION_REFERRAL), None)
    if med is None:
        return []
    out: list[Flowable] = [
        para(words("sections.medication"), look.heading),
        para(words("medication.intro"), look.body),
    ]
    if med.anti_inflammatory:
        out.append(para(words("medication.anti_inflammatory"), look.body))
    if med.muscle_relaxant:
        out.append(para(words("medication.muscle_relaxant"), look.body))
    out.append(para(words("medication.talk"), look.body, bold=True))
    return out


def _warnings(
    words: Wording, look: Styles, prompt: bool = True, heading: str = "sections.emergency"
) -> list[Flowable]:
    emergency = _box(
        [para(words(heading), look.warning_heading)]
        + bullets(words.items("emergency"), look.bullet),
        page.WARNING_FILL,
    )
    if not prompt:
        return [Spacer(1, 10), KeepTogether([emergency])]
    soon = _box(
        [para(words("sections.prompt"), look.body, bold=True)]
        + bullets(words.items("prompt"), look.bullet),
        page.NOTE_FILL,
    )
    return [Spacer(1, 10), KeepTogether([emergency]), Spacer(1, 6), KeepTogether([soon])]


def _box(content: list[Flowable], fill: object) -> page.Box:
    return page.Box(content, fill)
