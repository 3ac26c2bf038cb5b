"""Words and proportions the demo clinic is made of: plausible, varied, and all made up."""

from __future__ import annotations

from casemanager.domain import catalogs
from casemanager.domain import red_flags as red_flag_rules
from casemanager.domain.enums import (
    Cause,
    DischargeReason,
    RedFlagAction,
    RedFlagAnswer,
    ReferralKind,
)
from casemanager.domain.medicare import GoalProgress

THERAPIST_WEIGHTS = (32, 26, 24, 18)
# Area codes in use around the demo clinic (Long Island, New York City, nearby New Jersey):
# demo phone numbers must be real numbers of their region, only in the 555 exchange.
AREA_CODES = ("631", "516", "934", "718", "347", "917", "212", "646", "914", "845", "201")

# Locale, share of patients, language the care plan prints in.
LOCALES: tuple[tuple[str, int, str], ...] = (
    ("en_US", 40, "en"),
    ("es_MX", 16, "es"),
    ("vi_VN", 6, "en"),
    ("pl_PL", 6, "en"),
    ("zh_CN", 6, "en"),
    ("ru_RU", 5, "en"),
    ("el_GR", 4, "en"),
    ("ja_JP", 4, "en"),
    ("ko_KR", 4, "en"),
    ("de_DE", 4, "en"),
    ("fr_FR", 3, "en"),
    ("pt_BR", 2, "en"),
)

CAUSE_WEIGHTS: tuple[tuple[Cause, int], ...] = (
    (Cause.TISSUE_INJURY, 24),
    (Cause.HEAVY_LIFTING, 20),
    (Cause.ACTIVITY_STRAIN, 14),
    (Cause.WEAK_ABDOMINALS, 9),
    (Cause.ARTHRITIS, 14),
    (Cause.RUPTURED_DISC, 11),
    (Cause.FIBROMYALGIA, 4),
    (Cause.OTHER, 4),
)

# Share of each cause whose pain travels into the leg.
RADIATING: dict[Cause, float] = {Cause.RUPTURED_DISC: 0.65, Cause.ARTHRITIS: 0.3}

MECHANISM: dict[Cause, tuple[str, ...]] = {
    Cause.TISSUE_INJURY: (
        "Twisted while reaching into the back seat of a car.",
        "Slipped on a wet floor at work without falling.",
        "Sudden pain after a long day of gardening.",
    ),
    Cause.HEAVY_LIFTING: (
        "Lifted a box of files from the floor at work.",
        "Helped a friend move a sofa.",
        "Lifted a heavy suitcase into a car trunk.",
    ),
    Cause.ACTIVITY_STRAIN: (
        "Pain began during a round of golf.",
        "Tackled during a weekend football game.",
        "Started after a long tennis match.",
    ),
    Cause.WEAK_ABDOMINALS: (
        "Gradual onset with long hours of sitting; little regular exercise.",
        "Recurring spasms over the past year; no core exercise.",
    ),
    Cause.ARTHRITIS: (
        "Gradual stiffness over several years, worse in the morning.",
        "Aching after standing for long periods.",
    ),
    Cause.RUPTURED_DISC: (
        "Bent to pick up laundry and felt a sharp pain into the leg.",
        "Woke with back and leg pain after a long drive.",
    ),
    Cause.FIBROMYALGIA: ("Widespread aching with flares in the lower back.",),
    Cause.OTHER: ("No clear cause; spasms come and go.",),
}

# Codes tried in order for each cause; one is added only if no Excludes1 note forbids it
# beside those already chosen. (initial codes, codes when the pain radiates into the leg)
CODES: dict[Cause, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Cause.TISSUE_INJURY: (("S39.012A", "M62.830"), ("S39.012A", "M54.16")),
    Cause.HEAVY_LIFTING: (("S39.012A", "M62.830"), ("S39.012A", "M54.16")),
    Cause.ACTIVITY_STRAIN: (("S39.012A", "M62.830"), ("S39.012A", "M54.16")),
    Cause.WEAK_ABDOMINALS: (("R29.898", "M54.50", "M62.830"), ("R29.898", "M54.41")),
    Cause.ARTHRITIS: (("M47.816", "M62.830"), ("M47.26",)),
    Cause.RUPTURED_DISC: (("M51.26", "M62.830"), ("M51.16",)),
    Cause.FIBROMYALGIA: (("M79.7", "M54.50"), ("M79.7", "M54.41")),
    Cause.OTHER: (("M62.830", "M54.50"), ("M54.41",)),
}
# The 7th character A (initial encounter) becomes D (subsequent) at re-evaluation.
SUBSEQUENT_ENCOUNTER = {"S39.012A": "S39.012D"}


def all_codes() -> set[str]:
    codes = {c for pair in CODES.values() for group in pair for c in group}
    return codes | set(SUBSEQUENT_ENCOUNTER.values())


OCCUPATIONS = (
    "Warehouse associate",
    "Registered nurse",
    "Teacher",
    "Office administrator",
    "Truck driver",
    "Software developer",
    "Construction worker",
    "Chef",
    "Hair stylist",
    "Electrician",
    "Retail manager",
    "Mail carrier",
)
ACTIVITIES = (
    "Golf",
    "Football",
    "Walking",
    "Yoga",
    "Running",
    "Gardening",
    "Swimming",
    "Cycling",
    "Basketball",
    "Dancing",
    "Tennis",
    "None",
)
PAST_HISTORY_ANY_AGE = ("None significant", "Asthma", "Migraine", "Anxiety")
PAST_HISTORY_OVER_50 = ("Hypertension", "Type 2 diabetes", "Osteopenia", "High cholesterol")
MEDICATIONS = ("None", "Ibuprofen as needed", "Acetaminophen as needed")
MEDICATIONS_OVER_50 = ("Lisinopril", "Metformin", "Atorvastatin")
PATIENT_GOALS = (
    "Get back to work without pain",
    "Sleep through the night",
    "Walk my dog again",
    "Sit through a movie",
)
PATIENT_GOALS_BY_ACTIVITY = {
    "Golf": "Play golf again",
    "Football": "Get back to football",
    "Running": "Run a 5K this spring",
    "Gardening": "Garden without pain",
}
PATIENT_GOALS_OVER_50 = ("Pick up my grandchildren",)
AGGRAVATING = (
    "Sitting, bending forward",
    "Lifting, twisting",
    "Standing, walking",
    "Getting out of bed",
)
EASING = ("Lying down, heat", "Walking, changing position", "Rest, ice", "Gentle stretching")
PRIOR_EPISODES = ("None", "One similar episode two years ago", "Recurrent episodes every few years")
PSFS_ACTIVITIES = (
    "Sitting through a work day",
    "Lifting groceries",
    "Putting on socks",
    "Walking 30 minutes",
    "Sleeping through the night",
    "Getting in and out of the car",
    "Vacuuming",
    "Standing to cook a meal",
)
SHORT_GOALS = (
    "Sit for 45 minutes at work with pain no higher than 3/10 within 3 weeks.",
    "Put on socks and shoes without help within 2 weeks.",
    "Walk 20 minutes without stopping within 3 weeks.",
    "Sleep through the night without waking from back pain within 3 weeks.",
)
LONG_GOALS = (
    "Return to full work duties including lifting 20 kg from floor to waist.",
    "Lift and carry 10 kg of groceries without increase in symptoms.",
    "Oswestry score below 20% and independent with home program.",
    "Return to recreational activity at the previous level.",
)
STREETS = ("Oak Street", "Maple Avenue", "Harbor Road", "Main Street", "Bay Lane")
PHYSICIANS = (
    "Dr. Helen Brooks (family medicine)",
    "Dr. Rafael Ortiz (internal medicine)",
    "Dr. Priya Shah (sports medicine)",
    "Dr. Thomas Whitfield (family medicine)",
    "Dr. Mei Tanaka (physiatry)",
)
SPECIALISTS = {
    ReferralKind.MEDICATION: ("primary care", PHYSICIANS),
    ReferralKind.STEROID_INJECTION: (
        "pain management",
        ("Dr. Alan Cho (pain management)", "Dr. Sofia Marques (physiatry)"),
    ),
    ReferralKind.LUMBAR_SURGERY: (
        "spine surgery",
        ("Dr. Karen Holt (orthopaedic spine)", "Dr. Ivan Petrov (neurosurgery)"),
    ),
    ReferralKind.RED_FLAG: ("primary care", PHYSICIANS),
}
EMERGENCY_DEPARTMENT = ("emergency medicine", "Emergency department, South Shore Hospital")

REFERRAL_REASONS = {
    ReferralKind.MEDICATION: "Acute spasm limiting sleep and daily activity.",
    ReferralKind.STEROID_INJECTION: "Severe radiating leg pain limiting sleep and walking.",
    ReferralKind.LUMBAR_SURGERY: (
        "Persistent leg pain and numbness despite conservative care; surgical opinion requested."
    ),
}
RED_FLAG_NOTES = {
    RedFlagAction.EMERGENCY: "Sent to the emergency department the same day; patient informed.",
    RedFlagAction.URGENT: "Urgent referral sent the same day; told to call if symptoms worsen.",
    RedFlagAction.ROUTINE: "Routine referral; checked again at each visit.",
    RedFlagAction.MONITOR: "Noted; asked again at each progress report.",
}
# Why a risk factor alone is only monitored: the record says so (domain.red_flags).
MONITOR_REASONS = {
    "age_over_70": "Age alone; no trauma, pain changes with movement; reviewed at each visit.",
    "osteoporosis": "No trauma and mechanical pain; reviewed at each visit.",
    "long_term_steroids": "No trauma and mechanical pain; reviewed at each visit.",
    "history_of_cancer": "Treated over 10 years ago; no other flag; reviewed at each visit.",
    "iv_drug_use": "No fever, no recent infection; reviewed at each visit.",
    "immunosuppression": "No fever, no recent infection; reviewed at each visit.",
}
# Red flags that call for the emergency department on their own, and those that do not;
# risk factors alone are never picked at random (a risk factor alone is not a referral).
_ALONE = {
    item.code: red_flag_rules.recommended_action(item.code, {item.code: RedFlagAnswer.YES})
    for item in catalogs.RED_FLAGS
    if not item.risk_factor
}
EMERGENCY_FLAGS = tuple(
    code for code, action in _ALONE.items() if action == RedFlagAction.EMERGENCY
)
OTHER_FLAGS = tuple(code for code, action in _ALONE.items() if action != RedFlagAction.EMERGENCY)
PLAN_INTERVENTIONS = [i.code for i in catalogs.INTERVENTIONS if i.code != "aquatic_therapy"]
VISIT_INTERVENTIONS = [
    "therapeutic_exercise",
    "manual_therapy",
    "neuromuscular_reeducation",
    "therapeutic_activities",
    "hot_cold_packs",
    "patient_education",
]
VISIT_NOTES = (
    "Tolerated session well; progressed home program.",
    "Less spasm today; reviewed lifting technique.",
    "Stiff in the morning; improved after exercise.",
    "Flare after long drive; modified exercises.",
    "Good progress; increased walking time.",
)
DISCHARGE_RESULT = {
    "met": DischargeReason.GOALS_MET,
    "partly": DischargeReason.PATIENT_REQUEST,
    "plateau": DischargeReason.REFERRED_ON,
}
DISCHARGE_REASONS = {
    "met": "Goals met; independent with home program.",
    "partly": "Partly improved; continuing home program, to see physician if not improving.",
    "plateau": "Progress plateaued; referred back to the physician.",
}


# Why a physician's certification came back after 30 days (recorded with a late one).
CERTIFICATION_DELAYS = (
    "Physician was away; the signed plan came back on their return.",
    "Plan of care sent twice: the first fax did not reach the office.",
    "Patient changed primary care physician during the episode.",
)

# A progress report's note for each goal, by verdict.
GOAL_PROGRESS_NOTES = {
    GoalProgress.MET: ("Goal met, as measured today.", "Does this independently now."),
    GoalProgress.PROGRESSING: (
        "About halfway to the target.",
        "Steady gains since the evaluation; continue the plan.",
        "Improving; tolerates more each week.",
    ),
    GoalProgress.NOT_PROGRESSING: (
        "No change since the evaluation; plan adjusted.",
        "Limited by flare-ups; reviewing the home program.",
    ),
}
