"""Alembic environment, run in code by casemanager.db.migrate (never logging.fileConfig here)."""

from alembic import context

from casemanager.db.migrate import include_name, include_object
from casemanager.db.models import Base

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    compare_type=True,
    include_object=include_object,
    include_name=include_name,
)

with context.begin_transaction():
    context.run_migrations()
