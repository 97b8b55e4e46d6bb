"""The failure vocabulary shared by every stage (see CONVENTIONS: Drop, Poison, anything else)."""

from __future__ import annotations

from functools import lru_cache


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


class SchemaMissing(RuntimeError):
    """A store's tables, index or mapping do not exist: only a command creates them (never a worker
    on the side), and the message names it."""

    def __init__(self, what: str, where: str, command: str = "jiancha index init") -> None:
        super().__init__(f"{what} does not exist at {where}; create it with `{command}`")
        self.what = what
        self.command = command


LOCAL_SERVICES_HINT = "start the local services with `deploy/local/services start` (or `make services`)"


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says a backing service is down or overloaded, not that
    the message is bad: ``Transient``, a socket error or timeout, Elasticsearch's connection errors
    and timeouts, or a retriable Kafka error — or a store's schema gone while a worker runs
    (``SchemaMissing``: an operator runs ``jiancha index init`` and the stage resumes; a worker that
    finds it missing at start stops instead). The runner waits these out instead of dead-lettering."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        outage = (Transient, SchemaMissing, ConnectionError, TimeoutError, *_client_outage_types())
        if isinstance(current, outage):
            return True
        current = current.__cause__ or current.__context__
    return False


@lru_cache(maxsize=1)
def _client_outage_types() -> tuple[type[BaseException], ...]:
    """The clients' own outage errors, when the clients are installed (imported lazily: a stage that
    uses neither needs neither)."""
    found: list[type[BaseException]] = []
    try:
        import elastic_transport

        # ConnectionTimeout is not a subclass of elastic_transport.ConnectionError.
        found += [elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout]
    except ImportError:
        pass
    try:
        from kafka.errors import RetriableError

        found.append(RetriableError)
    except ImportError:
        pass
    return tuple(found)
