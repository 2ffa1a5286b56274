"""The local stack behind `make run` (never deployed): `python -m devstack`.

One process holds an embedded moto server (DynamoDB, S3, SES; one lock per request), the
Chalice app behind a local API Gateway on http://127.0.0.1:PORT/api, the frontend, /config.json,
/media/<key>, /mailbox, DATA_DIR (a journal of every write, on disk before it is answered;
compacted into a snapshot periodically and on stop), and the WebSocket gateway.

Environment: PORT (8000), WS_PORT (8001), DATA_DIR (.data/), SUPERADMIN_EMAIL,
SUPERADMIN_PASSWORD, DEVSTACK_SAVE_INTERVAL (10 s), DEVSTACK_LOG_LEVEL (INFO),
DEVSTACK_MAX_CONNECTIONS (64), DEVSTACK_MAX_WAITING (1024), DEVSTACK_REQUEST_TIMEOUT (30 s),
DEVSTACK_KEEP_ALIVE (5 s): see web.ServerLimits.

Modules: main (start / stop), moto_server (the locked moto), persistence (DATA_DIR), journal
(every acknowledged write), launcher (the stack in a subprocess for tests and benchmarks:
`launched()`, `free_port()`),
web (the HTTP server), mailbox (sent emails), schedule (periodic jobs: ``Scheduler.every``).

The WebSocket gateway (devstack/ws_gateway.py, its own issue) plugs in through one function,
called on start when the module exists, after provisioning and before the HTTP server serves::

    def start(app: chalice.Chalice, ws_port: int, environ: MutableMapping[str, str]) -> Gateway:
        '''Serve the WebSocket API on ws://127.0.0.1:<ws_port> and return once listening.

        app      the Chalice app; its websocket handlers are called with API Gateway-shaped events.
        ws_port  from WS_PORT; the management endpoint (POST/GET/DELETE /@connections/{id}) is on a
                 free port the gateway picks itself.
        environ  os.environ of the stack. Set MARQUEE_WEBSOCKET_ENDPOINT (and anything else the
                 app must read) here: the stack clears chalicelib's cached settings and boto3
                 clients right after start() returns.
        Returns an object whose stop() closes every connection and returns (called on Ctrl-C /
        SIGTERM before the final save).
        '''
"""
