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
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    failed_logins  BIGINT NOT NULL DEFAULT 0,
    locked_until   TIMESTAMPTZ,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE TABLE user_units (
    user_id  BIGINT NOT NULL REFERENCES users (id),
    unit     TEXT NOT NULL REFERENCES units (key),
    PRIMARY KEY (user_id, unit)
);

-- Tokens are stored as the SHA-256 of their text: shown once, never kept.
CREATE TABLE api_tokens (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    last_used_at  TIMESTAMPTZ
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
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE submissions (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    regime              TEXT NOT NULL REFERENCES regimes (key),
    unit                TEXT NOT NULL REFERENCES units (key),
    period              TEXT NOT NULL,
    status              TEXT NOT NULL,
    comment             TEXT,
    updated_at          TIMESTAMPTZ NOT NULL,
    first_submitted_at  TIMESTAMPTZ,
    decided_at          TIMESTAMPTZ,
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
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       TIMESTAMPTZ NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    unit     TEXT,
    before   TEXT,
    after    TEXT
);
CREATE INDEX audit_log_by_subject ON audit_log (subject);
