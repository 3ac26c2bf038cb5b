"""The clinic's exercise library: browse, edit, add exercises and their pictures."""
