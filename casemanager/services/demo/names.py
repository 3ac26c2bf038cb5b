"""Patient names in many scripts, drawn once per seed from Faker's locales."""

from __future__ import annotations

import random
from typing import Any

from casemanager.domain.enums import Sex
from casemanager.services.demo.vocabulary import LOCALES


class NamePools:
    """Given and family names per locale, drawn once from Faker with the seed."""

    def __init__(self, seed: int) -> None:
        from faker import Faker  # heavy: only the demo needs it

        self.pools: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {}
        for locale, _share, _lang in LOCALES:
            fake = Faker(locale)
            fake.seed_instance(seed)
            female = sorted({fake.first_name_female() for _ in range(250)})
            male = sorted({fake.first_name_male() for _ in range(250)})
            fam_f = sorted({female_last(fake) for _ in range(250)})
            fam_m = sorted({male_last(fake) for _ in range(250)})
            self.pools[locale] = (female, male, fam_f, fam_m)

    def draw(self, rng: random.Random, locale: str, sex: Sex) -> tuple[str, str]:
        female, male, fam_f, fam_m = self.pools[locale]
        if sex == Sex.FEMALE:
            return rng.choice(female), rng.choice(fam_f)
        return rng.choice(male), rng.choice(fam_m)


def female_last(fake: Any) -> str:
    return str(fake.last_name_female() if hasattr(fake, "last_name_female") else fake.last_name())


def male_last(fake: Any) -> str:
    return str(fake.last_name_male() if hasattr(fake, "last_name_male") else fake.last_name())
