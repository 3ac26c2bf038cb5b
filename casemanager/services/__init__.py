"""Use cases: one function per user action, one transaction each.

The only layer that opens a Session, checks permissions and writes the audit log.
Every function takes the acting user and returns frozen dataclasses, never ORM objects.

A use-case module never imports another (an import-linter contract in pyproject.toml):
what several share lives beneath them, in use_case.py (the session, role check and audit
row of one action), content_mappers.py, goal_mappers.py and patient_rows.py (rows to
dataclasses and back), document_data.py and batch_reading.py (what documents print),
passwords.py, audit.py and context.py.
"""
