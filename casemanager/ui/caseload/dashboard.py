"""The caseload screen: filters, the period's figures, the therapist table, the worklist,
causes and paths, and outcomes, with CSV and PDF exports.

The figures come from a background worker, and are shown as soon as they arrive; the
worklist's first page follows on its own, and the next pages as the list is scrolled. While new
figures are computed the previous ones stay on screen, marked "Updating…"; filter changes
made meanwhile are folded into one more query. Sorting the worklist by a column, or saving it,
first reads the whole list again, at once (one statement), so both cover the whole list as it
stood at one moment: never pages read before and after a change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain import catalogs
from casemanager.domain.caseload import (
    THERAPIST_HEADERS,
    WORKLIST_PAGE,
    CaseloadFilter,
    Dashboard,
    MeasureChange,
    OutcomeGroup,
    WorkKey,
    WorklistPage,
    default_period,
)
from casemanager.ui import palette
from casemanager.ui.caseload.charts import BarChart
from casemanager.ui.caseload.table_model import ROW_ID_ROLE, PagedModel
from casemanager.ui.table_block import TableBlock
from casemanager.ui.widgets import wheel_changes_only_focused_boxes

REFRESH_DELAY_MS = 300  # filters settle before a query starts

WORKLIST_HEADERS = ["Action", "Patient", "MRN", "Therapist", "Since", "Detail"]
SHARE_HEADERS = ["", "Episodes", "Share %"]
OUTCOME_HEADERS = [
    "",
    "Episodes followed up",
    "NPRS measured",
    "NPRS mean change",
    "NPRS past MCIC %",
    "Oswestry measured",
    "Oswestry mean change",
    "Oswestry past MCIC %",
    "PSFS measured",
    "PSFS mean change",
    "PSFS past MCIC %",
]


def _to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class _Figure(QFrame):
    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.value = QLabel("…")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.value.setAccessibleName(caption)
        label = QLabel(caption)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        layout.addWidget(self.value)
        layout.addWidget(label)


class CaseloadDashboard(QWidget):
    refresh_requested = Signal(object)  # CaseloadFilter: its figures, then its worklist
    # (filter, after: the WorkKey of the last item shown, limit: items, None for the rest)
    worklist_page_requested = Signal(object, object, object)
    open_patient = Signal(int)
    export_csv_requested = Signal(str, object, object)  # title, headers, rows
    export_report_requested = Signal()

    def __init__(
        self,
        therapists: list[tuple[int, str]],
        *,
        today: date,
        own_therapist_id: int | None = None,
        show_worklist: bool = True,
        can_export: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.board: Dashboard | None = None
        self.shows_worklist = show_worklist
        self._busy = False
        self._pending: CaseloadFilter | None = None
        self._asked: CaseloadFilter | None = None  # the filter being read
        self._awaited: set[str] = set()  # "figures", "worklist": parts of it not back yet
        self._worklist_filter: CaseloadFilter | None = None  # the worklist's rows are of this
        self._worklist_last: WorkKey | None = None  # the last item read
        self._whole_shown = False  # the rows shown are the whole list, read at once
        self._whole_asked: CaseloadFilter | None = None  # the whole list is on its way
        self._saving_worklist: tuple[str, list[str]] | None = None  # once every item is in
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.request_refresh)

        start, end = default_period(today)
        self.start = QDateEdit(_to_qdate(start))
        self.end = QDateEdit(_to_qdate(end))
        for edit, name in ((self.start, "Period from"), (self.end, "Period to")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("MM/dd/yyyy")
            edit.setAccessibleName(name)
            edit.dateChanged.connect(self._filters_changed)
        self.therapist = QComboBox()
        self.therapist.setAccessibleName("Therapist")
        self.therapist.addItem("All therapists", None)
        for tid, name in therapists:
            self.therapist.addItem(name, tid)
        if own_therapist_id is not None:  # a therapist's screen is their own caseload
            self.therapist.setCurrentIndex(max(self.therapist.findData(own_therapist_id), 0))
            self.therapist.setEnabled(False)
        self.status = QComboBox()
        self.status.setAccessibleName("Patient status")
        self.status.addItem("Any status", None)
        for status, label in catalogs.PATIENT_STATUS_LABELS.items():
            self.status.addItem(label, status)
        self.cause = QComboBox()
        self.cause.setAccessibleName("Suspected cause")
        self.cause.addItem("Any cause", None)
        for info in catalogs.CAUSES:
            self.cause.addItem(info.label, info.cause)
        self.path = QComboBox()
        self.path.setAccessibleName("Treatment path")
        self.path.addItem("Any treatment path", None)
        for path in catalogs.TREATMENT_PATHS:
            self.path.addItem(path.label, path.kind)
        for combo in (self.therapist, self.status, self.cause, self.path):
            combo.currentIndexChanged.connect(self._filters_changed)
            # Sized for a short choice, not the longest cause: the filters fit a 1366-pixel
            # screen; the open list still shows every choice in full.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
        self.refresh_button = QPushButton("&Update")
        self.refresh_button.clicked.connect(self.request_refresh)
        self.report_button = QPushButton("Caseload &report (PDF)…")
        self.report_button.clicked.connect(self.export_report_requested)
        self.report_button.setEnabled(False)
        self.report_button.setVisible(can_export)
        self.state = QLabel("Loading the caseload…")
        self.state.setAccessibleName("Caseload status")
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {palette.DANGER_TEXT};")
        self.error.hide()

        # Two rows of filters, so they fit a 1366-pixel screen beside nothing else.
        filters = QGridLayout()
        for index, (label, widget) in enumerate(
            (
                ("&From", self.start),
                ("&To", self.end),
                ("T&herapist", self.therapist),
                ("&Status", self.status),
                ("&Cause", self.cause),
                ("&Path", self.path),
            )
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            row, column = divmod(index, 3)
            filters.addWidget(caption, row, 2 * column)
            filters.addWidget(widget, row, 2 * column + 1)
        filters.addWidget(self.refresh_button, 1, 6)
        filters.setColumnStretch(7, 1)
        filters.addWidget(self.report_button, 1, 8)

        self.figures = {
            key: _Figure(caption)
            for key, caption in (
                ("active", "active episodes"),
                ("new", "new evaluations"),
                ("discharges", "discharges"),
                ("visits", "visits"),
                ("per_active", "visits per active episode"),
                ("per_discharged", "visits per discharged episode"),
            )
        }
        figures = QGridLayout()
        for column, figure in enumerate(self.figures.values()):
            figures.addWidget(figure, 0, column)

        self.therapist_table = TableBlock("Therapists today", list(THERAPIST_HEADERS))
        self.worklist_model = PagedModel(WORKLIST_HEADERS)
        self.worklist_model.more_wanted.connect(self._more_wanted)
        self.worklist = TableBlock("Worklist", WORKLIST_HEADERS, self.worklist_model)
        self.worklist.view.horizontalHeader().sortIndicatorChanged.connect(self._sorted)
        self.worklist.view.doubleClicked.connect(self._open_item)
        self.worklist.view.activated.connect(self._open_item)
        self.cause_chart = BarChart("Suspected causes (episodes)")
        self.path_chart = BarChart("Treatment paths in current plans (episodes)")
        self.cause_table = TableBlock("Suspected causes", SHARE_HEADERS)
        self.path_table = TableBlock("Treatment paths", SHARE_HEADERS)
        self.outcome_chart = BarChart("Share past the MCIC by therapist (%)")
        self.outcomes_by_therapist = TableBlock("Outcomes by therapist", OUTCOME_HEADERS)
        self.outcomes_by_cause = TableBlock("Outcomes by suspected cause", OUTCOME_HEADERS)
        self.tables = [
            self.therapist_table,
            self.worklist,
            self.cause_table,
            self.path_table,
            self.outcomes_by_therapist,
            self.outcomes_by_cause,
        ]
        for block in self.tables:
            if block is not self.worklist:
                block.export_requested.connect(self.export_csv_requested)
            block.save.setVisible(can_export)
        self.worklist.export_requested.connect(self._save_worklist)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.therapist_table, "Th&erapists")
        self.worklist_tab = self.tabs.addTab(self.worklist, "&Worklist")
        self.tabs.setTabVisible(self.worklist_tab, show_worklist)
        distribution = QWidget()
        grid = QGridLayout(distribution)
        grid.addWidget(self.cause_chart, 0, 0)
        grid.addWidget(self.path_chart, 0, 1)
        grid.addWidget(self.cause_table, 1, 0)
        grid.addWidget(self.path_table, 1, 1)
        for chart in (self.cause_chart, self.path_chart):
            chart.setMaximumHeight(320)
        self.tabs.addTab(distribution, "Causes &and paths")
        outcomes = QSplitter(Qt.Orientation.Vertical)
        outcomes.addWidget(self.outcome_chart)
        outcomes.addWidget(self.outcomes_by_therapist)
        outcomes.addWidget(self.outcomes_by_cause)
        outcomes.setSizes([260, 320, 320])
        self.tabs.addTab(outcomes, "&Outcomes")

        self.setFocusProxy(self.tabs)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.state)
        layout.addLayout(figures)
        layout.addWidget(self.tabs, stretch=1)
        # On a small screen (1366x768) the whole review scrolls instead of pushing the window
        # past the screen's edge; on a large one nothing scrolls.
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroller.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroller)
        wheel_changes_only_focused_boxes(self)

    # -- asking for figures -----------------------------------------------------------------
    def current_filter(self) -> CaseloadFilter | None:
        """The filter on screen, or None (with a message) when the dates are backwards."""
        start, end = _from_qdate(self.start.date()), _from_qdate(self.end.date())
        if start > end:
            self.error.setText("The period starts after it ends: swap the From and To dates.")
            self.error.show()
            return None
        self.error.hide()
        return CaseloadFilter(
            start,
            end,
            therapist_id=self.therapist.currentData(),
            status=self.status.currentData(),
            cause=self.cause.currentData(),
            path=self.path.currentData(),
        )

    def _filters_changed(self) -> None:
        self._timer.start()

    def request_refresh(self) -> None:
        self._timer.stop()
        filt = self.current_filter()
        if filt is None:
            return
        if self._busy:
            self._pending = filt  # asked again once the running query is back
            return
        self._busy = True
        self._asked = filt
        self._awaited = {"figures", "worklist"} if self.shows_worklist else {"figures"}
        self.state.setText("Updating…" if self.board is not None else "Loading the caseload…")
        self.refresh_requested.emit(filt)

    def is_updating(self) -> bool:
        """A refresh is on its way (its figures or its worklist's first page)."""
        return self._busy

    def _arrived(self, part: str) -> None:
        self._awaited.discard(part)
        if self._awaited:
            return
        self._busy = False
        if self._pending is not None:
            self._pending = None
            self.request_refresh()

    def load_failed(self, message: str) -> None:
        self.state.setText(f"The figures could not be updated: {message}")
        self._arrived("figures")

    # -- showing them -----------------------------------------------------------------------
    def show_dashboard(self, board: Dashboard) -> None:
        """The figures and the whole worklist at once."""
        filt = self._asked or board.filter
        self.show_figures(board)
        self.show_worklist(
            filt, WorklistPage(filt, None, board.worklist, len(board.worklist), False)
        )

    def show_figures(self, board: Dashboard) -> None:
        self.board = board
        t = board.totals
        values = {
            "active": f"{t.active_episodes:,}",
            "new": f"{t.new_evaluations:,}",
            "discharges": f"{t.discharges:,}",
            "visits": f"{t.visits:,}",
            "per_active": _number(t.visits_per_active_episode),
            "per_discharged": _number(t.visits_per_discharged_episode),
        }
        for key, text in values.items():
            self.figures[key].value.setText(text)
        self.therapist_table.set_rows(
            [
                [
                    r.name,
                    r.active_cases,
                    r.visits_this_week,
                    r.unsigned_over_24h,
                    r.progress_reports_due,
                    r.certifications_ending,
                    r.open_red_flag_referrals,
                ]
                for r in board.therapists
            ]
        )
        for table, chart, shares in (
            (self.cause_table, self.cause_chart, board.causes),
            (self.path_table, self.path_chart, board.paths),
        ):
            total = sum(s.episodes for s in board.causes) or 1  # paths share of all episodes
            table.set_rows([[s.label, s.episodes, 100.0 * s.episodes / total] for s in shares])
            chart.show_bars([s.label for s in shares], {"Episodes": [s.episodes for s in shares]})
        self.outcomes_by_therapist.set_rows([_outcome_row(g) for g in board.outcomes_by_therapist])
        self.outcomes_by_cause.set_rows([_outcome_row(g) for g in board.outcomes_by_cause])
        groups = board.outcomes_by_therapist
        self.outcome_chart.show_bars(
            [g.label for g in groups],
            {
                "Pain (NPRS)": [_share(g.nprs) for g in groups],
                "Oswestry": [_share(g.odi) for g in groups],
                "PSFS": [_share(g.psfs) for g in groups],
            },
            maximum=100,
        )
        self.report_button.setEnabled(True)
        self.state.setText(f"{board.filter_words} · as of {board.today.strftime('%m/%d/%Y')}")
        self._arrived("figures")

    # -- the worklist, a page at a time -------------------------------------------------------
    def show_worklist(self, asked: CaseloadFilter, page: WorklistPage) -> None:
        """A page read for the filter `asked`: the first one in place of the rows shown, the
        next ones after them. A page that no longer fits what is shown is dropped."""
        model = self.worklist_model
        rows = [
            [i.label, i.patient_name, i.mrn, i.therapist, i.since, i.detail] for i in page.items
        ]
        ids: list[int | None] = [i.patient_id for i in page.items]
        whole = page.after is None and not page.more and asked == self._whole_asked
        if whole:  # the whole list, read again at once for a sort or a CSV
            self._whole_asked = None
            if asked != self._worklist_filter or "worklist" in self._awaited:
                return  # rows replaced since, or about to be
            model.set_page(rows, ids, page.total, page.more)  # no resize: thousands of rows
        elif page.after is None:
            if asked != self._asked:
                return  # the answer to a filter changed since
            model.set_page(rows, ids, page.total, page.more)
            self._worklist_filter = asked
            self.worklist.view.resizeColumnsToContents()
        elif asked == self._worklist_filter and page.after == self._worklist_last:
            model.add_page(rows, ids, page.total, page.more)
        else:
            return  # read for rows replaced since
        self._whole_shown = page.after is None and not page.more
        self._worklist_last = page.last_key
        self._say_how_many()
        if page.after is None and not whole:
            self._arrived("worklist")
        self._read_on()

    def worklist_failed(self, asked: CaseloadFilter, first: bool, message: str) -> None:
        """A page could not be read; `first`: the first page of a refresh."""
        self.worklist_model.load_failed()
        self._saving_worklist = None
        self._whole_asked = None
        if first and asked == self._asked:
            self.state.setText(f"The worklist could not be updated: {message}")
            self._arrived("worklist")

    def _say_how_many(self) -> None:
        model = self.worklist_model
        shown, total = model.rowCount(), model.total
        self.tabs.setTabText(self.worklist_tab, f"&Worklist ({total:,})")
        more = f" · {shown:,} shown, scroll down for more" if model.has_more() else ""
        self.worklist.caption.setText(f"<b>{self.worklist.title}</b>{more}")

    def _wants_every_item(self) -> bool:
        """Sorted by a column, or being saved: the whole list, not the part read so far."""
        sorted_by = self.worklist.view.horizontalHeader().sortIndicatorSection()
        return self._saving_worklist is not None or 0 <= sorted_by < len(WORKLIST_HEADERS)

    def _more_wanted(self) -> None:
        if self._worklist_filter is None:
            self.worklist_model.load_failed()  # nothing shown yet: nothing to continue
            return
        if self._wants_every_item():
            self._read_whole()
            return
        self.worklist_page_requested.emit(self._worklist_filter, self._worklist_last, WORKLIST_PAGE)

    def _read_whole(self) -> None:
        """The whole list again from the top, in one read: the pages shown so far were read
        at other moments, and a sort or a CSV must not mix them."""
        filt = self._worklist_filter
        if filt is None or self._whole_asked == filt:
            return  # nothing shown yet, or on its way
        self._whole_asked = filt
        self.worklist.caption.setText(
            f"<b>{self.worklist.title}</b> · reading all {self.worklist_model.total:,} items…"
        )
        self.worklist_page_requested.emit(filt, None, None)

    def _read_on(self) -> None:
        """Read the whole list when it is wanted; save it once it is in."""
        if not self._wants_every_item():
            return
        if not self._whole_shown:
            self._read_whole()
        elif self._saving_worklist is not None:
            title, headers = self._saving_worklist
            self._saving_worklist = None
            self.export_csv_requested.emit(title, headers, self.worklist.shown_rows())

    def _sorted(self, *_sort: object) -> None:
        self._read_on()

    def _save_worklist(self, title: str, headers: list[str], _shown: list[list[str]]) -> None:
        self._saving_worklist = (title, headers)
        self._read_on()

    def _open_item(self, index: QModelIndex) -> None:
        patient_id = index.siblingAtColumn(0).data(ROW_ID_ROLE)
        if patient_id is not None:
            self.open_patient.emit(int(patient_id))


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _share(m: MeasureChange) -> float:
    return round(100 * m.share_meaningful) if m.share_meaningful is not None else 0


def _outcome_row(g: OutcomeGroup) -> list[Any]:
    row: list[Any] = [g.label, g.episodes]
    for m in (g.nprs, g.odi, g.psfs):
        share = None if m.share_meaningful is None else 100.0 * m.share_meaningful
        row += [m.measured, m.mean_change, share]
    return row
