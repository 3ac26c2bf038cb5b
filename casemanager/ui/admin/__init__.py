"""Administration: user accounts and the audit log."""
