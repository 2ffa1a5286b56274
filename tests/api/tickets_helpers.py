"""What the ticket tests share: a paid ticket's fields, creating one, its event's tickets_ver, and
the state other features leave behind (a membership, held inventory) written straight to the store."""

from typing import Any

PAID = {"name": "Standard", "type": "paid", "price": "12.50", "quantity": 100}


def tickets_ver(api, event, token) -> int:
    return api.get(f"/events/{event['id']}/versions", token=token).json["tickets_ver"]


def grant(api, token: str, event: dict, role: str) -> None:
    """What accepting an invite leaves behind: a membership item in the event partition."""
    from chalicelib.domain.clock import now_iso
    from chalicelib.store.models.events import MembershipModel, event_pk, role_sk

    user_id = api.get("/me", token=token).json["id"]
    MembershipModel(
        event_pk(event["id"]),
        role_sk(user_id),
        member_id=user_id,
        event_id=event["id"],
        role=role,
        created_at=now_iso(),
    ).save()


def hold(event: dict, ticket_id: str, sold: int = 0, reserved: int = 0) -> None:
    """What orders do to a ticket: move its inventory counters."""
    from chalicelib.store.models.events import event_pk
    from chalicelib.store.models.tickets import TicketModel, ticket_sk

    TicketModel(event_pk(event["id"]), ticket_sk(ticket_id)).update(
        actions=[TicketModel.sold.set(sold), TicketModel.reserved.set(reserved)]
    )


def create(api, path, token, **fields: Any) -> dict:
    response = api.post(path, {**PAID, **fields}, token=token)
    assert response.status == 201, response.json
    return response.json
