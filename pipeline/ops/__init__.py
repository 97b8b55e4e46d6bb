"""Operations: health and metrics endpoints, heartbeats, crawl records, status, dead letters, reprocess."""
