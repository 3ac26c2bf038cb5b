"""Rules for user accounts: usernames and passwords."""

import re
from datetime import timedelta

from casemanager.domain.errors import ValidationError
from casemanager.domain.field_limits import USERNAME

MIN_PASSWORD_LENGTH = 10
# Wrong passwords allowed before an account has to wait; each further one doubles the wait.
FREE_ATTEMPTS = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
_USERNAME = re.compile(rf"^[a-z0-9][a-z0-9._-]{{1,{USERNAME - 1}}}$")


def validate_username(value: str | None) -> str:
    name = (value or "").strip().lower()
    if not name:
        raise ValidationError("username", "Username is required.")
    if not _USERNAME.match(name):
        raise ValidationError(
            "username",
            f"A username has 2 to {USERNAME} characters: letters a-z, digits, dot, dash or "
            "underscore, starting with a letter or digit.",
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


def wait_after(failures: int) -> timedelta:
    """How long an account waits after this many wrong passwords in a row: nothing for the
    first few (typos), then 30 s, 1 min, 2 min … up to 15 minutes, so guessing is slow but
    the owner is never shut out for long."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    doublings = min(failures - FREE_ATTEMPTS, 10)  # 2**10 x 30 s is past the cap already
    return min(FIRST_WAIT * (1 << doublings), LONGEST_WAIT)


def describe_wait(wait: timedelta) -> str:
    seconds = max(1, round(wait.total_seconds()))
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{round(seconds / 60)} minutes"
