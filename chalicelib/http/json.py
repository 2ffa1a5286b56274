"""The response encoder for http/ (one implementation, shared with the WebSocket pushes)."""

from chalicelib.encoding import dumps

__all__ = ["dumps"]
