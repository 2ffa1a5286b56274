"""An e-mail as the platform writes it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
