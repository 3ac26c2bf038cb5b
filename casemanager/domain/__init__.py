"""The clinical core: enums, catalogs, scoring, validation and permissions.

Pure Python: nothing here imports Qt, SQLAlchemy or touches the disk.
"""
