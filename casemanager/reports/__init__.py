"""Documents (ReportLab): pure functions from dataclasses to PDF bytes, no database access."""
