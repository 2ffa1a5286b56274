"""Representations: the JSON a client gets for a stored record, in the HTTP responses (api/)
and in the WebSocket pushes (the subscribers of services/). Pure functions of what was read:
no reads, no writes."""
