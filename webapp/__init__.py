"""The web app: search UI and API over the index (reads through ``indexer``, never writes)."""
