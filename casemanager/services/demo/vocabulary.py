"""Words and proportions the demo clinic is made of: plausible, varied, and all made up."""

from __future__ import annotations

from casemanager.domain import catalogs
from casemanager.domain.enums import Cause, ReferralKind

THERAPIST_WEIGHTS = (32, 26, 24, 18)

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

MECHANISM: dict[Cause, tuple[str, ...]] = {
    Cause.TISSUE_INJURY: (
        "Twisted while reaching into the back seat of a car.",
        "Slipped on a wet floor at work and caught herself.",
        "Sudden pain after a long day of gardening.",
    ),
    Cause.HEAVY_LIFTING: (
        "Lifted a box of files from the floor at work.",
        "Helped a friend move a sofa.",
        "Lifted a toddler out of a car seat.",
    ),
    Cause.ACTIVITY_STRAIN: (
        "Pain began during a round of golf.",
        "Tackled during a weekend football game.",
        "Started after a long tennis match.",
    ),
    Cause.WEAK_ABDOMINALS: (
        "Gradual onset with long hours of sitting.",
        "Recurring spasms since pregnancy; little core exercise.",
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
OCCUPATIONS = (
    "Warehouse associate",
    "Registered nurse",
    "Teacher",
    "Office administrator",
    "Truck driver",
    "Retired",
    "Software developer",
    "Construction worker",
    "Chef",
    "Student",
    "Hair stylist",
    "Electrician",
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
PSFS_ACTIVITIES = (
    "Sitting through a work day",
    "Lifting groceries",
    "Putting on socks",
    "Walking 30 minutes",
    "Playing golf",
    "Sleeping through the night",
    "Getting in and out of the car",
    "Carrying my child",
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
    "Play 18 holes of golf with pain no higher than 2/10.",
    "Lift and carry a child of 12 kg without increase in symptoms.",
    "Oswestry score below 20% and independent with home program.",
    "Return to recreational sport at the previous level.",
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
    ReferralKind.RED_FLAG: (
        "emergency or primary care",
        ("Emergency department", "Dr. Helen Brooks (family medicine)"),
    ),
}


FLAG_CODES = [item.code for item in catalogs.RED_FLAGS]
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
