"""One chunk of demo patients with their whole charts, as rows ready for a bulk insert.

Chunks are independent (each has its own random stream and local ids), so several processes
can build them at once; the result is the same however many processes there are.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from casemanager.db.models import Base
from casemanager.domain import catalogs, codes, scoring, validation
from casemanager.domain.enums import (
    Cause,
    Complexity,
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
    Sex,
    Side,
    TreatmentPathKind,
    Urgency,
)
from casemanager.domain.mrn import make_mrn
from casemanager.services.demo.bulk import Rows, to_driver_rows
from casemanager.services.demo.names import NamePools
from casemanager.services.demo.vocabulary import (
    ACTIVITIES,
    CAUSE_WEIGHTS,
    FLAG_CODES,
    LOCALES,
    LONG_GOALS,
    MECHANISM,
    OCCUPATIONS,
    PHYSICIANS,
    PLAN_INTERVENTIONS,
    PSFS_ACTIVITIES,
    SHORT_GOALS,
    SPECIALISTS,
    STREETS,
    THERAPIST_WEIGHTS,
    VISIT_INTERVENTIONS,
    VISIT_NOTES,
)

MRN_STRIDE = 7_919_111  # coprime with 9,000,000: patient numbers map to distinct MRNs
SPASM_CODE = "M62.830"


@dataclass(frozen=True)
class ChunkSpec:
    """Everything a worker process needs to build one chunk (picklable)."""

    seed: int
    index: int
    first_patient: int
    count: int
    today: date
    clinic_id: int
    therapist_ids: tuple[int, ...]
    exercise_ids: tuple[int, ...]
    descriptions: dict[str, str]  # ICD-10-CM descriptions, looked up once by the parent
    spasm_compatible: frozenset[str]  # codes M62.830 may be added to (no Excludes1 note)
    sqlite: bool


def code_facts() -> tuple[dict[str, str], frozenset[str]]:
    """Descriptions and compatibilities of the codes the demo uses (loads the code set once)."""
    used = {info.suggested_codes[0] for info in catalogs.CAUSES} | {
        "M51.16",
        "M51.17",
        SPASM_CODE,
    }
    descriptions = {code: codes.describe(code) for code in sorted(used)}
    compatible = frozenset(
        code
        for code in used
        if code != SPASM_CODE and not codes.excludes1_conflicts([code, SPASM_CODE])
    )
    return descriptions, compatible


def weighted(rng: random.Random, options: Sequence[Any], weights: Sequence[int]) -> Any:
    return rng.choices(options, weights)[0]


class LocalIds:
    """Next id per table within one chunk; the writer shifts them past the rows already stored."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, clock(hour, 0), tzinfo=UTC)


class ChartBuilder:
    """Builds the charts (rows of every clinical table) of one chunk of patients."""

    def __init__(
        self,
        spec: ChunkSpec,
        names: NamePools,
    ) -> None:
        self.spec = spec
        self.rng = random.Random(f"{spec.seed}:{spec.index}")  # each chunk its own stream
        self.today = spec.today
        self.clinic_id = spec.clinic_id
        self.therapists = list(spec.therapist_ids)
        self.exercises = list(spec.exercise_ids)
        self.names = names
        self.ids = LocalIds()
        self.patient_number = spec.first_patient
        self.rows: dict[str, list[dict[str, Any]]] = {
            t.name: [] for t in Base.metadata.sorted_tables
        }

    # -- helpers ---------------------------------------------------------------------------
    def _add(self, table: str, **row: Any) -> int:
        row.setdefault("id", self.ids.take(table))
        self.rows[table].append(row)
        return int(row["id"])

    def _stamp(self, day: date) -> dict[str, Any]:
        moment = at(day)
        return {"created_at": moment, "updated_at": moment, "version": 1}

    def _mrn(self) -> str:
        """Unique without a look-up: an affine permutation of the patient's number."""
        body = (self.patient_number * MRN_STRIDE + self.spec.seed * 104_729) % 9_000_000
        return make_mrn(1_000_000 + body)

    # -- one patient -----------------------------------------------------------------------
    def patient(self) -> None:
        rng = self.rng
        locale, language = weighted(
            rng, [(loc, lang) for loc, _s, lang in LOCALES], [s for _l, s, _g in LOCALES]
        )
        sex = Sex.FEMALE if rng.random() < 0.54 else Sex.MALE
        given, family = self.names.draw(rng, locale, sex)
        age = min(92, max(18, int(rng.gauss(48, 15))))
        born = self.today - timedelta(days=age * 365 + rng.randrange(365))
        therapist = weighted(rng, self.therapists, THERAPIST_WEIGHTS)
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
            email=None if rng.random() < 0.3 else f"patient{self.patient_number}@mail.example",
            address=f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}, Copiague, NY 11726",
            preferred_language=language,
            emergency_contact_name=None
            if rng.random() < 0.2
            else f"{rng.choice(self.names.pools[locale][0])} {family}",
            emergency_contact_phone=None
            if rng.random() < 0.2
            else f"(631) 555-{rng.randrange(0, 10000):04d}",
            referring_physician=rng.choice(PHYSICIANS),
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
        cause = weighted(rng, [c for c, _w in CAUSE_WEIGHTS], [w for _c, w in CAUSE_WEIGHTS])
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
            psfs_names = rng.sample(PSFS_ACTIVITIES, len(psfs_scores))
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
            signed_at=None if draft else at(day, 17),
            chief_complaint="Low back pain with muscle spasm"
            + (" and leg pain" if radiates else ""),
            onset_date=day - timedelta(days=rng.randrange(2, 60)),
            mechanism_of_injury=rng.choice(MECHANISM[cause]),
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
            occupation=rng.choice(OCCUPATIONS),
            activities=rng.choice(ACTIVITIES),
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
            else weighted(
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
                other = rng.choice([c for c, _w in CAUSE_WEIGHTS if c not in (cause, Cause.OTHER)])
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
        spasm = "M62.830"
        if (
            self.rng.random() < 0.5
            and spasm not in chosen
            and chosen[0] in self.spec.spasm_compatible
        ):
            chosen.append(spasm)
        for position, code in enumerate(chosen):
            self._add(
                "diagnosis_code",
                evaluation_id=evaluation_id,
                position=position,
                code=code,
                description=self.spec.descriptions[code],
                **self._stamp(day),
            )

    def red_flags(
        self, evaluation_id: int, episode_id: int, day: date, age: int, draft: bool
    ) -> None:
        rng = self.rng
        positive: str | None = None
        roll = rng.random()
        if not draft and roll < 0.004:
            positive = "saddle_numbness" if "saddle_numbness" in FLAG_CODES else FLAG_CODES[0]
        elif not draft and roll < 0.03:
            positive = rng.choice(FLAG_CODES)
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
            else at(
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
                    interventions=",".join(sorted(rng.sample(PLAN_INTERVENTIONS, 3))),
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
            description=rng.choice(SHORT_GOALS),
            target_date=day + timedelta(days=21),
            status=goal_status,
            **self._stamp(day),
        )
        self._add(
            "goal",
            plan_id=plan_id,
            term=GoalTerm.LONG,
            description=rng.choice(LONG_GOALS),
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
        specialty, people = SPECIALISTS[kind]
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
            note=rng.choice(VISIT_NOTES),
            is_progress_report=progress_report,
            **self._stamp(day),
        )
        for code in rng.sample(VISIT_INTERVENTIONS, rng.choice((1, 2, 2, 3))):
            self._add(
                "visit_intervention",
                visit_id=visit_id,
                intervention=code,
                minutes=rng.choice((8, 10, 15, 15, 20, 25)),
                **self._stamp(day),
            )


_names: dict[int, NamePools] = {}  # per process: Faker pools are slow to draw


def build_chunk(spec: ChunkSpec) -> dict[str, Rows]:
    """Build one chunk and convert it for the driver; runs in a worker process or inline."""
    if spec.seed not in _names:
        _names[spec.seed] = NamePools(spec.seed)
    builder = ChartBuilder(spec, _names[spec.seed])
    for _ in range(spec.count):
        builder.patient()
        builder.patient_number += 1
    return {
        table.name: to_driver_rows(table, builder.rows[table.name], spec.sqlite)
        for table in Base.metadata.sorted_tables
        if builder.rows[table.name]
    }
