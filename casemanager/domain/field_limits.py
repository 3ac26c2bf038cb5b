"""How long each stored patient and clinic text may be, in characters.

One table for both sides: db/models.py sizes its columns from it and the checks in
services read it, so anything a form or an import accepts fits the column on PostgreSQL
(which refuses an over-long value) as well as on SQLite (which would store it as given).
Texts stored in unbounded columns (TEXT) still get a limit here, so a pasted page is
refused with a message instead of stored.
"""

from __future__ import annotations

NAME = 100  # first, last and preferred name
# The search key of "given family preferred": each name's key is checked to fit NAME.
SEARCH_NAME = 3 * NAME + 2
PHONE = 40  # as typed, with spaces and punctuation
PHONE_DIGITS = 20
PHONE_E164 = 16  # "+" and at most 15 digits
EMAIL = 254  # the longest address mail servers deliver to (RFC 5321 path limit)
ADDRESS = 500  # stored as TEXT
CONTACT_NAME = 200  # emergency contact, referring physician
LANGUAGE = 16
MRN = 16
# "system|value" of an imported patient; the value alone may use what the system leaves.
SOURCE_IDENTIFIER = 300

CLINIC_NAME = 200
CLINIC_ADDRESS = 1000  # stored as TEXT
