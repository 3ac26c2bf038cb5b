"""A referral letter for each referral an evaluation made (medication review, steroid
injection, surgical consult, red flag), to the named physician, with reason and urgency."""

from __future__ import annotations

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, PageBreak, Spacer, TableStyle

from casemanager.domain import catalogs
from casemanager.domain.enums import ReferralKind, Urgency
from casemanager.reports import dates, page
from casemanager.reports.data import EvaluationSnapshot, ReferralInfo
from casemanager.reports.page import Styles, bullets, para

_day = dates.day  # clinician documents are in US English


def render(snapshot: EvaluationSnapshot, invariant: bool = False, encrypt: object = None) -> bytes:
    look = page.styles()
    frame = page.clinician_frame(
        snapshot,
        "Referral",
        "; ".join(
            f"{catalogs.REFERRAL_KIND_LABELS[r.kind]} to {r.to_whom}" for r in snapshot.referrals
        ),
    )
    story: list[Flowable] = []
    for index, referral in enumerate(snapshot.referrals):
        if index:
            story.append(PageBreak())
        story += _letter(snapshot, referral, look)
    return page.build(story, frame, invariant=invariant, encrypt=encrypt)


def _letter(snapshot: EvaluationSnapshot, referral: ReferralInfo, look: Styles) -> list[Flowable]:
    clinic, patient, content = snapshot.clinic, snapshot.patient, snapshot.content
    letterhead = [para(clinic.name, look.title)]
    contact = " · ".join(x for x in (clinic.address, clinic.phone, clinic.email) if x)
    if contact:
        letterhead.append(para(contact, look.small))
    label = catalogs.REFERRAL_KIND_LABELS[referral.kind]
    out: list[Flowable] = [*letterhead, Spacer(1, 10), para(_day(snapshot.printed_on), look.body)]
    out.append(
        para(
            f"To: {referral.to_whom}"
            + (
                f" ({referral.specialty})"
                if referral.specialty and referral.specialty not in referral.to_whom.lower()
                else ""
            ),
            look.body,
            bold=True,
        )
    )
    out.append(
        para(
            f"Re: {patient.full_name}, born {_day(patient.date_of_birth)}, MRN {patient.mrn}",
            look.body,
            bold=True,
        )
    )
    if referral.urgency != Urgency.ROUTINE:
        banner = page.Table(
            [
                [
                    para(
                        f"{catalogs.URGENCY_LABELS[referral.urgency].upper()} REFERRAL",
                        look.warning_heading,
                    )
                ]
            ],
            hAlign="LEFT",
        )
        banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), page.WARNING_FILL)]))
        out.append(banner)
    out.append(para(f"Referral: {label}", look.heading))
    out.append(para(f"Dear {referral.to_whom},", look.body))
    # The patient's complaint in their words, or none: never a stock phrase in their name.
    complaint = (content.chief_complaint or "").strip().rstrip(".")
    opening = f"I evaluated {patient.full_name} on {_day(snapshot.evaluation_date)}" + (
        f" for {complaint}. " if complaint else ". "
    )
    if referral.kind == ReferralKind.RED_FLAG:
        # The findings in a clinician's words (domain.red_flags.referrals), never the
        # screening question read back.
        opening += (
            "Their screening for serious conditions was positive, and I am referring them to "
            f"you for medical assessment. {referral.reason}"
        )
    else:
        opening += f"I am referring them to you. Reason for referral: {referral.reason}"
    out.append(para(opening, look.body))
    findings = []
    if content.chief_complaint:
        findings.append(f"Chief complaint: {content.chief_complaint}")
    if content.nprs_now is not None:
        findings.append(f"Pain now {content.nprs_now}/10 (NPRS)")
    if content.radiates_below_knee:
        findings.append("Pain radiates below the knee")
    if snapshot.scores.odi_percent is not None:
        findings.append(f"Oswestry Disability Index {snapshot.scores.odi_percent:g}%")
    if content.primary_cause:
        findings.append(f"Suspected cause: {catalogs.cause_info(content.primary_cause).label}")
    if snapshot.diagnoses:
        findings.append(
            "Diagnoses: " + "; ".join(f"{code} {text}" for code, text in snapshot.diagnoses)
        )
    if findings:
        out.append(para("Relevant findings", look.body, bold=True))
        out += bullets(findings, look.bullet)
    phone = f" at {clinic.phone}" if clinic.phone else ""
    plan = _therapy_state(referral)
    out.append(
        para(
            f"Please let me know the outcome of your review, and contact me{phone} with any "
            f"questions. {plan}",
            look.body,
        )
    )
    out.append(Spacer(1, 0.25 * inch))
    out.append(para("Sincerely,", look.body))
    out.append(
        para(
            snapshot.therapist_name
            + (f", licence {snapshot.therapist_licence}" if snapshot.therapist_licence else ""),
            look.body,
            bold=True,
        )
    )
    out.append(para(clinic.name, look.body))
    return out


def _therapy_state(referral: ReferralInfo) -> str:
    """What the letter says about therapy, as things stand on the day it is printed: a
    referral since closed prints its outcome, never "on hold"."""
    if not referral.is_open and referral.seen_by and referral.seen_on:
        verdict = (
            "cleared them to continue physical therapy"
            if referral.cleared_for_therapy
            else "did not clear them for physical therapy"
        )
        seen = _day(referral.seen_on)
        return f"Since this referral, {referral.seen_by} saw them on {seen} and {verdict}."
    if referral.kind == ReferralKind.RED_FLAG and referral.urgency != Urgency.ROUTINE:
        return "Physical therapy is on hold until you have assessed them."
    return "Physical therapy continues as planned unless you advise otherwise."
