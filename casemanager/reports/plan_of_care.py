"""The plan of care the referring physician certifies: diagnoses, evaluation findings and
scores, goals, the type, frequency and duration of treatment, the certification period, the
therapist's signature and a physician certification block (Medicare Benefit Policy Manual
ch. 15, s. 220)."""

from __future__ import annotations

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, TableStyle

from casemanager.domain import catalogs, scoring
from casemanager.domain import red_flags as red_flag_rules
from casemanager.domain.enums import RedFlagAnswer, StartBackRisk, TreatmentPathKind, Urgency
from casemanager.domain.medicare import GOAL_PROGRESS_LABELS
from casemanager.domain.plan import PathContent, PlanContent
from casemanager.reports import dates, page
from casemanager.reports.data import EvaluationSnapshot
from casemanager.reports.page import Styles, bullets, para

_GOAL_STATUS = {
    "in_progress": "In progress",
    "met": "Met",
    "partially_met": "Partly met",
    "not_met": "Not met",
}
# What each STarT Back group's care looks like (Hill 2011; NICE NG59 1.1.2-1.1.3), printed
# beside the risk group so the certifying physician sees why the plan has its intensity.
_STRATIFIED_CARE = {
    StartBackRisk.LOW: "advice, reassurance and self-management, with few visits.",
    StartBackRisk.MEDIUM: "physiotherapist-led exercise, with manual therapy alongside it.",
    StartBackRisk.HIGH: "psychologically informed physiotherapy alongside exercise.",
}
LONG_TEXT = 600  # characters: longer values print as paragraphs, which can break across pages
_HEAT_ICE = {"heat": "Heat", "ice": "Ice", "heat_and_ice": "Heat or ice"}


_day = dates.day  # clinician documents are in US English


def render(snapshot: EvaluationSnapshot, invariant: bool = False, encrypt: object = None) -> bytes:
    look = page.styles()
    frame = page.clinician_frame(
        snapshot,
        "Plan of care",
        f"Physical therapy plan of care, evaluation of {_day(snapshot.evaluation_date)}",
    )
    return page.build(_story(snapshot, look), frame, invariant=invariant, encrypt=encrypt)


def _goal_verdicts(snapshot: EvaluationSnapshot, look: Styles) -> list[Flowable]:
    """A progress report's judgement of each goal of the plan it reported on, with what was
    measured (Medicare ch. 15 s. 220.3.D)."""
    if not snapshot.goal_verdicts:
        return []
    return [
        para("Progress toward the goals of the plan in force", look.heading),
        _grid(
            [[para(h, look.body, True) for h in ("Term", "Goal", "Progress", "Measured")]]
            + [
                [
                    "Short term" if v.term.value == "short" else "Long term",
                    v.description,
                    GOAL_PROGRESS_LABELS[v.progress],
                    v.note,
                ]
                for v in snapshot.goal_verdicts
            ],
            [1.0 * inch, None, 1.3 * inch, None],
            look,
        ),
    ]


def _grid(rows: list[list[Flowable | str]], widths: list[float | None], look: Styles) -> page.Table:
    table = page.Table(
        [[para(c, look.body) if isinstance(c, str) else c for c in row] for row in rows],
        colWidths=widths,
        hAlign="LEFT",
        repeatRows=0,
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, page.RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _story(snapshot: EvaluationSnapshot, look: Styles) -> list[Flowable]:
    plan = snapshot.plan or PlanContent()
    label = catalogs.EVALUATION_KIND_LABELS[snapshot.kind]
    story: list[Flowable] = [
        para("Physical therapy plan of care", look.title),
        para(f"{label} of {_day(snapshot.evaluation_date)}: for certification", look.body),
        *_on_hold(snapshot, look),
    ]
    key = 1.6 * inch
    story.append(
        _grid(
            [
                [para("Patient", look.body, True), snapshot.patient.full_name],
                [para("Date of birth", look.body, True), _day(snapshot.patient.date_of_birth)],
                [para("MRN", look.body, True), snapshot.patient.mrn],
                [
                    para("Referring physician", look.body, True),
                    snapshot.referring_physician or "—",
                ],
                [
                    para("Therapist", look.body, True),
                    snapshot.therapist_name
                    + (
                        f", licence {snapshot.therapist_licence}"
                        if snapshot.therapist_licence
                        else ""
                    ),
                ],
                [
                    para("Certification period", look.body, True),
                    f"{_day(plan.certification_start)} to {_day(plan.certification_end)}",
                ],
            ],
            [key, None],
            look,
        )
    )
    story.append(para("Diagnoses (ICD-10-CM)", look.heading))
    story.append(
        _grid(
            [[para(code, look.body, True), description] for code, description in snapshot.diagnoses]
            or [["—", "No diagnosis recorded"]],
            [1.0 * inch, None],
            look,
        )
    )
    story += _findings(snapshot, look)
    story.append(para("Goals", look.heading))
    if plan.goals:
        story.append(
            _grid(
                [[para(h, look.body, True) for h in ("Term", "Goal", "Target", "Status")]]
                + [
                    [
                        "Short term" if g.term.value == "short" else "Long term",
                        g.description,
                        _day(g.target_date),
                        _GOAL_STATUS[g.status.value],
                    ]
                    for g in plan.goals
                ],
                [1.0 * inch, None, 1.1 * inch, 1.05 * inch],
                look,
            )
        )
    else:
        story.append(para("No goals recorded.", look.body))
    story += _goal_verdicts(snapshot, look)
    story.append(para("Treatment", look.heading))
    for path in plan.paths:
        story.append(KeepTogether(_path(path, look)))
    if snapshot.exercises:
        story.append(para("Home exercise program", look.body, bold=True))
        story += bullets(
            [
                f"{e.name}: "
                + ", ".join(
                    part
                    for part in (
                        (f"{e.sets} set" + ("s" if e.sets > 1 else "")) if e.sets else "",
                        f"{e.reps} reps" if e.reps else "",
                        f"hold {e.hold_seconds} s" if e.hold_seconds else "",
                        f"{e.times_per_day}x/day" if e.times_per_day else "",
                    )
                    if part
                )
                for e in snapshot.exercises
            ],
            look.bullet,
        )
    story += _signatures(snapshot, look)
    return story


def _findings(snapshot: EvaluationSnapshot, look: Styles) -> list[Flowable]:
    content, scores = snapshot.content, snapshot.scores
    out: list[Flowable] = [para("Evaluation findings", look.heading)]
    lines = []
    if content.chief_complaint:
        lines.append(("Chief complaint", content.chief_complaint))
    if content.onset_date:
        lines.append(("Onset", _day(content.onset_date)))
    if content.mechanism_of_injury:
        lines.append(("Mechanism", content.mechanism_of_injury))
    pain = [
        f"{name} {value}/10"
        for name, value in (
            ("now", content.nprs_now),
            ("best", content.nprs_best),
            ("worst", content.nprs_worst),
        )
        if value is not None
    ]
    if pain:
        lines.append(("Pain (NPRS, 24 h)", ", ".join(pain)))
    if content.pain_location:
        radiates = content.radiates_below_knee
        below = ""
        if radiates is not None:
            below = "; radiates below the knee" if radiates else "; does not radiate below the knee"
        lines.append(("Location", content.pain_location + below))
    if scores.odi_percent is not None:
        band = scoring.oswestry_band(scores.odi_percent).value.replace("_", " ")
        lines.append(("Oswestry Disability Index", f"{scores.odi_percent:g}% ({band} disability)"))
    if scores.start_back is not None:
        sb = scores.start_back
        lines.append(
            (
                "STarT Back",
                f"total {sb.total}/9, psychosocial {sb.psychosocial}/5: {sb.risk.value} risk. "
                f"Stratified care: {_STRATIFIED_CARE[sb.risk]}",
            )
        )
    if content.psfs:
        activities = "; ".join(
            f"{p.activity} {p.score}/10" if p.score is not None else p.activity
            for p in content.psfs
        )
        mean = f" (mean {scores.psfs_mean:g})" if scores.psfs_mean is not None else ""
        lines.append(("Patient-Specific Functional Scale", activities + mean))
    if content.primary_cause:
        cause = catalogs.cause_info(content.primary_cause).label
        if content.contributing_causes:
            cause += "; contributing: " + ", ".join(
                catalogs.cause_info(c).label for c in content.contributing_causes
            )
        lines.append(
            ("Suspected cause", cause + (f" ({content.cause_note})" if content.cause_note else ""))
        )
    if content.complexity:
        cpt = catalogs.EVALUATION_COMPLEXITY_CPT[content.complexity]
        lines.append(("Evaluation complexity", f"{content.complexity.value} ({cpt})"))
    if content.assessment_note:
        lines.append(("Assessment", content.assessment_note))
    # A table cell cannot break across pages: long free text goes below the table instead.
    short = [(k, v) for k, v in lines if len(v) <= LONG_TEXT]
    out.append(_grid([[para(k, look.body, True), v] for k, v in short], [1.9 * inch, None], look))
    for key, value in lines:
        if len(value) > LONG_TEXT:
            out += [para(key, look.body, bold=True), para(value, look.body)]
    # A section of its own, one finding or referral per row: a physician scans them.
    flags = [("Screening" if i == 0 else "", t) for i, t in enumerate(_red_flags(snapshot))]
    flags += [
        ("Referrals" if i == 0 else "", t) for i, t in enumerate(_red_flag_referrals(snapshot))
    ]
    out.append(para("Red-flag screening", look.heading))
    out.append(_grid([[para(k, look.body, True), v] for k, v in flags], [1.9 * inch, None], look))
    return out


def _red_flags(snapshot: EvaluationSnapshot) -> list[str]:
    """The screen's summary, then each positive finding with the action taken; a lower
    action than recommended, or a risk factor only monitored, with the therapist's reason
    (domain.red_flags)."""
    entries = snapshot.content.red_flags
    answered = {e.code: e for e in entries}
    positive = [e for e in answered.values() if e.answer == RedFlagAnswer.YES]
    asked = sum(1 for e in answered.values() if e.answer != RedFlagAnswer.NOT_ASKED)
    summary = f"{asked} of {len(catalogs.RED_FLAGS)} items asked; "
    if not positive:
        return [summary + "none positive."]
    answers = red_flag_rules.answers_of(entries)
    out = [summary + f"{len(positive)} positive:"]
    for entry in positive:
        item = catalogs.red_flag(entry.code)
        kind = catalogs.red_flag_kind(item)
        text = f"POSITIVE {kind}: {item.finding}"
        if entry.action is not None:
            text += f" ({catalogs.RED_FLAG_ACTION_LABELS[entry.action]}"
            recommended = red_flag_rules.recommended_action(entry.code, answers)
            if entry.action.rank < recommended.rank:
                text += f"; {catalogs.RED_FLAG_ACTION_LABELS[recommended]} recommended"
            if entry.reason:
                text += f"; reason: {entry.reason}"
            text += ")"
        out.append(text)
    return out


def _red_flag_referrals(snapshot: EvaluationSnapshot) -> list[str]:
    """Each red-flag referral of the episode as it stands on the day of printing."""
    out = []
    for r in snapshot.red_flag_referrals:
        made = (
            f"{catalogs.URGENCY_LABELS[r.urgency].capitalize()} referral to {r.to_whom} on "
            f"{_day(r.made_on)}"
        )
        if r.is_open:
            state = "awaiting assessment" + (
                "; therapy on hold" if r.urgency != Urgency.ROUTINE else ""
            )
        elif r.seen_by and r.seen_on:
            verdict = "cleared for therapy" if r.cleared_for_therapy else "not cleared for therapy"
            state = f"{verdict} by {r.seen_by} on {_day(r.seen_on)}"
        else:
            state = "closed"
        out.append(f"{made}: {state}.")
    return out


def _on_hold(snapshot: EvaluationSnapshot, look: Styles) -> list[Flowable]:
    """While an emergency or urgent red-flag referral is open, the physician reads first that
    the treatment below waits for that assessment."""
    if not snapshot.waiting_for_a_doctor:
        return []
    banner = page.Table(
        [
            [
                para(
                    "THERAPY ON HOLD: a red-flag referral is awaiting medical assessment (see "
                    "Red-flag screening). The treatment below starts only once the patient is "
                    "cleared.",
                    look.body,
                    bold=True,
                )
            ]
        ],
        hAlign="LEFT",
    )
    banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), page.WARNING_FILL)]))
    return [Spacer(1, 4), banner]


def _path(path: PathContent, look: Styles) -> list[Flowable]:
    info = catalogs.treatment_path_info(path.kind)
    details: list[str] = []
    if path.kind == TreatmentPathKind.PT_PLAN:
        if path.frequency_per_week and path.duration_weeks:
            details.append(
                f"Frequency and duration: {path.frequency_per_week}x per week for "
                f"{path.duration_weeks} weeks"
            )
        if path.interventions:
            details.append(
                "Interventions: "
                + ", ".join(
                    f"{catalogs.intervention(c).label}"
                    + (
                        f" ({catalogs.intervention(c).cpt_code})"
                        if catalogs.intervention(c).cpt_code
                        else ""
                    )
                    for c in path.interventions
                )
            )
        if path.heat_ice and path.heat_ice.value in _HEAT_ICE:
            dose = ""
            if path.heat_ice_minutes and path.heat_ice_times_per_day:
                dose = f", {path.heat_ice_minutes} min {path.heat_ice_times_per_day}x/day"
            details.append(f"Home {_HEAT_ICE[path.heat_ice.value].lower()}{dose}")
    else:
        if path.kind == TreatmentPathKind.MEDICATION_REFERRAL:
            classes = [
                label
                for chosen, label in (
                    (path.anti_inflammatory, "anti-inflammatory"),
                    (path.muscle_relaxant, "muscle relaxant"),
                )
                if chosen
            ]
            if classes:
                details.append("For review: " + " and ".join(classes))
        if path.injection_level or path.injection_side:
            side = path.injection_side.value if path.injection_side else ""
            details.append(f"Level/side: {path.injection_level or '—'} {side}".strip())
        details.append(f"Refer to: {path.refer_to or 'referring physician'}")
        details.append(f"Urgency: {catalogs.URGENCY_LABELS[path.urgency]}")
        if path.reason:
            details.append(f"Reason: {path.reason}")
    return [para(info.label, look.body, bold=True), *bullets(details, look.bullet)]


def _signatures(snapshot: EvaluationSnapshot, look: Styles) -> list[Flowable]:
    signed = dates.day_and_time(snapshot.signed_at.astimezone()) if snapshot.signed_at else "—"
    therapist = [
        para("Therapist", look.heading),
        para(
            f"Electronically signed by {snapshot.therapist_name}"
            + (f", licence {snapshot.therapist_licence}" if snapshot.therapist_licence else "")
            + f", on {signed}.",
            look.body,
        ),
    ]
    line = "_" * 38
    physician = [
        para("Physician certification", look.heading),
        para(
            "I have reviewed this plan of care and certify that these services are needed "
            "and are furnished while the patient is under my care.",
            look.body,
        ),
        Spacer(1, 14),
        page.Table(
            [
                [
                    Paragraph(f"Signature {line}", look.body),
                    Paragraph("Date ______________", look.body),
                ],
                [
                    Paragraph(f"Printed name {line[:-4]}", look.body),
                    Paragraph("NPI ______________", look.body),
                ],
            ],
            colWidths=[4.4 * inch, None],
            hAlign="LEFT",
            style=TableStyle([("TOPPADDING", (0, 0), (-1, -1), 12)]),
        ),
    ]
    certified = snapshot.certification
    if certified is not None:
        # Recorded from the physician's signed copy: printed instead of blank lines.
        late = (
            f" Reason for the late certification: {certified.delay_reason}"
            if (certified.delay_reason)
            else ""
        )
        physician = [
            para("Physician certification", look.heading),
            para(
                f"Certified by {certified.physician} on {_day(certified.certified_on)} "
                f"(recorded from the signed copy).{late}",
                look.body,
            ),
        ]
    return [KeepTogether(therapist), KeepTogether(physician)]
