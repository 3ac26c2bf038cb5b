"""The caseload report for the office manager: the dashboard's figures, charts and tables on
US Letter pages. It holds counts only, never a patient's name (the worklist is summarized by
kind), so it can go to a staff meeting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Spacer, TableStyle

from casemanager.domain.caseload import (
    THERAPIST_HEADERS,
    WORK_LABELS,
    Dashboard,
    MeasureChange,
    OutcomeGroup,
    Share,
)
from casemanager.reports import dates, fonts, page
from casemanager.reports.page import Styles, para

WIDTH = 7.0 * inch  # Letter less the margins
BAR = colors.HexColor("#4a78a8")


def render(board: Dashboard, clinic_name: str, prepared_by: str, invariant: bool = False) -> bytes:
    look = page.styles()
    period = f"{dates.day(board.filter.start)} to {dates.day(board.filter.end)}"
    frame = page.PageFrame(
        clinic=clinic_name,
        patient=f"Caseload · {period}",
        printed=f"Printed {dates.day(board.today)} by {prepared_by}",
        page_label=lambda number, total: f"Page {number} of {total}",
        title=f"Caseload report: {clinic_name}",
        author=prepared_by,
        subject=f"Caseload report, {_filters(board)}",
        language="en",
    )
    return page.build(_story(board, look), frame, invariant=invariant)


def _filters(board: Dashboard) -> str:
    period = f"{dates.day(board.filter.start)} to {dates.day(board.filter.end)}"
    return " · ".join((period, *board.filter_choices))


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _table(
    header: Sequence[str], rows: list[list[str]], widths: list[float], look: Styles
) -> page.Table:
    body = [[para(h, look.small, bold=True) for h in header]]
    body += [[para(c, look.small) for c in row] for row in rows]
    table = page.Table(body, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, page.RULE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def bar_chart(labels: Sequence[str], values: Sequence[float], unit: str = "") -> Drawing:
    """Horizontal bars, one per label, in our embedded font (ReportLab's default is
    Helvetica, which would not be embedded)."""
    row = 16
    height = row * len(labels) + 30
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 2.6 * inch, 20
    chart.width, chart.height = WIDTH - 2.6 * inch - 40, row * len(labels)
    # ReportLab draws the first category at the bottom: reverse so the list reads downwards.
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = [_short(label) for label in reversed(labels)]
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(max(values, default=0) * 1.15, 1)
    chart.barLabelFormat = lambda value: f"{value:,.0f}{unit}"
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.nudge = 4
    for text in (chart.categoryAxis.labels, chart.valueAxis.labels, chart.barLabels):
        text.fontName = fonts.REGULAR
        text.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    drawing.add(chart)
    return drawing


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _story(board: Dashboard, look: Styles) -> list[Flowable]:
    t = board.totals
    story: list[Flowable] = [
        para("Caseload report", look.title),
        para(_filters(board), look.body),
        para("Period figures", look.heading),
        _table(
            [
                "Active episodes",
                "New evaluations",
                "Discharges",
                "Visits",
                "Visits per active episode",
                "Visits per discharged episode",
            ],
            [
                [
                    f"{t.active_episodes:,}",
                    f"{t.new_evaluations:,}",
                    f"{t.discharges:,}",
                    f"{t.visits:,}",
                    number(t.visits_per_active_episode),
                    number(t.visits_per_discharged_episode),
                ]
            ],
            [WIDTH / 6] * 6,
            look,
        ),
        para(f"By therapist, as of {dates.day(board.today)}", look.heading),
        _table(
            THERAPIST_HEADERS,
            [
                [
                    r.name,
                    str(r.active_cases),
                    str(r.visits_this_week),
                    str(r.unsigned_over_24h),
                    str(r.progress_reports_due),
                    str(r.certifications_ending),
                    str(r.open_red_flag_referrals),
                ]
                for r in board.therapists
            ],
            [1.6 * inch] + [(WIDTH - 1.6 * inch) / 6] * 6,
            look,
        ),
    ]
    if board.worklist:
        counts = Counter(item.kind for item in board.worklist)
        story.append(para("Action items today", look.heading))
        story.append(
            _table(
                ["Action", "Patients"],
                [[WORK_LABELS[kind], str(n)] for kind, n in counts.items()],
                [3 * inch, 1.2 * inch],
                look,
            )
        )
    story += _distribution("Suspected causes", board.causes, look)
    story += _distribution("Treatment paths in current plans", board.paths, look)
    story += _outcomes("Outcomes by therapist", board.outcomes_by_therapist, look)
    story += _outcomes("Outcomes by suspected cause", board.outcomes_by_cause, look)
    story.append(Spacer(1, 8))
    story.append(
        para(
            "Active episodes were open at some time in the period. Outcomes compare the signed "
            "initial evaluation with the latest signed progress report, re-evaluation or "
            "discharge summary dated in the period or before; a change is meaningful when it "
            "reaches the minimal clinically important change: 2 points of pain (NPRS), "
            "10 points or 30% of intake on the Oswestry index, 2 points of PSFS mean.",
            look.small,
        )
    )
    return story


def _distribution(title: str, shares: Sequence[Share], look: Styles) -> list[Flowable]:
    if not shares:
        return [para(title, look.heading), para("No episodes in this period.", look.body)]
    total = sum(s.episodes for s in shares)
    return [
        KeepTogether(
            [
                para(title, look.heading),
                bar_chart([s.label for s in shares], [s.episodes for s in shares]),
            ]
        ),
        _table(
            ["", "Episodes", "Share"],
            [[s.label, f"{s.episodes:,}", percent(s.episodes / total)] for s in shares],
            [3.6 * inch, 1.2 * inch, 1.2 * inch],
            look,
        ),
    ]


def _measure(m: MeasureChange) -> str:
    if not m.measured:
        return "not measured twice"
    return (
        f"{number(m.mean_change)} mean change; {percent(m.share_meaningful)} past the MCIC "
        f"({m.meaningful:,} of {m.measured:,})"
    )


def _outcomes(title: str, groups: Sequence[OutcomeGroup], look: Styles) -> list[Flowable]:
    if not groups:
        return [
            para(title, look.heading),
            para("No episode has a signed follow-up yet in this period.", look.body),
        ]
    header = ["", "Episodes followed up", "Pain (NPRS)", "Oswestry %", "PSFS mean"]
    rows = [
        [g.label, f"{g.episodes:,}", _measure(g.nprs), _measure(g.odi), _measure(g.psfs)]
        for g in groups
    ]
    shares = [g.odi.share_meaningful or 0.0 for g in groups]
    return [
        KeepTogether(
            [
                para(title, look.heading),
                para("Share past the MCIC on the Oswestry index:", look.small),
                bar_chart([g.label for g in groups], [s * 100 for s in shares], "%"),
            ]
        ),
        _table(header, rows, [1.6 * inch, 0.8 * inch] + [(WIDTH - 2.4 * inch) / 3] * 3, look),
        para("Mean change: improvement is positive on every measure.", look.small),
    ]
