"""The message bus: one interface, two implementations (embedded SQLite log, Kafka)."""

from __future__ import annotations

from pipeline.bus.base import Bus, Consumer, Message, Producer
from pipeline.settings import Settings

__all__ = ["Bus", "Consumer", "Message", "Producer", "open_bus"]


def open_bus(settings: Settings) -> Bus:
    """The bus the settings name. Raises ServiceUnavailable when Kafka cannot be reached."""
    if settings.bus == "kafka":
        from pipeline.bus.kafka import KafkaBus

        return KafkaBus(
            settings.kafka_bootstrap,
            connect_timeout_s=settings.connect_timeout_s,
            partitions=settings.kafka_partitions,
            replication_factor=settings.kafka_replication_factor,
        )
    from pipeline.bus.embedded import EmbeddedBus

    return EmbeddedBus(settings.data_dir / "bus.sqlite3")
