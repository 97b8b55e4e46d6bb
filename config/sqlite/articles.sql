-- Schema of the embedded search index (SQLite FTS5), applied by `jiancha index init`.
-- One row per article (document id = article_id; re-indexing replaces the row unless the stored
-- doc_version is newer), one row per facet value (source, site, tone, region, procuratorate,
-- topic) and an FTS5 table whose rowid is the article row's. The FTS columns hold the SIMPLIFIED
-- title and body with a space around every Han character, so unicode61 yields one token per
-- character (as Elasticsearch's standard tokenizer does) and a phrase query "司 法 救 助" matches
-- the substring 司法救助. `jiancha index init` rebuilds an index of another schema_version.
-- A search aggregates over tens of thousands of matching rows, so what it groups by is a small
-- integer on the article row: story_no (the story), facet_set (the article's combination of
-- facet values, spelled out once in facet_sets) and published_day (the day in China Standard Time).
CREATE TABLE IF NOT EXISTS articles (
    id            INTEGER PRIMARY KEY,
    article_id    TEXT    NOT NULL UNIQUE,
    site          TEXT,
    source        TEXT,
    tone          TEXT,
    relevance     REAL,
    relevant      INTEGER,          -- 0/1/NULL
    story_key     TEXT    NOT NULL, -- story_id, or article_id when the article has none
    outlet        TEXT,             -- site, else source
    published_ts  REAL,             -- seconds since the epoch (UTC), for date filters and sort
    doc_version   INTEGER NOT NULL, -- indexer/document.py:doc_version; older never overwrites newer
    story_no      INTEGER NOT NULL, -- stories.id of story_key
    facet_set     INTEGER NOT NULL, -- facet_sets.id: all facet values of the article at once
    published_day INTEGER,          -- days since 1970-01-01 in China Standard Time (UTC+8)
    indexed_ts    REAL              -- when the indexer wrote it (seconds since the epoch): alerts ask
                                    -- for what was indexed since their last look
);
CREATE TABLE IF NOT EXISTS stories (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
-- Few distinct combinations (a county's regions and procuratorate, a topic, a site, a tone), so
-- counting facets is one GROUP BY facet_set over the matches, spelled out in Python.
CREATE TABLE IF NOT EXISTS facet_sets (
    id      INTEGER PRIMARY KEY,
    facets  TEXT NOT NULL UNIQUE  -- JSON: [[field, value, label], …], sorted
);
-- The document JSON as indexed, apart: a search touches tens of thousands of narrow article rows
-- and reads payloads only for the page it shows.
CREATE TABLE IF NOT EXISTS article_payloads (
    id       INTEGER PRIMARY KEY,  -- articles.id
    payload  TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_site ON articles (site);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published_ts);
CREATE INDEX IF NOT EXISTS articles_story ON articles (story_key);
CREATE INDEX IF NOT EXISTS articles_indexed ON articles (indexed_ts);
CREATE TABLE IF NOT EXISTS article_facets (
    doc    INTEGER NOT NULL,       -- articles.id
    field  TEXT    NOT NULL,       -- a name of indexer/base.py:FACETS
    value  TEXT    NOT NULL,
    label  TEXT,                   -- a topic's label
    PRIMARY KEY (doc, field, value)  -- facet counts walk the matching docs
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_facets_value ON article_facets (field, value);  -- filters
-- A topic filter names an id or a label: the labels (topics only carry one) have an index too.
CREATE INDEX IF NOT EXISTS article_facets_label ON article_facets (field, label) WHERE label IS NOT NULL;
-- title2/body2 hold every pair of adjacent Han characters as one token (indexer/text.py:bigram_text,
-- like Elasticsearch's index_phrases): a word of two or more characters is a phrase of its pairs
-- there, so a broad word (检察, in most articles) is one posting list, not two to intersect by
-- position. Single characters and non-Han words are matched in title/body.
-- title_w/body_w hold the entity stage's jieba words (Article.title_words/body_words, one token
-- per word; empty for events from before that field). They only rank, never match: a search
-- scores its matches with an expression that adds the query's words there (indexer/sqlite_query.py:
-- score_expression), so an article with 检察官 as a word ranks above one with 检察|官方.
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5 (
    title,
    body,
    title2,
    body2,
    title_w,
    body_w,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO index_meta (key, value) VALUES ('schema_version', '7');
-- Changes whenever the tables are (re)built: readers drop what they cached about facet_sets.
INSERT OR IGNORE INTO index_meta (key, value) VALUES ('generation', lower(hex(randomblob(8))));
