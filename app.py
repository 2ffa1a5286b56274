"""Marquee's Chalice app: wiring only (blueprints, middleware, websocket handlers)."""

from chalice import Chalice

from chalicelib.api import auth, events, meta
from chalicelib.http.errors import rewrite_chalice_error

app = Chalice(app_name="marquee")
app.experimental_feature_flags.update(["WEBSOCKETS"])

for blueprint in (auth.bp, events.bp, meta.bp):
    app.register_blueprint(blueprint)


@app.middleware("http")
def chalice_errors_in_our_shape(event, get_response):  # type: ignore[no-untyped-def]
    return rewrite_chalice_error(get_response(event))
