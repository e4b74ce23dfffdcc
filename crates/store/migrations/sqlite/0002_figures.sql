-- Values with every revision, targets, tasks, and the statements reports make about
-- their figures (breakdowns and stated changes).

CREATE TABLE indicator_values (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator     TEXT NOT NULL REFERENCES indicators (code),
    unit          TEXT NOT NULL REFERENCES units (key),
    period        TEXT NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    revision      BIGINT NOT NULL CHECK (revision >= 1),
    value         TEXT NOT NULL,
    numerator     TEXT,
    denominator   TEXT,
    provenance    TEXT NOT NULL,
    source        TEXT,
    note          TEXT,
    recorded_at   TEXT NOT NULL,
    UNIQUE (indicator, unit, period, revision)
);
CREATE INDEX indicator_values_by_unit ON indicator_values (unit, indicator);
CREATE INDEX indicator_values_by_period ON indicator_values (period_start, indicator);

CREATE TABLE targets (
    indicator     TEXT NOT NULL REFERENCES indicators (code),
    programme     TEXT NOT NULL REFERENCES programmes (key),
    period        TEXT NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    scope         TEXT NOT NULL,
    scope_unit    TEXT REFERENCES units (key),
    scope_group   TEXT REFERENCES unit_groups (key),
    comparator    TEXT NOT NULL,
    value         TEXT NOT NULL,
    label         TEXT,
    source        TEXT,
    note          TEXT,
    PRIMARY KEY (indicator, programme, period, scope),
    CHECK ((scope_unit IS NULL) <> (scope_group IS NULL))
);

CREATE TABLE task_lists (
    key      TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    name_en  TEXT,
    source   TEXT
);

CREATE TABLE tasks (
    key              TEXT PRIMARY KEY,
    list             TEXT NOT NULL REFERENCES task_lists (key),
    title            TEXT NOT NULL,
    required_result  TEXT,
    deadline         TEXT,
    deadline_end     DATE,
    deadline_label   TEXT,
    status           TEXT NOT NULL,
    result           TEXT,
    completed_on     DATE,
    source           TEXT
);

CREATE TABLE task_agencies (
    task     TEXT NOT NULL REFERENCES tasks (key) ON DELETE CASCADE,
    ordinal  BIGINT NOT NULL,
    unit     TEXT REFERENCES units (key),
    grp      TEXT REFERENCES unit_groups (key),
    PRIMARY KEY (task, ordinal),
    CHECK ((unit IS NULL) <> (grp IS NULL))
);
CREATE INDEX task_agencies_by_unit ON task_agencies (unit);

CREATE TABLE breakdowns (
    key              TEXT PRIMARY KEY,
    title            TEXT NOT NULL,
    title_en         TEXT,
    period           TEXT,
    unit_of_measure  TEXT,
    total            TEXT,
    population       TEXT REFERENCES unit_groups (key),
    indicator        TEXT REFERENCES indicators (code),
    source           TEXT,
    note             TEXT
);

CREATE TABLE breakdown_parts (
    breakdown  TEXT NOT NULL REFERENCES breakdowns (key) ON DELETE CASCADE,
    ordinal    BIGINT NOT NULL,
    label      TEXT NOT NULL,
    value      TEXT,
    share      TEXT,
    PRIMARY KEY (breakdown, ordinal)
);

CREATE TABLE breakdown_members (
    breakdown  TEXT NOT NULL,
    part       BIGINT NOT NULL,
    ordinal    BIGINT NOT NULL,
    unit       TEXT NOT NULL REFERENCES units (key),
    PRIMARY KEY (breakdown, part, ordinal),
    FOREIGN KEY (breakdown, part) REFERENCES breakdown_parts (breakdown, ordinal) ON DELETE CASCADE
);

CREATE TABLE stated_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator    TEXT NOT NULL REFERENCES indicators (code),
    unit         TEXT NOT NULL REFERENCES units (key),
    from_period  TEXT NOT NULL,
    to_period    TEXT NOT NULL,
    absolute     TEXT,
    percent      TEXT,
    multiple     TEXT,
    qualifier    TEXT NOT NULL,
    source       TEXT,
    note         TEXT
);
CREATE INDEX stated_changes_by_key ON stated_changes (indicator, unit, from_period, to_period);
