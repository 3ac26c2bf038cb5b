"""CaseManager's records as FHIR R4 resources (plain dicts, one per resource), for the bulk
export. Only standard code systems where the code is certain (ICD-10-CM, LOINC for the pain
score, HL7 terminology); our own measures and causes use CaseManager's code system, named
in docs/export-formats.md. Pure functions: rows in, JSON-ready dicts out.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from casemanager.domain import catalogs
from casemanager.domain.enums import EpisodeStatus, EvaluationKind, EvaluationStatus

CASEMANAGER = "https://casemanager.example.org/fhir"  # our own code systems and identifiers
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
MRN_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"

Resource = dict[str, Any]


def ref(kind: str, number: int) -> dict[str, str]:
    return {"reference": f"{kind}/{resource_id(kind, number)}"}


def resource_id(kind: str, number: int) -> str:
    """Stable ids: the resource type in lower case and the row id ("patient-12")."""
    return f"{kind.lower()}-{number}"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _compact(resource: Resource) -> Resource:
    """FHIR forbids empty values: drop None, empty lists and empty dicts."""
    return {k: v for k, v in resource.items() if v not in (None, [], {}, "")}


def _phone(typed: str | None, e164: str | None) -> str | None:
    """E.164 ("+16315550100"): other systems read it without knowing our region. A number
    kept from before numbers were checked, that does not read as one, goes as typed."""
    return e164 or typed


def organization(clinic: Any) -> Resource:
    phone = _phone(clinic.phone, clinic.phone_e164)
    telecom = [{"system": "phone", "value": phone}] if phone else []
    if clinic.email:
        telecom.append({"system": "email", "value": clinic.email})
    return _compact(
        {
            "resourceType": "Organization",
            "id": resource_id("Organization", clinic.id),
            "active": True,
            "name": clinic.name,
            "telecom": telecom,
            "address": [{"text": clinic.address}] if clinic.address else [],
        }
    )


def practitioner(user: Any) -> Resource:
    identifier = (
        [{"system": f"{CASEMANAGER}/licence", "value": user.licence_number}]
        if user.licence_number
        else []
    )
    return _compact(
        {
            "resourceType": "Practitioner",
            "id": resource_id("Practitioner", user.id),
            "identifier": identifier,
            "active": bool(user.active),
            "name": [{"text": user.display_name}],
        }
    )


def patient(row: Any, clinic_id: int) -> Resource:
    phone = _phone(row.phone, row.phone_e164)
    telecom = [{"system": "phone", "value": phone, "use": "home"}] if phone else []
    contact_phone = _phone(row.emergency_contact_phone, row.emergency_contact_phone_e164)
    if row.email:
        telecom.append({"system": "email", "value": row.email})
    names = [{"use": "official", "family": row.family_name, "given": [row.given_name]}]
    if row.preferred_name:
        names.append({"use": "usual", "given": [row.preferred_name]})
    contact = (
        [
            {
                "name": {"text": row.emergency_contact_name},
                "telecom": ([{"system": "phone", "value": contact_phone}] if contact_phone else []),
            }
        ]
        if row.emergency_contact_name
        else []
    )
    return _compact(
        {
            "resourceType": "Patient",
            "id": resource_id("Patient", row.id),
            "identifier": [
                {
                    "type": {"coding": [{"system": MRN_TYPE, "code": "MR"}]},
                    "system": f"{CASEMANAGER}/mrn",
                    "value": row.mrn,
                }
            ],
            "active": True,  # the record is in use, whatever the patient's care status
            "name": names,
            "telecom": telecom,
            "gender": row.sex.value,  # our Sex values are FHIR's administrative genders
            "birthDate": _day(row.date_of_birth),
            "address": [{"text": row.address}] if row.address else [],
            "contact": contact,
            "communication": [
                {
                    "language": {
                        "coding": [{"system": "urn:ietf:bcp:47", "code": row.preferred_language}]
                    }
                }
            ],
            "generalPractitioner": (
                [ref("Practitioner", row.primary_therapist_id)] if row.primary_therapist_id else []
            ),
            "managingOrganization": ref("Organization", clinic_id),
        }
    )


def episode_of_care(row: Any, clinic_id: int) -> Resource:
    return _compact(
        {
            "resourceType": "EpisodeOfCare",
            "id": resource_id("EpisodeOfCare", row.id),
            "status": "active" if row.status == EpisodeStatus.OPEN else "finished",
            "patient": ref("Patient", row.patient_id),
            "managingOrganization": ref("Organization", clinic_id),
            "period": _compact({"start": _day(row.start_date), "end": _day(row.end_date)}),
            "careManager": ref("Practitioner", row.therapist_id),
            # Not yet known while the initial evaluation has no chief complaint (FHIR forbids
            # an empty string).
            "type": [{"text": row.complaint}] if row.complaint else [],
        }
    )


_KIND_TEXT = {
    EvaluationKind.INITIAL: "Initial evaluation",
    EvaluationKind.RE_EVALUATION: "Re-evaluation",
    EvaluationKind.PROGRESS_REPORT: "Progress report",
    EvaluationKind.DISCHARGE: "Discharge summary",
}


def _encounter(kind: str, number: int, patient_id: int, episode_id: int, **fields: Any) -> Resource:
    return _compact(
        {
            "resourceType": "Encounter",
            "id": encounter_id(kind, number),
            "class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
            "subject": ref("Patient", patient_id),
            "episodeOfCare": [ref("EpisodeOfCare", episode_id)],
            **fields,
        }
    )


def encounter_id(kind: str, number: int) -> str:
    return f"encounter-{kind}-{number}"


def evaluation_ref(evaluation_id: int) -> dict[str, str]:
    return {"reference": f"Encounter/{encounter_id('evaluation', evaluation_id)}"}


def evaluation_encounter(row: Any, patient_id: int) -> Resource:
    return _encounter(
        "evaluation",
        row.id,
        patient_id,
        row.episode_id,
        status="finished" if row.status == EvaluationStatus.SIGNED else "in-progress",
        type=[
            {
                "coding": [{"system": f"{CASEMANAGER}/evaluation-kind", "code": row.kind.value}],
                "text": _KIND_TEXT[row.kind],
            }
        ],
        participant=[{"individual": ref("Practitioner", row.therapist_id)}],
        period={"start": _day(row.evaluation_date), "end": _day(row.evaluation_date)},
        reasonCode=[{"text": row.chief_complaint}] if row.chief_complaint else [],
    )


def visit_encounter(row: Any, patient_id: int) -> Resource:
    return _encounter(
        "visit",
        row.id,
        patient_id,
        row.episode_id,
        status="finished",
        type=[{"text": "Treatment visit"}],
        participant=[{"individual": ref("Practitioner", row.therapist_id)}],
        period={"start": _day(row.visit_date), "end": _day(row.visit_date)},
    )


def conditions(row: Any, patient_id: int) -> list[Resource]:
    """The evaluation's ICD-10-CM codes, and its suspected cause, as encounter diagnoses."""
    found = []
    base = {
        "resourceType": "Condition",
        "subject": ref("Patient", patient_id),
        "encounter": evaluation_ref(row.id),
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}],
        "recordedDate": _day(row.evaluation_date),
        "recorder": ref("Practitioner", row.therapist_id),
    }
    for code in row.diagnosis_codes:
        found.append(
            {
                **base,
                "id": f"condition-{row.id}-{code.position}",
                "code": {
                    "coding": [{"system": ICD10CM, "code": code.code, "display": code.description}]
                },
            }
        )
    if row.primary_cause is not None:
        info = catalogs.cause_info(row.primary_cause)
        found.append(
            _compact(
                {
                    **base,
                    "id": f"condition-{row.id}-cause",
                    "code": {
                        "coding": [
                            {
                                "system": f"{CASEMANAGER}/suspected-cause",
                                "code": row.primary_cause.value,
                                "display": info.label,
                            }
                        ],
                        "text": f"Suspected cause: {info.label}",
                    },
                    "note": [{"text": row.cause_note}] if row.cause_note else [],
                }
            )
        )
    return found


def _observation(
    row: Any, patient_id: int, key: str, code: dict[str, Any], **value: Any
) -> Resource:
    return {
        "resourceType": "Observation",
        "id": f"observation-{row.id}-{key}",
        "status": "final" if row.status == EvaluationStatus.SIGNED else "preliminary",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": code,
        "subject": ref("Patient", patient_id),
        "encounter": evaluation_ref(row.id),
        "effectiveDateTime": _day(row.evaluation_date),
        "performer": [ref("Practitioner", row.therapist_id)],
        **value,
    }


def _ours(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": f"{CASEMANAGER}/measure", "code": code, "display": display}]}


def observations(row: Any, patient_id: int) -> list[Resource]:
    """The evaluation's scores (NPRS, Oswestry %, PSFS mean, STarT Back risk) and positive
    red-flag findings."""
    found = []
    if row.nprs_now is not None:
        code = {
            "coding": [
                {
                    "system": LOINC,
                    "code": "72514-3",
                    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
                }
            ],
            "text": "NPRS, pain now",
        }
        found.append(_observation(row, patient_id, "nprs", code, valueInteger=int(row.nprs_now)))
    if row.odi_percent is not None:
        quantity = {
            "value": round(float(row.odi_percent), 1),
            "unit": "%",
            "system": "http://unitsofmeasure.org",
            "code": "%",
        }
        found.append(
            _observation(
                row,
                patient_id,
                "odi",
                _ours("odi-percent", "Oswestry Disability Index"),
                valueQuantity=quantity,
            )
        )
    if row.psfs_mean is not None:
        found.append(
            _observation(
                row,
                patient_id,
                "psfs",
                _ours("psfs-mean", "Patient-Specific Functional Scale, mean"),
                valueQuantity={"value": round(float(row.psfs_mean), 1)},
            )
        )
    if row.sbst_risk is not None:
        found.append(
            _observation(
                row,
                patient_id,
                "startback",
                _ours("startback-risk", "STarT Back risk group"),
                valueCodeableConcept={
                    "coding": [
                        {"system": f"{CASEMANAGER}/startback-risk", "code": row.sbst_risk.value}
                    ],
                    "text": f"{row.sbst_risk.value} risk",
                },
            )
        )
    for finding in row.red_flags:
        if finding.answer.value != "yes":
            continue
        item = catalogs.red_flag(finding.flag_code)
        found.append(
            _compact(
                _observation(
                    row,
                    patient_id,
                    f"redflag-{finding.id}",
                    _ours(f"red-flag-{item.code}", item.question),
                    valueBoolean=True,
                    note=[{"text": f"Action: {finding.action.value}"}] if finding.action else [],
                )
            )
        )
    return found


_GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
_GOAL_STATUS = {  # ours -> (lifecycleStatus, achievementStatus)
    "in_progress": ("active", "in-progress"),
    "met": ("completed", "achieved"),
    "partially_met": ("completed", "some-progress"),
    "not_met": ("completed", "not-achieved"),
}


def goal(row: Any, patient_id: int) -> Resource:
    lifecycle, achievement = _GOAL_STATUS[row.status.value]
    return _compact(
        {
            "resourceType": "Goal",
            "id": resource_id("Goal", row.id),
            "lifecycleStatus": lifecycle,
            "achievementStatus": {"coding": [{"system": _GOAL_ACHIEVEMENT, "code": achievement}]},
            "category": [{"text": f"{row.term.value}-term"}],
            "description": {"text": row.description},
            "subject": ref("Patient", patient_id),
            "target": [{"dueDate": _day(row.target_date)}] if row.target_date else [],
        }
    )


def _path_text(path: Any) -> str:
    parts = [catalogs.treatment_path_info(path.kind).label]
    if path.frequency_per_week and path.duration_weeks:
        parts.append(f"{path.frequency_per_week}x a week for {path.duration_weeks} weeks")
    drugs = [
        n
        for n, on in (
            ("anti-inflammatory", path.anti_inflammatory),
            ("muscle relaxant", path.muscle_relaxant),
        )
        if on
    ]
    if drugs:
        parts.append(" and ".join(drugs))
    if path.heat_ice:
        parts.append(f"{path.heat_ice.value} {path.heat_ice_minutes or ''} min".replace("  ", " "))
    if path.refer_to:
        parts.append(f"to {path.refer_to}")
    if path.reason:
        parts.append(path.reason)
    return "; ".join(parts)


def _exercise_text(item: Any) -> str:
    name = item.signed_name or item.exercise.name
    dose = ", ".join(
        text
        for text in (
            f"{item.sets} sets" if item.sets else "",
            f"{item.reps} reps" if item.reps else "",
            f"hold {item.hold_seconds} s" if item.hold_seconds else "",
            f"{item.times_per_day}x a day" if item.times_per_day else "",
        )
        if text
    )
    return f"Home exercise: {name}" + (f" ({dose})" if dose else "")


def care_plan(plan: Any, evaluation: Any, patient_id: int) -> Resource:
    signed = evaluation.status == EvaluationStatus.SIGNED
    activity_status = "in-progress" if signed else "not-started"
    activities = [
        {
            "detail": {
                "code": {
                    "coding": [{"system": f"{CASEMANAGER}/treatment-path", "code": p.kind.value}],
                    "text": catalogs.treatment_path_info(p.kind).label,
                },
                "status": activity_status,
                "description": _path_text(p),
            }
        }
        for p in plan.paths
    ]
    activities += [
        {"detail": {"status": activity_status, "description": _exercise_text(item)}}
        for item in sorted(plan.home_exercises, key=lambda h: h.position)
    ]
    return _compact(
        {
            "resourceType": "CarePlan",
            "id": resource_id("CarePlan", plan.id),
            "status": "active" if signed else "draft",
            "intent": "plan",
            "title": f"Plan of care, {_KIND_TEXT[evaluation.kind].lower()} of "
            f"{evaluation.evaluation_date:%m/%d/%Y}",
            "subject": ref("Patient", patient_id),
            "encounter": evaluation_ref(evaluation.id),
            "period": _compact(
                {"start": _day(plan.certification_start), "end": _day(plan.certification_end)}
            ),
            "author": ref("Practitioner", evaluation.therapist_id),
            "goal": [ref("Goal", g.id) for g in plan.goals],
            "activity": activities,
            "note": [{"text": plan.note}] if plan.note else [],
        }
    )


_PRIORITY = {"emergency": "stat", "urgent": "urgent", "routine": "routine"}


def service_request(row: Any, patient_id: int, therapist_id: int) -> Resource:
    status = "completed" if row.status.value == "closed" else "active"
    return _compact(
        {
            "resourceType": "ServiceRequest",
            "id": resource_id("ServiceRequest", row.id),
            "status": status,
            "intent": "order",
            "priority": _PRIORITY[row.urgency.value],
            "code": {
                "coding": [{"system": f"{CASEMANAGER}/referral-kind", "code": row.kind.value}],
                "text": f"Referral: {row.kind.value.replace('_', ' ')}",
            },
            "subject": ref("Patient", patient_id),
            "encounter": (evaluation_ref(row.evaluation_id) if row.evaluation_id else None),
            "authoredOn": _day(row.sent_on),
            "requester": ref("Practitioner", therapist_id),
            "performer": [
                {"display": row.to_whom + (f" ({row.specialty})" if row.specialty else "")}
            ],
            "reasonCode": [{"text": row.reason}],
            "note": [{"text": row.outcome_note}] if row.outcome_note else [],
        }
    )


_DOCUMENT_TITLES = {
    "take-home": "Take-home care plan",
    "plan-of-care": "Plan of care",
    "referral": "Referral letter",
}


def document_reference(row: Any, patient_id: int) -> Resource:
    """A document printed or saved from a signed evaluation. The PDF itself is not kept (it
    is made again from the signed record), so the reference names it without content data."""
    title = _DOCUMENT_TITLES.get(row.kind, row.kind)
    if row.language:
        title += f" ({row.language}{', large print' if row.large_print else ''})"
    return _compact(
        {
            "resourceType": "DocumentReference",
            "id": resource_id("DocumentReference", row.id),
            "status": "current",
            "type": {"coding": [{"system": f"{CASEMANAGER}/document-kind", "code": row.kind}]},
            "subject": ref("Patient", patient_id),
            "date": _instant(row.created_at),
            "description": f"{title}, {row.action.value}ed by {row.actor}",
            "content": [{"attachment": {"contentType": "application/pdf", "title": title}}],
            "context": {"encounter": [evaluation_ref(row.evaluation_id)]},
        }
    )
