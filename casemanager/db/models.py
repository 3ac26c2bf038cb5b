"""The clinical data model (SQLAlchemy 2, typed declarative).

Every editable clinical table carries `version` (optimistic locking: a second writer gets
StaleDataError, which services turn into a "changed by someone else" message) and UTC
created/updated timestamps. Nothing clinical is deleted: users are deactivated, evaluations
are signed and corrected by addenda, the audit log only grows.

Fixed-length instruments (Oswestry's 10 sections, STarT Back's 9 items) are columns on the
evaluation so caseload aggregates need no pivoting; variable lists get child tables.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from casemanager.db.types import UTCDateTime, enum_type, utcnow
from casemanager.domain import field_limits as limits
from casemanager.domain.enums import (
    AuditAction,
    AuditOutcome,
    Cause,
    Complexity,
    DataCategory,
    DischargeReason,
    DrugClass,
    EpisodeStatus,
    EvaluationKind,
    EvaluationStatus,
    GoalStatus,
    GoalTerm,
    HeatIce,
    PatientStatus,
    RedFlagAction,
    RedFlagAnswer,
    ReferralKind,
    ReferralStatus,
    Role,
    Sex,
    Side,
    StartBackRisk,
    TreatmentPathKind,
    Urgency,
)
from casemanager.domain.intake import IntakeStatus
from casemanager.domain.medicare import GoalProgress

# Stable constraint names so Alembic batch migrations on SQLite can find them again.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class Editable(Timestamps):
    """Timestamps plus a version column checked on every ORM update."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - SQLAlchemy's declared_attr API
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return mapped_column(ForeignKey(target), nullable=nullable, index=index)


class Clinic(Editable, Base):
    """The clinic itself: its name and contact details, printed on every document."""

    __tablename__ = "clinic"
    __table_args__ = (
        # A database holds one clinic, even when first start runs on two workstations at
        # once: every row says True here, and the index takes one.
        Index("uq_clinic_only_one", "only_clinic", unique=True),
        CheckConstraint("only_clinic", name="only_clinic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.CLINIC_NAME))
    phone: Mapped[str | None] = mapped_column(String(limits.PHONE))  # as typed
    phone_e164: Mapped[str | None] = mapped_column(String(limits.PHONE_E164))  # +16315550100
    email: Mapped[str | None] = mapped_column(String(limits.EMAIL))
    address: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Phone numbers typed without "+" are read as this region's (US, PR, CA, MX…).
    phone_region: Mapped[str] = mapped_column(
        String(limits.REGION), default="US", server_default="US"
    )
    only_clinic: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class User(Editable, Base):
    """A person who logs in: therapist, office manager or administrator."""

    __tablename__ = "users"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = _fk("clinic.id")
    username: Mapped[str] = mapped_column(String(limits.USERNAME), unique=True)
    display_name: Mapped[str] = mapped_column(String(limits.STAFF_NAME))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    licence_number: Mapped[str | None] = mapped_column(String(limits.LICENCE))
    password_hash: Mapped[str] = mapped_column(String(limits.PASSWORD_HASH))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Wrong passwords in a row, and until when the account must wait (domain/accounts.py).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Patient(Editable, Base):
    """A patient's demographic record, identified by the medical record number (MRN)."""

    __tablename__ = "patient"
    __table_args__ = (
        # The patient list's default order, so its first page needs no sort of every row;
        # search_name rides along so a search filters index entries without table lookups
        # (17x faster for a rare name at 50,000 patients on SQLite). On PostgreSQL the
        # clinic rides along too, so a page's patients are found from the index alone (every
        # list query names the clinic): 5x faster for a common piece of a name at 100,000.
        # Not on SQLite, where the list query reads the index the same way without it.
        Index(
            "ix_patient_list_order",
            "family_name",
            "given_name",
            "id",
            "search_name",
            postgresql_include=["clinic_id"],
        ),
        Index("ix_patient_status_therapist", "status", "primary_therapist_id"),
        # The caseload reads the status of every open episode's patient from this index
        # alone, not from the (wide) patient rows.
        Index("ix_patient_id_status", "id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index: a database holds one clinic, so it would never narrow a search.
    clinic_id: Mapped[int] = _fk("clinic.id", index=False)
    mrn: Mapped[str] = mapped_column(String(limits.MRN), unique=True)
    given_name: Mapped[str] = mapped_column(String(limits.NAME))
    family_name: Mapped[str] = mapped_column(String(limits.NAME))
    preferred_name: Mapped[str | None] = mapped_column(String(limits.NAME))
    # Lower-cased, accent-free "given family" for search-as-you-type (filled by services).
    search_name: Mapped[str] = mapped_column(String(limits.SEARCH_NAME), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date, index=True)
    sex: Mapped[Sex] = mapped_column(enum_type(Sex))
    phone: Mapped[str | None] = mapped_column(String(limits.PHONE))  # as typed, for people
    # The digits as typed (finds "020 7946" as typed), and the number in E.164, which finds it
    # however it is typed and goes to other systems; E.164 is empty for a number kept from
    # before numbers were checked that does not read as one.
    phone_digits: Mapped[str | None] = mapped_column(String(limits.PHONE_DIGITS), index=True)
    phone_e164: Mapped[str | None] = mapped_column(String(limits.PHONE_E164), index=True)
    email: Mapped[str | None] = mapped_column(String(limits.EMAIL))
    address: Mapped[str | None] = mapped_column(Text)
    preferred_language: Mapped[str] = mapped_column(String(limits.LANGUAGE), default="en")
    emergency_contact_name: Mapped[str | None] = mapped_column(String(limits.CONTACT_NAME))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(limits.PHONE))
    emergency_contact_phone_e164: Mapped[str | None] = mapped_column(String(limits.PHONE_E164))
    referring_physician: Mapped[str | None] = mapped_column(String(limits.CONTACT_NAME))
    primary_therapist_id: Mapped[int | None] = _fk("users.id", nullable=True)
    # Where an imported patient came from ("system|value"): a second import of the same file
    # finds the patient instead of adding them again.
    source_identifier: Mapped[str | None] = mapped_column(
        String(limits.SOURCE_IDENTIFIER), index=True, unique=True
    )
    status: Mapped[PatientStatus] = mapped_column(enum_type(PatientStatus))

    episodes: Mapped[list[EpisodeOfCare]] = relationship(back_populates="patient")


class EpisodeOfCare(Editable, Base):
    """One complaint from intake to discharge."""

    __tablename__ = "episode_of_care"
    __table_args__ = (
        # patient_id rides along: the worklist finds each open episode's patient from the
        # index alone, without reading the episode rows.
        Index("ix_episode_status_therapist", "status", "therapist_id", "patient_id"),
        # One open episode per patient, even when two workstations start one at once.
        Index(
            "uq_episode_one_open_per_patient",
            "patient_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = _fk("patient.id")
    therapist_id: Mapped[int] = _fk("users.id")
    complaint: Mapped[str] = mapped_column(String(limits.COMPLAINT))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[EpisodeStatus] = mapped_column(enum_type(EpisodeStatus))
    discharge_reason: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient] = relationship(back_populates="episodes")
    evaluations: Mapped[list[Evaluation]] = relationship(back_populates="episode")
    visits: Mapped[list[Visit]] = relationship(back_populates="episode")


class Evaluation(Editable, Base):
    """An initial evaluation, re-evaluation, progress report or discharge summary: history,
    screening, scores, suspected cause and assessment; locked once signed."""

    __tablename__ = "evaluation"
    __table_args__ = (
        # The caseload finds each episode's latest signed evaluation of a kind from the index
        # alone, without reading the (wide) evaluation rows.
        Index("ix_evaluation_episode_signed", "episode_id", "status", "kind", "evaluation_date"),
        # One unsigned evaluation per episode, even when two workstations start a follow-up
        # at once: the next is started once it is signed or discarded.
        Index(
            "uq_evaluation_one_draft_per_episode",
            "episode_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = _fk("episode_of_care.id")
    therapist_id: Mapped[int] = _fk("users.id")
    kind: Mapped[EvaluationKind] = mapped_column(enum_type(EvaluationKind))
    evaluation_date: Mapped[date] = mapped_column(Date)
    status: Mapped[EvaluationStatus] = mapped_column(enum_type(EvaluationStatus), index=True)
    signed_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # History
    chief_complaint: Mapped[str | None] = mapped_column(Text)
    onset_date: Mapped[date | None] = mapped_column(Date)
    mechanism_of_injury: Mapped[str | None] = mapped_column(Text)
    aggravating_factors: Mapped[str | None] = mapped_column(Text)
    easing_factors: Mapped[str | None] = mapped_column(Text)
    prior_episodes: Mapped[str | None] = mapped_column(Text)
    past_medical_history: Mapped[str | None] = mapped_column(Text)
    medications: Mapped[str | None] = mapped_column(Text)
    occupation: Mapped[str | None] = mapped_column(String(limits.SHORT_ANSWER))
    activities: Mapped[str | None] = mapped_column(Text)  # sports and activities
    patient_goals: Mapped[str | None] = mapped_column(Text)

    # Pain (NPRS 0-10, last 24 hours)
    nprs_now: Mapped[int | None] = mapped_column(SmallInteger)
    nprs_best: Mapped[int | None] = mapped_column(SmallInteger)
    nprs_worst: Mapped[int | None] = mapped_column(SmallInteger)
    pain_location: Mapped[str | None] = mapped_column(String(limits.PAIN_LOCATION))
    pain_side: Mapped[Side | None] = mapped_column(enum_type(Side))
    radiates_below_knee: Mapped[bool | None] = mapped_column(Boolean)

    # Oswestry: section scores 0-5 from the clinic's licensed form; we store the computed %.
    odi_s1: Mapped[int | None] = mapped_column(SmallInteger)
    odi_s2: Mapped[int | None] = mapped_column(SmallInteger)
    odi_s3: Mapped[int | None] = mapped_column(SmallInteger)
    odi_s4: Mapped[int | None] = mapped_column(SmallInteger)
    odi_s5: Mapped[int | None] = mapped_column(SmallInteger)
    odi_s6: Mapped[int | None] = mapped_column(SmallInteger)
    odi_s7: Mapped[int | None] = mapped_column(SmallInteger)
    odi_s8: Mapped[int | None] = mapped_column(SmallInteger)
    odi_s9: Mapped[int | None] = mapped_column(SmallInteger)
    odi_s10: Mapped[int | None] = mapped_column(SmallInteger)
    odi_percent: Mapped[float | None] = mapped_column(Float)

    # STarT Back: items 1-8 are 0/1, item 9 is the answer index 0-4.
    sbst_1: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_2: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_3: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_4: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_5: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_6: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_7: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_8: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_9: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_total: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_psychosocial: Mapped[int | None] = mapped_column(SmallInteger)
    sbst_risk: Mapped[StartBackRisk | None] = mapped_column(enum_type(StartBackRisk))

    psfs_mean: Mapped[float | None] = mapped_column(Float)
    red_flags_rechecked: Mapped[bool] = mapped_column(  # follow-up: red flags asked again
        Boolean, default=False, server_default=false()
    )

    # Assessment
    primary_cause: Mapped[Cause | None] = mapped_column(enum_type(Cause), index=True)
    cause_note: Mapped[str | None] = mapped_column(Text)  # e.g. which sport, what "other" is
    complexity: Mapped[Complexity | None] = mapped_column(enum_type(Complexity))
    assessment_note: Mapped[str | None] = mapped_column(Text)  # progress/discharge summary
    discharge_reason: Mapped[DischargeReason | None] = mapped_column(enum_type(DischargeReason))

    episode: Mapped[EpisodeOfCare] = relationship(back_populates="evaluations")
    red_flags: Mapped[list[RedFlagFinding]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan"
    )
    psfs_activities: Mapped[list[PsfsActivity]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="PsfsActivity.position"
    )
    contributing_causes: Mapped[list[ContributingCause]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan"
    )
    diagnosis_codes: Mapped[list[DiagnosisCode]] = relationship(
        back_populates="evaluation",
        cascade="all, delete-orphan",
        order_by="DiagnosisCode.position",
    )
    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="evaluation", order_by="Addendum.created_at"
    )
    plan: Mapped[TreatmentPlan | None] = relationship(back_populates="evaluation")


class RedFlagFinding(Editable, Base):
    """One screening question's answer; a missing row means 'not asked'."""

    __tablename__ = "red_flag_finding"
    __table_args__ = (UniqueConstraint("evaluation_id", "flag_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = _fk("evaluation.id")
    flag_code: Mapped[str] = mapped_column(String(limits.CODE))
    answer: Mapped[RedFlagAnswer] = mapped_column(enum_type(RedFlagAnswer))
    # Stored values are Urgency's plus "monitor", so older rows read unchanged.
    action: Mapped[RedFlagAction | None] = mapped_column(  # referral urgency, or monitor
        enum_type(RedFlagAction)
    )
    note: Mapped[str | None] = mapped_column(Text)
    action_reason: Mapped[str | None] = mapped_column(Text)  # why below recommended, or monitored

    evaluation: Mapped[Evaluation] = relationship(back_populates="red_flags")


class PsfsActivity(Editable, Base):
    """An activity the patient named for the Patient-Specific Functional Scale, scored 0-10."""

    __tablename__ = "psfs_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = _fk("evaluation.id")
    position: Mapped[int] = mapped_column(SmallInteger)
    activity: Mapped[str] = mapped_column(String(limits.SHORT_ANSWER))
    score: Mapped[int | None] = mapped_column(SmallInteger)

    evaluation: Mapped[Evaluation] = relationship(back_populates="psfs_activities")


class ContributingCause(Editable, Base):
    """A further suspected cause of the back spasm, besides the evaluation's primary cause."""

    __tablename__ = "contributing_cause"
    __table_args__ = (UniqueConstraint("evaluation_id", "cause"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = _fk("evaluation.id")
    cause: Mapped[Cause] = mapped_column(enum_type(Cause))

    evaluation: Mapped[Evaluation] = relationship(back_populates="contributing_causes")


class DiagnosisCode(Editable, Base):
    """An ICD-10-CM billable code attached to an evaluation (validated by services)."""

    __tablename__ = "diagnosis_code"
    __table_args__ = (UniqueConstraint("evaluation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = _fk("evaluation.id")
    position: Mapped[int] = mapped_column(SmallInteger)
    code: Mapped[str] = mapped_column(String(limits.DIAGNOSIS_CODE), index=True)
    description: Mapped[str] = mapped_column(String(limits.DIAGNOSIS_DESCRIPTION))

    evaluation: Mapped[Evaluation] = relationship(back_populates="diagnosis_codes")


class Addendum(Timestamps, Base):
    """A correction or late entry after signing; never edited once written."""

    __tablename__ = "addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = _fk("evaluation.id")
    author_id: Mapped[int] = _fk("users.id", index=False)
    text: Mapped[str] = mapped_column(Text)

    evaluation: Mapped[Evaluation] = relationship(back_populates="addenda")


class TreatmentPlan(Editable, Base):
    """The plan of care made at an evaluation: certification period, next appointment and note."""

    __tablename__ = "treatment_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), unique=True)
    certification_start: Mapped[date | None] = mapped_column(Date)
    certification_end: Mapped[date | None] = mapped_column(Date, index=True)
    next_appointment: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    # The physician's certification of this plan (Medicare ch. 15 s. 220.1.3), recorded when
    # the signed copy comes back; it may be recorded after the evaluation is signed. A
    # certification covers every plan of the episode with the same certification period.
    # The certifying physician.
    certified_by: Mapped[str | None] = mapped_column(String(limits.CONTACT_NAME))
    certified_on: Mapped[date | None] = mapped_column(Date)  # the date the physician signed
    certification_delay_reason: Mapped[str | None] = mapped_column(Text)  # when after day 30

    evaluation: Mapped[Evaluation] = relationship(back_populates="plan")
    paths: Mapped[list[TreatmentPath]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )
    goals: Mapped[list[Goal]] = relationship(back_populates="plan", cascade="all, delete-orphan")
    home_exercises: Mapped[list[HomeExercise]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="HomeExercise.position"
    )


class TreatmentPath(Editable, Base):
    """One chosen path; the columns that apply depend on `kind`."""

    __tablename__ = "treatment_path"
    __table_args__ = (UniqueConstraint("plan_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = _fk("treatment_plan.id")
    kind: Mapped[TreatmentPathKind] = mapped_column(enum_type(TreatmentPathKind), index=True)
    # Medication referral: one or both classes.
    anti_inflammatory: Mapped[bool] = mapped_column(Boolean, default=False)
    muscle_relaxant: Mapped[bool] = mapped_column(Boolean, default=False)
    # PT plan
    frequency_per_week: Mapped[int | None] = mapped_column(SmallInteger)
    duration_weeks: Mapped[int | None] = mapped_column(SmallInteger)
    interventions: Mapped[str | None] = mapped_column(Text)  # comma-separated catalog codes
    heat_ice: Mapped[HeatIce | None] = mapped_column(enum_type(HeatIce))
    heat_ice_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    heat_ice_times_per_day: Mapped[int | None] = mapped_column(SmallInteger)
    # Injection referral
    injection_level: Mapped[str | None] = mapped_column(String(limits.INJECTION_LEVEL))
    injection_side: Mapped[Side | None] = mapped_column(enum_type(Side))
    # Any referral path
    reason: Mapped[str | None] = mapped_column(Text)
    refer_to: Mapped[str | None] = mapped_column(String(limits.CONTACT_NAME))
    urgency: Mapped[Urgency | None] = mapped_column(enum_type(Urgency))

    plan: Mapped[TreatmentPlan] = relationship(back_populates="paths")

    def drug_classes(self) -> list[DrugClass]:
        chosen = []
        if self.anti_inflammatory:
            chosen.append(DrugClass.ANTI_INFLAMMATORY)
        if self.muscle_relaxant:
            chosen.append(DrugClass.MUSCLE_RELAXANT)
        return chosen


class Goal(Editable, Base):
    """A short- or long-term goal of a plan of care, measurable and tied to function."""

    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = _fk("treatment_plan.id")
    term: Mapped[GoalTerm] = mapped_column(enum_type(GoalTerm))
    description: Mapped[str] = mapped_column(Text)  # measurable, tied to function
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(enum_type(GoalStatus))

    plan: Mapped[TreatmentPlan] = relationship(back_populates="goals")


class Exercise(Editable, Base):
    """The clinic's exercise library; starter exercises are copied in and may be edited."""

    __tablename__ = "exercise"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = _fk("clinic.id")
    # The starter-set key, None if clinic-made.
    key: Mapped[str | None] = mapped_column(String(limits.CODE))
    name: Mapped[str] = mapped_column(String(limits.EXERCISE_NAME))
    instructions: Mapped[str] = mapped_column(Text)
    precautions: Mapped[str | None] = mapped_column(Text)
    sets: Mapped[int | None] = mapped_column(SmallInteger)
    reps: Mapped[int | None] = mapped_column(SmallInteger)
    hold_seconds: Mapped[int | None] = mapped_column(SmallInteger)
    times_per_day: Mapped[int | None] = mapped_column(SmallInteger)
    # The clinic's own picture (PNG or JPEG, checked by services). Kept in the database so
    # every workstation of a shared server sees it; starter exercises draw a built-in figure.
    image: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class HomeExercise(Editable, Base):
    """An exercise prescribed in a plan, with its own dose."""

    __tablename__ = "home_exercise"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = _fk("treatment_plan.id")
    exercise_id: Mapped[int] = _fk("exercise.id")
    position: Mapped[int] = mapped_column(SmallInteger)
    sets: Mapped[int | None] = mapped_column(SmallInteger)
    reps: Mapped[int | None] = mapped_column(SmallInteger)
    hold_seconds: Mapped[int | None] = mapped_column(SmallInteger)
    times_per_day: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)
    # The library's wording when the plan was signed: a reprint says what was prescribed,
    # even after the clinic edits the exercise.
    signed_name: Mapped[str | None] = mapped_column(String(limits.EXERCISE_NAME))
    signed_instructions: Mapped[str | None] = mapped_column(Text)
    signed_precautions: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[TreatmentPlan] = relationship(back_populates="home_exercises")
    exercise: Mapped[Exercise] = relationship()


class Referral(Editable, Base):
    """A referral to another clinician (medication, injection, surgery, red flag, other) and
    how it ended."""

    __tablename__ = "referral"
    __table_args__ = (
        Index("ix_referral_status_urgency", "status", "urgency"),
        Index("ix_referral_status_kind", "status", "kind"),  # open red-flag referrals
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = _fk("episode_of_care.id")
    evaluation_id: Mapped[int | None] = _fk("evaluation.id", nullable=True)
    kind: Mapped[ReferralKind] = mapped_column(enum_type(ReferralKind))
    to_whom: Mapped[str] = mapped_column(String(limits.CONTACT_NAME))
    specialty: Mapped[str | None] = mapped_column(String(limits.SPECIALTY))
    reason: Mapped[str] = mapped_column(Text)
    urgency: Mapped[Urgency] = mapped_column(enum_type(Urgency))
    status: Mapped[ReferralStatus] = mapped_column(enum_type(ReferralStatus))
    red_flag_code: Mapped[str | None] = mapped_column(String(limits.CODE))
    sent_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    # How a red-flag referral ended: the clinician who saw the patient, and whether therapy
    # may go on (the chart and every later document print this, not "on hold").
    # The clinician who assessed them.
    seen_by: Mapped[str | None] = mapped_column(String(limits.CONTACT_NAME))
    cleared_for_therapy: Mapped[bool | None] = mapped_column(Boolean)  # may therapy go on
    closed_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)  # recorded by


class Visit(Editable, Base):
    """One treatment visit after the evaluation: date, pain score, note."""

    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_episode_date", "episode_id", "visit_date"),
        # By date with the episode alongside: a week's visits per therapist without reading
        # the visit rows.
        Index("ix_visit_date_episode", "visit_date", "episode_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode_of_care.id"))
    therapist_id: Mapped[int] = _fk("users.id")
    visit_date: Mapped[date] = mapped_column(Date)
    nprs: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)
    is_progress_report: Mapped[bool] = mapped_column(Boolean, default=False)

    episode: Mapped[EpisodeOfCare] = relationship(back_populates="visits")
    interventions: Mapped[list[VisitIntervention]] = relationship(
        back_populates="visit", cascade="all, delete-orphan"
    )


class GoalAssessment(Editable, Base):
    """A progress report's verdict on one goal of the plan in force (Medicare ch. 15
    s. 220.3.D), given either at a visit recorded as the progress report or in a progress
    report or re-evaluation written as an evaluation. An evaluation's draft may hold a verdict
    or note still empty; signing requires both (a visit's rows are always complete)."""

    __tablename__ = "goal_assessment"
    __table_args__ = (
        UniqueConstraint("visit_id", "goal_id"),
        UniqueConstraint("evaluation_id", "goal_id"),
        CheckConstraint("(visit_id IS NULL) <> (evaluation_id IS NULL)", name="one_report"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation.id"), index=True)
    goal_id: Mapped[int] = _fk("goal.id")
    progress: Mapped[GoalProgress | None] = mapped_column(enum_type(GoalProgress))  # verdict
    note: Mapped[str | None] = mapped_column(Text)  # what the therapist measured


class VisitIntervention(Editable, Base):
    """One intervention given at a visit, with its minutes (for the timed CPT codes)."""

    __tablename__ = "visit_intervention"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    intervention: Mapped[str] = mapped_column(String(limits.CODE))  # catalog code
    minutes: Mapped[int] = mapped_column(SmallInteger)

    visit: Mapped[Visit] = relationship(back_populates="interventions")


class EpisodeSummary(Base):
    """Where each episode stands, derived from its visits and signed evaluations so the
    caseload reads one row per episode instead of searching its history. Never edited by
    hand: `db/episode_summary.py` rewrites an episode's row in the same transaction as any
    change to its visits or evaluations."""

    __tablename__ = "episode_summary"
    __table_args__ = (
        # Every column the caseload's period figures read, in the order they group by
        # (therapist, cause, paths): SQLite reads the index alone, in order, instead of
        # copying the period's episodes and sorting them (db/caseload_queries.py). Within a
        # group, episodes in id order, as they were always summed: a mean of scores kept to
        # one decimal is a float sum, whose last digit depends on the order.
        Index(
            "ix_episode_summary_figures",
            "therapist_id",
            "cause",
            "paths",
            "episode_id",
            "start_date",
            "end_date",
            "status",
            "visit_count",
            "first_visit",
            "last_visit",
            "initial_date",
            "latest_follow_up_date",
            "followed_up",
            "nprs_change",
            "nprs_ok",
            "odi_change",
            "odi_ok",
            "psfs_change",
            "psfs_ok",
            "patient_id",
        ),
        # Today's figures by therapist and the worklist: the open episodes and what they
        # read, from the index alone.
        Index(
            "ix_episode_summary_open",
            "status",
            "therapist_id",
            "cause",
            "paths",
            "patient_id",
            "visits_since_report",
            "certification_end",
            "certified",
            "plan_day",
            "last_visit",
            "last_evaluation",
        ),
        # The few episodes followed up after a period that ended earlier, with the days that
        # say whether they were in it (an old period: most were not).
        Index("ix_episode_summary_follow_up", "latest_follow_up_date", "start_date", "end_date"),
    )

    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episode_of_care.id", ondelete="CASCADE"), primary_key=True
    )
    # The latest signed evaluation with a plan: the episode's current cause and paths.
    plan_evaluation_id: Mapped[int | None] = mapped_column(Integer)
    cause: Mapped[Cause | None] = mapped_column(enum_type(Cause))
    paths: Mapped[int] = mapped_column(Integer)  # bit i set: episode_summary.PATHS[i] chosen
    certification_end: Mapped[date | None] = mapped_column(Date)
    # Treatment days (the evaluation day and visit days) in the current progress-report
    # period (domain/medicare.py); the column kept its first name.
    visits_since_report: Mapped[int] = mapped_column(Integer)
    visit_count: Mapped[int] = mapped_column(Integer)
    # The first visit: an episode whose visits all fall in a period has visit_count of them
    # there, so the caseload counts visits only for the episodes that straddle its edges.
    first_visit: Mapped[date | None] = mapped_column(Date)
    last_visit: Mapped[date | None] = mapped_column(Date)
    last_evaluation: Mapped[date | None] = mapped_column(Date)  # any status, drafts too
    initial_date: Mapped[date | None] = mapped_column(Date)  # the initial evaluation's date
    intake_evaluation_id: Mapped[int | None] = mapped_column(Integer)  # the signed initial
    latest_follow_up_id: Mapped[int | None] = mapped_column(Integer)  # signed, latest
    latest_follow_up_date: Mapped[date | None] = mapped_column(Date)
    # The certification period in force (that of certification_end): its start, whether a
    # physician has certified it, and the day of the evaluation that set it. The worklist
    # reads these instead of looking through the episode's plans.
    certification_start: Mapped[date | None] = mapped_column(Date)
    certified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    plan_day: Mapped[date | None] = mapped_column(Date)
    # The outcome scores of the intake and of the latest follow-up (signed, so they stay).
    intake_nprs: Mapped[int | None] = mapped_column(SmallInteger)
    intake_odi: Mapped[float | None] = mapped_column(Float)
    intake_psfs: Mapped[float | None] = mapped_column(Float)
    latest_nprs: Mapped[int | None] = mapped_column(SmallInteger)
    latest_odi: Mapped[float | None] = mapped_column(Float)
    latest_psfs: Mapped[float | None] = mapped_column(Float)
    # The episode's own therapist, patient, status and dates, and its outcome (intake against
    # latest follow-up, as domain.scoring: the change when both have the measure, and 1 when
    # it is meaningful), so the caseload's figures read this one table in one pass.
    therapist_id: Mapped[int | None] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[EpisodeStatus | None] = mapped_column(enum_type(EpisodeStatus))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    followed_up: Mapped[int | None] = mapped_column(SmallInteger)  # a signed intake and follow-up
    nprs_change: Mapped[int | None] = mapped_column(SmallInteger)
    nprs_ok: Mapped[int | None] = mapped_column(SmallInteger)
    odi_change: Mapped[float | None] = mapped_column(Float)
    odi_ok: Mapped[int | None] = mapped_column(SmallInteger)
    psfs_change: Mapped[float | None] = mapped_column(Float)
    psfs_ok: Mapped[int | None] = mapped_column(SmallInteger)


class PrintedDocument(Base):
    """A document printed or saved from a signed evaluation: shown on the chart's timeline,
    exported as a FHIR DocumentReference. The PDF itself is not kept: it is made again from
    the signed (locked) record whenever needed."""

    __tablename__ = "printed_document"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    evaluation_id: Mapped[int] = _fk("evaluation.id")
    # take-home, plan-of-care, referral
    kind: Mapped[str] = mapped_column(String(limits.DOCUMENT_KIND))
    language: Mapped[str | None] = mapped_column(String(limits.LANGUAGE))
    large_print: Mapped[bool] = mapped_column(Boolean, default=False)
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction))  # print or export
    user_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    actor: Mapped[str] = mapped_column(String(limits.ACTOR))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EvaluationTemplate(Editable, Base):
    """A clinic's template for a suspected cause: codes, treatment paths, goals (weeks to
    target) and home exercises, filled into a draft in one action (domain/templates.py).
    Starter templates are the clinic's own copies; a template is retired, never deleted."""

    __tablename__ = "evaluation_template"
    __table_args__ = (Index("ix_evaluation_template_cause", "clinic_id", "cause", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = _fk("clinic.id", index=False)
    key: Mapped[str | None] = mapped_column(String(limits.CODE))  # starter key; None: clinic-made
    cause: Mapped[Cause] = mapped_column(enum_type(Cause))
    name: Mapped[str] = mapped_column(String(limits.TEMPLATE_NAME))
    note: Mapped[str | None] = mapped_column(Text)
    # Codes, paths, goals and exercises as templates.to_data writes them: edited and read
    # as a whole, never searched inside.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    # The signed evaluation whose plan it was saved from, if any.
    source_evaluation_id: Mapped[int | None] = _fk("evaluation.id", nullable=True, index=False)


class PatientIntake(Editable, Base):
    """A patient's intake on a clinic tablet, opened by a therapist for that one patient:
    the tablet holds a secret token (only its hash is kept) that reaches this row and no
    other. The answers wait as a draft until the therapist confirms them into an evaluation."""

    __tablename__ = "patient_intake"
    __table_args__ = (
        # One open intake per patient (one tablet, one intake), even when two workstations
        # open one at once: opening another cancels the open one first.
        Index(
            "uq_patient_intake_one_open_per_patient",
            "patient_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = _fk("patient.id")
    opened_by_id: Mapped[int] = _fk("users.id", index=False)
    language: Mapped[str] = mapped_column(String(limits.LANGUAGE))
    status: Mapped[IntakeStatus] = mapped_column(enum_type(IntakeStatus))
    token_hash: Mapped[str | None] = mapped_column(
        String(limits.HASH), unique=True
    )  # None once closed
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # domain/intake.py to_data
    answered_on: Mapped[date | None] = mapped_column(Date)  # "2 weeks ago" counts from here
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evaluation_id: Mapped[int | None] = _fk("evaluation.id", nullable=True, index=False)


class AuditEntry(Base):
    """Append-only: who did what to which patient's data, when, from where, and the outcome.

    Holds no clinical content: `detail` names records (e.g. "evaluation 12"), never values.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_patient_time", "patient_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = _fk("users.id", nullable=True)
    actor: Mapped[str] = mapped_column(String(limits.ACTOR))  # username, or "os:NAME" for the CLI
    workstation: Mapped[str] = mapped_column(String(limits.WORKSTATION))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), nullable=True)
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction))
    data_category: Mapped[DataCategory] = mapped_column(enum_type(DataCategory))
    outcome: Mapped[AuditOutcome] = mapped_column(enum_type(AuditOutcome))
    detail: Mapped[str | None] = mapped_column(String(limits.AUDIT_DETAIL))
    # The hash chain (domain/audit_chain.py): the previous row's hash, and this row's.
    # Empty only in a row someone wrote around the app, which `audit verify` reports.
    prev_hash: Mapped[str | None] = mapped_column(String(limits.HASH))
    row_hash: Mapped[str | None] = mapped_column(String(limits.HASH))


class AuditChainHead(Base):
    """One row: how many audit rows the app has chained and the last one's hash. Every audit
    write updates it first, which makes writers take turns (SQLite and PostgreSQL alike) and
    lets `audit verify` notice rows cut off the end of the log."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # always 1
    rows: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(limits.HASH))
