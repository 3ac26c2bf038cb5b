"""What the evaluation form offers: causes, treatment paths, red flags, measures, exercises.

All wording here is the project's own. Questionnaire text (Oswestry, STarT Back) is under
copyright, so only section names and short topic labels appear; CPT descriptions are licensed
by the AMA, so interventions carry our own short labels next to the code numbers.
Facts and sources: shared/clinical/REFERENCE.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from casemanager.domain.codes import describe
from casemanager.domain.enums import (
    Cause,
    Complexity,
    DischargeReason,
    DrugClass,
    EvaluationKind,
    PatientStatus,
    RedFlagAction,
    ReferralKind,
    Sex,
    Side,
    TreatmentPathKind,
    Urgency,
)

# --- Causes (the clinic article's list) and the codes each suggests --------------------------


@dataclass(frozen=True)
class CauseInfo:
    cause: Cause
    label: str  # for the clinician
    plain_words: str  # for the patient's take-home plan, 6th-8th grade reading level
    suggested_codes: tuple[str, ...]  # billable ICD-10-CM codes, with dots


# The 7th character of an injury code says which encounter this is (ICD-10-CM guidelines
# I.C.19.a): A while the patient receives active treatment for the injury, D for encounters
# after it, during healing or recovery. Both are offered for the strain and the sprain alike,
# so the therapist picks (ENCOUNTER_CHARACTER_HELP is shown in the code picker).
_STRAIN_CODES = ("S39.012A", "S39.012D")
_SPRAIN_CODES = ("S33.5XXA", "S33.5XXD")

ENCOUNTER_CHARACTER_HELP = (
    "Injury codes end in A or D. A (initial encounter): the patient is receiving active "
    "treatment for the injury, for example when therapy is the treatment of a new strain. "
    "D (subsequent encounter): care in the healing or recovery phase after active treatment, "
    "such as rehabilitation after a physician treated the injury. The letter follows the "
    "phase of care, not whether this is the first visit to this clinic (ICD-10-CM "
    "guidelines I.C.19.a)."
)

CAUSES: tuple[CauseInfo, ...] = (
    CauseInfo(
        cause=Cause.TISSUE_INJURY,
        label="Injury to a tendon, muscle or ligament",
        plain_words=(
            "A muscle, tendon or ligament in your lower back was overstretched or injured. "
            "These injuries are common and usually heal well with gentle movement and time."
        ),
        suggested_codes=(*_STRAIN_CODES, *_SPRAIN_CODES),
    ),
    CauseInfo(
        cause=Cause.HEAVY_LIFTING,
        label="Heavy lifting",
        plain_words=(
            "Lifting something heavy strained the muscles in your lower back, and they tightened "
            "up to protect it. This is common and usually gets better within a few weeks."
        ),
        suggested_codes=(*_STRAIN_CODES, "M62.830"),
    ),
    CauseInfo(
        cause=Cause.ACTIVITY_STRAIN,
        label="Sport or activity that strains the back",
        plain_words=(
            "A sport or activity, such as golf or football, put more strain on your back than "
            "it was ready for. With the right exercises you can usually get back to it."
        ),
        suggested_codes=(*_STRAIN_CODES, "M62.830"),
    ),
    CauseInfo(
        cause=Cause.WEAK_ABDOMINALS,
        label="Weak abdominal (core) muscles",
        plain_words=(
            "The muscles around your belly help hold up your back. When they are weak, your back "
            "muscles work too hard and can cramp. Exercise can make them stronger."
        ),
        # No code of its own. Not M62.81: that is generalized weakness of the whole body.
        # Weak abdominal muscles are a localized finding on examination, which the tabular
        # list classes with "other symptoms and signs involving the musculoskeletal system"
        # (R29.898, billable), coded with the back-pain code.
        suggested_codes=("R29.898", "M54.50"),
    ),
    CauseInfo(
        cause=Cause.ARTHRITIS,
        label="Arthritis of the spine",
        plain_words=(
            "The joints of your spine show wear, which is normal as we age. It can make your back "
            "stiff and sore, and staying active helps keep it moving."
        ),
        suggested_codes=("M47.816", "M47.817", "M47.26", "M48.061"),
    ),
    CauseInfo(
        cause=Cause.RUPTURED_DISC,
        label="Ruptured (herniated) disc",
        plain_words=(
            "One of the cushions between the bones of your spine bulged out and may press on a "
            "nerve. Most of these get better on their own over weeks to months."
        ),
        suggested_codes=("M51.26", "M51.27", "M51.16", "M51.17"),
    ),
    CauseInfo(
        cause=Cause.FIBROMYALGIA,
        label="Fibromyalgia",
        plain_words=(
            "Fibromyalgia makes the body's pain system more sensitive, so muscles can ache and "
            "tighten more easily. Regular gentle exercise is one of the best ways to manage it."
        ),
        suggested_codes=("M79.7",),
    ),
    CauseInfo(
        cause=Cause.OTHER,
        label="Other or not yet known",
        plain_words=(
            "The muscles in your back have been tightening up (spasms). We will keep looking at "
            "what sets them off, and most back spasms settle with time and gentle movement."
        ),
        suggested_codes=("M62.830", "M54.50"),
    ),
)

_CAUSES_BY_KIND = {info.cause: info for info in CAUSES}


def cause_info(cause: Cause) -> CauseInfo:
    return _CAUSES_BY_KIND[cause]


# Codes that describe the symptoms rather than the cause; billable leaves only.
SYMPTOM_CODES: tuple[str, ...] = (
    "M62.830",  # muscle spasm of back
    "M54.50",
    "M54.51",
    "M54.59",  # low back pain
    "M54.16",
    "M54.17",  # radiculopathy
    "M54.30",
    "M54.31",
    "M54.32",  # sciatica
    "M54.40",
    "M54.41",
    "M54.42",  # lumbago with sciatica
)

# --- Treatment paths ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TreatmentPathInfo:
    kind: TreatmentPathKind
    label: str
    description: str  # for the clinician
    plain_words: str  # for the patient
    referral_kind: ReferralKind | None  # the referral this path opens; None when we treat


TREATMENT_PATHS: tuple[TreatmentPathInfo, ...] = (
    TreatmentPathInfo(
        kind=TreatmentPathKind.PT_PLAN,
        label="Physical therapy plan",
        description=(
            "Visits per week, number of weeks, interventions, goals, home program and heat/ice "
            "advice. Guidelines favour exercise; manual therapy only alongside exercise; "
            "no traction, belts, TENS, ultrasound or interferential."
        ),
        plain_words=(
            "You will see your physical therapist for exercises and hands-on treatment, and "
            "learn a home program. Keeping active is one of the best things for your back."
        ),
        referral_kind=None,
    ),
    TreatmentPathInfo(
        kind=TreatmentPathKind.MEDICATION_REFERRAL,
        label="Medication referral",
        description=(
            "Refer to a physician about an anti-inflammatory and/or a muscle relaxant; the "
            "therapist refers and does not prescribe. Systemic steroids are not recommended "
            "for low back pain."
        ),
        plain_words=(
            "We are asking your doctor whether a medicine could ease your pain or muscle spasm. "
            "Talk with your doctor or pharmacist before taking anything new."
        ),
        referral_kind=ReferralKind.MEDICATION,
    ),
    TreatmentPathInfo(
        kind=TreatmentPathKind.STEROID_INJECTION_REFERRAL,
        label="Steroid injection referral",
        description=(
            "Refer to a spine or pain specialist, with level and side if known. Guidelines "
            "support epidural injection only for acute, severe sciatica."
        ),
        plain_words=(
            "We are sending you to a specialist who may offer an injection to calm an irritated "
            "nerve. The specialist will explain the benefits and risks with you."
        ),
        referral_kind=ReferralKind.STEROID_INJECTION,
    ),
    TreatmentPathInfo(
        kind=TreatmentPathKind.LUMBAR_SURGERY_REFERRAL,
        label="Lumbar surgery referral",
        description=(
            "Refer to a spine surgeon, e.g. for a progressive neurological deficit or failed "
            "conservative care. Urgent when red flags point to cauda equina or a worsening deficit."
        ),
        plain_words=(
            "We are sending you to a spine surgeon to talk about whether an operation could help. "
            "Seeing a surgeon does not mean you must have surgery."
        ),
        referral_kind=ReferralKind.LUMBAR_SURGERY,
    ),
)

_PATHS_BY_KIND = {info.kind: info for info in TREATMENT_PATHS}


def treatment_path_info(kind: TreatmentPathKind) -> TreatmentPathInfo:
    return _PATHS_BY_KIND[kind]


# --- Words on screen for the patient's record (one definition each) -----------------------

PATIENT_STATUS_LABELS: dict[PatientStatus, str] = {
    PatientStatus.ACTIVE: "Active",
    PatientStatus.ON_HOLD: "On hold",
    PatientStatus.DISCHARGED: "Discharged",
}

SEX_LABELS: dict[Sex, str] = {
    Sex.FEMALE: "Female",
    Sex.MALE: "Male",
    Sex.OTHER: "Other",
    Sex.UNKNOWN: "Unknown",
}

# The languages the take-home plan prints in, by code.
LANGUAGE_LABELS: dict[str, str] = {"en": "English", "es": "Spanish"}

SIDE_LABELS: dict[Side, str] = {
    Side.LEFT: "Left",
    Side.RIGHT: "Right",
    Side.BOTH: "Both",
    Side.CENTRAL: "Central",
}

DRUG_CLASS_LABELS: dict[DrugClass, str] = {
    DrugClass.ANTI_INFLAMMATORY: "Anti-inflammatory (NSAID)",
    DrugClass.MUSCLE_RELAXANT: "Muscle relaxant",
}

EVALUATION_KIND_LABELS = {
    EvaluationKind.INITIAL: "Initial evaluation",
    EvaluationKind.RE_EVALUATION: "Re-evaluation",
    EvaluationKind.PROGRESS_REPORT: "Progress report",
    EvaluationKind.DISCHARGE: "Discharge summary",
}

REFERRAL_KIND_LABELS = {
    ReferralKind.MEDICATION: "Medication review",
    ReferralKind.STEROID_INJECTION: "Steroid injection",
    ReferralKind.LUMBAR_SURGERY: "Lumbar surgery consult",
    ReferralKind.RED_FLAG: "Red flag",
    ReferralKind.OTHER: "Other",
}

URGENCY_LABELS = {
    Urgency.EMERGENCY: "emergency (same day)",
    Urgency.URGENT: "urgent",
    Urgency.ROUTINE: "routine",
}

DISCHARGE_REASON_LABELS = {
    DischargeReason.GOALS_MET: "Goals met",
    DischargeReason.PLATEAU: "Progress has levelled off",
    DischargeReason.PATIENT_REQUEST: "Patient's decision",
    DischargeReason.REFERRED_ON: "Referred on to a physician or other service",
    DischargeReason.STOPPED_ATTENDING: "Stopped attending",
    DischargeReason.OTHER: "Other (see summary)",
}

# --- Red flags (IFOMPT framework) --------------------------------------------------------------
#
# Sources: IFOMPT International Framework for Red Flags (Finucane et al. 2020, JOSPT 50(7)):
# single flags are weak, so findings are weighed together; Henschke et al. 2009 (Arthritis
# Rheum 60(10)): 80% of primary-care patients have at least one flag. NICE NG59 1.1.1 (think of
# serious pathology, including spondyloarthritis) with NICE NG65 1.1.1 (when to refer suspected
# axial spondyloarthritis). docs/clinical-rules.md lists each rule with its source.


@dataclass(frozen=True)
class RedFlagCondition:
    """A serious condition the screen looks for, and what to do when it is suspected."""

    code: str
    label: str
    action: Urgency  # the recommended referral once the condition is suspected
    action_text: str
    source: str
    # A condition is suspected when any of its red flags is yes, or when at least
    # `cluster_size` of its items are yes (risk factors count); `required` must be among them.
    cluster_size: int = 2
    required: str | None = None
    refer_to: str | None = None  # default recipient when not the emergency department
    specialty: str | None = None


@dataclass(frozen=True)
class RedFlagItem:
    code: str  # stable id stored with each answer: never rename one
    condition: str  # RedFlagCondition.code
    question: str  # asked of the patient by the clinician
    finding: str  # the positive answer in a clinician's words, for letters and the record
    # A risk factor raises suspicion but points nowhere on its own (Finucane 2020): alone it
    # may be noted and monitored; in a cluster it suggests the condition's referral.
    risk_factor: bool = False
    action: Urgency | None = None  # this item's own recommendation, when not the condition's


RED_FLAG_CONDITIONS: tuple[RedFlagCondition, ...] = (
    RedFlagCondition(
        code="cauda_equina",
        label="Cauda equina syndrome",
        action=Urgency.EMERGENCY,
        action_text="Send to the emergency department the same day.",
        source="IFOMPT framework (Finucane 2020); NICE NG59 1.1.1",
    ),
    RedFlagCondition(
        code="progressive_deficit",
        label="Progressive neurological deficit",
        action=Urgency.EMERGENCY,
        action_text="Send to the emergency department, or a spine surgeon, the same day.",
        source="IFOMPT framework (Finucane 2020)",
    ),
    RedFlagCondition(
        code="aaa",
        label="Abdominal aortic aneurysm",
        action=Urgency.EMERGENCY,
        action_text="Send to the emergency department the same day.",
        source="IFOMPT framework (Finucane 2020): vascular causes of back pain",
    ),
    RedFlagCondition(
        code="infection",
        label="Spinal infection",
        action=Urgency.URGENT,
        action_text=(
            "Send to the emergency department the same day if feverish or unwell; "
            "otherwise refer urgently to the physician."
        ),
        source="IFOMPT framework (Finucane 2020)",
    ),
    RedFlagCondition(
        code="fracture",
        label="Spinal fracture",
        action=Urgency.URGENT,
        action_text="Refer to the physician for imaging before loading the spine.",
        source="IFOMPT framework (Finucane 2020); Henschke 2009 (single flags are weak)",
    ),
    RedFlagCondition(
        code="malignancy",
        label="Cancer (malignancy)",
        action=Urgency.URGENT,
        action_text="Refer promptly to the physician to rule out cancer.",
        source="IFOMPT framework (Finucane 2020)",
    ),
    RedFlagCondition(
        code="axial_spa",
        label="Axial spondyloarthritis",
        action=Urgency.ROUTINE,
        action_text="Refer routinely to rheumatology.",
        source="NICE NG59 1.1.1; NICE NG65 1.1.1 (back pain from before 45, over 3 months, "
        "with inflammatory features)",
        # NG65 asks for 4 of its criteria; this screen asks the history features a therapist
        # hears: the start-and-duration gate plus at least 3 of the 4 others.
        cluster_size=4,
        required="ibp_early_long_lasting",
        refer_to="Rheumatology clinic",
        specialty="rheumatology",
    ),
)

RED_FLAGS: tuple[RedFlagItem, ...] = (
    RedFlagItem(
        "saddle_numbness",
        "cauda_equina",
        "Do you have numbness or tingling between your legs or around your bottom?",
        "saddle numbness or tingling",
    ),
    RedFlagItem(
        "bladder_bowel_change",
        "cauda_equina",
        "Have you had any new trouble passing or holding urine or stool?",
        "new bladder or bowel dysfunction",
    ),
    RedFlagItem(
        # Numbness or weakness, not pain: pain in both legs alone is common and not a flag.
        "both_legs",
        "cauda_equina",
        "Do you have numbness or weakness in both legs?",
        "numbness or weakness in both legs",
    ),
    RedFlagItem(
        "sexual_dysfunction",
        "cauda_equina",
        "Have you noticed any new change in sexual function or feeling?",
        "new sexual dysfunction",
    ),
    RedFlagItem(
        "worsening_leg_weakness",
        "progressive_deficit",
        "Is weakness in a leg or foot getting worse, or does your foot catch or drop?",
        "worsening leg weakness or foot drop",
    ),
    RedFlagItem(
        "spreading_numbness",
        "progressive_deficit",
        "Is numbness in your leg or foot spreading or getting worse?",
        "spreading numbness in the leg",
    ),
    RedFlagItem(
        "pulsatile_abdominal_mass",
        "aaa",
        "On examination, is there a pulsing (pulsatile) mass in the abdomen?",
        "pulsatile abdominal mass on examination",
    ),
    RedFlagItem(
        "older_with_vascular_risk",
        "aaa",
        "Are you over 60 and do you smoke, or have high blood pressure or heart or blood "
        "vessel disease?",
        "over 60 with vascular risk factors",
        risk_factor=True,
    ),
    RedFlagItem(
        "pain_unchanged_by_movement",
        "aaa",
        "Is the pain constant, whatever you do: not changed by moving or by position?",
        "constant pain not changed by movement or position",
        risk_factor=True,
    ),
    RedFlagItem(
        "fever_chills",
        "infection",
        "Have you had a fever, chills or shivering?",
        "fever or chills",
        action=Urgency.EMERGENCY,  # infection with fever: the emergency department today
    ),
    RedFlagItem(
        "iv_drug_use",
        "infection",
        "Do you inject drugs, or have you in the past?",
        "intravenous drug use",
        risk_factor=True,
    ),
    RedFlagItem(
        "immunosuppression",
        "infection",
        "Do you have a condition or take a medicine that weakens your immune system?",
        "immunosuppression",
        risk_factor=True,
    ),
    RedFlagItem(
        "recent_infection",
        "infection",
        "Have you had an infection recently, such as a urinary or skin infection?",
        "recent infection",
    ),
    RedFlagItem(
        "recent_spinal_procedure",
        "infection",
        "Have you had an injection or operation on your spine recently?",
        "recent spinal injection or surgery",
    ),
    RedFlagItem(
        "major_trauma",
        "fracture",
        "Did the pain start after a serious accident or a bad fall?",
        "onset after major trauma",
    ),
    RedFlagItem(
        "minor_trauma_over_50",
        "fracture",
        "Are you over 50, and did the pain start after a minor fall or bump?",
        "over 50 with onset after minor trauma",
    ),
    RedFlagItem(
        "osteoporosis",
        "fracture",
        "Have you been told you have osteoporosis (thin or weak bones)?",
        "known osteoporosis",
        risk_factor=True,
    ),
    RedFlagItem(
        "long_term_steroids",
        "fracture",
        "Have you taken steroid tablets, such as prednisone, for a long time?",
        "long-term oral corticosteroid use",
        risk_factor=True,
    ),
    RedFlagItem(
        "age_over_70",
        "fracture",
        "Are you over 70?",
        "aged over 70",
        risk_factor=True,
    ),
    RedFlagItem(
        "history_of_cancer",
        "malignancy",
        "Have you ever had cancer?",
        "past history of cancer",
        risk_factor=True,
    ),
    RedFlagItem(
        "unexplained_weight_loss",
        "malignancy",
        "Have you lost weight recently without trying?",
        "unexplained weight loss",
    ),
    RedFlagItem(
        "night_or_rest_pain",
        "malignancy",
        "Is the pain bad at night or when you rest, and not eased by changing position?",
        "night or rest pain not eased by position",
    ),
    RedFlagItem(
        "night_sweats",
        "malignancy",
        "Do you wake up drenched in sweat at night?",
        "night sweats",
    ),
    RedFlagItem(
        "ibp_early_long_lasting",
        "axial_spa",
        "Did this back pain start before age 45, and has it lasted more than 3 months?",
        "back pain from before age 45, lasting over 3 months",
        risk_factor=True,
    ),
    RedFlagItem(
        "ibp_better_with_movement",
        "axial_spa",
        "Does the pain or stiffness get better when you move, and not when you rest?",
        "pain and stiffness better with movement, not rest",
        risk_factor=True,
    ),
    RedFlagItem(
        "ibp_late_night_waking",
        "axial_spa",
        "Does the pain wake you in the second half of the night?",
        "waking in the second half of the night",
        risk_factor=True,
    ),
    RedFlagItem(
        "ibp_buttock_pain",
        "axial_spa",
        "Do you have pain deep in the buttocks, on one side or both?",
        "buttock pain",
        risk_factor=True,
    ),
    RedFlagItem(
        "ibp_related_conditions",
        "axial_spa",
        "Have you had psoriasis, bowel inflammation (Crohn's or colitis) or eye inflammation "
        "(uveitis), or has a parent, brother or sister had spondyloarthritis?",
        "psoriasis, inflammatory bowel disease, uveitis or a family history of spondyloarthritis",
        risk_factor=True,
    ),
)

_RED_FLAGS_BY_CODE = {item.code: item for item in RED_FLAGS}
_CONDITIONS_BY_CODE = {condition.code: condition for condition in RED_FLAG_CONDITIONS}


def red_flag(code: str) -> RedFlagItem:
    return _RED_FLAGS_BY_CODE[code]


def red_flag_condition(code: str) -> RedFlagCondition:
    return _CONDITIONS_BY_CODE[code]


def red_flag_items(condition: str) -> tuple[RedFlagItem, ...]:
    return tuple(item for item in RED_FLAGS if item.condition == condition)


def red_flag_kind(item: RedFlagItem) -> str:
    """How the form and the plan of care name an item: a red flag, a risk factor, or (for
    axial spondyloarthritis, whose items only count together) a feature."""
    if not item.risk_factor:
        return "red flag"
    return "feature" if item.condition == "axial_spa" else "risk factor"


RED_FLAG_ACTION_LABELS = {
    RedFlagAction.EMERGENCY: "emergency referral (same day)",
    RedFlagAction.URGENT: "urgent referral",
    RedFlagAction.ROUTINE: "routine referral",
    RedFlagAction.MONITOR: "noted, monitor",
}


# Psychosocial factors that predict a slower recovery: (stable code, label).
YELLOW_FLAGS: tuple[tuple[str, str], ...] = (
    ("pain_means_harm", "Believes pain means harm or damage"),
    ("catastrophizing", "Expects the worst (catastrophizing)"),
    ("fear_avoidance", "Avoids activity for fear of pain"),
    ("low_mood", "Low mood or withdrawal"),
    ("passive_coping", "Relies on rest or passive treatment"),
    ("work_problems", "Problems at work or with returning to work"),
)

# --- Outcome measures --------------------------------------------------------------------------

# Section names only: the Oswestry item text is copyright (Fairbank, licensed via Mapi).
OSWESTRY_SECTIONS: tuple[str, ...] = (
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life",
    "Social life",
    "Travelling",
)

# Our own topic labels for the nine STarT Back items: one or two words naming what each item
# is about, never a paraphrase of the questionnaire's sentences (Keele's copyright; clinics
# record the answers from their own licensed copy of the tool).
START_BACK_ITEMS: tuple[str, ...] = (
    "Leg pain",
    "Shoulder or neck pain",
    "Walking",
    "Dressing",
    "Fear of activity",
    "Worry",
    "Outlook on the pain",
    "Enjoyment",
    "Bothersomeness",
)
START_BACK_ITEM9_CHOICES: tuple[str, ...] = (
    "Not at all",
    "Slightly",
    "Moderately",
    "Very much",
    "Extremely",
)


@dataclass(frozen=True)
class OutcomeMeasureInfo:
    code: str
    name: str
    scale: str
    meaningful_change: str
    licence_note: str


OUTCOME_MEASURES: tuple[OutcomeMeasureInfo, ...] = (
    OutcomeMeasureInfo(
        code="nprs",
        name="Numeric Pain Rating Scale (NPRS)",
        scale="0 (no pain) to 10 (worst pain imaginable): current, best and worst in 24 hours",
        meaningful_change="A drop of 2 points",
        licence_note="Free to use.",
    ),
    OutcomeMeasureInfo(
        code="psfs",
        name="Patient-Specific Functional Scale (PSFS)",
        scale=(
            "Up to 5 activities the patient names, each 0 (unable) to 10 (as before the "
            "problem); score = mean"
        ),
        meaningful_change="A rise of 2 points in the mean, or 3 points for one activity",
        licence_note="Free to use.",
    ),
    OutcomeMeasureInfo(
        code="odi",
        name="Oswestry Disability Index (ODI)",
        scale=(
            "10 sections scored 0-5; % = total / (5 x sections answered) x 100; "
            "valid with at least 8 sections answered"
        ),
        meaningful_change=(
            "A drop of at least 10 percentage points (the minimal detectable change), shown "
            "with the drop as a share of baseline; a baseline under 10% is too low to judge"
        ),
        licence_note=(
            "Copyright questionnaire (licensed via Mapi Research Trust). Use the clinic's "
            "licensed form; the app records section scores and shows section names only."
        ),
    ),
    OutcomeMeasureInfo(
        code="start_back",
        name="Keele STarT Back Screening Tool",
        scale=(
            "9 items; total 0-9 and psychosocial subscale (items 5-9) 0-5 give low, medium or "
            "high risk"
        ),
        meaningful_change="Not a change measure: it sorts patients into risk groups at first visit",
        licence_note=(
            "Copyright Keele University. Use the clinic's own copy with Keele's terms; "
            "the app records the answers by item number and computes the risk group."
        ),
    ),
)

# --- Interventions and CPT codes ----------------------------------------------------------------


@dataclass(frozen=True)
class InterventionInfo:
    code: str
    label: str  # our short wording: CPT descriptions are AMA-licensed
    cpt_code: str | None
    timed: bool  # billed in 15-minute units under the 8-minute rule


INTERVENTIONS: tuple[InterventionInfo, ...] = (
    InterventionInfo("therapeutic_exercise", "Therapeutic exercise", "97110", True),
    InterventionInfo("neuromuscular_reeducation", "Neuromuscular re-education", "97112", True),
    InterventionInfo("manual_therapy", "Manual therapy", "97140", True),
    InterventionInfo("therapeutic_activities", "Therapeutic activities", "97530", True),
    InterventionInfo("self_care_training", "Self-care / home management training", "97535", True),
    InterventionInfo("gait_training", "Gait training", "97116", True),
    InterventionInfo("aquatic_therapy", "Aquatic therapy", "97113", True),
    InterventionInfo("hot_cold_packs", "Hot or cold packs", "97010", False),
    # Education is part of every visit and has no separate code.
    InterventionInfo("patient_education", "Patient education", None, False),
)

_INTERVENTIONS_BY_CODE = {item.code: item for item in INTERVENTIONS}


def intervention(code: str) -> InterventionInfo:
    return _INTERVENTIONS_BY_CODE[code]


EVALUATION_COMPLEXITY_CPT: dict[Complexity, str] = {
    Complexity.LOW: "97161",
    Complexity.MODERATE: "97162",
    Complexity.HIGH: "97163",
}
RE_EVALUATION_CPT = "97164"

# --- Starter home exercises ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseTemplate:
    key: str
    name: str
    instructions: str  # numbered steps, plain language
    sets: int
    reps: int
    hold_seconds: int  # 0 when the exercise is a movement, not a hold
    times_per_day: int
    precautions: str


_GENTLE = "Move gently. Stop and tell your therapist if pain spreads down your leg."

STARTER_EXERCISES: tuple[ExerciseTemplate, ...] = (
    ExerciseTemplate(
        key="pelvic_tilt",
        name="Pelvic tilt",
        instructions=(
            "1. Lie on your back with knees bent and feet flat.\n"
            "2. Tighten your belly and press the small of your back into the floor.\n"
            "3. Hold, breathing normally, then relax."
        ),
        sets=1,
        reps=10,
        hold_seconds=5,
        times_per_day=2,
        precautions=_GENTLE,
    ),
    ExerciseTemplate(
        key="knee_to_chest",
        name="Knee to chest stretch",
        instructions=(
            "1. Lie on your back with knees bent.\n"
            "2. Hold behind one knee and gently pull it toward your chest.\n"
            "3. Hold, then lower it slowly. Switch legs."
        ),
        sets=1,
        reps=5,
        hold_seconds=20,
        times_per_day=2,
        precautions="Pull only until you feel a gentle stretch, not pain. " + _GENTLE,
    ),
    ExerciseTemplate(
        key="cat_cow",
        name="Cat-cow",
        instructions=(
            "1. Start on hands and knees, hands under shoulders, knees under hips.\n"
            "2. Slowly round your back up toward the ceiling and let your head drop.\n"
            "3. Then slowly let your belly sink and lift your head.\n"
            "4. Move smoothly between the two."
        ),
        sets=1,
        reps=10,
        hold_seconds=0,
        times_per_day=2,
        precautions="Stay in a range that feels comfortable. Use a cushion under sore knees.",
    ),
    ExerciseTemplate(
        key="bird_dog",
        name="Bird dog",
        instructions=(
            "1. Start on hands and knees with your back flat.\n"
            "2. Tighten your belly.\n"
            "3. Reach one arm forward and the opposite leg back, keeping your hips level.\n"
            "4. Hold, return, and switch sides."
        ),
        sets=2,
        reps=8,
        hold_seconds=5,
        times_per_day=1,
        precautions="Do not let your back sag or twist. Start with just the leg if this is hard.",
    ),
    ExerciseTemplate(
        key="bridge",
        name="Bridge",
        instructions=(
            "1. Lie on your back with knees bent and feet flat, hip-width apart.\n"
            "2. Tighten your belly and squeeze your buttocks.\n"
            "3. Lift your hips until your body is straight from shoulders to knees.\n"
            "4. Hold, then lower slowly."
        ),
        sets=2,
        reps=10,
        hold_seconds=5,
        times_per_day=1,
        precautions="Do not arch your back at the top. " + _GENTLE,
    ),
    ExerciseTemplate(
        key="prone_press_up",
        name="Press-up lying on your stomach",
        instructions=(
            "1. Lie on your stomach with hands under your shoulders.\n"
            "2. Keep your hips on the floor and let your back relax.\n"
            "3. Straighten your arms to lift your chest as far as is comfortable.\n"
            "4. Hold, then lower slowly."
        ),
        sets=1,
        reps=10,
        hold_seconds=2,
        times_per_day=3,
        precautions=(
            "Only if your therapist chose it for you. Stop if pain moves further down your leg."
        ),
    ),
    ExerciseTemplate(
        key="abdominal_bracing",
        name="Tummy tightening (abdominal bracing)",
        instructions=(
            "1. Lie on your back with knees bent, or sit up tall.\n"
            "2. Gently tighten the muscles of your belly, as if getting ready for a poke.\n"
            "3. Keep breathing normally while you hold, then relax."
        ),
        sets=1,
        reps=10,
        hold_seconds=10,
        times_per_day=3,
        precautions="Do not hold your breath.",
    ),
    ExerciseTemplate(
        key="lower_trunk_rotation",
        name="Knee rolls (lower trunk rotation)",
        instructions=(
            "1. Lie on your back with knees bent and feet together.\n"
            "2. Keeping your shoulders flat, slowly let both knees fall to one side.\n"
            "3. Hold, bring them back to the middle, then go to the other side."
        ),
        sets=1,
        reps=10,
        hold_seconds=3,
        times_per_day=2,
        precautions="Roll only as far as is comfortable. " + _GENTLE,
    ),
    ExerciseTemplate(
        key="childs_pose",
        name="Child's pose stretch",
        instructions=(
            "1. Kneel on the floor and sit back toward your heels.\n"
            "2. Reach your arms forward on the floor and let your head and chest sink down.\n"
            "3. Breathe slowly and hold."
        ),
        sets=1,
        reps=3,
        hold_seconds=20,
        times_per_day=2,
        precautions="Put a pillow under your hips or knees if they are sore.",
    ),
    ExerciseTemplate(
        key="hamstring_stretch",
        name="Back-of-thigh stretch (hamstrings)",
        instructions=(
            "1. Lie on your back with one knee bent and that foot flat.\n"
            "2. Loop a towel around the other foot and lift that leg, knee straight.\n"
            "3. Stop when you feel a gentle stretch behind your thigh and hold.\n"
            "4. Lower it slowly. Switch legs."
        ),
        sets=1,
        reps=3,
        hold_seconds=30,
        times_per_day=2,
        precautions="Stop if you feel tingling or pain down the leg.",
    ),
    ExerciseTemplate(
        key="walking_program",
        name="Walking program",
        instructions=(
            "1. Walk at an easy pace on a flat surface for 10 minutes.\n"
            "2. Each few days, add 2 to 5 minutes if your back feels the same or better.\n"
            "3. Build up toward 30 minutes most days."
        ),
        sets=1,
        reps=1,
        hold_seconds=0,
        times_per_day=1,
        precautions="Wear supportive shoes. Some soreness is fine; sharp or spreading pain is not.",
    ),
)

# --- Everything at once, for export and the settings screen --------------------------------------


def _measure_as_dict(measure: OutcomeMeasureInfo) -> dict[str, object]:
    data: dict[str, object] = {
        "code": measure.code,
        "name": measure.name,
        "scale": measure.scale,
        "meaningful_change": measure.meaningful_change,
        "licence_note": measure.licence_note,
    }
    if measure.code == "odi":
        data["sections"] = list(OSWESTRY_SECTIONS)
    elif measure.code == "start_back":
        data["items"] = list(START_BACK_ITEMS)
        data["item9_choices"] = list(START_BACK_ITEM9_CHOICES)
    return data


def catalog_as_dict() -> dict[str, object]:
    """The catalog as JSON-ready data. Describing codes loads the ICD-10-CM data (slow once)."""
    return {
        "causes": [
            {
                "code": info.cause.value,
                "label": info.label,
                "plain_words": info.plain_words,
                "suggested_codes": [
                    {"code": code, "description": describe(code)} for code in info.suggested_codes
                ],
            }
            for info in CAUSES
        ],
        "symptom_codes": [{"code": code, "description": describe(code)} for code in SYMPTOM_CODES],
        "treatment_paths": [
            {
                "code": info.kind.value,
                "label": info.label,
                "description": info.description,
                "plain_words": info.plain_words,
                "referral_kind": info.referral_kind.value if info.referral_kind else None,
            }
            for info in TREATMENT_PATHS
        ],
        "drug_classes": [
            {"code": drug.value, "label": label} for drug, label in DRUG_CLASS_LABELS.items()
        ],
        "red_flag_conditions": [
            {
                "code": condition.code,
                "label": condition.label,
                "action": condition.action.value,
                "action_text": condition.action_text,
                "source": condition.source,
            }
            for condition in RED_FLAG_CONDITIONS
        ],
        "red_flags": [
            {
                "code": item.code,
                "condition": item.condition,
                "question": item.question,
                "risk_factor": item.risk_factor,
            }
            for item in RED_FLAGS
        ],
        "yellow_flags": [{"code": code, "label": label} for code, label in YELLOW_FLAGS],
        "outcome_measures": [_measure_as_dict(measure) for measure in OUTCOME_MEASURES],
        "interventions": [
            {
                "code": item.code,
                "label": item.label,
                "cpt_code": item.cpt_code,
                "timed": item.timed,
            }
            for item in INTERVENTIONS
        ],
        "exercises": [
            {
                "key": exercise.key,
                "name": exercise.name,
                "instructions": exercise.instructions,
                "sets": exercise.sets,
                "reps": exercise.reps,
                "hold_seconds": exercise.hold_seconds,
                "times_per_day": exercise.times_per_day,
                "precautions": exercise.precautions,
            }
            for exercise in STARTER_EXERCISES
        ],
        "evaluation_complexity": {
            **{level.value: cpt for level, cpt in EVALUATION_COMPLEXITY_CPT.items()},
            "re_evaluation": RE_EVALUATION_CPT,
        },
    }
