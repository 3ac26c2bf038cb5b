"""Storage: SQLAlchemy models, the engine, Alembic migrations. Only services/ opens a Session."""
