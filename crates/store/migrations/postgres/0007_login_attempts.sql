-- Failed sign-ins are counted per account name and client address, not per account:
-- a stranger who knows a name can then slow down only his own guesses, never lock out
-- the account's owner. Names no account has are counted too, so that a refusal costs
-- the same whatever its cause. Times are milliseconds since 1970; 0 is "not locked".
CREATE TABLE login_attempts (
    username      TEXT NOT NULL,
    client        TEXT NOT NULL,
    failures      BIGINT NOT NULL,
    locks         BIGINT NOT NULL,
    last_failure  BIGINT NOT NULL,
    locked_until  BIGINT NOT NULL,
    PRIMARY KEY (username, client)
);

-- The lock per account that this replaces.
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
