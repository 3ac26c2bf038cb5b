"""An upgrade a migration will not do by itself: the records hold something the new schema
forbids, and only the clinic can say which to keep. The migration raises UpgradeRefused
before it changes anything; db/migrate turns it into the message the person upgrading sees
(the upgrade is one transaction on both engines, so the database stays as it was)."""


class UpgradeRefused(Exception):
    """The records must be put right (with the version in use) before this upgrade."""
