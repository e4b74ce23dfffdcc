-- Collection: reporting regimes, accounts and machine tokens, sessions, submissions
-- with their figures, and the audit log of every change.

CREATE TABLE regimes (
    key           TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    name_en       TEXT,
    period_kind   TEXT NOT NULL,
    due_days      BIGINT NOT NULL,
    indicators    TEXT NOT NULL,
    units         TEXT NOT NULL,
    source        TEXT
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    failed_logins  BIGINT NOT NULL DEFAULT 0,
    locked_until   TEXT,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TEXT NOT NULL
);
CREATE TABLE user_units (
    user_id  BIGINT NOT NULL REFERENCES users (id),
    unit     TEXT NOT NULL REFERENCES units (key),
    PRIMARY KEY (user_id, unit)
);

-- Tokens are stored as the SHA-256 of their text: shown once, never kept.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT
);
CREATE TABLE token_units (
    token_id  BIGINT NOT NULL REFERENCES api_tokens (id),
    unit      TEXT NOT NULL REFERENCES units (key),
    PRIMARY KEY (token_id, unit)
);

CREATE TABLE sessions (
    hash        TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

CREATE TABLE submissions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    regime              TEXT NOT NULL REFERENCES regimes (key),
    unit                TEXT NOT NULL REFERENCES units (key),
    period              TEXT NOT NULL,
    status              TEXT NOT NULL,
    comment             TEXT,
    updated_at          TEXT NOT NULL,
    first_submitted_at  TEXT,
    decided_at          TEXT,
    decided_by          TEXT,
    UNIQUE (regime, unit, period)
);
CREATE TABLE submission_values (
    submission_id  BIGINT NOT NULL REFERENCES submissions (id),
    indicator      TEXT NOT NULL REFERENCES indicators (code),
    value          TEXT NOT NULL,
    numerator      TEXT,
    denominator    TEXT,
    note           TEXT,
    PRIMARY KEY (submission_id, indicator)
);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    unit     TEXT,
    before   TEXT,
    after    TEXT
);
CREATE INDEX audit_log_by_subject ON audit_log (subject);
