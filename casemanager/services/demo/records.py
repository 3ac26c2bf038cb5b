"""One chunk of demo patients with their whole charts, as rows ready for a bulk insert.

Chunks are independent (each has its own random stream and local ids), so several processes
can build them at once; the result is the same however many processes there are.

Each episode is told as one story: a history, a red-flag screen, a plan whose certification
covers the visits, pain that falls (or not) across the visits, and a discharge re-evaluation
whose scores continue from the last visit.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from casemanager.db.models import Base
from casemanager.domain import catalogs, codes, medicare, scoring, validation
from casemanager.domain import red_flags as red_flag_rules
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
from casemanager.domain.medicare import GoalProgress
from casemanager.domain.mrn import make_mrn
from casemanager.domain.red_flags import RedFlagEntry
from casemanager.services.demo import vocabulary as words
from casemanager.services.demo.bulk import Rows, to_driver_rows
from casemanager.services.demo.names import NamePools

MRN_STRIDE = 7_919_111  # coprime with 9,000,000: patient numbers map to distinct MRNs
MIN_AGE = 20  # at today; so even an earlier episode is of an adult


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
    conflicts: frozenset[frozenset[str]]  # code pairs an Excludes1 note forbids together
    sqlite: bool


def code_facts() -> tuple[dict[str, str], frozenset[frozenset[str]]]:
    """Descriptions and Excludes1 conflicts of the codes the demo uses (loads the code set)."""
    used = sorted(words.all_codes())
    descriptions = {code: codes.describe(code) for code in used}
    conflicts = frozenset(frozenset(pair) for pair in codes.excludes1_conflicts(used))
    return descriptions, conflicts


def weighted(rng: random.Random, options: Sequence[Any], weights: Sequence[int]) -> Any:
    return rng.choices(options, weights)[0]


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, clock(hour, 0), tzinfo=UTC)


class LocalIds:
    """Next id per table within one chunk; the writer shifts them past the rows already stored."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


@dataclass
class Story:
    """What stays the same across one episode's records."""

    patient_id: int
    patient_row: dict[str, Any]
    therapist: int
    start: date
    status: PatientStatus
    age: int
    cause: Cause
    radiates: bool
    history: dict[str, Any]
    episode_id: int = 0
    codes: list[str] = field(default_factory=list)


class ChartBuilder:
    """Builds the charts (rows of every clinical table) of one chunk of patients."""

    def __init__(self, spec: ChunkSpec, names: NamePools) -> None:
        self.spec = spec
        self.rng = random.Random(f"{spec.seed}:{spec.index}")  # each chunk its own stream
        self.today = spec.today
        self.names = names
        self.ids = LocalIds()
        self.patient_number = spec.first_patient
        self.rows: dict[str, list[dict[str, Any]]] = {
            t.name: [] for t in Base.metadata.sorted_tables
        }

    # -- helpers ---------------------------------------------------------------------------
    def _add(self, table: str, **row: Any) -> dict[str, Any]:
        row.setdefault("id", self.ids.take(table))
        self.rows[table].append(row)
        return row

    def _stamp(self, day: date) -> dict[str, Any]:
        moment = at(day)
        return {"created_at": moment, "updated_at": moment, "version": 1}

    def _mrn(self) -> str:
        """Unique without a look-up: an affine permutation of the patient's number."""
        body = (self.patient_number * MRN_STRIDE + self.spec.seed * 104_729) % 9_000_000
        return make_mrn(1_000_000 + body)

    def _days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randrange(low, high))

    # -- one patient -----------------------------------------------------------------------
    def patient(self) -> None:
        rng = self.rng
        locale, language = weighted(
            rng,
            [(loc, lang) for loc, _s, lang in words.LOCALES],
            [s for _l, s, _g in words.LOCALES],
        )
        sex = Sex.FEMALE if rng.random() < 0.54 else Sex.MALE
        given, family = self.names.draw(rng, locale, sex)
        age = min(90, max(MIN_AGE, int(rng.gauss(48, 15))))
        born = self.today - timedelta(days=math.floor(age * 365.25) + rng.randrange(365))
        therapist = weighted(rng, list(self.spec.therapist_ids), words.THERAPIST_WEIGHTS)
        roll = rng.random()
        if roll < 0.33:
            status, start = PatientStatus.ACTIVE, self._days_ago(3, 75)
        elif roll < 0.40:
            status, start = PatientStatus.ON_HOLD, self._days_ago(35, 120)
        else:
            status, start = PatientStatus.DISCHARGED, self._days_ago(45, 365)
        earlier = None
        if rng.random() < 0.06:  # a returning patient with an earlier, finished episode
            earlier = start - timedelta(days=rng.randrange(150, 400))
        area = words.AREA_CODES[rng.randrange(201, 989) % len(words.AREA_CODES)]
        line = f"{rng.randrange(0, 10000):04d}"
        phone = f"({area}) 555-{line}"
        patient = self._add(
            "patient",
            clinic_id=self.spec.clinic_id,
            mrn=self._mrn(),
            given_name=given,
            family_name=family,
            preferred_name=None,
            search_name=validation.normalize_for_search(f"{given} {family}"),
            date_of_birth=born,
            sex=sex,
            phone=phone,
            phone_digits=validation.phone_digits(phone),
            # Built, not parsed: a number of our own making (parsing costs 70 us a number at
            # 100,000 patients); tests/services/test_demo.py checks it against phonenumbers.
            phone_e164=f"+1{area}555{line}",
            email=None if rng.random() < 0.3 else f"patient{self.patient_number}@mail.example",
            address=f"{rng.randrange(1, 9999)} {rng.choice(words.STREETS)}, Copiague, NY 11726",
            preferred_language=language,
            emergency_contact_name=(
                None
                if rng.random() < 0.2
                else f"{rng.choice(self.names.pools[locale][0])} {family}"
            ),
            **self._contact_phone(),
            referring_physician=rng.choice(words.PHYSICIANS),
            primary_therapist_id=therapist,
            status=status,
            **self._stamp((earlier or start) - timedelta(days=1)),
        )
        if earlier is not None:
            self.episode(patient, therapist, earlier, PatientStatus.DISCHARGED, age - 1)
        self.episode(patient, therapist, start, status, age)

    def _contact_phone(self) -> dict[str, str | None]:
        if self.rng.random() < 0.2:
            return {"emergency_contact_phone": None, "emergency_contact_phone_e164": None}
        line = f"{self.rng.randrange(0, 10000):04d}"
        return {
            "emergency_contact_phone": f"(631) 555-{line}",
            "emergency_contact_phone_e164": f"+1631555{line}",
        }

    def _history(self, start: date, cause: Cause, age: int) -> dict[str, Any]:
        rng = self.rng
        if age >= 67 and rng.random() < 0.8:
            occupation = "Retired"
        elif age < 26 and rng.random() < 0.5:
            occupation = "Student"
        else:
            occupation = rng.choice(words.OCCUPATIONS)
        activity = rng.choice(words.ACTIVITIES)
        if cause == Cause.ACTIVITY_STRAIN and activity in ("None", "Walking", "Gardening"):
            activity = rng.choice(("Golf", "Football", "Tennis"))
        goals = list(words.PATIENT_GOALS) + (list(words.PATIENT_GOALS_OVER_50) if age >= 50 else [])
        if activity in words.PATIENT_GOALS_BY_ACTIVITY:
            goals = [words.PATIENT_GOALS_BY_ACTIVITY[activity]] * 3 + goals
        older = age >= 50
        return {
            "onset_date": start - timedelta(days=rng.randrange(3, 45)),
            "mechanism_of_injury": rng.choice(words.MECHANISM[cause]),
            "aggravating_factors": rng.choice(words.AGGRAVATING),
            "easing_factors": rng.choice(words.EASING),
            "prior_episodes": rng.choice(words.PRIOR_EPISODES),
            "past_medical_history": rng.choice(
                words.PAST_HISTORY_ANY_AGE + (words.PAST_HISTORY_OVER_50 if older else ())
            ),
            "medications": rng.choice(
                words.MEDICATIONS + (words.MEDICATIONS_OVER_50 if older else ())
            ),
            "occupation": occupation,
            "activities": activity,
            "patient_goals": rng.choice(goals),
            "pain_location": "Lower back",
            "pain_side": rng.choice((Side.LEFT, Side.RIGHT, Side.CENTRAL, Side.BOTH)),
            "cause_note": activity if cause == Cause.ACTIVITY_STRAIN else None,
        }

    # -- one episode -----------------------------------------------------------------------
    def episode(
        self,
        patient: dict[str, Any],
        therapist: int,
        start: date,
        status: PatientStatus,
        age: int,
    ) -> None:
        rng = self.rng
        cause = weighted(
            rng, [c for c, _w in words.CAUSE_WEIGHTS], [w for _c, w in words.CAUSE_WEIGHTS]
        )
        radiates = rng.random() < words.RADIATING.get(cause, 0.05)
        story = Story(
            patient_id=int(patient["id"]),
            patient_row=patient,
            therapist=therapist,
            start=start,
            status=status,
            age=age,
            cause=cause,
            radiates=radiates,
            history=self._history(start, cause, age),
        )
        if radiates:
            story.history["pain_location"] = "Lower back, buttock and back of the leg"
        story.codes = self._codes(cause, radiates)
        episode = self._add(
            "episode_of_care",
            patient_id=story.patient_id,
            therapist_id=therapist,
            complaint="Low back pain with spasm" + (" and leg pain" if radiates else ""),
            start_date=start,
            end_date=None,
            status=EpisodeStatus.OPEN,
            discharge_reason=None,
            **self._stamp(start),
        )
        story.episode_id = int(episode["id"])
        draft = (
            status == PatientStatus.ACTIVE
            and start > self.today - timedelta(days=10)
            and rng.random() < 0.35
        )
        baseline = self.evaluation(story, start, draft=draft)
        if draft:
            return  # not signed yet: no plan, no visits
        emergency = self.red_flags(story, int(baseline["id"]), draft=False)
        if emergency:
            # Treatment waits for medical clearance: the patient is on hold, the episode open.
            patient["status"] = PatientStatus.ON_HOLD
            return
        plan = self.plan(story, baseline)
        visits = self.visits(story, plan, int(baseline["nprs_now"]))
        if status == PatientStatus.DISCHARGED:
            last_day, last_nprs = visits[-1] if visits else (start, int(baseline["nprs_now"]))
            change = int(baseline["nprs_now"]) - last_nprs
            result = "met" if change >= 2 else ("partly" if change >= 1 else "plateau")
            self.evaluation(
                story, last_day, draft=False, baseline=baseline, nprs=last_nprs, discharge=result
            )
            goal_status = {
                "met": GoalStatus.MET,
                "partly": GoalStatus.PARTIALLY_MET,
                "plateau": GoalStatus.NOT_MET,
            }[result]
            for goal in plan["goals"]:
                goal["status"] = goal_status
            episode.update(
                status=EpisodeStatus.DISCHARGED,
                end_date=last_day,
                discharge_reason=words.DISCHARGE_REASONS[result],
                updated_at=at(last_day, 17),
            )

    def _codes(self, cause: Cause, radiates: bool) -> list[str]:
        chosen: list[str] = []
        for code in words.CODES[cause][1 if radiates else 0]:
            if all(frozenset((code, other)) not in self.spec.conflicts for other in chosen):
                chosen.append(code)
        return chosen

    # -- evaluations -------------------------------------------------------------------------
    def evaluation(
        self,
        story: Story,
        day: date,
        *,
        draft: bool,
        baseline: dict[str, Any] | None = None,
        nprs: int | None = None,
        discharge: str | None = None,  # the discharge summary's result, else a first visit
    ) -> dict[str, Any]:
        rng = self.rng
        initial = baseline is None
        psfs_names: list[str]
        sbst: list[int | None]
        if baseline is None:
            nprs_now = rng.randrange(4, 10)
            severity = rng.uniform(0.25, 0.75)
            odi: list[int | None] = [
                None
                if (i == 7 and rng.random() < 0.3)  # the section people most often skip
                else max(0, min(5, round(rng.gauss(severity * 5, 1))))
                for i in range(10)
            ]
            lean = rng.random()
            agree: list[int | None] = [int(rng.random() < lean) for _ in range(8)]
            sbst = [*agree, min(4, int(rng.random() * 5 * lean + 0.5))]
            psfs_scores = [rng.randrange(1, 7) for _ in range(rng.randrange(2, 4))]
            psfs_names = rng.sample(words.PSFS_ACTIVITIES, len(psfs_scores))
        else:
            assert nprs is not None
            nprs_now = nprs
            gain = max(0.0, min(0.95, (baseline["nprs_now"] - nprs) / max(1, baseline["nprs_now"])))
            odi = [None if s is None else max(0, round(s * (1 - gain))) for s in baseline["odi"]]
            sbst = [None] * 9  # STarT Back is a first-contact screen: not repeated
            psfs_names = baseline["psfs_names"]
            psfs_scores = [min(10, s + round((10 - s) * gain)) for s in baseline["psfs"]]
        if draft:  # a draft in progress: later sections not filled in yet
            odi = [None] * 10
            sbst = [None] * 9
        sb = scoring.start_back(sbst) if initial and not draft else None
        row = self._add(
            "evaluation",
            episode_id=story.episode_id,
            therapist_id=story.therapist,
            kind=EvaluationKind.INITIAL if initial else EvaluationKind.DISCHARGE,
            evaluation_date=day,
            status=EvaluationStatus.DRAFT if draft else EvaluationStatus.SIGNED,
            signed_by_id=None if draft else story.therapist,
            signed_at=None if draft else at(day, 17),
            chief_complaint="Low back pain with muscle spasm"
            + (" and leg pain" if story.radiates else ""),
            onset_date=story.history["onset_date"],
            mechanism_of_injury=story.history["mechanism_of_injury"],
            aggravating_factors=story.history["aggravating_factors"],
            easing_factors=story.history["easing_factors"],
            prior_episodes=story.history["prior_episodes"],
            past_medical_history=story.history["past_medical_history"],
            medications=story.history["medications"],
            occupation=story.history["occupation"],
            activities=story.history["activities"],
            patient_goals=story.history["patient_goals"],
            nprs_now=nprs_now,
            nprs_best=max(0, nprs_now - rng.randrange(1, 4)),
            nprs_worst=min(10, nprs_now + rng.randrange(1, 3)),
            pain_location=story.history["pain_location"],
            pain_side=story.history["pain_side"],
            radiates_below_knee=story.radiates and (initial or nprs_now >= 3),
            **{f"odi_s{i + 1}": odi[i] for i in range(10)},
            odi_percent=scoring.oswestry_percent(odi),
            **{f"sbst_{i + 1}": sbst[i] for i in range(9)},
            sbst_total=sb.total if sb else None,
            sbst_psychosocial=sb.psychosocial if sb else None,
            sbst_risk=sb.risk if sb else None,
            psfs_mean=None if draft else scoring.psfs_mean(psfs_scores),
            primary_cause=None if draft else story.cause,
            cause_note=None if draft else story.history["cause_note"],
            complexity=None
            if draft or not initial
            else weighted(
                rng,
                (Complexity.LOW, Complexity.MODERATE, Complexity.HIGH),
                (35, 50, 15) if not story.radiates else (15, 55, 30),
            ),
            assessment_note=words.DISCHARGE_REASONS[discharge] if discharge else None,
            discharge_reason=words.DISCHARGE_RESULT[discharge] if discharge else None,
            **self._stamp(day),
        )
        evaluation_id = int(row["id"])
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
            for position, code in enumerate(story.codes):
                if not initial:
                    code = words.SUBSEQUENT_ENCOUNTER.get(code, code)
                self._add(
                    "diagnosis_code",
                    evaluation_id=evaluation_id,
                    position=position,
                    code=code,
                    description=self.spec.descriptions[code],
                    **self._stamp(day),
                )
            if initial and rng.random() < 0.25:
                others = [c for c, _w in words.CAUSE_WEIGHTS if c not in (story.cause, Cause.OTHER)]
                self._add(
                    "contributing_cause",
                    evaluation_id=evaluation_id,
                    cause=rng.choice(others),
                    **self._stamp(day),
                )
        if draft:
            self.red_flags(story, evaluation_id, draft=True)
        return {
            "id": evaluation_id,
            "date": day,
            "nprs_now": nprs_now,
            "odi": odi,
            "psfs": psfs_scores,
            "psfs_names": psfs_names,
        }

    def red_flags(self, story: Story, evaluation_id: int, *, draft: bool) -> bool:
        """Screen every item as a therapist would under the clinic's rules: each yes gets the
        recommended action (domain.red_flags), a risk factor alone is noted and monitored
        with a reason, and each suspected condition gets one referral. Returns True when an
        emergency or urgent referral still open stops treatment until the patient is seen."""
        rng = self.rng
        positive: set[str] = set()
        # Emergencies only in episodes still open today (a past one would never have closed).
        if not draft:
            if story.age > 70:
                positive.add("age_over_70")  # a risk factor: noted, not referred on its own
                if rng.random() < 0.08:
                    positive.add("osteoporosis")  # with age: a fracture cluster, referred
            roll = rng.random()
            if roll < 0.004 and story.status != PatientStatus.DISCHARGED:
                positive.add(rng.choice(words.EMERGENCY_FLAGS))
            elif roll < 0.025:
                positive.add(rng.choice(words.OTHER_FLAGS))
        answers = {code: RedFlagAnswer.YES for code in positive}
        entries = []
        for index, item in enumerate(catalogs.RED_FLAGS):
            if draft and index >= len(catalogs.RED_FLAGS) // 2:
                break  # screening not finished in this draft: the rest are "not asked"
            if item.code in positive:
                action = red_flag_rules.recommended_action(item.code, answers)
                reason = words.MONITOR_REASONS.get(item.code) if action.urgency is None else None
                entries.append(RedFlagEntry(item.code, RedFlagAnswer.YES, action, reason=reason))
            else:
                entries.append(RedFlagEntry(item.code, RedFlagAnswer.NO))
        day = story.start
        for needed in red_flag_rules.referrals(entries):
            self.referral(
                story,
                evaluation_id,
                ReferralKind.RED_FLAG,
                day,
                needed.urgency,
                reason=needed.reason,
                flag=needed.code,
                to_whom=needed.refer_to,
                specialty=needed.specialty,
            )
        for entry in entries:
            self._add(
                "red_flag_finding",
                evaluation_id=evaluation_id,
                flag_code=entry.code,
                answer=entry.answer,
                action=entry.action,
                note=words.RED_FLAG_NOTES.get(entry.action) if entry.action else None,
                action_reason=entry.reason,
                **self._stamp(day),
            )
        # Treatment waits while an emergency or urgent referral is still open.
        return any(
            r["kind"] == ReferralKind.RED_FLAG
            and r["urgency"] in (Urgency.EMERGENCY, Urgency.URGENT)
            and r["status"] != ReferralStatus.CLOSED
            for r in self.rows["referral"]
            if r["evaluation_id"] == evaluation_id
        )

    # -- plan of care ------------------------------------------------------------------------
    def plan(self, story: Story, baseline: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        day = story.start
        frequency = rng.choice((1, 2, 2, 3))
        weeks = rng.choice((4, 6, 6, 8, 8, 12))
        if story.status != PatientStatus.DISCHARGED:
            # A plan still running is certified through today (recertified if need be).
            weeks = max(weeks, min(12, (self.today - day).days // 7 + 2))
        certification_end = day + timedelta(days=min(89, weeks * 7))
        next_appointment = None
        if story.status == PatientStatus.ACTIVE:
            next_day = self.today + timedelta(days=rng.randrange(1, 8))
            next_appointment = at(next_day, rng.randrange(8, 18))
        plan_row = self._add(
            "treatment_plan",
            evaluation_id=baseline["id"],
            certification_start=day,
            certification_end=certification_end,
            next_appointment=next_appointment,
            note=None,
            **self._certification(story, day),
            **self._stamp(day),
        )
        plan_id = int(plan_row["id"])
        paths = [TreatmentPathKind.PT_PLAN]
        if rng.random() < 0.3:
            paths.append(TreatmentPathKind.MEDICATION_REFERRAL)
        if story.radiates and rng.random() < 0.25:
            paths.append(TreatmentPathKind.STEROID_INJECTION_REFERRAL)
        if (
            story.radiates
            and story.cause in (Cause.RUPTURED_DISC, Cause.ARTHRITIS)
            and rng.random() < 0.1
        ):
            paths.append(TreatmentPathKind.LUMBAR_SURGERY_REFERRAL)
        for kind in paths:
            self._path(story, plan_id, baseline, kind, frequency, weeks)
        goals = [
            self._add(
                "goal",
                plan_id=plan_id,
                term=GoalTerm.SHORT,
                description=rng.choice(words.SHORT_GOALS),
                target_date=day + timedelta(days=21),
                status=GoalStatus.IN_PROGRESS,
                **self._stamp(day),
            ),
            self._add(
                "goal",
                plan_id=plan_id,
                term=GoalTerm.LONG,
                description=rng.choice(words.LONG_GOALS),
                target_date=certification_end,
                status=GoalStatus.IN_PROGRESS,
                **self._stamp(day),
            ),
        ]
        for position, exercise_id in enumerate(rng.sample(list(self.spec.exercise_ids), 3)):
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
        return {
            "frequency": frequency,
            "weeks": weeks,
            "certification_end": certification_end,
            "goals": goals,
        }

    def _certification(self, story: Story, day: date) -> dict[str, Any]:
        """The physician's certification (Medicare ch. 15 s. 220.1.3): most come back within
        30 days, a few late with the reason, and recent plans may still be waiting."""
        rng = self.rng
        waited = (self.today - day).days
        certified_on = day + timedelta(days=rng.randrange(4, 26))
        reason = None
        if rng.random() < 0.04:
            certified_on = day + timedelta(days=rng.randrange(31, 45))
            reason = rng.choice(words.CERTIFICATION_DELAYS)
        missing = rng.random() < (0.6 if waited < medicare.CERTIFICATION_WARNING_FROM_DAY else 0.03)
        if certified_on >= self.today or missing:
            return {"certified_by": None, "certified_on": None, "certification_delay_reason": None}
        return {
            "certified_by": str(story.patient_row["referring_physician"]).split(" (")[0],
            "certified_on": certified_on,
            "certification_delay_reason": reason,
        }

    def _path(
        self,
        story: Story,
        plan_id: int,
        baseline: dict[str, Any],
        kind: TreatmentPathKind,
        frequency: int,
        weeks: int,
    ) -> None:
        rng = self.rng
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
            **self._stamp(story.start),
        )
        referral = {
            TreatmentPathKind.MEDICATION_REFERRAL: ReferralKind.MEDICATION,
            TreatmentPathKind.STEROID_INJECTION_REFERRAL: ReferralKind.STEROID_INJECTION,
            TreatmentPathKind.LUMBAR_SURGERY_REFERRAL: ReferralKind.LUMBAR_SURGERY,
        }.get(kind)
        if kind == TreatmentPathKind.PT_PLAN:
            heat_ice = rng.choice((HeatIce.HEAT, HeatIce.ICE, HeatIce.HEAT_AND_ICE, HeatIce.NONE))
            row.update(
                frequency_per_week=frequency,
                duration_weeks=weeks,
                interventions=",".join(sorted(rng.sample(words.PLAN_INTERVENTIONS, 3))),
                heat_ice=heat_ice,
                heat_ice_minutes=None if heat_ice == HeatIce.NONE else rng.choice((15, 20)),
                heat_ice_times_per_day=None if heat_ice == HeatIce.NONE else rng.choice((2, 3)),
            )
        elif kind == TreatmentPathKind.MEDICATION_REFERRAL:
            anti = rng.random() < 0.75
            row.update(anti_inflammatory=anti, muscle_relaxant=(not anti) or rng.random() < 0.4)
        elif kind == TreatmentPathKind.STEROID_INJECTION_REFERRAL:
            row.update(
                injection_level=rng.choice(("L4-L5", "L5-S1")),
                injection_side=rng.choice((Side.LEFT, Side.RIGHT)),
            )
        if referral is not None:
            row["reason"] = words.REFERRAL_REASONS[referral]
            urgency = Urgency.URGENT if referral == ReferralKind.LUMBAR_SURGERY else Urgency.ROUTINE
            self.referral(
                story, int(baseline["id"]), referral, story.start, urgency, reason=row["reason"]
            )
        self._add("treatment_path", **row)

    def referral(
        self,
        story: Story,
        evaluation_id: int,
        kind: ReferralKind,
        day: date,
        urgency: Urgency,
        *,
        reason: str,
        flag: str | None = None,
        to_whom: str | None = None,
        specialty: str | None = None,
    ) -> None:
        rng = self.rng
        if urgency == Urgency.EMERGENCY:
            specialty, to_whom = words.EMERGENCY_DEPARTMENT
        elif to_whom is None:
            specialty, people = words.SPECIALISTS[kind]
            to_whom = rng.choice(people)
        same_day = urgency in (Urgency.EMERGENCY, Urgency.URGENT)
        sent_on: date | None = min(self.today, day + timedelta(days=0 if same_day else 1))
        answered = day + timedelta(days=rng.randrange(3, 30))
        waiting = answered > self.today or rng.random() < 0.1
        if waiting and same_day and story.status == PatientStatus.DISCHARGED:
            # Treated to discharge, so seen by the doctor first: an urgent referral left
            # waiting would keep this past episode open beside the patient's current one.
            waiting, answered = False, min(answered, self.today)
        closed_on: date | None = answered
        status = ReferralStatus.CLOSED
        if waiting:
            closed_on, status = None, ReferralStatus.SENT  # still waiting for the reply
            if not same_day and (self.today - day).days < 14 and rng.random() < 0.3:
                status, sent_on = ReferralStatus.OPEN, None  # not sent yet
        self._add(
            "referral",
            episode_id=story.episode_id,
            evaluation_id=evaluation_id,
            kind=kind,
            to_whom=to_whom,
            specialty=specialty,
            reason=reason,
            urgency=urgency,
            status=status,
            red_flag_code=flag,
            sent_on=sent_on,
            closed_on=closed_on,
            outcome_note="Seen; cleared to continue therapy." if closed_on else None,
            seen_by=(rng.choice(words.PHYSICIANS).split(" (")[0] if closed_on else None),
            cleared_for_therapy=True if closed_on else None,
            closed_by_id=story.therapist if closed_on else None,
            **self._stamp(day),
        )

    # -- visits ------------------------------------------------------------------------------
    def visits(self, story: Story, plan: dict[str, Any], nprs_start: int) -> list[tuple[date, int]]:
        """Visits at the planned frequency, within the certification, never in the future."""
        rng = self.rng
        last_possible = min(plan["certification_end"], self.today - timedelta(days=1))
        if story.status == PatientStatus.ON_HOLD:
            last_possible = min(last_possible, self.today - timedelta(days=rng.randrange(15, 30)))
        planned = max(1, round(plan["frequency"] * plan["weeks"] * rng.uniform(0.6, 1.0)))
        spacing = 7 / plan["frequency"]
        days: list[date] = []
        cursor = float(rng.randrange(2, 5))
        while len(days) < planned:
            day = story.start + timedelta(days=round(cursor))
            if day > last_possible:
                break
            if not days or day > days[-1]:
                days.append(day)
            cursor += spacing * rng.uniform(0.8, 1.3)
        improving = rng.random() < 0.8
        drop = rng.randrange(2, 6) if improving else rng.randrange(0, 2)
        nprs_end = max(0, nprs_start - drop)
        result = []
        for n, day in enumerate(days, start=1):
            fraction = n / len(days)
            noise = rng.uniform(-1, 1) if n < len(days) else 0.0
            nprs = max(0, min(10, round(nprs_start + (nprs_end - nprs_start) * fraction + noise)))
            visit = self._add(
                "visit",
                episode_id=story.episode_id,
                therapist_id=story.therapist,
                visit_date=day,
                nprs=nprs,
                note=rng.choice(words.VISIT_NOTES),
                # The evaluation day is treatment day 1: visits 9, 19, 29... are the 10th
                # treatment day of their period, and carry the progress report.
                is_progress_report=(n + 1) % medicare.PROGRESS_REPORT_EVERY_TREATMENT_DAYS == 0,
                **self._stamp(day),
            )
            if visit["is_progress_report"]:
                for goal in plan["goals"]:
                    progress = weighted(
                        rng,
                        (GoalProgress.MET, GoalProgress.PROGRESSING, GoalProgress.NOT_PROGRESSING),
                        (1, 6, 1) if improving else (0, 3, 4),
                    )
                    self._add(
                        "goal_assessment",
                        visit_id=visit["id"],
                        goal_id=goal["id"],
                        progress=progress,
                        note=rng.choice(words.GOAL_PROGRESS_NOTES[progress]),
                        **self._stamp(day),
                    )
            for code in rng.sample(words.VISIT_INTERVENTIONS, rng.choice((1, 2, 2, 3))):
                self._add(
                    "visit_intervention",
                    visit_id=visit["id"],
                    intervention=code,
                    minutes=rng.choice((8, 10, 15, 15, 20, 25)),
                    **self._stamp(day),
                )
            result.append((day, nprs))
        return result


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
