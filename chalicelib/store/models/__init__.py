"""Every PynamoDB model. ``ALL_MODELS`` is what provisioning and the template are built from."""

from chalicelib.store.models.audit import AuditModel
from chalicelib.store.models.base import BaseModel
from chalicelib.store.models.connections import ConnectionModel
from chalicelib.store.models.events import EventModel, MembershipModel
from chalicelib.store.models.invites import InviteModel
from chalicelib.store.models.notifications import NotificationModel
from chalicelib.store.models.orders import HoldModel, IdempotencyModel, OrderModel
from chalicelib.store.models.password_resets import PasswordResetRequestModel
from chalicelib.store.models.services import ServiceItemModel
from chalicelib.store.models.system import EmailVerificationModel, PasswordResetModel, SystemItemModel
from chalicelib.store.models.tickets import TicketModel
from chalicelib.store.models.users import EmailClaimModel, UserModel

ALL_MODELS: list[type[BaseModel]] = [
    UserModel,
    EmailClaimModel,
    EventModel,
    MembershipModel,
    SystemItemModel,
    EmailVerificationModel,
    PasswordResetModel,
    PasswordResetRequestModel,
    TicketModel,
    AuditModel,
    ServiceItemModel,
    InviteModel,
    NotificationModel,
    ConnectionModel,
    OrderModel,
    IdempotencyModel,
    HoldModel,
]
