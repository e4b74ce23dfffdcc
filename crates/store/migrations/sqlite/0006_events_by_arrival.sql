-- Events are kept in the order they arrive, with a narrow unique index on their key.
-- Keyed storage put each event beside the others of its dossier, so that an ingestion
-- commit rewrote nearly one page of the table per event once the table outgrew memory;
-- appended rows fill pages one after another, and only the narrow index is written out
-- of order.
CREATE TABLE events_by_arrival (
    unit       TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    procedure  TEXT NOT NULL,
    dossier    TEXT,
    at         BIGINT NOT NULL,
    detail     TEXT,
    flag       BIGINT,
    number     BIGINT,
    arrived    BIGINT NOT NULL
);

INSERT INTO events_by_arrival (unit, event_id, kind, procedure, dossier, at, detail, flag, number, arrived)
SELECT unit, event_id, kind, procedure, dossier, at, detail, flag, number, arrived FROM events ORDER BY arrived;

DROP TABLE events;
ALTER TABLE events_by_arrival RENAME TO events;
CREATE UNIQUE INDEX events_by_key ON events (unit, event_id);
