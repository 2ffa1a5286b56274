"""The local stack behind `make run` (never deployed): `python -m devstack`.

One process holds an embedded moto server (DynamoDB, S3, SES; one lock per request), the
Chalice app behind a local API Gateway on http://127.0.0.1:PORT/api, the frontend, /config.json,
/media/<key>, /mailbox, DATA_DIR (a journal of every write, on disk before it is answered;
compacted into a snapshot periodically and on stop), and starts the WebSocket gateway.

Environment: PORT (8000), WS_PORT (8001), DATA_DIR (.data/), SUPERADMIN_EMAIL,
SUPERADMIN_PASSWORD, DEVSTACK_SAVE_INTERVAL (10 s), DEVSTACK_LOG_LEVEL (INFO),
DEVSTACK_MAX_CONNECTIONS (64), DEVSTACK_MAX_WAITING (1024), DEVSTACK_REQUEST_TIMEOUT (30 s),
DEVSTACK_KEEP_ALIVE (5 s): see web.ServerLimits.

Modules: main (start / stop), moto_server (the locked moto), persistence (DATA_DIR), journal
(every acknowledged write), launcher (the stack in a subprocess for tests and benchmarks:
`launched()`, `free_port()`),
web (the HTTP server), mailbox (sent emails), schedule (periodic jobs: ``Scheduler.every``),
processes (the log format and the child processes' life).

Two parts run in processes of their own, as they are services of their own deployed: the
WebSocket gateway (ws_gateway.GatewayProcess) and the stream functions (streams.StreamProcess).
"""
