-- Automatic measurement: the procedures units report dossiers of, the raw events their
-- systems send (kept, so that roll-ups can be rebuilt), the roll-ups by day and month,
-- page load times as histogram buckets, and when each unit's system last sent.
-- Every roll-up column is a sum, so concurrent servers add to them exactly.

CREATE TABLE procedures (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    name_en  TEXT,
    fee      BIGINT NOT NULL DEFAULT 0,
    source   TEXT
);

-- `at` and `arrived` are milliseconds since 1970 (UTC).
CREATE TABLE events (
    unit       TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    procedure  TEXT NOT NULL,
    dossier    TEXT,
    at         BIGINT NOT NULL,
    detail     TEXT,
    flag       BIGINT,
    number     BIGINT,
    arrived    BIGINT NOT NULL,
    PRIMARY KEY (unit, event_id)
) WITHOUT ROWID;

-- Per unit, procedure and Vietnamese calendar day.
CREATE TABLE measure_days (
    unit       TEXT NOT NULL,
    procedure  TEXT NOT NULL,
    day        DATE NOT NULL,
    received               BIGINT NOT NULL DEFAULT 0,
    received_online        BIGINT NOT NULL DEFAULT 0,
    received_in_person     BIGINT NOT NULL DEFAULT 0,
    received_postal        BIGINT NOT NULL DEFAULT 0,
    fully_online           BIGINT NOT NULL DEFAULT 0,
    received_with_fee      BIGINT NOT NULL DEFAULT 0,
    processed              BIGINT NOT NULL DEFAULT 0,
    on_time                BIGINT NOT NULL DEFAULT 0,
    late                   BIGINT NOT NULL DEFAULT 0,
    e_result               BIGINT NOT NULL DEFAULT 0,
    digitised              BIGINT NOT NULL DEFAULT 0,
    paid_online            BIGINT NOT NULL DEFAULT 0,
    paid_amount            BIGINT NOT NULL DEFAULT 0,
    synced                 BIGINT NOT NULL DEFAULT 0,
    feedback_received      BIGINT NOT NULL DEFAULT 0,
    feedback_on_time       BIGINT NOT NULL DEFAULT 0,
    feedback_late          BIGINT NOT NULL DEFAULT 0,
    feedback_satisfied     BIGINT NOT NULL DEFAULT 0,
    feedback_unsatisfied   BIGINT NOT NULL DEFAULT 0,
    page_views             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, procedure, day)
) WITHOUT ROWID;

-- Per unit, procedure and month (its first day); procedure '*' is the unit's total.
CREATE TABLE measure_months (
    unit       TEXT NOT NULL,
    procedure  TEXT NOT NULL,
    month      DATE NOT NULL,
    received               BIGINT NOT NULL DEFAULT 0,
    received_online        BIGINT NOT NULL DEFAULT 0,
    received_in_person     BIGINT NOT NULL DEFAULT 0,
    received_postal        BIGINT NOT NULL DEFAULT 0,
    fully_online           BIGINT NOT NULL DEFAULT 0,
    received_with_fee      BIGINT NOT NULL DEFAULT 0,
    processed              BIGINT NOT NULL DEFAULT 0,
    on_time                BIGINT NOT NULL DEFAULT 0,
    late                   BIGINT NOT NULL DEFAULT 0,
    e_result               BIGINT NOT NULL DEFAULT 0,
    digitised              BIGINT NOT NULL DEFAULT 0,
    paid_online            BIGINT NOT NULL DEFAULT 0,
    paid_amount            BIGINT NOT NULL DEFAULT 0,
    synced                 BIGINT NOT NULL DEFAULT 0,
    feedback_received      BIGINT NOT NULL DEFAULT 0,
    feedback_on_time       BIGINT NOT NULL DEFAULT 0,
    feedback_late          BIGINT NOT NULL DEFAULT 0,
    feedback_satisfied     BIGINT NOT NULL DEFAULT 0,
    feedback_unsatisfied   BIGINT NOT NULL DEFAULT 0,
    page_views             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, procedure, month)
) WITHOUT ROWID;

-- Page load times: how many page views fell in each histogram bucket (milliseconds).
CREATE TABLE measure_load (
    unit    TEXT NOT NULL,
    day     DATE NOT NULL,
    bucket  BIGINT NOT NULL,
    views   BIGINT NOT NULL,
    PRIMARY KEY (unit, day, bucket)
) WITHOUT ROWID;

CREATE TABLE measure_feeds (
    unit           TEXT PRIMARY KEY,
    first_arrived  BIGINT NOT NULL,
    last_arrived   BIGINT NOT NULL,
    last_event_at  BIGINT NOT NULL,
    events         BIGINT NOT NULL
);
