"""What every stage shares: the article event model, topic names, the bus, settings and the CLI."""
