"""Rules for user accounts: usernames and passwords."""

import re

from casemanager.domain.errors import ValidationError

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def validate_username(value: str | None) -> str:
    name = (value or "").strip().lower()
    if not name:
        raise ValidationError("username", "Username is required.")
    if not _USERNAME.match(name):
        raise ValidationError(
            "username",
            "A username has 2 to 64 characters: letters a-z, digits, dot, dash or underscore, "
            "starting with a letter or digit.",
        )
    return name


def validate_new_password(password: str, username: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "password", f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters."
        )
    if password.strip().lower() == username.strip().lower():
        raise ValidationError("password", "The password must not be the username.")
    if password != password.strip():
        raise ValidationError("password", "The password must not start or end with a space.")
    return password
