"""Codes on the events table (chalicelib.store.models.codes).

Creating, renaming and deleting a code each write its name item in the same transaction
(``attribute_not_exists`` for a new name), so two codes of an event never share a name. An order
takes a use inside its own transaction (``stage_use``: ``uses < max_uses`` as read, the terms
unchanged), and every release of an order gives it back in its transaction (``stage_give_back``),
so the limit holds whatever the concurrency and a use comes back exactly once."""

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain import codes as rules
from chalicelib.domain.errors import ConflictError, NotFoundError, ValidationError
from chalicelib.store.availability import iso
from chalicelib.store.models.codes import CODE_PREFIX, CodeModel, CodeNameModel, code_sk, name_sk
from chalicelib.store.models.events import event_pk
from chalicelib.store.transactions import Cancelled, Transaction, transaction

# Two items per code: 50 codes a transaction.
CHUNK = 50
EXISTS = "A code with this name exists in this event."
GIVE_BACK = "code_back"


def used_already(uses: int) -> str:
    return f"This code was used {uses} times already."


def terms_of(code: CodeModel) -> rules.CodeTerms:
    return rules.CodeTerms(
        code_id=code.code_id,
        code=code.code,
        ticket_ids=None if code.ticket_ids is None else tuple(code.ticket_ids),
        unlocks_hidden=bool(code.unlocks_hidden),
        discount=code.discount,
        max_uses=None if code.max_uses is None else int(code.max_uses),
        uses=int(code.uses),
        valid_from=code.valid_from,
        valid_until=code.valid_until,
        deleted=bool(code.deleted),
    )


def list_codes(event_id: str) -> list[CodeModel]:
    found = CodeModel.query(event_pk(event_id), CodeModel.sk.startswith(CODE_PREFIX), consistent_read=True)
    return sorted((c for c in found if not c.deleted), key=lambda c: (c.created_at, c.code))


def get_code(event_id: str, code_id: str) -> CodeModel:
    try:
        code = CodeModel.get(event_pk(event_id), code_sk(code_id), consistent_read=True)
    except DoesNotExist as error:
        raise NotFoundError("No such code in this event.") from error
    if code.deleted:
        raise NotFoundError("No such code in this event.")
    return code


def find_code(event_id: str, text: str) -> CodeModel | None:
    """The event's code a buyer typed (any case), or None."""
    try:
        name = CodeNameModel.get(event_pk(event_id), name_sk(rules.normalize(text)), consistent_read=True)
        code = CodeModel.get(event_pk(event_id), code_sk(name.code_id), consistent_read=True)
    except DoesNotExist:
        return None
    return None if code.deleted else code


def _new(event_id: str, terms: Mapping[str, Any], actor_id: str, moment: datetime) -> CodeModel:
    code_id = uuid.uuid4().hex
    return CodeModel(
        event_pk(event_id),
        code_sk(code_id),
        code_id=code_id,
        event_id=event_id,
        code=terms["code"],
        ticket_ids=terms["ticket_ids"],
        unlocks_hidden=terms["unlocks_hidden"],
        discount=terms["discount"],
        max_uses=terms["max_uses"],
        uses=0,
        valid_from=terms["valid_from"],
        valid_until=terms["valid_until"],
        created_at=iso(moment),
        created_by=actor_id,
    )


def create_codes(
    event_id: str, many: Sequence[Mapping[str, Any]], actor_id: str, moment: datetime
) -> list[CodeModel]:
    """Create the codes, 50 per transaction; a name taken fails its transaction with
    ``NameTaken`` (the codes of earlier transactions stay made)."""
    made: list[CodeModel] = []
    for start in range(0, len(many), CHUNK):
        chunk = [_new(event_id, terms, actor_id, moment) for terms in many[start : start + CHUNK]]
        try:
            with transaction() as write:
                for code in chunk:
                    write.save(code, condition=CodeModel.pk.does_not_exist())
                    write.save(
                        CodeNameModel(event_pk(event_id), name_sk(code.code), code_id=code.code_id),
                        condition=CodeNameModel.pk.does_not_exist(),
                        tag=f"name:{code.code}",
                    )
        except Cancelled as cancelled:
            taken = [tag.split(":", 1)[1] for tag in cancelled.reasons if tag.startswith("name:")]
            raise NameTaken(taken, made) from cancelled
        made += chunk
    return made


class NameTaken(Exception):
    def __init__(self, names: list[str], made: list[CodeModel]) -> None:
        super().__init__(", ".join(names))
        self.names, self.made = names, made


def update_code(code: CodeModel, terms: Mapping[str, Any]) -> CodeModel:
    """Store the code's new terms (a new name moves its name item), conditioned on the terms read."""
    renamed = terms["code"] != code.code
    fields = ("code", "ticket_ids", "unlocks_hidden", "discount", "max_uses", "valid_from", "valid_until")
    actions = [getattr(CodeModel, name).set(terms[name]) for name in fields if terms[name] is not None]
    actions += [getattr(CodeModel, name).remove() for name in fields if terms[name] is None]
    actions.append(CodeModel.terms_ver.add(1))
    condition = (CodeModel.terms_ver == code.terms_ver) & (CodeModel.deleted == False)  # noqa: E712
    if terms["max_uses"] is not None:
        # Uses are taken without touching terms_ver: the new limit is checked by the write itself.
        condition &= CodeModel.uses <= terms["max_uses"]
    try:
        with transaction() as write:
            write.update(code, actions=actions, condition=condition, tag="code")
            if renamed:
                write.delete(CodeNameModel(code.pk, name_sk(code.code)))
                write.save(
                    CodeNameModel(code.pk, name_sk(terms["code"]), code_id=code.code_id),
                    condition=CodeNameModel.pk.does_not_exist(),
                    tag="name",
                )
    except Cancelled as cancelled:
        if cancelled.failed("name"):
            raise ValidationError({"code": EXISTS}) from cancelled
        now_used = int(get_code(code.event_id, code.code_id).uses)
        if terms["max_uses"] is not None and now_used > terms["max_uses"]:
            raise ValidationError({"max_uses": used_already(now_used)}) from cancelled
        raise ConflictError("This code was changed meanwhile; reload it.", code="busy") from cancelled
    return get_code(code.event_id, code.code_id)


def delete_code(code: CodeModel) -> None:
    try:
        with transaction() as write:
            write.update(
                code,
                actions=[CodeModel.deleted.set(True), CodeModel.terms_ver.add(1)],
                condition=CodeModel.deleted == False,  # noqa: E712
            )
            write.delete(CodeNameModel(code.pk, name_sk(code.code)))
    except Cancelled as cancelled:
        raise NotFoundError("No such code in this event.") from cancelled


def stage_use(write: Transaction, event_id: str, terms: rules.CodeTerms, terms_ver: int) -> None:
    """Take one use of the code in the order's transaction (tag ``code``)."""
    condition = (CodeModel.terms_ver == terms_ver) & (CodeModel.deleted == False)  # noqa: E712
    if terms.max_uses is not None:
        condition &= CodeModel.uses < terms.max_uses
    write.update(
        CodeModel(event_pk(event_id), code_sk(terms.code_id)),
        actions=[CodeModel.uses.add(1)],
        condition=condition,
        tag="code",
    )


def stage_give_back(write: Transaction, event_id: str, code_id: str) -> None:
    """Give back the order's use in its release transaction (the code item is never deleted)."""
    write.update(
        CodeModel(event_pk(event_id), code_sk(code_id)),
        actions=[CodeModel.uses.add(-1)],
        condition=CodeModel.uses > 0,
        tag=GIVE_BACK,
    )


def stage_take_again(write: Transaction, event_id: str, code_id: str) -> None:
    """A released order paid after all takes its use again (whatever the limit: it was honoured
    when the order was placed, and the buyer paid the discounted price)."""
    write.update(
        CodeModel(event_pk(event_id), code_sk(code_id)),
        actions=[CodeModel.uses.add(1)],
        condition=CodeModel.pk.exists(),
    )
