"""What the patient reads on the intake screen, in English and Spanish: our own plain words
(about a 6th-grade reading level). The English red-flag questions are the screen's own
(catalogs.RED_FLAGS); the Spanish ones are ours. No questionnaire wording under licence:
Oswestry and STarT Back are not part of the intake."""

from __future__ import annotations

from dataclasses import dataclass

from casemanager.domain import catalogs
from casemanager.domain.intake import HISTORY_FIELDS, LANGUAGES, RED_FLAG_CODES


@dataclass(frozen=True)
class IntakeWording:
    language: str
    title: str
    welcome: str  # {name} is the patient's first name
    history_heading: str
    history: tuple[tuple[str, str], ...]  # (field, question), in the order to ask them
    onset_question: str
    onset_hint: str
    red_flag_heading: str
    red_flag_intro: str
    red_flags: tuple[tuple[str, str], ...]  # (code, question)
    yes: str
    no: str
    pain_heading: str
    pain_scale: str
    nprs_now: str
    nprs_best: str
    nprs_worst: str
    psfs_heading: str
    psfs_intro: str
    psfs_scale: str
    submit: str
    thanks: str


_EN_HISTORY = {
    "chief_complaint": "What brings you in today? Tell us about your back in your own words.",
    "mechanism_of_injury": "How did it start? For example: lifting, a fall, a sport, or no "
    "clear reason.",
    "aggravating_factors": "What makes it worse?",
    "easing_factors": "What makes it better?",
    "prior_episodes": "Have you had back pain like this before? When, and what helped?",
    "past_medical_history": "What other health problems or operations have you had?",
    "medications": "What medicines do you take? Include ones you buy without a prescription.",
    "occupation": "What is your job, or what do you do most days?",
    "activities": "What sports, hobbies or activities do you usually do?",
    "patient_goals": "What would you most like to be able to do again?",
}

_ES_HISTORY = {
    "chief_complaint": "¿Qué le trae hoy? Cuéntenos sobre su espalda con sus propias palabras.",
    "mechanism_of_injury": "¿Cómo empezó? Por ejemplo: al levantar algo, una caída, un "
    "deporte, o sin causa clara.",
    "aggravating_factors": "¿Qué lo empeora?",
    "easing_factors": "¿Qué lo mejora?",
    "prior_episodes": "¿Ha tenido antes un dolor de espalda así? ¿Cuándo, y qué le ayudó?",
    "past_medical_history": "¿Qué otros problemas de salud u operaciones ha tenido?",
    "medications": "¿Qué medicinas toma? Incluya las que compra sin receta.",
    "occupation": "¿En qué trabaja, o qué hace la mayoría de los días?",
    "activities": "¿Qué deportes, pasatiempos o actividades hace normalmente?",
    "patient_goals": "¿Qué es lo que más le gustaría volver a hacer?",
}

_ES_RED_FLAGS = {
    "saddle_numbness": "¿Siente adormecimiento u hormigueo entre las piernas o alrededor de "
    "las nalgas?",
    "bladder_bowel_change": "¿Tiene algún problema nuevo para orinar, para aguantar la orina "
    "o para hacer de vientre?",
    "both_legs": "¿Siente adormecimiento o debilidad en las dos piernas?",
    "sexual_dysfunction": "¿Ha notado algún cambio nuevo en su función o sensibilidad sexual?",
    "worsening_leg_weakness": "¿Está empeorando la debilidad de una pierna o un pie, o se le "
    "engancha o cae el pie al caminar?",
    "spreading_numbness": "¿El adormecimiento de la pierna o el pie se está extendiendo o "
    "empeorando?",
    "older_with_vascular_risk": "¿Tiene más de 60 años y fuma, o tiene la presión alta o "
    "alguna enfermedad del corazón o de las arterias?",
    "pain_unchanged_by_movement": "¿El dolor es constante, haga lo que haga, sin cambiar al "
    "moverse o cambiar de postura?",
    "fever_chills": "¿Ha tenido fiebre, escalofríos o temblores?",
    "iv_drug_use": "¿Se inyecta drogas, o lo ha hecho en el pasado?",
    "immunosuppression": "¿Tiene alguna enfermedad o toma alguna medicina que debilite sus "
    "defensas?",
    "recent_infection": "¿Ha tenido hace poco una infección, por ejemplo de orina o de la piel?",
    "recent_spinal_procedure": "¿Le han hecho hace poco una inyección o una operación en la "
    "columna?",
    "major_trauma": "¿Empezó el dolor después de un accidente grave o una caída fuerte?",
    "minor_trauma_over_50": "¿Tiene más de 50 años, y empezó el dolor después de una caída o "
    "un golpe pequeño?",
    "osteoporosis": "¿Le han dicho que tiene osteoporosis (huesos débiles o frágiles)?",
    "long_term_steroids": "¿Ha tomado pastillas de corticoides, como la prednisona, durante "
    "mucho tiempo?",
    "age_over_70": "¿Tiene más de 70 años?",
    "history_of_cancer": "¿Ha tenido cáncer alguna vez?",
    "unexplained_weight_loss": "¿Ha bajado de peso hace poco sin intentarlo?",
    "night_or_rest_pain": "¿El dolor es fuerte por la noche o en reposo, y no se alivia al "
    "cambiar de postura?",
    "night_sweats": "¿Se despierta empapado en sudor por la noche?",
    "ibp_early_long_lasting": "¿Empezó este dolor de espalda antes de los 45 años, y le dura "
    "ya más de 3 meses?",
    "ibp_better_with_movement": "¿El dolor o la rigidez mejoran al moverse y no al descansar?",
    "ibp_late_night_waking": "¿El dolor le despierta en la segunda mitad de la noche?",
    "ibp_buttock_pain": "¿Tiene dolor profundo en las nalgas, de un lado o de los dos?",
    "ibp_related_conditions": "¿Ha tenido psoriasis, inflamación del intestino (Crohn o "
    "colitis) o inflamación del ojo (uveítis), o tiene un padre, hermano o hermana con "
    "espondiloartritis?",
}

_WORDING = {
    "en": IntakeWording(
        language="en",
        title="Before your visit",
        welcome="Welcome, {name}. These questions help your therapist get ready. Answer what "
        "you can: you can skip any question, and your therapist will go over it with you.",
        history_heading="About your back",
        history=tuple(_EN_HISTORY.items()),
        onset_question="When did it start?",
        onset_hint='For example "3 days ago", "2 weeks ago", "yesterday" or a date.',
        red_flag_heading="Important health questions",
        red_flag_intro="Please answer yes or no. A yes does not mean something is wrong: it "
        "tells your therapist what to check first.",
        red_flags=tuple((code, catalogs.red_flag(code).question) for code in RED_FLAG_CODES),
        yes="Yes",
        no="No",
        pain_heading="Your pain",
        pain_scale="0 means no pain. 10 means the worst pain you can imagine.",
        nprs_now="How bad is your pain right now?",
        nprs_best="In the last 24 hours, how bad was it at its best?",
        nprs_worst="In the last 24 hours, how bad was it at its worst?",
        psfs_heading="Things that are hard to do",
        psfs_intro="Name up to 5 activities that your back makes hard to do, such as "
        "lifting your child or sitting at work.",
        psfs_scale="For each one, 0 means you cannot do it at all, and 10 means you can do "
        "it as well as before your back problem.",
        submit="I am finished",
        thanks="Thank you. Please give the tablet back to the front desk.",
    ),
    "es": IntakeWording(
        language="es",
        title="Antes de su consulta",
        welcome="Bienvenido/a, {name}. Estas preguntas ayudan a su terapeuta a prepararse. "
        "Conteste lo que pueda: puede saltar cualquier pregunta, y su terapeuta la verá con "
        "usted.",
        history_heading="Sobre su espalda",
        history=tuple(_ES_HISTORY.items()),
        onset_question="¿Cuándo empezó?",
        onset_hint='Por ejemplo "hace 3 días", "hace 2 semanas", "ayer" o una fecha.',
        red_flag_heading="Preguntas importantes sobre su salud",
        red_flag_intro="Conteste sí o no. Un sí no quiere decir que algo ande mal: le indica "
        "a su terapeuta qué revisar primero.",
        red_flags=tuple((code, _ES_RED_FLAGS[code]) for code in RED_FLAG_CODES),
        yes="Sí",
        no="No",
        pain_heading="Su dolor",
        pain_scale="0 quiere decir sin dolor. 10 quiere decir el peor dolor que se pueda imaginar.",
        nprs_now="¿Cuánto le duele ahora mismo?",
        nprs_best="En las últimas 24 horas, ¿cuánto le dolió en el mejor momento?",
        nprs_worst="En las últimas 24 horas, ¿cuánto le dolió en el peor momento?",
        psfs_heading="Cosas que le cuesta hacer",
        psfs_intro="Escriba hasta 5 actividades que su espalda le hace difíciles, como cargar "
        "a su hijo o estar sentado en el trabajo.",
        psfs_scale="Para cada una, 0 quiere decir que no puede hacerla, y 10 que puede "
        "hacerla tan bien como antes de su problema de espalda.",
        submit="He terminado",
        thanks="Gracias. Por favor, devuelva la tableta en la recepción.",
    ),
}

assert all(set(dict(w.history)) == set(HISTORY_FIELDS) for w in _WORDING.values())
assert set(_WORDING) == set(LANGUAGES)


def wording(language: str) -> IntakeWording:
    """The intake screen's text in `language` ("en" or "es"); English for anything else."""
    return _WORDING.get(language, _WORDING["en"])
