"""What a user sees before the main window: opening, first run, log in."""
