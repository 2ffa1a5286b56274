"""Checkout questions: the organizer's list (ids kept, validation per field, If-Match, who may),
the answers an order must give per seat (422 at items[i].attendees[j].answers.<id>), what the
attendees then carry, the buyer's edits of answers and the attendee CSV with one column per question."""

import csv
import io
import json
import threading
import uuid

import pytest

from tests.api.orders_helpers import FREE, make_shop


@pytest.fixture
def shop(api, signup, make_event):
    return make_shop(api, signup, make_event)


@pytest.fixture
def buyer(signup):
    return signup("buyer@example.com", name="Bea Buyer")


def path(shop):
    return f"/events/{shop.event_id}/questions"


def put(shop, questions, token=None, **kw):
    return shop.api.put(path(shop), {"questions": questions}, token=token or shop.organizer, **kw)


def saved(shop, questions):
    response = put(shop, questions)
    assert response.status == 200, response.json
    return response.json["questions"]


SIZE = {"label": "T-shirt size", "kind": "choice", "options": ["S", "M", "L"], "required": True}
DIET = {"label": "Dietary needs", "kind": "text"}


def order(shop, token, ticket, quantity, attendees=None, key=None):
    item = {"ticket_id": ticket["id"], "quantity": quantity}
    if attendees is not None:
        item["attendees"] = attendees
    return shop.order(token, [item], key=key)


def stored_items(shop):
    from chalicelib.store.models.orders import OrderModel

    return list(OrderModel.by_event.query(shop.event_id))


# --- the organizer's list -------------------------------------------------------------------


def test_the_organizer_saves_questions_that_keep_their_ids_and_order(shop):
    ticket = shop.ticket(**FREE)
    first = saved(shop, [SIZE, {**DIET, "ticket_ids": [ticket["id"]]}])
    assert [q["label"] for q in first] == ["T-shirt size", "Dietary needs"]
    assert first[0] == {**SIZE, "id": first[0]["id"], "ticket_ids": None}
    assert first[1]["options"] == [] and first[1]["required"] is False
    assert first[1]["ticket_ids"] == [ticket["id"]]
    assert all(len(q["id"]) == 32 for q in first) and first[0]["id"] != first[1]["id"]

    # Sent back reordered with ids, one changed, a new one added: ids kept, the new one made.
    again = saved(
        shop,
        [
            {**first[1], "label": "Allergies"},
            {"id": first[0]["id"], **SIZE},
            {"label": "Agree to the rules", "kind": "checkbox", "required": True},
        ],
    )
    assert [q["id"] for q in again[:2]] == [first[1]["id"], first[0]["id"]]
    assert again[0]["label"] == "Allergies" and len(again[2]["id"]) == 32
    read = shop.api.get(path(shop), token=shop.organizer)
    assert read.status == 200 and read.json["questions"] == again
    assert saved(shop, []) == [] and shop.api.get(path(shop), token=shop.organizer).json == {"questions": []}


@pytest.mark.parametrize(
    "questions, field",
    [
        ([{"label": "", "kind": "text"}], "questions[0].label"),
        ([{"label": "x" * 201, "kind": "text"}], "questions[0].label"),
        ([{"label": "Q", "kind": "essay"}], "questions[0].kind"),
        ([{"label": "Q", "kind": "choice"}], "questions[0].options"),
        ([{"label": "Q", "kind": "choice", "options": ["only"]}], "questions[0].options"),
        ([{"label": "Q", "kind": "multiple", "options": ["a", "A"]}], "questions[0].options[1]"),
        ([{"label": "Q", "kind": "choice", "options": ["a", ""]}], "questions[0].options[1]"),
        ([{"label": "Q", "kind": "choice", "options": ["a", "b" * 101]}], "questions[0].options[1]"),
        ([{"label": "Q", "kind": "choice", "options": [str(n) for n in range(51)]}], "questions[0].options"),
        ([{"label": "Q", "kind": "text", "options": ["a", "b"]}], "questions[0].options"),
        ([{"label": "Q", "kind": "checkbox", "options": ["a", "b"]}], "questions[0].options"),
        ([{"label": "Q", "kind": "text", "required": "yes"}], "questions[0].required"),
        ([{"label": "Q", "kind": "text", "ticket_ids": ["f" * 32]}], "questions[0].ticket_ids[0]"),
        ([{"label": "Q", "kind": "text", "ticket_ids": []}], "questions[0].ticket_ids"),
        ([{"label": "Q", "kind": "text", "id": "a" * 32}], "questions[0].id"),
        ([{"label": "Q", "kind": "text", "id": "not-an-id"}], "questions[0].id"),
        ([{"label": "Q", "kind": "text", "colour": "red"}], "questions[0].colour"),
        ([{"label": f"Q{n}", "kind": "text"} for n in range(51)], "questions"),
        ("nope", "questions"),
    ],
)
def test_bad_questions_are_422_per_field_and_change_nothing(shop, questions, field):
    before = saved(shop, [SIZE])
    response = put(shop, questions)
    assert response.status == 422, response.json
    assert field in response.json["error"]["details"], response.json
    assert shop.api.get(path(shop), token=shop.organizer).json["questions"] == before


def test_an_id_sent_twice_is_refused(shop):
    first = saved(shop, [SIZE])
    response = put(shop, [first[0], {**first[0], "label": "Again"}])
    assert response.status == 422
    assert response.json["error"]["details"] == {"questions[1].id": "This id is listed twice."}


def raw(value) -> bytes:
    """JSON as UTF-8 (not \\u escapes): what a client may send within the 1 MiB body limit."""
    return json.dumps(value, ensure_ascii=False).encode()


def test_questions_too_large_for_one_item_are_refused(shop):
    options = ["\u00e9" * 98 + f"{n:02d}" for n in range(50)]  # 2 bytes a character
    big = [{"label": f"Q{n}", "kind": "choice", "options": options} for n in range(50)]
    response = shop.api.put(path(shop), token=shop.organizer, raw=raw({"questions": big}))
    assert response.status == 422 and "questions" in response.json["error"]["details"], response.json


def test_who_may_read_and_write_questions(shop, signup, api, make_event):
    saved(shop, [SIZE])
    coorganizer, moderator, stranger = signup(), signup(), signup()
    shop.add_member(coorganizer, "coorganizer")
    shop.add_member(moderator, "moderator")
    assert put(shop, [SIZE, DIET], token=coorganizer).status == 200
    assert shop.api.get(path(shop), token=moderator).status == 200
    assert put(shop, [], token=moderator).status == 403
    assert shop.api.get(path(shop), token=stranger).status == 403
    assert put(shop, [], token=stranger).status == 403
    assert shop.api.get(path(shop)).status == 401
    # The public reads a published event's questions without signing in; a draft's are 404.
    public = api.get(f"/public/events/{shop.event_id}/questions")
    assert public.status == 200 and [q["label"] for q in public.json["questions"]] == [
        "T-shirt size",
        "Dietary needs",
    ]
    draft = make_shop(api, signup, make_event, publish=False)
    assert api.get(f"/public/events/{draft.event_id}/questions").status == 404
    assert api.get(f"/public/events/{uuid.uuid4().hex}/questions").status == 404


def test_etag_and_if_match(shop):
    first = shop.api.get(path(shop), token=shop.organizer)
    etag = first.headers["etag"]
    assert shop.api.get(path(shop), token=shop.organizer, headers={"If-None-Match": etag}).status == 304
    changed = put(shop, [SIZE], headers={"If-Match": etag})
    assert changed.status == 200 and changed.headers["etag"] != etag
    stale = put(shop, [DIET], headers={"If-Match": etag})
    assert stale.status == 412
    assert [q["label"] for q in shop.api.get(path(shop), token=shop.organizer).json["questions"]] == [
        "T-shirt size"
    ]
    assert put(shop, [DIET], headers={"If-Match": changed.headers["etag"]}).status == 200


def test_parallel_saves_with_one_etag_let_exactly_one_through(shop, threaded_app):
    etag = shop.api.get(path(shop), token=shop.organizer).headers["etag"]
    start = threading.Barrier(6)
    statuses: list[int] = []

    def one(n: int) -> None:
        start.wait()
        statuses.append(put(shop, [{"label": f"Q{n}", "kind": "text"}], headers={"If-Match": etag}).status)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [412] * 5
    from chalicelib.store.questions import stored_questions

    assert int(stored_questions(shop.event_id).ver) == 1


def test_deleting_the_event_deletes_its_questions(shop):
    saved(shop, [SIZE])
    assert shop.api.delete(f"/events/{shop.event_id}", token=shop.organizer).status == 204
    from chalicelib.store.questions import stored_questions

    assert int(stored_questions(shop.event_id).ver) == 0


# --- answering at order time ----------------------------------------------------------------


def test_a_required_answer_missing_for_a_seat_is_422_at_that_seat_and_sells_nothing(shop, buyer):
    ticket = shop.ticket(**FREE)
    size, _diet = saved(shop, [SIZE, DIET])
    response = order(shop, buyer, ticket, 2, [{"name": "Ada", "answers": {size["id"]: "M"}}, {"name": "Bob"}])
    assert response.status == 422, response.json
    assert response.json["error"]["details"] == {
        f"items[0].attendees[1].answers.{size['id']}": "Choose an option."
    }
    # A seat without an entry at all is the same.
    short = order(shop, buyer, ticket, 2, [{"answers": {size["id"]: "M"}}])
    assert short.json["error"]["details"] == {
        f"items[0].attendees[1].answers.{size['id']}": "Choose an option."
    }
    nothing = order(shop, buyer, ticket, 2)
    assert set(nothing.json["error"]["details"]) == {
        f"items[0].attendees[{n}].answers.{size['id']}" for n in (0, 1)
    }
    assert stored_items(shop) == [] and shop.counters(ticket)["held"] == 0


def test_answers_are_stored_on_the_order_and_carried_by_its_attendees(shop, buyer):
    ticket = shop.ticket(**FREE)
    size, diet = saved(shop, [SIZE, DIET])
    people = [
        {
            "name": " Ada Lovelace ",
            "email": "ADA@example.com",
            "answers": {size["id"]: "M", diet["id"]: " none "},
        },
        {"answers": {size["id"]: "L", diet["id"]: ""}},
    ]
    response = order(shop, buyer, ticket, 2, people)
    assert response.status == 201, response.json
    assert set(response.json["items"][0]) == {
        "ticket_id",
        "name",
        "type",
        "quantity",
        "unit_price",
        "subtotal",
    }
    line = stored_items(shop)[0].lines[0]
    assert line["attendees"] == [
        {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "answers": {size["id"]: "M", diet["id"]: "none"},
        },
        {"name": "", "email": "", "answers": {size["id"]: "L"}},
    ]
    found = shop.api.get(f"/orders/{response.json['id']}/attendees", token=buyer).json
    assert [(a["name"], a["email"], a["answers"]) for a in found] == [
        ("Ada Lovelace", "ada@example.com", {size["id"]: "M", diet["id"]: "none"}),
        ("Bea Buyer", "buyer@example.com", {size["id"]: "L"}),
    ]


def test_questions_apply_only_to_their_tickets(shop, buyer):
    free, other = shop.ticket(**FREE), shop.ticket(**{**FREE, "name": "Other"})
    (size,) = saved(shop, [{**SIZE, "ticket_ids": [free["id"]]}])
    assert order(shop, buyer, other, 1).status == 201
    wrong = order(shop, buyer, other, 1, [{"answers": {size["id"]: "M"}}])
    assert wrong.json["error"]["details"] == {
        f"items[0].attendees[0].answers.{size['id']}": "No such question for this ticket."
    }
    assert order(shop, buyer, free, 1).status == 422


def test_deleting_a_ticket_leaves_its_questions_harmless(shop, buyer):
    gone, kept = shop.ticket(**FREE), shop.ticket(**{**FREE, "name": "Kept"})
    saved(shop, [{**SIZE, "ticket_ids": [gone["id"]]}])
    assert (
        shop.api.delete(f"/events/{shop.event_id}/tickets/{gone['id']}", token=shop.organizer).status == 204
    )
    assert shop.api.get(path(shop), token=shop.organizer).status == 200
    assert order(shop, buyer, kept, 1).status == 201


@pytest.mark.parametrize(
    "kind, options, value, message",
    [
        ("text", [], "x" * 1001, "Use at most 1000 characters."),
        ("text", [], 3, "Give text, true or false, or a list of options."),
        ("text", [], True, "Give text."),
        ("choice", ["a", "b"], "c", "Choose one of the options."),
        ("choice", ["a", "b"], ["a"], "Choose one of the options."),
        ("multiple", ["a", "b"], ["a", "a"], "An option is chosen twice."),
        ("multiple", ["a", "b"], ["a", "z"], "Choose among the options."),
        ("multiple", ["a", "b"], "a", "Choose among the options."),
        ("checkbox", [], "yes", "Give true or false."),
        ("checkbox", [], False, "Tick this box to continue."),
        ("multiple", ["a", "b"], [], "Choose at least one option."),
        ("text", [], "   ", "Answer this question."),
    ],
)
def test_answers_break_their_kind_rules(shop, buyer, kind, options, value, message):
    ticket = shop.ticket(**FREE)
    (question,) = saved(shop, [{"label": "Q", "kind": kind, "options": options, "required": True}])
    response = order(shop, buyer, ticket, 1, [{"answers": {question["id"]: value}}])
    assert response.status == 422
    assert response.json["error"]["details"] == {f"items[0].attendees[0].answers.{question['id']}": message}


@pytest.mark.parametrize(
    "attendees, field",
    [
        ([{"name": "x" * 201}], "items[0].attendees[0].name"),
        ([{"email": "not-an-address"}], "items[0].attendees[0].email"),
        ([{"answers": {"f" * 32: "x"}}], "items[0].attendees[0].answers." + "f" * 32),
        ([{"answers": {"nope": "x"}}], "items[0].attendees[0].answers.nope"),
        ([{"answers": []}], "items[0].attendees[0].answers"),
        ([{"seat": 1}], "items[0].attendees[0].seat"),
        ([{}, {}], "items[0].attendees"),
        ("x", "items[0].attendees"),
    ],
)
def test_bad_attendees_are_422(shop, buyer, attendees, field):
    ticket = shop.ticket(**FREE)
    response = order(shop, buyer, ticket, 1, attendees)
    assert response.status == 422 and field in response.json["error"]["details"], response.json


def test_an_order_names_at_most_500_attendees(shop, buyer):
    ticket = shop.ticket(**{**FREE, "quantity": 1000, "max_order": 1000})
    response = order(shop, buyer, ticket, 501, [{}] * 501)
    assert response.status == 422 and "items[0].attendees" in response.json["error"]["details"]
    (required,) = saved(shop, [{"label": "Agree", "kind": "checkbox", "required": True}])
    many = order(shop, buyer, ticket, 501)
    assert many.json["error"]["details"]["items[0].quantity"].startswith("Order at most 500 of this ticket")
    few = order(shop, buyer, ticket, 300)
    assert len(few.json["error"]["details"]) == 100  # the first seats' problems, not 300 of them
    assert few.json["error"]["details"][f"items[0].attendees[0].answers.{required['id']}"] == (
        "Tick this box to continue."
    )
    (text,) = saved(shop, [{"label": "Bio", "kind": "text"}])
    # What 500 seats may say in all is capped below an item's 400 KB (UTF-8 counts in bytes).
    people = [{"name": "n" * 200, "answers": {text["id"]: "\u00e9" * 300}}] * 500
    items = [{"ticket_id": ticket["id"], "quantity": 500, "attendees": people}]
    big = shop.api.post(
        f"/events/{shop.event_id}/orders",
        token=buyer,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        raw=raw({"items": items}),
    )
    assert big.status == 422 and big.json["error"]["details"]["items"].startswith("The attendees' details")
    people = [{"name": "n" * 200, "answers": {text["id"]: "a" * 300}}] * 500
    assert order(shop, buyer, ticket, 500, people).status == 201


def test_the_same_key_with_other_answers_is_a_reused_key(shop, buyer):
    ticket = shop.ticket(**FREE)
    (diet,) = saved(shop, [DIET])
    key = uuid.uuid4().hex
    first = order(shop, buyer, ticket, 1, [{"answers": {diet["id"]: "vegan"}}], key=key)
    assert first.status == 201
    again = order(shop, buyer, ticket, 1, [{"answers": {diet["id"]: "vegan"}}], key=key)
    assert again.status == 201 and again.json["id"] == first.json["id"]
    other = order(shop, buyer, ticket, 1, [{"answers": {diet["id"]: "none"}}], key=key)
    assert other.status == 422 and other.error_code == "idempotency_key_reused"
    assert len(stored_items(shop)) == 1


# --- the buyer's edits ----------------------------------------------------------------------


def test_the_buyer_changes_answers_checked_against_the_questions(shop, buyer):
    ticket = shop.ticket(**FREE)
    size, diet = saved(shop, [SIZE, DIET])
    placed = order(shop, buyer, ticket, 1, [{"answers": {size["id"]: "M"}}]).json
    attendee = shop.api.get(f"/orders/{placed['id']}/attendees", token=buyer).json[0]
    item = f"/orders/{placed['id']}/attendees/{attendee['id']}"
    bad = shop.api.patch(item, {"answers": {diet["id"]: "none"}}, token=buyer)
    assert bad.status == 422
    assert bad.json["error"]["details"] == {f"answers.{size['id']}": "Choose an option."}
    wrong = shop.api.patch(item, {"answers": {size["id"]: "XL"}}, token=buyer)
    assert wrong.json["error"]["details"] == {f"answers.{size['id']}": "Choose one of the options."}
    good = shop.api.patch(item, {"answers": {size["id"]: "L", diet["id"]: "vegan"}}, token=buyer)
    assert good.status == 200, good.json
    assert good.json["answers"] == {size["id"]: "L", diet["id"]: "vegan"}
    assert shop.api.get(item, token=buyer).json["answers"] == {size["id"]: "L", diet["id"]: "vegan"}


# --- the attendee CSV -----------------------------------------------------------------------


def test_the_attendee_csv_has_one_row_per_attendee_and_a_column_per_question(shop, buyer, signup):
    ticket = shop.ticket(**FREE)
    size, diet, perks = saved(
        shop,
        [
            SIZE,
            {**DIET, "label": "=Diet"},
            {"label": "Perks", "kind": "multiple", "options": ["Bus", "Lunch"]},
        ],
    )
    placed = order(
        shop,
        buyer,
        ticket,
        2,
        [
            {
                "name": "Ada",
                "answers": {size["id"]: "M", diet["id"]: "+vegan", perks["id"]: ["Lunch", "Bus"]},
            },
            {"name": "Bob", "email": "bob@example.com", "answers": {size["id"]: "S"}},
        ],
    ).json
    other = signup("other@example.com", name="Oz")
    cancelled = order(shop, other, ticket, 1, [{"answers": {size["id"]: "L"}}]).json
    assert shop.api.post(f"/orders/{cancelled['id']}/cancel", token=shop.organizer).status == 200

    response = shop.api.get(f"/events/{shop.event_id}/attendees.csv", token=shop.organizer)
    assert response.status == 200
    table = list(csv.reader(io.StringIO(response.body.decode())))
    assert table[0] == [
        "name", "email", "ticket", "status", "checked_in_at", "order_id", "seat", "buyer_name",
        "buyer_email", "T-shirt size", "'=Diet", "Perks",
    ]  # fmt: skip
    assert table[1:] == [
        ["Ada", "buyer@example.com", "Community", "valid", "", placed["id"], "1", "Bea Buyer",
         "buyer@example.com", "M", "'+vegan", "Bus; Lunch"],
        ["Bob", "bob@example.com", "Community", "valid", "", placed["id"], "2", "Bea Buyer",
         "buyer@example.com", "S", "", ""],
        ["Oz", "other@example.com", "Community", "revoked", "", cancelled["id"], "1", "Oz",
         "other@example.com", "L", "", ""],
    ]  # fmt: skip
