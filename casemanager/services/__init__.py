"""Use cases: one function per user action, one transaction each.

The only layer that opens a Session, checks permissions and writes the audit log.
Every function takes the acting user and returns frozen dataclasses, never ORM objects.
"""
