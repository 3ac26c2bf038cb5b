"""How long each stored text may be, in characters: one table for the whole data model.

db/models.py sizes every String column from it and the checks in domain and services read
it, so anything a form or an import accepts fits its column on PostgreSQL (which refuses an
over-long value) as well as on SQLite (which would store it as given). Texts stored in
unbounded columns (TEXT) get a limit here too, so a pasted page is refused with a message
instead of stored. `COLUMNS` names the limit of every text column ("table.column"); a test
holds the models to it, and another saves a value one character over each limit in `TYPED`
through its service and expects a message naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# -- patients -----------------------------------------------------------------------------
NAME = 100  # first, last and preferred name
# The search key of "given family preferred": each name's key is checked to fit NAME.
SEARCH_NAME = 3 * NAME + 2
PHONE = 40  # as typed, with spaces and punctuation
PHONE_DIGITS = 20
PHONE_E164 = 16  # "+" and at most 15 digits
EMAIL = 254  # the longest address mail servers deliver to (RFC 5321 path limit)
ADDRESS = 500  # stored as TEXT
CONTACT_NAME = 200  # emergency contact, referring physician, any clinician named in a record
LANGUAGE = 16
MRN = 16
# "system|value" of an imported patient; the value alone may use what the system leaves.
SOURCE_IDENTIFIER = 300

# -- the clinic and its staff ---------------------------------------------------------------
CLINIC_NAME = 200
CLINIC_ADDRESS = 1000  # stored as TEXT
REGION = 2  # ISO 3166 region code numbers are read in
USERNAME = 64
STAFF_NAME = 200  # a user's full name as it prints on signed notes
LICENCE = 64
PASSWORD_HASH = 255

# -- clinical records -----------------------------------------------------------------------
COMPLAINT = 300  # an episode's complaint
SHORT_ANSWER = 200  # occupation, a PSFS activity
PAIN_LOCATION = 300
NOTE = 2000  # most history answers, reasons, the cause note, a goal's progress note
LONG_NOTE = 4000  # mechanism of injury, past medical history, instructions, referral outcome
FULL_NOTE = 10000  # assessment, visit note, plan note, addendum
RED_FLAG_NOTE = 1000  # a red-flag answer's note and the reason for its action
DIAGNOSIS_CODE = 10
DIAGNOSIS_DESCRIPTION = 300
GOAL = 1000
INJECTION_LEVEL = 60
INTERVENTIONS = 2000  # the catalog codes of a PT plan, comma-separated
SPECIALTY = 120
EXERCISE_NAME = 200
TEMPLATE_NAME = 200  # an evaluation template's name
CODE = 64  # a catalog code (red-flag item, intervention, starter exercise)
DISCHARGE_REASON = 200  # the label of the reason an episode ended

# -- records the app writes -------------------------------------------------------------------
DOCUMENT_KIND = 20
ACTOR = 100  # a username, or "os:NAME" for the command line
WORKSTATION = 255
AUDIT_DETAIL = 300
HASH = 64  # SHA-256 in hexadecimal

COLUMNS: Mapping[str, int] = MappingProxyType(
    {
        "clinic.name": CLINIC_NAME,
        "clinic.phone": PHONE,
        "clinic.phone_e164": PHONE_E164,
        "clinic.email": EMAIL,
        "clinic.address": CLINIC_ADDRESS,
        "clinic.phone_region": REGION,
        "users.username": USERNAME,
        "users.display_name": STAFF_NAME,
        "users.licence_number": LICENCE,
        "users.password_hash": PASSWORD_HASH,
        "patient.mrn": MRN,
        "patient.given_name": NAME,
        "patient.family_name": NAME,
        "patient.preferred_name": NAME,
        "patient.search_name": SEARCH_NAME,
        "patient.phone": PHONE,
        "patient.phone_digits": PHONE_DIGITS,
        "patient.phone_e164": PHONE_E164,
        "patient.email": EMAIL,
        "patient.address": ADDRESS,
        "patient.preferred_language": LANGUAGE,
        "patient.emergency_contact_name": CONTACT_NAME,
        "patient.emergency_contact_phone": PHONE,
        "patient.emergency_contact_phone_e164": PHONE_E164,
        "patient.referring_physician": CONTACT_NAME,
        "patient.source_identifier": SOURCE_IDENTIFIER,
        "episode_of_care.complaint": COMPLAINT,
        "episode_of_care.discharge_reason": DISCHARGE_REASON,
        "evaluation.chief_complaint": NOTE,
        "evaluation.mechanism_of_injury": LONG_NOTE,
        "evaluation.aggravating_factors": NOTE,
        "evaluation.easing_factors": NOTE,
        "evaluation.prior_episodes": NOTE,
        "evaluation.past_medical_history": LONG_NOTE,
        "evaluation.medications": NOTE,
        "evaluation.occupation": SHORT_ANSWER,
        "evaluation.activities": NOTE,
        "evaluation.patient_goals": NOTE,
        "evaluation.pain_location": PAIN_LOCATION,
        "evaluation.cause_note": NOTE,
        "evaluation.assessment_note": FULL_NOTE,
        "red_flag_finding.flag_code": CODE,
        "red_flag_finding.note": RED_FLAG_NOTE,
        "red_flag_finding.action_reason": RED_FLAG_NOTE,
        "psfs_activity.activity": SHORT_ANSWER,
        "diagnosis_code.code": DIAGNOSIS_CODE,
        "diagnosis_code.description": DIAGNOSIS_DESCRIPTION,
        "addendum.text": FULL_NOTE,
        "treatment_plan.note": FULL_NOTE,
        "treatment_plan.certified_by": CONTACT_NAME,
        "treatment_plan.certification_delay_reason": NOTE,
        "treatment_path.interventions": INTERVENTIONS,
        "treatment_path.injection_level": INJECTION_LEVEL,
        "treatment_path.reason": NOTE,
        "treatment_path.refer_to": CONTACT_NAME,
        "goal.description": GOAL,
        "exercise.key": CODE,
        "evaluation_template.key": CODE,
        "evaluation_template.name": TEMPLATE_NAME,
        "evaluation_template.note": NOTE,
        "patient_intake.language": LANGUAGE,
        "patient_intake.token_hash": HASH,
        "exercise.name": EXERCISE_NAME,
        "exercise.instructions": LONG_NOTE,
        "exercise.precautions": NOTE,
        "home_exercise.note": NOTE,
        "home_exercise.signed_name": EXERCISE_NAME,  # copies of the exercise's, at signing
        "home_exercise.signed_instructions": LONG_NOTE,
        "home_exercise.signed_precautions": NOTE,
        # A referral made at signing takes its addressee and reason from the plan's path
        # (refer_to, reason) or the red-flag catalog, so their limits are the same.
        "referral.to_whom": CONTACT_NAME,
        "referral.specialty": SPECIALTY,
        "referral.reason": NOTE,
        "referral.red_flag_code": CODE,
        "referral.outcome_note": LONG_NOTE,
        "referral.seen_by": CONTACT_NAME,
        "visit.note": FULL_NOTE,
        "goal_assessment.note": NOTE,
        "visit_intervention.intervention": CODE,
        "printed_document.kind": DOCUMENT_KIND,
        "printed_document.language": LANGUAGE,
        "printed_document.actor": ACTOR,
        "audit_log.actor": ACTOR,
        "audit_log.workstation": WORKSTATION,
        "audit_log.detail": AUDIT_DETAIL,
        "audit_log.prev_hash": HASH,
        "audit_log.row_hash": HASH,
        "audit_chain_head.last_hash": HASH,
    }
)

# The columns people type or paste into (a form, an import): their services refuse a value
# over the limit and any control or direction-changing character, naming the field. The
# others hold what the app derives (search keys, E.164 numbers, copies made at signing),
# catalog codes and labels, or its own records (audit rows, password hashes).
TYPED: frozenset[str] = frozenset(
    {
        "clinic.name",
        "evaluation_template.name",
        "evaluation_template.note",
        "clinic.phone",
        "clinic.email",
        "clinic.address",
        "users.username",
        "users.display_name",
        "users.licence_number",
        "patient.given_name",
        "patient.family_name",
        "patient.preferred_name",
        "patient.phone",
        "patient.email",
        "patient.address",
        "patient.emergency_contact_name",
        "patient.emergency_contact_phone",
        "patient.referring_physician",
        "patient.source_identifier",
        "episode_of_care.complaint",
        "evaluation.chief_complaint",
        "evaluation.mechanism_of_injury",
        "evaluation.aggravating_factors",
        "evaluation.easing_factors",
        "evaluation.prior_episodes",
        "evaluation.past_medical_history",
        "evaluation.medications",
        "evaluation.occupation",
        "evaluation.activities",
        "evaluation.patient_goals",
        "evaluation.pain_location",
        "evaluation.cause_note",
        "evaluation.assessment_note",
        "red_flag_finding.note",
        "red_flag_finding.action_reason",
        "psfs_activity.activity",
        "addendum.text",
        "treatment_plan.note",
        "treatment_plan.certified_by",
        "treatment_plan.certification_delay_reason",
        "treatment_path.injection_level",
        "treatment_path.reason",
        "treatment_path.refer_to",
        "goal.description",
        "exercise.name",
        "exercise.instructions",
        "exercise.precautions",
        "home_exercise.note",
        "referral.outcome_note",
        "referral.seen_by",
        "visit.note",
        "goal_assessment.note",
    }
)
