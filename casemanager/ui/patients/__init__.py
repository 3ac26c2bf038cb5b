"""Finding a patient: the searchable, lazily loaded patient list."""
