"""Who may do what. Services enforce this matrix; the UI only hides what a service would refuse."""

from enum import StrEnum

from casemanager.domain.enums import Role
from casemanager.domain.errors import PermissionDenied


class Permission(StrEnum):
    VIEW_DEMOGRAPHICS = "view_demographics"
    EDIT_DEMOGRAPHICS = "edit_demographics"
    VIEW_CLINICAL = "view_clinical"
    EDIT_CLINICAL = "edit_clinical"  # evaluations, plans, visits, referrals
    SIGN_CLINICAL = "sign_clinical"
    PRINT_DOCUMENTS = "print_documents"
    VIEW_CASELOAD = "view_caseload"
    EXPORT_DATA = "export_data"
    MANAGE_USERS = "manage_users"
    MANAGE_CLINIC = "manage_clinic"  # clinic details
    EDIT_EXERCISE_LIBRARY = "edit_exercise_library"  # add and change exercises and pictures
    # Add, change and retire the clinic's evaluation templates. Therapists write them (they
    # are clinical content); administrators keep the clinic's settings in order (retire an
    # outdated one, restore one after staff leave), as with the exercise library. Templates
    # hold no patient data, so this is not a clinical-record permission.
    EDIT_TEMPLATES = "edit_templates"
    VIEW_AUDIT_LOG = "view_audit_log"


_P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.THERAPIST: frozenset(
        {
            _P.VIEW_DEMOGRAPHICS,
            _P.EDIT_DEMOGRAPHICS,
            _P.VIEW_CLINICAL,
            _P.EDIT_CLINICAL,
            _P.SIGN_CLINICAL,
            _P.PRINT_DOCUMENTS,
            _P.VIEW_CASELOAD,
            _P.EDIT_EXERCISE_LIBRARY,
            _P.EDIT_TEMPLATES,
        }
    ),
    # Managers run the front desk and the caseload: they read charts, never write clinical notes.
    Role.OFFICE_MANAGER: frozenset(
        {
            _P.VIEW_DEMOGRAPHICS,
            _P.EDIT_DEMOGRAPHICS,
            _P.VIEW_CLINICAL,
            _P.PRINT_DOCUMENTS,
            _P.VIEW_CASELOAD,
            _P.EXPORT_DATA,
        }
    ),
    # Clinic IT: accounts, clinic settings, exports and the audit trail; no clinical writing.
    Role.ADMINISTRATOR: frozenset(
        {
            _P.VIEW_DEMOGRAPHICS,
            _P.EDIT_DEMOGRAPHICS,
            _P.VIEW_CASELOAD,
            _P.EXPORT_DATA,
            _P.MANAGE_USERS,
            _P.MANAGE_CLINIC,
            _P.EDIT_EXERCISE_LIBRARY,
            _P.EDIT_TEMPLATES,
            _P.VIEW_AUDIT_LOG,
        }
    ),
}

_ACTION_WORDS: dict[Permission, str] = {
    _P.VIEW_DEMOGRAPHICS: "view patient details",
    _P.EDIT_DEMOGRAPHICS: "change patient details",
    _P.VIEW_CLINICAL: "open clinical records",
    _P.EDIT_CLINICAL: "write clinical records",
    _P.SIGN_CLINICAL: "sign clinical records",
    _P.PRINT_DOCUMENTS: "print or save patient documents",
    _P.VIEW_CASELOAD: "view the caseload",
    _P.EXPORT_DATA: "export clinic data",
    _P.MANAGE_USERS: "manage user accounts",
    _P.MANAGE_CLINIC: "change clinic settings",
    _P.EDIT_EXERCISE_LIBRARY: "change the exercise library",
    _P.EDIT_TEMPLATES: "change the evaluation templates",
    _P.VIEW_AUDIT_LOG: "view the audit log",
}

ROLE_LABELS: dict[Role, str] = {
    Role.THERAPIST: "Therapist",
    Role.OFFICE_MANAGER: "Office manager",
    Role.ADMINISTRATOR: "Administrator",
}


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


_WITH_ARTICLE: dict[Role, str] = {
    Role.THERAPIST: "a therapist",
    Role.OFFICE_MANAGER: "an office manager",
    Role.ADMINISTRATOR: "an administrator",
}


def refusal(role: Role, permission: Permission) -> str:
    """What a role may not do, who may, and what to do about it, for the person refused (an
    administrator is not sent to ask an administrator)."""
    holders = [r for r in Role if permission in ROLE_PERMISSIONS[r]]
    message = f"{_WITH_ARTICLE[role].capitalize()} may not {_ACTION_WORDS[permission]}"
    if holders:
        message += f"; {' or '.join(_WITH_ARTICLE[r] for r in holders)} may."
    else:
        message += "."
    if has_permission(role, Permission.MANAGE_USERS):
        if holders:
            return message + " Log in with such an account to do it."
        return message
    return message + " Ask an administrator if your work needs it."


def require(role: Role, permission: Permission) -> None:
    """Raise PermissionDenied with a message naming what the role may not do."""
    if not has_permission(role, permission):
        raise PermissionDenied(refusal(role, permission))
