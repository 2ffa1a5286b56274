"""Users, and the claim items that keep e-mail addresses unique (one conditional put)."""

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.models.base import BaseMeta, BaseModel, table_name

USERS_TABLE = table_name("users")


class UsersByEntityIndex(GlobalSecondaryIndex):
    """Every user by signup time (the staff user list), without scanning the table."""

    class Meta:
        index_name = "by_entity"
        projection = KeysOnlyProjection()

    entity = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class UserModel(BaseModel):
    class Meta(BaseMeta):
        table_name = USERS_TABLE

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    is_admin = BooleanAttribute(default=False)
    is_super_admin = BooleanAttribute(default=False)
    entity = UnicodeAttribute(default="user")
    created_at = UnicodeAttribute()
    # Bumped by a password change or sign-out-everywhere: older tokens stop working.
    token_version = NumberAttribute(default=0)
    unread_notifications = NumberAttribute(default=0)
    # Set by following a verification link (or signing up through an invite's link): proof that
    # the account's owner reads this address, which invites' tokens are only shown after.
    email_verified = BooleanAttribute(default=False)

    by_entity = UsersByEntityIndex()


class EmailClaimModel(BaseModel):
    """``user_id = "EMAIL#<normalized email>"``: put with attribute_not_exists, so two
    concurrent signups with one address cannot both succeed."""

    owns_table = False

    class Meta(BaseMeta):
        table_name = USERS_TABLE

    user_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
