-- Schema of the embedded search index (SQLite FTS5), applied by SearchBackend.init().
-- One row per article (document id = article_id; re-indexing replaces the row) plus an FTS5 table
-- whose rowid is the article row's. The FTS columns hold the SIMPLIFIED title and body with a space
-- around every Han character, so unicode61 yields one token per character (as Elasticsearch's
-- standard tokenizer does) and a phrase query "司 法 救 助" matches the substring 司法救助.
CREATE TABLE IF NOT EXISTS articles (
    id            INTEGER PRIMARY KEY,
    article_id    TEXT    NOT NULL UNIQUE,
    site          TEXT,
    source        TEXT,
    published_ts  REAL,             -- seconds since the epoch (UTC), for date filters and sort
    payload       TEXT    NOT NULL  -- the Article JSON as indexed
);
CREATE INDEX IF NOT EXISTS articles_site ON articles (site);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published_ts);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5 (
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
