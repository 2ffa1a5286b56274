"""Shared set-up for the order tests: a published event with tickets, buyers, and reading back
what is stored (ticket counters, orders) to check that nothing was half-written."""

import uuid
from dataclasses import dataclass
from typing import Any

PAID = {"name": "Standard", "type": "paid", "price": "12.50", "quantity": 50}
FREE = {"name": "Community", "type": "free", "price": "0", "quantity": 50}
DONATION = {"name": "Supporter", "type": "donation", "price": "5.00", "quantity": 50}


@dataclass
class Shop:
    """One published event, its organizer's token and helpers to order from it."""

    api: Any
    organizer: str
    event: dict

    @property
    def event_id(self) -> str:
        return self.event["id"]

    def ticket(self, **fields: Any) -> dict:
        response = self.api.post(f"/events/{self.event_id}/tickets", {**PAID, **fields}, token=self.organizer)
        assert response.status == 201, response.json
        return response.json

    def order(self, token: str, items: list[dict], key: str | None = None, **kw: Any) -> Any:
        headers = {"Idempotency-Key": key or uuid.uuid4().hex}
        return self.api.post(
            f"/events/{self.event_id}/orders", {"items": items}, token=token, headers=headers, **kw
        )

    def buy(self, token: str, ticket: dict, quantity: int = 1, **item: Any) -> dict:
        response = self.order(token, [{"ticket_id": ticket["id"], "quantity": quantity, **item}])
        assert response.status == 201, response.json
        return response.json

    def counters(self, ticket: dict) -> dict[str, int]:
        from chalicelib.store.models.events import event_pk
        from chalicelib.store.models.tickets import TicketModel, ticket_sk

        stored = TicketModel.get(event_pk(self.event_id), ticket_sk(ticket["id"]), consistent_read=True)
        return {"sold": int(stored.sold), "reserved": int(stored.reserved), "held": int(stored.held)}

    def available(self, ticket: dict) -> int:
        page = self.api.get(f"/public/events/{self.event_id}")
        assert page.status == 200, page.json
        return next(t["available"] for t in page.json["tickets"] if t["id"] == ticket["id"])

    def versions(self) -> dict[str, int]:
        return self.api.get(f"/events/{self.event_id}/versions", token=self.organizer).json

    def add_member(self, token: str, role: str) -> None:
        """Give the account behind ``token`` a role in the event (what an accepted invite does)."""
        from chalicelib.store.models.events import MembershipModel, event_pk, role_sk

        user_id = self.api.get("/me", token=token).json["id"]
        MembershipModel(
            event_pk(self.event_id),
            role_sk(user_id),
            member_id=user_id,
            event_id=self.event_id,
            role=role,
            created_at="2026-11-26T00:00:00.000+00:00",
        ).save()

    def set_hold_minutes(self, minutes: int) -> None:
        from chalicelib.store.models.events import EVENT_SK, EventModel, event_pk

        EventModel(event_pk(self.event_id), EVENT_SK).update(
            actions=[EventModel.order_hold_minutes.set(minutes)]
        )


def stored_orders(event_id: str) -> list[Any]:
    from chalicelib.store.models.orders import OrderModel

    return list(OrderModel.by_event.query(event_id))


def make_shop(api: Any, signup: Any, make_event: Any, publish: bool = True) -> Shop:
    organizer = signup()
    event = make_event(organizer)
    if publish:
        response = api.patch(f"/events/{event['id']}", {"state": "published"}, token=organizer)
        assert response.status == 200, response.json
    return Shop(api, organizer, event)
