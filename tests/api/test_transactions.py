"""Tagged transactions: a cancellation names the operations that failed by their tags, whatever
order PynamoDB sends them in (checks, deletes, puts, then updates)."""

import pytest

from chalicelib.store.models.system import SystemItemModel
from chalicelib.store.transactions import Cancelled, transaction


def _item(sk: str) -> SystemItemModel:
    return SystemItemModel("TEST", sk, version=1)


def test_the_failed_operation_is_named_by_its_tag_though_it_was_sent_in_another_order(aws: None) -> None:
    for sk in ("bumped", "checked", "claimed"):
        _item(sk).save()

    with pytest.raises(Cancelled) as cancelled, transaction() as pending:
        pending.update(_item("bumped"), actions=[SystemItemModel.version.add(1)], tag="bump")
        pending.save(_item("fresh"), tag="fresh")
        pending.condition_check(
            SystemItemModel, "TEST", "checked", condition=SystemItemModel.version == 7, tag="check"
        )
        pending.save(_item("claimed"), condition=SystemItemModel.pk.does_not_exist(), tag="claim")

    assert cancelled.value.reasons == {"check": "ConditionalCheckFailed", "claim": "ConditionalCheckFailed"}
    assert cancelled.value.failed("claim") and not cancelled.value.failed("bump", "fresh")
    assert int(SystemItemModel.get("TEST", "bumped").version) == 1
    assert SystemItemModel.count("TEST", SystemItemModel.sk == "fresh") == 0


def test_a_transaction_that_is_not_cancelled_writes_everything(aws: None) -> None:
    with transaction() as pending:
        pending.save(_item("a"), tag="a")
        pending.save(_item("b"))

    assert sorted(item.sk for item in SystemItemModel.query("TEST")) == ["a", "b"]
