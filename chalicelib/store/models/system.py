"""Small platform-wide items: the permission matrix, the migration revision, rate counters."""

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.models.base import BaseMeta, BaseModel, table_name

SYSTEM_TABLE = table_name("system")


class SystemItemModel(BaseModel):
    ttl_attribute = "expires_at"

    class Meta(BaseMeta):
        table_name = SYSTEM_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    version = NumberAttribute(default=0)
    data = JSONAttribute(null=True)
    expires_at = NumberAttribute(null=True)


class EmailVerificationModel(BaseModel):
    """One e-mail verification link: ``pk = "VERIFY#<sha256 of its token>"`` (the token itself is
    never stored), the account and the address it confirms, until ``expires_at`` (epoch seconds;
    DynamoDB's TTL removes it later). ``used_at`` is set once, by a conditional write."""

    owns_table = False

    class Meta(BaseMeta):
        table_name = SYSTEM_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    expires_at = NumberAttribute()
    used_at = UnicodeAttribute(null=True)


class PasswordResetModel(BaseModel):
    """One password reset link: ``pk = "RESET#<sha256 of its token>"``, minted by the stream for
    a request of an address that has an account (``PasswordResetRequestModel``): the address, the
    account and its ``token_version`` then. It works until ``expires_at`` (epoch seconds, an hour
    after the request; DynamoDB's TTL removes it later), once: ``used_at`` is set by the
    conditional write that changes the password."""

    owns_table = False

    class Meta(BaseMeta):
        table_name = SYSTEM_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute()
    user_id = UnicodeAttribute()
    token_version = NumberAttribute()
    expires_at = NumberAttribute()
    used_at = UnicodeAttribute(null=True)


class PaymentEventModel(BaseModel):
    """A payment provider's event applied once: ``pk = "PAYMENT_EVENT#<provider>#<event id>"``. It
    is written in the same transaction as the change the event makes (or alone when it makes none),
    on condition that it does not exist yet, so a redelivered event changes nothing."""

    owns_table = False

    class Meta(BaseMeta):
        table_name = SYSTEM_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    event_type = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute()
    received_at = UnicodeAttribute()
