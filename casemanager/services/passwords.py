"""Password hashes (argon2id), shared by logging in, account management, the first
administrator of a new clinic and the demo clinic's staff."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's defaults (above OWASP's minimum)
_dummy: dict[PasswordHasher, str] = {}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def matches(stored_hash: str | None, password: str) -> bool:
    """Whether the password is the one stored. An unknown account (None) still costs one
    hash, so timing does not reveal who exists."""
    try:
        return bool(_hasher.verify(stored_hash or _dummy_hash(), password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Stored with older parameters than today's: hash it again at the next login."""
    return bool(_hasher.check_needs_rehash(stored_hash))


def _dummy_hash() -> str:
    if _hasher not in _dummy:
        _dummy[_hasher] = _hasher.hash("not a real password")
    return _dummy[_hasher]
