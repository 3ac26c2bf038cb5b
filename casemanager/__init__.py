"""CaseManager: a desktop case manager for physical-therapy clinics treating back pain."""

__version__ = "0.1.0"
