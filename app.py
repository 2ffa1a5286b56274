"""Marquee's Chalice app: wiring only (blueprints, middleware, websocket handlers)."""

from chalice import Chalice, Rate

from chalicelib.api import (
    activity,
    admin,
    attendees,
    auth,
    bounces,
    checkins,
    codes,
    events,
    invites,
    media,
    messages,
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
from chalicelib.config import APP_NAME, FAN_OUT_FUNCTION, settings
from chalicelib.http.responses import finish_api_response

app = Chalice(app_name=APP_NAME)
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
    messages.bp,
    bounces.bp,
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


# The functions below import their use cases when called: an API request's cold start skips them.


# Releases the tickets of pending orders whose hold expired (the local stack runs it too).
@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_orders(event):
    from chalicelib.services.orders import sweep_expired_orders

    return {"expired": sweep_expired_orders()}


# E-mails every valid attendee of an event starting in about 24 hours, once per attendee.
@app.schedule(Rate(15, unit=Rate.MINUTES))
def remind_attendees(event):
    from chalicelib.services.reminders import send_reminders

    return {"reminded": send_reminders()}


# Work after a change (pushes to an audience, mail): chalicelib.streams. One function per table.
@app.on_dynamodb_record(stream_arn=settings().stream_arn("events"), batch_size=100)
def events_stream(event):
    from chalicelib.streams import dispatch

    return dispatch(event)


@app.on_dynamodb_record(stream_arn=settings().stream_arn("orders"), batch_size=100)
def orders_stream(event):
    from chalicelib.streams import dispatch

    return dispatch(event)


# One page of an audience's message, invoked asynchronously by a stream function whose audience
# is larger than one function reaches in good time (chalicelib.realtime.fanout).
@app.lambda_function(name=FAN_OUT_FUNCTION)
def fan_out(event, context):
    from chalicelib.realtime.fanout import deliver_page

    return deliver_page(event)
