"""Enumerations shared by every layer. Values are stored in the database: never rename one."""

from enum import StrEnum


class Role(StrEnum):
    THERAPIST = "therapist"
    OFFICE_MANAGER = "office_manager"
    ADMINISTRATOR = "administrator"


class PatientStatus(StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    DISCHARGED = "discharged"


class Sex(StrEnum):
    """Administrative sex, as FHIR R4 codes it."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class EpisodeStatus(StrEnum):
    OPEN = "open"
    DISCHARGED = "discharged"


class EvaluationKind(StrEnum):
    INITIAL = "initial"
    RE_EVALUATION = "re_evaluation"
    PROGRESS_REPORT = "progress_report"  # at least every 10 treatment days (Medicare)
    DISCHARGE = "discharge"  # the discharge summary; signing it closes the episode


class DischargeReason(StrEnum):
    GOALS_MET = "goals_met"
    PLATEAU = "plateau"  # no further gains expected from therapy
    PATIENT_REQUEST = "patient_request"
    REFERRED_ON = "referred_on"  # to a physician, surgeon or other service
    STOPPED_ATTENDING = "stopped_attending"
    OTHER = "other"


class EvaluationStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class RedFlagAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_ASKED = "not_asked"


class Urgency(StrEnum):
    """How soon a referral must happen; also the action taken on a positive red flag."""

    EMERGENCY = "emergency"  # same day, emergency department
    URGENT = "urgent"  # within days
    ROUTINE = "routine"


class RedFlagAction(StrEnum):
    """What the therapist does about a positive screening answer: a referral at one of the
    three urgencies, or, for a risk factor that points nowhere on its own, noting it and
    watching for change (IFOMPT framework, Finucane 2020: clinical reasoning, not reflex)."""

    EMERGENCY = "emergency"  # same values as Urgency: stored in the same column
    URGENT = "urgent"
    ROUTINE = "routine"
    MONITOR = "monitor"  # noted, no referral; needs a written reason

    @property
    def urgency(self) -> Urgency | None:
        """The referral's urgency, or None when no referral is made."""
        return None if self is RedFlagAction.MONITOR else Urgency(self.value)

    @property
    def rank(self) -> int:
        """Higher is more urgent: a lower choice than recommended needs a reason."""
        return _ACTION_RANK[self]


_ACTION_RANK = {
    RedFlagAction.MONITOR: 0,
    RedFlagAction.ROUTINE: 1,
    RedFlagAction.URGENT: 2,
    RedFlagAction.EMERGENCY: 3,
}


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"
    CENTRAL = "central"


class Cause(StrEnum):
    """Suspected cause of the back spasm: the clinic article's seven plus 'other'."""

    TISSUE_INJURY = "tissue_injury"  # tendons, muscles, ligaments
    HEAVY_LIFTING = "heavy_lifting"
    ACTIVITY_STRAIN = "activity_strain"  # golf, football, other sport or activity
    WEAK_ABDOMINALS = "weak_abdominals"
    ARTHRITIS = "arthritis"
    RUPTURED_DISC = "ruptured_disc"
    FIBROMYALGIA = "fibromyalgia"
    OTHER = "other"


class TreatmentPathKind(StrEnum):
    MEDICATION_REFERRAL = "medication_referral"
    PT_PLAN = "pt_plan"
    STEROID_INJECTION_REFERRAL = "steroid_injection_referral"
    LUMBAR_SURGERY_REFERRAL = "lumbar_surgery_referral"


class DrugClass(StrEnum):
    ANTI_INFLAMMATORY = "anti_inflammatory"
    MUSCLE_RELAXANT = "muscle_relaxant"


class HeatIce(StrEnum):
    NONE = "none"
    HEAT = "heat"
    ICE = "ice"
    HEAT_AND_ICE = "heat_and_ice"


class GoalTerm(StrEnum):
    SHORT = "short"
    LONG = "long"


class GoalStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    MET = "met"
    PARTIALLY_MET = "partially_met"
    NOT_MET = "not_met"


class ReferralKind(StrEnum):
    MEDICATION = "medication"
    STEROID_INJECTION = "steroid_injection"
    LUMBAR_SURGERY = "lumbar_surgery"
    RED_FLAG = "red_flag"
    OTHER = "other"


class ReferralStatus(StrEnum):
    OPEN = "open"
    SENT = "sent"
    CLOSED = "closed"


class Complexity(StrEnum):
    """Evaluation complexity, billed as CPT 97161 / 97162 / 97163."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class Presentation(StrEnum):
    """Clinical presentation, one of the four complexity criteria."""

    STABLE = "stable"
    EVOLVING = "evolving"
    UNSTABLE = "unstable"


class DecisionMaking(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class StartBackRisk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class OswestryBand(StrEnum):
    MINIMAL = "minimal"  # 0-20 %
    MODERATE = "moderate"  # 21-40 %
    SEVERE = "severe"  # 41-60 %
    CRIPPLING = "crippling"  # 61-80 %
    BED_BOUND = "bed_bound"  # 81-100 %


class AuditAction(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    SIGN = "sign"
    DISCARD = "discard"  # an unsigned draft thrown away by its author
    PRINT = "print"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    PERMISSION_CHANGE = "permission_change"


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


class DataCategory(StrEnum):
    """What kind of data an audited action touched."""

    DEMOGRAPHICS = "demographics"
    CLINICAL = "clinical"
    DOCUMENT = "document"
    ACCOUNT = "account"
    CLINIC = "clinic"
    SYSTEM = "system"
