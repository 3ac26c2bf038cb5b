"""The colours that carry a meaning on screen, in one place: a warning reads the same in the
chart, the evaluation and every dialog. Each pair keeps a contrast ratio above 4.5:1 (WCAG AA)."""

from __future__ import annotations

ERROR_TEXT = "#b00020"  # a message under a field: what to fix
REFUSED_TEXT = "#a4262c"  # a refusal or a failed check, on the window background
OK_TEXT = "#0b6a0b"  # a check that passed
WARNING_TEXT = "#5c4400"  # something to look at, not an error (guideline notes, coding)
WARNING_BACKGROUND = "#fff4ce"
DANGER_TEXT = "#8a1020"  # a red flag, or a step that throws something away
DANGER_BACKGROUND = "#fde7e9"
DRAFT_TEXT = "#8a5a00"  # an unsigned draft in a list
LOCK_BACKGROUND = "#2b3a4a"  # the cover over a locked screen (white text on it)

# Ready-made style sheets for a QLabel.
WARNING_STYLE = f"background: {WARNING_BACKGROUND}; color: {WARNING_TEXT}; padding: 4px;"
WARNING_PANEL_STYLE = (
    f"background: {WARNING_BACKGROUND}; color: {WARNING_TEXT}; padding: 6px; border-radius: 4px;"
)
DANGER_STYLE = f"background: {DANGER_BACKGROUND}; color: {DANGER_TEXT}; padding: 4px;"
DANGER_PANEL_STYLE = (
    f"background: {DANGER_BACKGROUND}; color: {DANGER_TEXT}; padding: 6px; border-radius: 4px;"
)
ERROR_STYLE = f"color: {ERROR_TEXT};"
REFUSED_STYLE = f"color: {REFUSED_TEXT};"

# The exercise drawings: the near limb dark, the far one light, movement in orange.
FIGURE_NEAR = "#1f3a5f"
FIGURE_FAR = "#8aa0b8"
FIGURE_ARROW = "#c2571a"
FIGURE_FLOOR = "#b8b8b8"
FIGURE_CAPTION = "#666666"

# Bars of the caseload charts, in series order (distinct for the common colour-blindnesses).
CHART_SERIES = ("#4a78a8", "#e08a3c", "#5a9e6f")
