"""Sign-in limits under real parallelism: the local stack serves each request on its own thread
against its moto server, as API Gateway runs parallel Lambdas against DynamoDB."""

import threading

import pytest
import requests

pytestmark = pytest.mark.integration

GUESSERS = 24


def test_parallel_wrong_passwords_cannot_pass_the_limit(shared_local_stack):
    stack = shared_local_stack
    email = stack.unique_email("target")
    stack.signup(email, password="right password")
    start = threading.Barrier(GUESSERS)
    responses: list[requests.Response] = []

    def guess(index: int) -> None:
        start.wait()
        responses.append(
            requests.post(
                f"{stack.api_url}/auth/login",
                json={"email": email, "password": f"wrong guess {index}"},
                timeout=120,
            )
        )

    threads = [threading.Thread(target=guess, args=(index,)) for index in range(GUESSERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(response.status_code for response in responses)
    assert len(statuses) == GUESSERS and set(statuses) <= {401, 429}, statuses
    # The address's first try, then the account's 5 failures without a delay (before the first
    # one's failure is counted, at most 5 more reserve a place); the rest wait.
    assert 2 <= statuses.count(401) <= 6, statuses
    for response in responses:
        if response.status_code == 429:
            body = response.json()["error"]
            assert body["code"] == "too_many_requests"
            assert int(response.headers["Retry-After"]) == body["details"]["retry_after"] >= 1
