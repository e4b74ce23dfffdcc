-- Index methodologies, each version kept. The definition is the methodology as JSON;
-- the columns beside it are what lists and lookups need.
CREATE TABLE methodologies (
    id            TEXT NOT NULL,
    version       TEXT NOT NULL,
    name          TEXT NOT NULL,
    applies_from  TEXT NOT NULL,
    applies_to    TEXT,
    definition    TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
