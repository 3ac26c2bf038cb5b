"""Standard forms for taking a clinic's data out (and, later, bringing patients in)."""
