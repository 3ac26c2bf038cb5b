"""A synthetic demo clinic: realistic, deterministic for a seed (and a 'today'), and fast.

Rows are built as plain tuples with ids assigned here, then written table by table in
chunks: COPY on PostgreSQL, executemany on SQLite. One ORM object at a time would take
hours at 100,000 patients; this takes minutes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from sqlalchemy import Connection, Date, Enum, Table, func, select, text

from casemanager.db.engine import Database
from casemanager.db.models import Base, Clinic, Exercise, User
from casemanager.db.types import UTCDateTime
from casemanager.domain import catalogs, codes, scoring, validation
from casemanager.domain.enums import (
    AuditAction,
    Cause,
    Complexity,
    DataCategory,
    EpisodeStatus,
    EvaluationKind,
    EvaluationStatus,
    GoalStatus,
    GoalTerm,
    HeatIce,
    PatientStatus,
    RedFlagAnswer,
    ReferralKind,
    ReferralStatus,
    Role,
    Sex,
    Side,
    TreatmentPathKind,
    Urgency,
)
from casemanager.domain.errors import DomainError
from casemanager.domain.mrn import make_mrn
from casemanager.services import audit
from casemanager.services.accounts import hash_password
from casemanager.services.context import Actor
from casemanager.services.setup import starter_exercise_rows

DEMO_PASSWORD = "demo-password"
DEMO_CLINIC_NAME = "Harbor Spine & Sport Physical Therapy (demo)"

# (username, display name, role, licence number); printed in the README.
DEMO_STAFF: tuple[tuple[str, str, Role, str | None], ...] = (
    ("alvarez", "María Álvarez, PT, DPT", Role.THERAPIST, "PT-204817"),
    ("chen", "Wei Chen, PT", Role.THERAPIST, "PT-311052"),
    ("okafor", "Chinedu Okafor, PT, DPT", Role.THERAPIST, "PT-118634"),
    ("nowak", "Anna Nowak, PT", Role.THERAPIST, "PT-275590"),
    ("manager", "Jordan Lee", Role.OFFICE_MANAGER, None),
    ("admin", "Sam Patel", Role.ADMINISTRATOR, None),
)
_THERAPIST_WEIGHTS = (32, 26, 24, 18)

# Locale, share of patients, language the care plan prints in.
_LOCALES: tuple[tuple[str, int, str], ...] = (
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

_CAUSE_WEIGHTS: tuple[tuple[Cause, int], ...] = (
    (Cause.TISSUE_INJURY, 24),
    (Cause.HEAVY_LIFTING, 20),
    (Cause.ACTIVITY_STRAIN, 14),
    (Cause.WEAK_ABDOMINALS, 9),
    (Cause.ARTHRITIS, 14),
    (Cause.RUPTURED_DISC, 11),
    (Cause.FIBROMYALGIA, 4),
    (Cause.OTHER, 4),
)

_MECHANISM: dict[Cause, tuple[str, ...]] = {
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
_OCCUPATIONS = (
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
_ACTIVITIES = (
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
_PSFS_ACTIVITIES = (
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
_SHORT_GOALS = (
    "Sit for 45 minutes at work with pain no higher than 3/10 within 3 weeks.",
    "Put on socks and shoes without help within 2 weeks.",
    "Walk 20 minutes without stopping within 3 weeks.",
    "Sleep through the night without waking from back pain within 3 weeks.",
)
_LONG_GOALS = (
    "Return to full work duties including lifting 20 kg from floor to waist.",
    "Play 18 holes of golf with pain no higher than 2/10.",
    "Lift and carry a child of 12 kg without increase in symptoms.",
    "Oswestry score below 20% and independent with home program.",
    "Return to recreational sport at the previous level.",
)
_STREETS = ("Oak Street", "Maple Avenue", "Harbor Road", "Main Street", "Bay Lane")
_PHYSICIANS = (
    "Dr. Helen Brooks (family medicine)",
    "Dr. Rafael Ortiz (internal medicine)",
    "Dr. Priya Shah (sports medicine)",
    "Dr. Thomas Whitfield (family medicine)",
    "Dr. Mei Tanaka (physiatry)",
)
_SPECIALISTS = {
    ReferralKind.MEDICATION: ("primary care", _PHYSICIANS),
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


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    episodes: int
    evaluations: int
    visits: int
    referrals: int
    seconds: float


def _weighted(rng: random.Random, options: Sequence[Any], weights: Sequence[int]) -> Any:
    return rng.choices(options, weights)[0]


class _NamePools:
    """Given and family names per locale, drawn once from Faker with the seed."""

    def __init__(self, seed: int) -> None:
        from faker import Faker  # heavy: only the demo needs it

        self.pools: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {}
        for locale, _share, _lang in _LOCALES:
            fake = Faker(locale)
            fake.seed_instance(seed)
            female = sorted({fake.first_name_female() for _ in range(250)})
            male = sorted({fake.first_name_male() for _ in range(250)})
            fam_f = sorted({_female_last(fake) for _ in range(250)})
            fam_m = sorted({_male_last(fake) for _ in range(250)})
            self.pools[locale] = (female, male, fam_f, fam_m)

    def draw(self, rng: random.Random, locale: str, sex: Sex) -> tuple[str, str]:
        female, male, fam_f, fam_m = self.pools[locale]
        if sex == Sex.FEMALE:
            return rng.choice(female), rng.choice(fam_f)
        return rng.choice(male), rng.choice(fam_m)


def _female_last(fake: Any) -> str:
    return str(fake.last_name_female() if hasattr(fake, "last_name_female") else fake.last_name())


def _male_last(fake: Any) -> str:
    return str(fake.last_name_male() if hasattr(fake, "last_name_male") else fake.last_name())


class _Ids:
    """Next id per table, so child rows can point at parents without a round trip."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, clock(hour, 0), tzinfo=UTC)


class _Builder:
    """Builds the rows of one chunk of patients."""

    def __init__(
        self,
        rng: random.Random,
        today: date,
        clinic_id: int,
        therapist_ids: list[int],
        exercise_ids: list[int],
        names: _NamePools,
        ids: _Ids,
        used_mrns: set[str],
    ) -> None:
        self.rng = rng
        self.today = today
        self.clinic_id = clinic_id
        self.therapists = therapist_ids
        self.exercises = exercise_ids
        self.names = names
        self.ids = ids
        self.used_mrns = used_mrns
        self.rows: dict[str, list[dict[str, Any]]] = {
            t.name: [] for t in Base.metadata.sorted_tables
        }
        self._code_sets: dict[tuple[str, ...], bool] = {}

    # -- helpers ---------------------------------------------------------------------------
    def _add(self, table: str, **row: Any) -> int:
        row.setdefault("id", self.ids.take(table))
        self.rows[table].append(row)
        return int(row["id"])

    def _stamp(self, day: date) -> dict[str, Any]:
        moment = _at(day)
        return {"created_at": moment, "updated_at": moment, "version": 1}

    def _mrn(self) -> str:
        while True:
            mrn = make_mrn(self.rng.randrange(1_000_000, 10_000_000))
            if mrn not in self.used_mrns:
                self.used_mrns.add(mrn)
                return mrn

    # -- one patient -----------------------------------------------------------------------
    def patient(self) -> None:
        rng = self.rng
        locale, language = _weighted(
            rng, [(loc, lang) for loc, _s, lang in _LOCALES], [s for _l, s, _g in _LOCALES]
        )
        sex = Sex.FEMALE if rng.random() < 0.54 else Sex.MALE
        given, family = self.names.draw(rng, locale, sex)
        age = min(92, max(18, int(rng.gauss(48, 15))))
        born = self.today - timedelta(days=age * 365 + rng.randrange(365))
        therapist = _weighted(rng, self.therapists, _THERAPIST_WEIGHTS)
        roll = rng.random()
        status = (
            PatientStatus.ACTIVE
            if roll < 0.33
            else PatientStatus.ON_HOLD
            if roll < 0.40
            else PatientStatus.DISCHARGED
        )
        start = self.today - timedelta(days=rng.randrange(3, 365))
        if status == PatientStatus.DISCHARGED:
            start = self.today - timedelta(days=rng.randrange(60, 365))
        elif status == PatientStatus.ON_HOLD:
            start = self.today - timedelta(days=rng.randrange(30, 200))
        phone = f"({rng.randrange(201, 989)}) 555-{rng.randrange(0, 10000):04d}"
        patient_id = self._add(
            "patient",
            clinic_id=self.clinic_id,
            mrn=self._mrn(),
            given_name=given,
            family_name=family,
            preferred_name=None,
            search_name=validation.normalize_for_search(f"{given} {family}"),
            date_of_birth=born,
            sex=sex,
            phone=phone,
            phone_digits=validation.phone_digits(phone),
            email=None
            if rng.random() < 0.3
            else f"patient{self.ids.next.get('patient', 1)}@mail.example",
            address=f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}, Copiague, NY 11726",
            preferred_language=language,
            emergency_contact_name=None
            if rng.random() < 0.2
            else f"{rng.choice(self.names.pools[locale][0])} {family}",
            emergency_contact_phone=None
            if rng.random() < 0.2
            else f"(631) 555-{rng.randrange(0, 10000):04d}",
            referring_physician=rng.choice(_PHYSICIANS),
            primary_therapist_id=therapist,
            status=status,
            **self._stamp(start - timedelta(days=1)),
        )
        if rng.random() < 0.06 and start > self.today - timedelta(days=250):
            # An earlier, finished episode for some returning patients.
            earlier = start - timedelta(days=rng.randrange(120, 400))
            self.episode(patient_id, therapist, earlier, PatientStatus.DISCHARGED, age)
        self.episode(patient_id, therapist, start, status, age)

    def episode(
        self, patient_id: int, therapist: int, start: date, status: PatientStatus, age: int
    ) -> None:
        rng = self.rng
        cause = _weighted(rng, [c for c, _w in _CAUSE_WEIGHTS], [w for _c, w in _CAUSE_WEIGHTS])
        discharged = status == PatientStatus.DISCHARGED
        # Visits: 1-2 a week from the evaluation; on hold stopped a while ago.
        last_possible = self.today - timedelta(days=1)
        if status == PatientStatus.ON_HOLD:
            last_possible = self.today - timedelta(days=rng.randrange(15, 30))
        planned = rng.randrange(6, 17) if discharged else rng.randrange(4, 20)
        visit_days: list[date] = []
        day = start + timedelta(days=rng.randrange(2, 5))
        while len(visit_days) < planned and day <= last_possible:
            visit_days.append(day)
            day += timedelta(days=rng.choice((2, 3, 3, 4, 5, 7)))
        end = visit_days[-1] if (discharged and visit_days) else (start if discharged else None)
        episode_id = self._add(
            "episode_of_care",
            patient_id=patient_id,
            therapist_id=therapist,
            complaint="Low back pain with spasm",
            start_date=start,
            end_date=end,
            status=EpisodeStatus.DISCHARGED if discharged else EpisodeStatus.OPEN,
            discharge_reason=("Goals met; independent with home program." if discharged else None),
            **self._stamp(start),
        )
        draft = not discharged and start > self.today - timedelta(days=10) and rng.random() < 0.35
        baseline = self.evaluation(episode_id, therapist, start, cause, age, draft=draft)
        if draft:
            return  # not yet signed: no plan or visits to show
        self.plan(episode_id, baseline, start, cause, discharged)
        nprs_start = baseline["nprs_now"]
        improving = rng.random() < 0.8
        nprs_end = (
            max(0, nprs_start - rng.randrange(2, 6))
            if improving
            else max(0, nprs_start - rng.randrange(0, 2))
        )
        for n, visit_day in enumerate(visit_days, start=1):
            fraction = n / max(1, len(visit_days))
            nprs = round(nprs_start + (nprs_end - nprs_start) * fraction + rng.uniform(-1, 1))
            self.visit(episode_id, therapist, visit_day, max(0, min(10, nprs)), n % 10 == 0)
        if discharged and visit_days:
            self.evaluation(
                episode_id,
                therapist,
                visit_days[-1],
                cause,
                age,
                draft=False,
                improve_from=baseline,
                improving=improving,
            )

    def evaluation(
        self,
        episode_id: int,
        therapist: int,
        day: date,
        cause: Cause,
        age: int,
        *,
        draft: bool,
        improve_from: dict[str, Any] | None = None,
        improving: bool = True,
    ) -> dict[str, Any]:
        rng = self.rng
        initial = improve_from is None
        radiates = rng.random() < {Cause.RUPTURED_DISC: 0.65, Cause.ARTHRITIS: 0.3}.get(cause, 0.05)
        if initial:
            nprs_now = rng.randrange(4, 10)
            severity = rng.uniform(0.25, 0.75)
            odi = [
                None
                if (i == 7 and rng.random() < 0.3)
                else max(0, min(5, round(rng.gauss(severity * 5, 1))))
                for i in range(10)
            ]
            lean = rng.random()
            sbst = [int(rng.random() < lean) for _ in range(8)] + [
                min(4, int(rng.random() * 5 * lean + 0.5))
            ]
            psfs_scores = [rng.randrange(1, 7) for _ in range(rng.randrange(2, 4))]
            psfs_names = rng.sample(_PSFS_ACTIVITIES, len(psfs_scores))
        else:
            assert improve_from is not None
            gain = rng.uniform(0.4, 0.9) if improving else rng.uniform(0.0, 0.2)
            nprs_now = max(0, round(improve_from["nprs_now"] * (1 - gain)))
            odi = [
                None if s is None else max(0, round(s * (1 - gain))) for s in improve_from["odi"]
            ]
            sbst = [0] * 8 + [0]
            psfs_names = improve_from["psfs_names"]
            psfs_scores = [min(10, s + round((10 - s) * gain)) for s in improve_from["psfs"]]
        if draft:  # a draft in progress: later sections not filled yet
            odi = [None] * 10
            sbst = [None] * 9  # type: ignore[list-item]
        sb = scoring.start_back(sbst) if initial and not draft else None
        status = EvaluationStatus.DRAFT if draft else EvaluationStatus.SIGNED
        row: dict[str, Any] = dict(
            episode_id=episode_id,
            therapist_id=therapist,
            kind=EvaluationKind.INITIAL if initial else EvaluationKind.RE_EVALUATION,
            evaluation_date=day,
            status=status,
            signed_by_id=None if draft else therapist,
            signed_at=None if draft else _at(day, 17),
            chief_complaint="Low back pain with muscle spasm"
            + (" and leg pain" if radiates else ""),
            onset_date=day - timedelta(days=rng.randrange(2, 60)),
            mechanism_of_injury=rng.choice(_MECHANISM[cause]),
            aggravating_factors=rng.choice(
                (
                    "Sitting, bending forward",
                    "Lifting, twisting",
                    "Standing, walking",
                    "Getting out of bed",
                )
            ),
            easing_factors=rng.choice(
                ("Lying down, heat", "Walking, changing position", "Rest, ice", "Gentle stretching")
            ),
            prior_episodes=rng.choice(
                ("None", "One similar episode two years ago", "Recurrent episodes every few years")
            ),
            past_medical_history=rng.choice(
                ("None significant", "Hypertension", "Type 2 diabetes", "Asthma", "Osteopenia")
            ),
            medications=rng.choice(
                (
                    "None",
                    "Ibuprofen as needed",
                    "Acetaminophen as needed",
                    "Lisinopril",
                    "Metformin",
                )
            ),
            occupation=rng.choice(_OCCUPATIONS),
            activities=rng.choice(_ACTIVITIES),
            patient_goals=rng.choice(
                (
                    "Get back to work without pain",
                    "Play golf again",
                    "Pick up my grandchildren",
                    "Sleep through the night",
                )
            ),
            nprs_now=nprs_now,
            nprs_best=max(0, nprs_now - rng.randrange(1, 4)),
            nprs_worst=min(10, nprs_now + rng.randrange(1, 3)),
            pain_location="Lower back" + (", buttock and back of thigh" if radiates else ""),
            pain_side=rng.choice((Side.LEFT, Side.RIGHT, Side.CENTRAL, Side.BOTH)),
            radiates_below_knee=radiates and rng.random() < 0.6,
            **{f"odi_s{i + 1}": odi[i] for i in range(10)},
            odi_percent=scoring.oswestry_percent(odi),
            **{f"sbst_{i + 1}": (sbst[i] if initial else None) for i in range(9)},
            sbst_total=sb.total if sb else None,
            sbst_psychosocial=sb.psychosocial if sb else None,
            sbst_risk=sb.risk if sb else None,
            psfs_mean=None if draft else scoring.psfs_mean(psfs_scores),
            primary_cause=None if draft else cause,
            cause_note=("Golf" if cause == Cause.ACTIVITY_STRAIN and rng.random() < 0.5 else None),
            complexity=None
            if draft
            else _weighted(
                rng, (Complexity.LOW, Complexity.MODERATE, Complexity.HIGH), (35, 50, 15)
            ),
            assessment_note=None,
            **self._stamp(day),
        )
        evaluation_id = self._add("evaluation", **row)
        if not draft:
            for position, (activity, score) in enumerate(zip(psfs_names, psfs_scores, strict=True)):
                self._add(
                    "psfs_activity",
                    evaluation_id=evaluation_id,
                    position=position,
                    activity=activity,
                    score=score,
                    **self._stamp(day),
                )
            self.diagnoses(evaluation_id, cause, radiates, day)
            if initial and rng.random() < 0.25:
                other = rng.choice([c for c, _w in _CAUSE_WEIGHTS if c not in (cause, Cause.OTHER)])
                self._add(
                    "contributing_cause",
                    evaluation_id=evaluation_id,
                    cause=other,
                    **self._stamp(day),
                )
        if initial:
            self.red_flags(evaluation_id, episode_id, day, age, draft)
        return {
            "id": evaluation_id,
            "nprs_now": nprs_now,
            "odi": odi,
            "psfs": psfs_scores,
            "psfs_names": psfs_names,
            "radiates": radiates,
            "start_back": sb.risk if sb else None,
        }

    def diagnoses(self, evaluation_id: int, cause: Cause, radiates: bool, day: date) -> None:
        suggested = catalogs.cause_info(cause).suggested_codes
        chosen = [suggested[0]]
        if cause == Cause.RUPTURED_DISC and radiates:
            chosen = [self.rng.choice(("M51.16", "M51.17"))]
        if self.rng.random() < 0.5:
            extra = "M62.830"
            candidate = tuple(sorted({*chosen, extra}))
            if candidate not in self._code_sets:
                self._code_sets[candidate] = not codes.excludes1_conflicts(candidate)
            if self._code_sets[candidate] and extra not in chosen:
                chosen.append(extra)
        for position, code in enumerate(chosen):
            self._add(
                "diagnosis_code",
                evaluation_id=evaluation_id,
                position=position,
                code=code,
                description=_describe(code),
                **self._stamp(day),
            )

    def red_flags(
        self, evaluation_id: int, episode_id: int, day: date, age: int, draft: bool
    ) -> None:
        rng = self.rng
        positive: str | None = None
        roll = rng.random()
        if not draft and roll < 0.004:
            positive = "saddle_numbness" if "saddle_numbness" in _FLAG_CODES else _FLAG_CODES[0]
        elif not draft and roll < 0.03:
            positive = rng.choice(_FLAG_CODES)
        for index, item in enumerate(catalogs.RED_FLAGS):
            if draft and index >= len(catalogs.RED_FLAGS) // 2:
                break  # screening not finished in this draft
            answer = RedFlagAnswer.YES if item.code == positive else RedFlagAnswer.NO
            action = None
            if answer == RedFlagAnswer.YES:
                action = catalogs.red_flag_condition(item.condition).action
                self.referral(
                    episode_id,
                    evaluation_id,
                    ReferralKind.RED_FLAG,
                    day,
                    action,
                    reason=f"Positive screening: {item.question}",
                    flag=item.code,
                )
            self._add(
                "red_flag_finding",
                evaluation_id=evaluation_id,
                flag_code=item.code,
                answer=answer,
                action=action,
                note=("Referred same day; patient informed." if action else None),
                **self._stamp(day),
            )

    def plan(
        self, episode_id: int, baseline: dict[str, Any], day: date, cause: Cause, discharged: bool
    ) -> int:
        rng = self.rng
        weeks = rng.choice((4, 6, 6, 8, 8, 12))
        plan_id = self._add(
            "treatment_plan",
            evaluation_id=baseline["id"],
            certification_start=day,
            certification_end=day + timedelta(days=min(89, weeks * 7)),
            next_appointment=None
            if discharged
            else _at(
                max(self.today, day) + timedelta(days=rng.randrange(1, 8)), rng.randrange(8, 18)
            ),
            note=None,
            **self._stamp(day),
        )
        paths = [TreatmentPathKind.PT_PLAN] if rng.random() < 0.93 else []
        if rng.random() < 0.3 or not paths:
            paths.append(TreatmentPathKind.MEDICATION_REFERRAL)
        radiates = baseline["radiates"]
        if radiates and rng.random() < 0.25:
            paths.append(TreatmentPathKind.STEROID_INJECTION_REFERRAL)
        if radiates and cause in (Cause.RUPTURED_DISC, Cause.ARTHRITIS) and rng.random() < 0.1:
            paths.append(TreatmentPathKind.LUMBAR_SURGERY_REFERRAL)
        for kind in paths:
            row: dict[str, Any] = dict(
                plan_id=plan_id,
                kind=kind,
                anti_inflammatory=False,
                muscle_relaxant=False,
                frequency_per_week=None,
                duration_weeks=None,
                interventions=None,
                heat_ice=None,
                heat_ice_minutes=None,
                heat_ice_times_per_day=None,
                injection_level=None,
                injection_side=None,
                reason=None,
                **self._stamp(day),
            )
            if kind == TreatmentPathKind.PT_PLAN:
                heat_ice = rng.choice(
                    (HeatIce.HEAT, HeatIce.ICE, HeatIce.HEAT_AND_ICE, HeatIce.NONE)
                )
                row.update(
                    frequency_per_week=rng.choice((1, 2, 2, 3)),
                    duration_weeks=weeks,
                    interventions=",".join(sorted(rng.sample(_PLAN_INTERVENTIONS, 3))),
                    heat_ice=heat_ice,
                    heat_ice_minutes=None if heat_ice == HeatIce.NONE else rng.choice((15, 20)),
                    heat_ice_times_per_day=None if heat_ice == HeatIce.NONE else rng.choice((2, 3)),
                )
            elif kind == TreatmentPathKind.MEDICATION_REFERRAL:
                anti = rng.random() < 0.75
                row.update(
                    anti_inflammatory=anti,
                    muscle_relaxant=(not anti) or rng.random() < 0.4,
                    reason="Acute spasm limiting sleep and function.",
                )
                self.referral(
                    episode_id,
                    baseline["id"],
                    ReferralKind.MEDICATION,
                    day,
                    Urgency.ROUTINE,
                    reason=row["reason"],
                    discharged=discharged,
                )
            elif kind == TreatmentPathKind.STEROID_INJECTION_REFERRAL:
                row.update(
                    injection_level=rng.choice(("L4-L5", "L5-S1")),
                    injection_side=rng.choice((Side.LEFT, Side.RIGHT)),
                    reason="Severe radicular leg pain not settling after 4 weeks.",
                )
                self.referral(
                    episode_id,
                    baseline["id"],
                    ReferralKind.STEROID_INJECTION,
                    day,
                    Urgency.ROUTINE,
                    reason=row["reason"],
                    discharged=discharged,
                )
            else:
                row.update(reason="Progressive leg weakness despite conservative care.")
                self.referral(
                    episode_id,
                    baseline["id"],
                    ReferralKind.LUMBAR_SURGERY,
                    day,
                    Urgency.URGENT,
                    reason=row["reason"],
                    discharged=discharged,
                )
            self._add("treatment_path", **row)
        goal_status = GoalStatus.MET if discharged else GoalStatus.IN_PROGRESS
        self._add(
            "goal",
            plan_id=plan_id,
            term=GoalTerm.SHORT,
            description=rng.choice(_SHORT_GOALS),
            target_date=day + timedelta(days=21),
            status=goal_status,
            **self._stamp(day),
        )
        self._add(
            "goal",
            plan_id=plan_id,
            term=GoalTerm.LONG,
            description=rng.choice(_LONG_GOALS),
            target_date=day + timedelta(days=weeks * 7),
            status=goal_status,
            **self._stamp(day),
        )
        for position, exercise_id in enumerate(rng.sample(self.exercises, 3)):
            self._add(
                "home_exercise",
                plan_id=plan_id,
                exercise_id=exercise_id,
                position=position,
                sets=rng.choice((1, 2, 3)),
                reps=rng.choice((8, 10, 12)),
                hold_seconds=rng.choice((0, 5, 10)),
                times_per_day=rng.choice((1, 2)),
                note=None,
                **self._stamp(day),
            )
        return plan_id

    def referral(
        self,
        episode_id: int,
        evaluation_id: int,
        kind: ReferralKind,
        day: date,
        urgency: Urgency,
        *,
        reason: str,
        flag: str | None = None,
        discharged: bool = False,
    ) -> None:
        rng = self.rng
        specialty, people = _SPECIALISTS[kind]
        to_whom = people[0] if urgency == Urgency.EMERGENCY else rng.choice(people)
        age_days = (self.today - day).days
        if discharged or age_days > 45:
            status = ReferralStatus.CLOSED
        elif age_days > 7:
            status = rng.choice((ReferralStatus.SENT, ReferralStatus.CLOSED))
        else:
            status = rng.choice((ReferralStatus.OPEN, ReferralStatus.SENT))
        self._add(
            "referral",
            episode_id=episode_id,
            evaluation_id=evaluation_id,
            kind=kind,
            to_whom=to_whom,
            specialty=specialty,
            reason=reason,
            urgency=urgency,
            status=status,
            red_flag_code=flag,
            sent_on=None if status == ReferralStatus.OPEN else day + timedelta(days=1),
            closed_on=day + timedelta(days=rng.randrange(5, 30))
            if status == ReferralStatus.CLOSED
            else None,
            outcome_note="Seen; plan continued." if status == ReferralStatus.CLOSED else None,
            **self._stamp(day),
        )

    def visit(
        self, episode_id: int, therapist: int, day: date, nprs: int, progress_report: bool
    ) -> None:
        rng = self.rng
        visit_id = self._add(
            "visit",
            episode_id=episode_id,
            therapist_id=therapist,
            visit_date=day,
            nprs=nprs,
            note=rng.choice(_VISIT_NOTES),
            is_progress_report=progress_report,
            **self._stamp(day),
        )
        for code in rng.sample(_VISIT_INTERVENTIONS, rng.choice((1, 2, 2, 3))):
            self._add(
                "visit_intervention",
                visit_id=visit_id,
                intervention=code,
                minutes=rng.choice((8, 10, 15, 15, 20, 25)),
                **self._stamp(day),
            )


_FLAG_CODES = [item.code for item in catalogs.RED_FLAGS]
_PLAN_INTERVENTIONS = [i.code for i in catalogs.INTERVENTIONS if i.code != "aquatic_therapy"]
_VISIT_INTERVENTIONS = [
    "therapeutic_exercise",
    "manual_therapy",
    "neuromuscular_reeducation",
    "therapeutic_activities",
    "hot_cold_packs",
    "patient_education",
]
_VISIT_NOTES = (
    "Tolerated session well; progressed home program.",
    "Less spasm today; reviewed lifting technique.",
    "Stiff in the morning; improved after exercise.",
    "Flare after long drive; modified exercises.",
    "Good progress; increased walking time.",
)

_descriptions: dict[str, str] = {}


def _describe(code: str) -> str:
    if code not in _descriptions:
        _descriptions[code] = codes.describe(code)
    return _descriptions[code]


# ---------------------------------------------------------------- writing rows


def _converter(column: Any, sqlite: bool) -> Callable[[Any], Any] | None:
    """How one column's Python value goes to the driver, bypassing SQLAlchemy's per-row
    type processing (the slowest part of a bulk load)."""
    if isinstance(column.type, UTCDateTime):
        memo: dict[datetime, Any] = {}  # demo timestamps repeat per day: convert each once

        def stamp(v: datetime | None) -> Any:
            if v is None:
                return None
            if v not in memo:
                naive = v.astimezone(UTC).replace(tzinfo=None)
                # SQLAlchemy's own SQLite storage format, so the ORM reads it back.
                memo[v] = naive.isoformat(" ", "microseconds") if sqlite else naive
            return memo[v]

        return stamp
    if isinstance(column.type, Date) and sqlite:
        return lambda v: None if v is None else v.isoformat()
    if isinstance(column.type, Enum):
        return lambda v: None if v is None else v.value
    return None


def _write(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    sqlite = conn.dialect.name == "sqlite"
    columns = list(rows[0].keys())
    converters = [_converter(table.c[name], sqlite) for name in columns]
    values = [
        [
            row[name] if convert is None else convert(row[name])
            for name, convert in zip(columns, converters, strict=True)
        ]
        for row in rows
    ]
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    if sqlite:
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)
    else:  # COPY: an order of magnitude faster than INSERT on PostgreSQL
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for value in values:
                copy.write_row(value)
    cursor.close()


def _reset_sequences(conn: Connection) -> None:
    """After explicit ids, PostgreSQL's sequences must continue past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )


# ---------------------------------------------------------------- the service


def generate_demo_clinic(
    db: Database,
    *,
    patients: int,
    seed: int = 1,
    today: date | None = None,
    chunk_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    actor_name: str | None = None,
    workstation: str = "demo",
) -> DemoSummary:
    """Fill an empty database with a demo clinic of `patients` patients.

    Deterministic for the same seed and `today`. The demo accounts share DEMO_PASSWORD.
    """
    if patients < 0:
        raise DomainError("The number of demo patients cannot be negative.")
    started = time.perf_counter()
    today = today or date.today()
    rng = random.Random(seed)
    with db.session() as session:
        if session.scalar(select(func.count()).select_from(Clinic)):
            raise DomainError(
                "This database already holds a clinic. Demo data goes into an empty database: "
                "choose another file or server database."
            )
        clinic = Clinic(
            name=DEMO_CLINIC_NAME,
            phone="(631) 555-0100",
            email="frontdesk@harbor-pt.example",
            address="120 Great Neck Road, Copiague, NY 11726",
            is_demo=True,
        )
        session.add(clinic)
        session.flush()
        password_hash = hash_password(DEMO_PASSWORD)  # one hash: all demo accounts share it
        staff = []
        for username, name, role, licence in DEMO_STAFF:
            user = User(
                clinic_id=clinic.id,
                username=username,
                display_name=name,
                role=role,
                licence_number=licence,
                password_hash=password_hash,
                active=True,
            )
            session.add(user)
            staff.append(user)
        session.add_all(Exercise(**row) for row in starter_exercise_rows(clinic.id))
        session.flush()
        clinic_id = clinic.id
        therapist_ids = [u.id for u in staff if u.role == Role.THERAPIST]
        admin = next(u for u in staff if u.role == Role.ADMINISTRATOR)
        exercise_ids = list(session.scalars(select(Exercise.id).order_by(Exercise.id)))
        actor = Actor(
            admin.id if actor_name is None else None,
            actor_name or admin.username,
            admin.display_name,
            Role.ADMINISTRATOR,
            clinic_id,
            workstation,
        )
    names = _NamePools(seed)
    ids = _Ids()
    with db.engine.connect() as conn:  # continue after rows an earlier step may have made
        for table in Base.metadata.sorted_tables:
            ids.next[table.name] = int(conn.scalar(select(func.max(table.c.id))) or 0) + 1
    used_mrns: set[str] = set()
    totals = dict.fromkeys(("patient", "episode_of_care", "evaluation", "visit", "referral"), 0)
    done = 0
    while done < patients:
        count = min(chunk_size, patients - done)
        builder = _Builder(
            rng, today, clinic_id, therapist_ids, exercise_ids, names, ids, used_mrns
        )
        for _ in range(count):
            builder.patient()
        with db.engine.begin() as conn:
            for table in Base.metadata.sorted_tables:
                _write(conn, table, builder.rows[table.name])
        for key in totals:
            totals[key] += len(builder.rows[key])
        done += count
        if progress is not None:
            progress(done, patients)
    with db.engine.begin() as conn:
        _reset_sequences(conn)
    with db.session() as session:
        audit.record(
            session,
            actor,
            AuditAction.CREATE,
            DataCategory.SYSTEM,
            detail=f"demo clinic generated: {patients} patients, seed {seed}",
        )
    return DemoSummary(
        patients=totals["patient"],
        episodes=totals["episode_of_care"],
        evaluations=totals["evaluation"],
        visits=totals["visit"],
        referrals=totals["referral"],
        seconds=time.perf_counter() - started,
    )
