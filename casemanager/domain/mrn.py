"""Medical record numbers: 7 random digits and a Luhn check digit.

Random rather than sequential so a number says nothing about clinic size or order of
arrival; the check digit catches most typing slips at the front desk.
"""

import random


def luhn_check_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:  # doubled positions, counting from the right before the check digit
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def make_mrn(number: int) -> str:
    if not 0 <= number < 10_000_000:
        raise ValueError("MRN body must have at most 7 digits")
    body = f"{number:07d}"
    return body + str(luhn_check_digit(body))


def random_mrn(rng: random.Random) -> str:
    return make_mrn(rng.randrange(1_000_000, 10_000_000))


def is_valid_mrn(text: str) -> bool:
    text = text.strip()
    return len(text) == 8 and text.isdigit() and luhn_check_digit(text[:7]) == int(text[7])
