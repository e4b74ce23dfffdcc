-- A number that grows with every write of what the public pages show (an import, an
-- approval, measured values). Each server compares it with the version its read model
-- was built from, and builds it again when it has moved.
CREATE TABLE data_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);
