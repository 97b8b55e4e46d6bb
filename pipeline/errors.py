"""The failure vocabulary shared by every stage (see CONVENTIONS: Drop, Poison, anything else)."""

from __future__ import annotations


class Drop(Exception):
    """Expected and final: counted, logged, not forwarded (e.g. a page that is not an article)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Poison(Exception):
    """Can never succeed (undecodable, invalid): goes straight to the dead-letter topic."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Transient(Exception):
    """Worth retrying later (a service is down or overloaded); the runner backs off and retries."""


class ServiceUnavailable(Transient):
    """A backing service (Kafka, Elasticsearch) cannot be reached; the message says what to do."""

    def __init__(self, service: str, address: str, hint: str = "") -> None:
        self.service = service
        self.address = address
        message = f"{service} is not reachable at {address}"
        if hint:
            message += f" — {hint}"
        super().__init__(message)


LOCAL_SERVICES_HINT = "start the local services with `deploy/local/services start` (or `make services`)"
