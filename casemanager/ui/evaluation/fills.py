"""Filling an evaluation draft from what the clinic or the record already knows: the
templates of the chosen primary cause, and for a returning patient the history of their
last episode. Each fill is one change operation of the controller's port that says it
changed the patient's chart; the window then shows the draft as saved and the bar says what
was filled and kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from casemanager.domain import catalogs
from casemanager.domain.enums import Cause, EvaluationKind
from casemanager.domain.errors import DomainError
from casemanager.domain.evaluation import FULL_KINDS
from casemanager.ui.evaluation.carry_forward import CarryForwardBar
from casemanager.ui.evaluation.template_offer import TemplateOffer

if TYPE_CHECKING:
    from casemanager.services.carry_forward import CarriedForward, CarryForwardOffer
    from casemanager.services.templates import TemplateApplied, TemplateRecord
    from casemanager.ui.evaluation.window import EvaluationWindow
    from casemanager.ui.workspace import Context

Failed = Callable[[BaseException], None]


class FillsPort(Protocol):
    """The operations the bars need, on the window's one evaluation."""

    def list_templates(
        self, cause: Cause, done: Callable[[list[TemplateRecord]], None]
    ) -> None: ...

    def apply_template(
        self,
        template_id: int,
        versions: tuple[int, int | None],
        done: Callable[[TemplateApplied], None],
        failed: Failed,
    ) -> None: ...

    def save_as_template(
        self, name: str, done: Callable[[TemplateRecord], None], failed: Failed
    ) -> None: ...

    def carry_forward_offer(
        self, done: Callable[[CarryForwardOffer], None], failed: Failed
    ) -> None: ...

    def confirm_carry_forward(
        self, version: int, done: Callable[[CarriedForward], None], failed: Failed
    ) -> None: ...


class DraftFills:
    """The template bar and the carry-forward bar of one evaluation window."""

    def __init__(
        self, context: Context, port: FillsPort, screen: EvaluationWindow, is_author: bool
    ) -> None:
        self.context = context
        self.port = port
        self.screen = screen
        self.is_author = is_author
        self.templates = TemplateOffer()
        self.carried = CarryForwardBar()
        screen.add_bar(self.carried)
        screen.add_bar(self.templates)
        self._names: dict[int, str] = {}
        self.templates.apply_requested.connect(self.apply_template)
        self.templates.save_requested.connect(self.save_as_template)
        self.carried.confirm_requested.connect(self.confirm_carry_forward)
        record = screen.record
        if not is_author or record.kind not in FULL_KINDS:
            return  # only the author fills a draft; follow-ups carry their episode already
        if record.is_signed:
            self.templates.offer_saving()
            return
        screen.form.primary_cause.currentIndexChanged.connect(self._cause_chosen)
        self._cause_chosen()
        if record.kind == EvaluationKind.INITIAL:
            self.port.carry_forward_offer(self._offered, lambda _error: self.carried.hide())

    # -- templates ---------------------------------------------------------------------------
    def _cause_chosen(self) -> None:
        cause = self.screen.form.primary_cause.currentData()
        if cause is None or self.screen.record.is_signed:
            self.templates.hide()
            return

        def listed(found: list[TemplateRecord]) -> None:
            if self.screen.form.primary_cause.currentData() != cause:
                return  # another cause chosen meanwhile: its own list follows
            self._names = {t.id: t.content.name for t in found}
            self.templates.offer(
                catalogs.cause_info(cause).label,
                [(t.id, t.content.name, t.content.note) for t in found],
            )

        self.port.list_templates(cause, listed)

    def apply_template(self, template_id: int) -> None:
        self.screen.after_saving(lambda: self._apply(template_id), self.templates.show_error)

    def _apply(self, template_id: int) -> None:
        screen = self.screen

        def applied(result: TemplateApplied) -> None:
            screen.show_filled(result.evaluation, result.plan, result.filled.filled)
            self.templates.show_applied(
                self._names.get(template_id, "The template"),
                list(result.filled.filled),
                list(result.filled.kept),
                list(result.filled.notes),
                [g.message for g in result.plan.guidance],
            )

        self.port.apply_template(
            template_id,
            (screen.record.version, screen.plan_version),
            applied,
            self._refused(self.templates.show_error, "The template could not be applied."),
        )

    def save_as_template(self, name: str) -> None:
        self.port.save_as_template(
            name,
            lambda saved: self.templates.show_saved(saved.content.name),
            self._refused(self.templates.show_error, "The template could not be saved."),
        )

    def signed(self) -> None:
        """The evaluation was just signed: no more filling; its plan may become a template."""
        self.carried.hide()
        if self.is_author and self.screen.record.kind in FULL_KINDS:
            self.templates.offer_saving()

    # -- carry-forward -----------------------------------------------------------------------
    def _offered(self, offer: CarryForwardOffer) -> None:
        self.carried.offer(
            [
                (
                    v.field,
                    v.label,
                    v.evaluation_date,
                    v.author_name,
                    catalogs.EVALUATION_KIND_LABELS[v.evaluation_kind],
                )
                for v in offer.values
            ]
        )

    def confirm_carry_forward(self) -> None:
        self.screen.after_saving(self._confirm, self.carried.show_error)

    def _confirm(self) -> None:
        screen = self.screen

        def confirmed(result: CarriedForward) -> None:
            screen.show_filled(result.evaluation, None, result.filled.filled)
            self.carried.show_kept(list(result.filled.filled), list(result.filled.kept))

        self.port.confirm_carry_forward(
            screen.record.version,
            confirmed,
            self._refused(self.carried.show_error, "The values could not be taken over."),
        )

    def _refused(self, show: Callable[[str], None], fault: str) -> Failed:
        """A refusal is shown in the bar; a fault there too, and with the error dialog."""

        def failed(error: BaseException) -> None:
            if isinstance(error, DomainError):
                show(error.message)
            else:
                show(fault)
                self.context.show_error(error)

        return failed
