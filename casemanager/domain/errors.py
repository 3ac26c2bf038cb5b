"""Errors a person can act on. Services raise these; the UI and CLI show the message as is."""


class DomainError(Exception):
    """A refusal with a message written for the clinician, manager or IT person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """One field holds a value the clinic cannot accept; `field` names it for the form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(DomainError):
    pass


class NotFound(DomainError):
    pass


class AuthenticationFailed(DomainError):
    pass


class ConflictError(DomainError):
    """Someone else saved the same record first (optimistic locking)."""


class ClosedElsewhere(ConflictError):
    """The draft was signed or discarded on another workstation meanwhile: there is nothing
    left to save over, so nothing to compare with."""


class WrongPassphrase(DomainError):
    """The passphrase typed does not open the encrypted database file."""


class NewerSchema(DomainError):
    """Another workstation's newer CaseManager upgraded the shared database: this one may no
    longer write to it (its rows would lack what the new schema adds)."""
