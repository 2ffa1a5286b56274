"""An e-mail as the platform writes it: a subject, a plain-text body and an HTML body (every user
string in the HTML escaped by the function that builds it)."""

from typing import NamedTuple


class Message(NamedTuple):
    subject: str
    text: str
    html: str
