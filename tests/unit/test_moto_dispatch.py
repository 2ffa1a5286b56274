"""The local stack's moto dispatcher (devstack/moto_server.py) sends each request to the backend
moto's own would, without listing moto's package folder on every request."""

from moto import backends
from moto.server import DomainDispatcherApplication, create_backend_app

from devstack.moto_server import _Dispatcher

HOSTS = [
    "dynamodb",
    "s3",
    "email",
    "dynamodb.eu-central-1.amazonaws.com",
    "streams.dynamodb.eu-central-1.amazonaws.com",
    "email.eu-central-1.amazonaws.com",
    "media.s3.eu-central-1.amazonaws.com",
    "127.0.0.1:4566",
    "moto_api",
    None,
]


def test_each_host_gets_moto_s_backend_and_moto_s_folder_is_listed_once_per_host(monkeypatch):
    expected = [DomainDispatcherApplication(create_backend_app).get_backend_for_host(h) for h in HOSTS]
    assert {"dynamodb", "s3", "ses", "dynamodbstreams"} <= set(expected)
    listings = []
    listing = backends.list_of_moto_modules
    monkeypatch.setattr(backends, "list_of_moto_modules", lambda: listings.append(1) or listing())
    dispatcher = _Dispatcher(create_backend_app)

    for _ in range(5):
        assert [dispatcher.get_backend_for_host(host) for host in HOSTS] == expected
    assert len(listings) <= len(HOSTS)


def test_past_its_bound_it_looks_up_as_moto_does(monkeypatch):
    monkeypatch.setattr(_Dispatcher, "_REMEMBERED_HOSTS", 2)
    dispatcher = _Dispatcher(create_backend_app)
    answers = [dispatcher.get_backend_for_host(host) for host in ["dynamodb", "s3", "ses", "ses"]]
    assert answers == ["dynamodb", "s3", "ses", "ses"]
