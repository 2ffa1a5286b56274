"""Marquee's Chalice app: wiring only (blueprints, middleware, websocket handlers)."""

from chalice import Chalice, Rate

from chalicelib.api import (
    activity,
    admin,
    attendees,
    auth,
    checkins,
    codes,
    events,
    invites,
    media,
    meta,
    notifications,
    orders,
    payments,
    permissions,
    program,
    questions,
    queue,
    roles,
    services,
    tickets,
)
from chalicelib.api import websocket as ws
from chalicelib.http.responses import finish_api_response
from chalicelib.services.orders import sweep_expired_orders

app = Chalice(app_name="marquee")
app.experimental_feature_flags.update(["WEBSOCKETS"])

for blueprint in (
    auth.bp,
    events.bp,
    meta.bp,
    activity.bp,
    tickets.bp,
    services.bp,
    roles.bp,
    invites.bp,
    permissions.bp,
    admin.bp,
    notifications.bp,
    orders.bp,
    payments.bp,
    attendees.bp,
    codes.bp,
    questions.bp,
    checkins.bp,
    program.bp,
    media.bp,
    queue.bp,
):
    app.register_blueprint(blueprint)


@app.middleware("http")
def every_api_response(event, get_response):
    return finish_api_response(get_response(event))


# Websocket handlers live on the app itself: Chalice blueprints do not wrap them.
@app.on_ws_connect()
def ws_connect(event):
    return ws.on_connect(event)


@app.on_ws_message()
def ws_message(event):
    return ws.on_message(event)


@app.on_ws_disconnect()
def ws_disconnect(event):
    return ws.on_disconnect(event)


# Releases the tickets of pending orders whose hold expired (the local stack runs it too).
@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_orders(event):
    return {"expired": sweep_expired_orders()}
