"""The starter evaluation templates: one per suspected cause of the clinic article
(shared/clinical/REFERENCE.md), in our own words. Each clinic gets its own editable copy.

How they follow the guidelines (docs/clinical-rules.md, "Evaluation templates"):
- Every plan is built on exercise; manual therapy only alongside it, and none of traction,
  belts, TENS, ultrasound or interferential (NICE NG59 1.2). Hot or cold packs (97010) are
  not an intervention here: heat is taught for home use (ACP 2017: superficial heat,
  moderate-quality evidence; Medicare bundles 97010), 15-20 minutes.
- A medication referral only for acute strains and spasm, where the ACP 2017 guideline
  supports an NSAID or a skeletal muscle relaxant (short term). None for arthritis, disc,
  fibromyalgia, weak core or "other": non-drug care comes first there (ACP 2017 for chronic
  pain; NICE NG59 1.2.20-1.2.25), and no steroid injection (NICE NG59 1.3.2: only for acute,
  severe sciatica, chosen by the therapist for the patient).
- Two measurable goals tied to function, short then long term (Medicare ch. 15 s. 220.1.2),
  within the plan's weeks; three home exercises from the starter exercise library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from casemanager.domain.enums import Cause, GoalTerm, HeatIce, TreatmentPathKind
from casemanager.domain.plan import HomeExerciseContent, PathContent
from casemanager.domain.templates import GoalTemplate, TemplateContent


@dataclass(frozen=True)
class StarterDose:
    exercise_key: str  # catalogs.STARTER_EXERCISES key
    sets: int
    reps: int
    hold_seconds: int
    times_per_day: int


@dataclass(frozen=True)
class StarterTemplate:
    key: str  # stable: the clinic's copy remembers which starter it began as
    cause: Cause
    name: str
    note: str
    diagnosis_codes: tuple[str, ...]
    paths: tuple[PathContent, ...]
    goals: tuple[GoalTemplate, ...]
    exercises: tuple[StarterDose, ...]


def _pt(
    per_week: int, weeks: int, interventions: tuple[str, ...], heat_minutes: int, times: int
) -> PathContent:
    return PathContent(
        TreatmentPathKind.PT_PLAN,
        frequency_per_week=per_week,
        duration_weeks=weeks,
        interventions=interventions,
        heat_ice=HeatIce.HEAT,
        heat_ice_minutes=heat_minutes,
        heat_ice_times_per_day=times,
    )


_SHORT, _LONG = GoalTerm.SHORT, GoalTerm.LONG

STARTER_TEMPLATES: tuple[StarterTemplate, ...] = (
    StarterTemplate(
        key="tissue_injury",
        cause=Cause.TISSUE_INJURY,
        name="Strain or sprain of the lower back",
        note=(
            "Acute strain or sprain of a muscle, tendon or ligament. Code S33.5XXA for a "
            "ligament sprain; D instead of A once active treatment is over."
        ),
        diagnosis_codes=("S39.012A",),
        paths=(
            _pt(2, 4, ("therapeutic_exercise", "manual_therapy", "patient_education"), 15, 3),
            PathContent(
                TreatmentPathKind.MEDICATION_REFERRAL,
                anti_inflammatory=True,
                reason="Acute low back strain: ask about a short course of an anti-inflammatory.",
            ),
        ),
        goals=(
            GoalTemplate(_SHORT, "Sit or stand for 30 minutes with pain at 3/10 or less.", 2),
            GoalTemplate(_LONG, "Back to usual work and home tasks with Oswestry under 20%.", 4),
        ),
        exercises=(
            StarterDose("pelvic_tilt", 1, 10, 5, 2),
            StarterDose("knee_to_chest", 1, 5, 20, 2),
            StarterDose("walking_program", 1, 1, 0, 1),
        ),
    ),
    StarterTemplate(
        key="heavy_lifting",
        cause=Cause.HEAVY_LIFTING,
        name="Lifting strain with back spasm",
        note="Spasm after a heavy lift. Teach lifting close to the body before return to work.",
        diagnosis_codes=("S39.012A", "M62.830"),
        paths=(
            _pt(
                2,
                4,
                (
                    "therapeutic_exercise",
                    "manual_therapy",
                    "therapeutic_activities",
                    "patient_education",
                ),
                20,
                3,
            ),
            PathContent(
                TreatmentPathKind.MEDICATION_REFERRAL,
                anti_inflammatory=True,
                muscle_relaxant=True,
                reason=(
                    "Acute back spasm after lifting: ask about an anti-inflammatory or a "
                    "short course of a muscle relaxant."
                ),
            ),
        ),
        goals=(
            GoalTemplate(
                _SHORT, "Lift a 10 lb (5 kg) bag from a counter with pain at 3/10 or less.", 2
            ),
            GoalTemplate(
                _LONG,
                "Lift 25 lb (11 kg) from floor to waist with good form and no spasm, as "
                "usual work needs.",
                4,
            ),
        ),
        exercises=(
            StarterDose("abdominal_bracing", 1, 10, 10, 3),
            StarterDose("lower_trunk_rotation", 1, 10, 3, 2),
            StarterDose("bridge", 2, 10, 5, 1),
        ),
    ),
    StarterTemplate(
        key="activity_strain",
        cause=Cause.ACTIVITY_STRAIN,
        name="Sport or activity strain",
        note="Back strained by a sport or activity: name it in the cause note.",
        diagnosis_codes=("S39.012A", "M62.830"),
        paths=(
            _pt(
                2,
                6,
                (
                    "therapeutic_exercise",
                    "neuromuscular_reeducation",
                    "manual_therapy",
                    "therapeutic_activities",
                ),
                15,
                2,
            ),
        ),
        goals=(
            GoalTemplate(_SHORT, "Walk or jog for 20 minutes with pain at 2/10 or less.", 2),
            GoalTemplate(
                _LONG,
                "Play the sport for a full session at the usual level, with no more back "
                "pain the next day.",
                6,
            ),
        ),
        exercises=(
            StarterDose("bird_dog", 2, 8, 5, 1),
            StarterDose("bridge", 2, 10, 5, 1),
            StarterDose("hamstring_stretch", 1, 3, 30, 2),
        ),
    ),
    StarterTemplate(
        key="weak_abdominals",
        cause=Cause.WEAK_ABDOMINALS,
        name="Weak core (abdominal) muscles",
        note="R29.898 records the local weakness; the back-pain code goes with it.",
        diagnosis_codes=("R29.898", "M54.50"),
        paths=(
            _pt(
                2,
                6,
                ("therapeutic_exercise", "neuromuscular_reeducation", "patient_education"),
                15,
                2,
            ),
        ),
        goals=(
            GoalTemplate(
                _SHORT, "Hold the tummy-tightening exercise for 10 breaths without back pain.", 3
            ),
            GoalTemplate(
                _LONG,
                "Do an hour of housework (vacuuming, carrying laundry) without a back spasm.",
                6,
            ),
        ),
        exercises=(
            StarterDose("abdominal_bracing", 1, 10, 10, 3),
            StarterDose("bird_dog", 2, 8, 5, 1),
            StarterDose("bridge", 2, 10, 5, 1),
        ),
    ),
    StarterTemplate(
        key="arthritis",
        cause=Cause.ARTHRITIS,
        name="Arthritis of the lower spine",
        note=(
            "Spondylosis: M47.817 when lumbosacral, M47.26 with radiculopathy, M48.061 for "
            "stenosis."
        ),
        diagnosis_codes=("M47.816",),
        paths=(_pt(2, 6, ("therapeutic_exercise", "manual_therapy", "patient_education"), 20, 2),),
        goals=(
            GoalTemplate(
                _SHORT, "Stand for 20 minutes (cooking, queuing) with pain at 4/10 or less.", 3
            ),
            GoalTemplate(
                _LONG, "Walk 30 minutes on level ground; Oswestry 10 points lower than today.", 6
            ),
        ),
        exercises=(
            StarterDose("cat_cow", 1, 10, 0, 2),
            StarterDose("lower_trunk_rotation", 1, 10, 3, 2),
            StarterDose("walking_program", 1, 1, 0, 1),
        ),
    ),
    StarterTemplate(
        key="ruptured_disc",
        cause=Cause.RUPTURED_DISC,
        name="Herniated (ruptured) disc",
        note=(
            "M51.16 instead of M51.26 when there is radiculopathy. Stop the press-up if leg "
            "symptoms spread further down."
        ),
        diagnosis_codes=("M51.26",),
        paths=(
            _pt(
                2,
                6,
                (
                    "therapeutic_exercise",
                    "manual_therapy",
                    "neuromuscular_reeducation",
                    "patient_education",
                ),
                15,
                3,
            ),
        ),
        goals=(
            GoalTemplate(
                _SHORT, "Sit for 30 minutes with any leg symptoms staying above the knee.", 2
            ),
            GoalTemplate(
                _LONG, "Walk 30 minutes and do usual work with leg pain at 2/10 or less.", 6
            ),
        ),
        exercises=(
            StarterDose("prone_press_up", 1, 10, 2, 3),
            StarterDose("abdominal_bracing", 1, 10, 10, 3),
            StarterDose("walking_program", 1, 1, 0, 1),
        ),
    ),
    StarterTemplate(
        key="fibromyalgia",
        cause=Cause.FIBROMYALGIA,
        name="Fibromyalgia with back pain",
        note="Graded activity: build up slowly and plan rest; avoid boom-and-bust days.",
        diagnosis_codes=("M79.7",),
        paths=(_pt(1, 8, ("therapeutic_exercise", "aquatic_therapy", "patient_education"), 20, 2),),
        goals=(
            GoalTemplate(
                _SHORT, "Walk 15 minutes on 5 days a week without a flare lasting over a day.", 3
            ),
            GoalTemplate(
                _LONG, "Walk 30 minutes on 5 days a week; PSFS average 2 points higher.", 8
            ),
        ),
        exercises=(
            StarterDose("walking_program", 1, 1, 0, 1),
            StarterDose("cat_cow", 1, 10, 0, 2),
            StarterDose("childs_pose", 1, 3, 20, 2),
        ),
    ),
    StarterTemplate(
        key="other",
        cause=Cause.OTHER,
        name="Back spasm, cause not yet known",
        note="Say in the cause note what is suspected; look again at the next visit.",
        diagnosis_codes=("M62.830", "M54.50"),
        paths=(_pt(2, 4, ("therapeutic_exercise", "manual_therapy", "patient_education"), 15, 2),),
        goals=(
            GoalTemplate(_SHORT, "Worst pain in 24 hours 2 points lower than today (NPRS).", 2),
            GoalTemplate(
                _LONG, "A full day of usual activities without a back spasm; Oswestry under 20%.", 4
            ),
        ),
        exercises=(
            StarterDose("pelvic_tilt", 1, 10, 5, 2),
            StarterDose("knee_to_chest", 1, 5, 20, 2),
            StarterDose("walking_program", 1, 1, 0, 1),
        ),
    ),
)


def starter_content(starter: StarterTemplate, exercise_ids: Mapping[str, int]) -> TemplateContent:
    """A clinic's copy of a starter template, with its own exercise ids (by starter key); an
    exercise the clinic no longer has is left out."""
    return TemplateContent(
        name=starter.name,
        cause=starter.cause,
        note=starter.note,
        diagnosis_codes=starter.diagnosis_codes,
        paths=starter.paths,
        goals=starter.goals,
        home_exercises=tuple(
            HomeExerciseContent(
                exercise_ids[dose.exercise_key],
                dose.sets,
                dose.reps,
                dose.hold_seconds,
                dose.times_per_day,
            )
            for dose in starter.exercises
            if dose.exercise_key in exercise_ids
        ),
    )
