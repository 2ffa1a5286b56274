"""An e-mail as the platform writes it: a subject, a plain-text body and an HTML body (every user
string in the HTML escaped by the function that builds it)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
