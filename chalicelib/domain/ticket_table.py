"""The wizard's ticket table saved at once: which rows create, update or delete which tickets."""

from typing import Any, NamedTuple

from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.tickets import (
    MAX_TABLE_WRITES,
    TABLE_ROWS,
    TICKET_ROW,
    TicketContext,
    check_unique_name,
    name_key,
    stored_values,
)


class ExistingTicket(NamedTuple):
    ticket_id: str
    fields: dict[str, Any]
    committed: int


class TableRow(NamedTuple):
    ticket_id: str | None  # None: create
    fields: dict[str, Any]
    changed: bool


class TablePlan(NamedTuple):
    """What saving the wizard's table does: the rows in their new order and the ids to delete."""

    rows: list[TableRow]
    deletes: list[str]

    @property
    def writes(self) -> int:
        return sum(1 for row in self.rows if row.changed) + len(self.deletes)


def plan_ticket_table(
    payload: Any, existing: dict[str, ExistingTicket], event_ends_at: str, currency: str = "USD"
) -> TablePlan:
    """``{"tickets": [...]}`` replaces the whole table: rows with ``id`` update that ticket, rows
    without create one, tickets left out are deleted. Each row is a complete ticket (an omitted
    field takes its default: an unchecked ``hidden`` is false). Position = index in the list."""
    errors: dict[str, str] = {}
    if not isinstance(payload, dict):
        raise ValidationError({"tickets": 'Send {"tickets": [...]}.'})
    for key in payload:
        if key != "tickets":
            errors[key] = "Unknown field."
    rows_in = payload.get("tickets")
    if not isinstance(rows_in, list):
        errors["tickets"] = TABLE_ROWS.message
        raise ValidationError(errors)
    if len(rows_in) > MAX_TABLE_WRITES:
        errors["tickets"] = TABLE_ROWS.too_many
        raise ValidationError(errors)

    rows: list[TableRow] = []
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for index, row in enumerate(rows_in):
        prefix = f"tickets[{index}]."
        if not isinstance(row, dict):
            errors[f"tickets[{index}]"] = TICKET_ROW.message
            continue
        ticket_id = row.get("id")
        committed = 0
        if ticket_id is not None:
            if not isinstance(ticket_id, str) or ticket_id not in existing:
                errors[f"{prefix}id"] = "No such ticket in this event; leave id out to create one."
            elif ticket_id in seen_ids:
                errors[f"{prefix}id"] = "This ticket appears twice in the list."
            else:
                seen_ids.add(ticket_id)
                committed = existing[ticket_id].committed
        context = TicketContext(event_ends_at, committed, currency)
        clean = TICKET_ROW.check(row, f"tickets[{index}]", errors, context)
        clean.pop("id", None)
        stored_values(clean)
        name = clean.get("name")
        check_unique_name(name, seen_names, f"{prefix}name", errors)
        if name is not None:
            seen_names.add(name_key(name))
        clean["position"] = index
        if isinstance(ticket_id, str) and ticket_id in existing:
            rows.append(TableRow(ticket_id, clean, is_changed(existing[ticket_id].fields, clean)))
        else:
            rows.append(TableRow(None, clean, True))
    if errors:
        raise ValidationError(errors)

    deletes = [ticket_id for ticket_id in existing if ticket_id not in seen_ids]
    check_deletable([existing[ticket_id] for ticket_id in deletes])
    plan = TablePlan(rows=rows, deletes=deletes)
    if plan.writes > MAX_TABLE_WRITES:
        raise ValidationError(
            {
                "tickets": f"This save creates, changes and deletes {plan.writes} tickets; "
                f"at most {MAX_TABLE_WRITES} can change at once. Save in two steps."
            }
        )
    return plan


def is_changed(current: dict[str, Any], clean: dict[str, Any]) -> bool:
    return any(current.get(field) != value for field, value in clean.items())


def check_deletable(tickets: list[ExistingTicket]) -> None:
    """A ticket someone holds (sold or reserved) can't be deleted: 409 naming each one."""
    held = {t.ticket_id: t for t in tickets if t.committed > 0}
    if held:
        raise ConflictError(
            "Tickets that are sold or reserved can't be deleted; hide them instead.",
            {
                ticket_id: f"{ticket.committed} sold or reserved ({ticket.fields.get('name', '')})."
                for ticket_id, ticket in held.items()
            },
            code="ticket_has_orders",
        )
