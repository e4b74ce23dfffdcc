-- Reference data: sources, groups, units and their lineage, programmes, pillars,
-- indicators. The PostgreSQL schema mirrors this one; keep them in step.

CREATE TABLE sources (
    key        TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    title_en   TEXT,
    issued     TEXT,
    publisher  TEXT,
    file       TEXT
);

CREATE TABLE unit_groups (
    key      TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    name_en  TEXT
);

CREATE TABLE units (
    key         TEXT PRIMARY KEY,
    code        TEXT,
    name        TEXT NOT NULL,
    name_en     TEXT,
    kind        TEXT NOT NULL,
    parent      TEXT REFERENCES units (key) DEFERRABLE INITIALLY DEFERRED,
    aliases     TEXT NOT NULL,
    valid_from  DATE,
    valid_to    DATE,
    -- Folded spellings, for search without diacritics.
    search      TEXT NOT NULL
);
CREATE INDEX units_by_code ON units (code);

CREATE TABLE unit_group_members (
    grp   TEXT NOT NULL REFERENCES unit_groups (key),
    unit  TEXT NOT NULL REFERENCES units (key) ON DELETE CASCADE,
    PRIMARY KEY (grp, unit)
);
CREATE INDEX unit_group_members_by_unit ON unit_group_members (unit);

CREATE TABLE lineage_events (
    key        TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    effective  DATE NOT NULL,
    source     TEXT,
    note       TEXT
);

CREATE TABLE lineage_links (
    event    TEXT NOT NULL REFERENCES lineage_events (key) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('from', 'to')),
    ordinal  BIGINT NOT NULL,
    unit     TEXT NOT NULL REFERENCES units (key),
    PRIMARY KEY (event, role, ordinal)
);
CREATE INDEX lineage_links_by_unit ON lineage_links (unit);

CREATE TABLE programmes (
    key      TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    name_en  TEXT,
    kind     TEXT NOT NULL,
    period   TEXT,
    source   TEXT
);

CREATE TABLE pillars (
    key        TEXT PRIMARY KEY,
    programme  TEXT NOT NULL REFERENCES programmes (key),
    name       TEXT NOT NULL,
    name_en    TEXT,
    ordinal    BIGINT NOT NULL
);

CREATE TABLE indicators (
    code                      TEXT PRIMARY KEY,
    pillar                    TEXT NOT NULL REFERENCES pillars (key),
    name                      TEXT NOT NULL,
    name_en                   TEXT,
    kind                      TEXT NOT NULL,
    unit_of_measure           TEXT NOT NULL,
    direction                 TEXT NOT NULL,
    min                       TEXT,
    max                       TEXT,
    numerator_le_denominator  BOOLEAN NOT NULL,
    categories                TEXT NOT NULL,
    parts                     TEXT NOT NULL,
    description               TEXT,
    search                    TEXT NOT NULL
);

-- Lead and co-agencies: a unit, or every member of a group.
CREATE TABLE indicator_agencies (
    indicator  TEXT NOT NULL REFERENCES indicators (code) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('lead', 'co')),
    ordinal    BIGINT NOT NULL,
    unit       TEXT REFERENCES units (key),
    grp        TEXT REFERENCES unit_groups (key),
    PRIMARY KEY (indicator, role, ordinal),
    CHECK ((unit IS NULL) <> (grp IS NULL))
);
CREATE INDEX indicator_agencies_by_unit ON indicator_agencies (unit);
