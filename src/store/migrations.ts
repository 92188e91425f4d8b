// Versioned schema. Each entry runs once, in order, inside one transaction at open; the
// applied count is kept in PRAGMA user_version. Never edit an applied migration: append.

export const MIGRATIONS: readonly string[] = [
  // 1: the whole sandbox
  `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE accounts (
    id                TEXT PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE,
    password_hash     TEXT NOT NULL,
    organization_id   TEXT REFERENCES organizations(id),
    verified_at       INTEGER,
    code              TEXT,
    code_expires_at   INTEGER,
    created_at        INTEGER NOT NULL
  );

  CREATE TABLE applications (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations(id),
    name             TEXT NOT NULL,
    client_id        TEXT NOT NULL UNIQUE,
    provisioned_at   INTEGER NOT NULL,
    -- increases on every verify/provision, so "the most recent application" is exact
    provision_seq    INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
  );

  CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    key_hash        BLOB NOT NULL UNIQUE,
    prefix          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    revoked_at      INTEGER
  );

  CREATE TABLE tokens (
    token_hash  BLOB PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
  );

  CREATE TABLE workflows (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    link_code       TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL,
    is_default      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  );
  CREATE INDEX workflows_app ON workflows(application_id, created_at);

  -- every version of every workflow, so a session keeps the rules it was created with
  CREATE TABLE workflow_versions (
    workflow_id  TEXT NOT NULL REFERENCES workflows(id),
    version      INTEGER NOT NULL,
    definition   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, version)
  );

  CREATE TABLE media (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    session_id      TEXT,
    role            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    bytes           BLOB NOT NULL,
    created_at      INTEGER NOT NULL
  );
  CREATE INDEX media_session ON media(session_id);

  CREATE TABLE sessions (
    id                 TEXT PRIMARY KEY,
    application_id     TEXT NOT NULL REFERENCES applications(id),
    kind               TEXT NOT NULL CHECK (kind IN ('session', 'face_match')),
    session_number     INTEGER NOT NULL,
    session_token      TEXT UNIQUE,
    workflow_id        TEXT REFERENCES workflows(id),
    workflow_version   INTEGER,
    status             TEXT NOT NULL,
    vendor_data        TEXT,
    metadata           TEXT,
    callback           TEXT,
    callback_method    TEXT,
    language           TEXT,
    contact_details    TEXT,
    expected_details   TEXT,
    portrait_media_id  TEXT REFERENCES media(id),
    face_matches       TEXT,
    attempts           INTEGER NOT NULL DEFAULT 0,
    expires_at         INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (application_id, session_number)
  );
  CREATE INDEX sessions_vendor ON sessions(application_id, workflow_id, vendor_data);
  CREATE INDEX sessions_open ON sessions(status, expires_at);

  CREATE TABLE webhook_destinations (
    id                 TEXT PRIMARY KEY,
    application_id     TEXT NOT NULL REFERENCES applications(id),
    label              TEXT NOT NULL,
    url                TEXT NOT NULL,
    subscribed_events  TEXT NOT NULL,
    enabled            INTEGER NOT NULL,
    webhook_version    TEXT NOT NULL,
    secret             TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    UNIQUE (application_id, url)
  );

  -- one row per (event, destination); written in the same transaction as the status change
  CREATE TABLE webhook_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         TEXT NOT NULL,
    webhook_type     TEXT NOT NULL,
    application_id   TEXT NOT NULL,
    session_id       TEXT,
    destination_id   TEXT NOT NULL REFERENCES webhook_destinations(id),
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_until      INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    UNIQUE (event_id, destination_id)
  );
  CREATE INDEX outbox_due ON webhook_outbox(state, next_attempt_at);
  CREATE INDEX outbox_session ON webhook_outbox(session_id);

  CREATE TABLE webhook_attempts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id       INTEGER NOT NULL REFERENCES webhook_outbox(id),
    attempt         INTEGER NOT NULL,
    status_code     INTEGER,
    error           TEXT,
    duration_ms     INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    created_at      INTEGER NOT NULL
  );
  CREATE INDEX attempts_outbox ON webhook_attempts(outbox_id);
  `,
  // 2: "is this workflow used?" and per-workflow listings without a table scan
  `CREATE INDEX sessions_workflow ON sessions(workflow_id);`,
  // 3: delivery records keep what was sent and what the receiver answered (bounded), so an
  // attempt can be replayed into the signature doctor and listed per event
  `
  ALTER TABLE webhook_attempts ADD COLUMN request_headers TEXT;
  ALTER TABLE webhook_attempts ADD COLUMN request_body TEXT;
  ALTER TABLE webhook_attempts ADD COLUMN response_body TEXT;
  ALTER TABLE webhook_attempts ADD COLUMN response_truncated INTEGER NOT NULL DEFAULT 0;
  `,
  // 4: deleted workflows are tombstoned (sessions keep their versions); session reviews.
  `
  ALTER TABLE workflows ADD COLUMN deleted_at INTEGER;
  ALTER TABLE sessions ADD COLUMN liveness_checks TEXT;
  ALTER TABLE api_keys ADD COLUMN key_sealed TEXT;
  CREATE TABLE session_reviews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT NOT NULL,
    action      TEXT NOT NULL,
    old_status  TEXT,
    new_status  TEXT,
    note        TEXT,
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX session_reviews_session ON session_reviews(session_id);
  `,
  // 5: the delivery worker and destination summaries read by destination and by lease without a scan
  `
  CREATE INDEX outbox_destination ON webhook_outbox(destination_id, state);
  CREATE INDEX outbox_lease ON webhook_outbox(state, lease_until);
  `,
  // 6: a destination's due rows are a range of one index (a long backlog waiting for its retry
  // time is not walked on every pass); it also covers what outbox_destination served
  `
  CREATE INDEX outbox_destination_due ON webhook_outbox(destination_id, state, next_attempt_at);
  DROP INDEX outbox_destination;
  `,
  // 7: each destination's delivery summary kept up to date by triggers (every write path, in its
  // own transaction), so listing destinations costs the same with 10 or 100,000 deliveries.
  // last_attempt_* is the last attempt made, kept when its record is later deleted.
  `
  CREATE TABLE webhook_destination_stats (
    destination_id   TEXT PRIMARY KEY,
    pending          INTEGER NOT NULL DEFAULT 0,
    delivered        INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_attempt_at  INTEGER,
    last_status_code INTEGER
  ) WITHOUT ROWID;
  INSERT INTO webhook_destination_stats (destination_id) SELECT id FROM webhook_destinations;
  UPDATE webhook_destination_stats SET
    pending = (SELECT COUNT(*) FROM webhook_outbox o WHERE o.destination_id = webhook_destination_stats.destination_id AND o.state = 'pending'),
    delivered = (SELECT COUNT(*) FROM webhook_outbox o WHERE o.destination_id = webhook_destination_stats.destination_id AND o.state = 'delivered'),
    failed = (SELECT COUNT(*) FROM webhook_outbox o WHERE o.destination_id = webhook_destination_stats.destination_id AND o.state = 'failed'),
    attempts = (SELECT COUNT(*) FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id WHERE o.destination_id = webhook_destination_stats.destination_id),
    last_attempt_at = (SELECT a.created_at FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id
                        WHERE o.destination_id = webhook_destination_stats.destination_id ORDER BY a.id DESC LIMIT 1),
    last_status_code = (SELECT a.status_code FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id
                         WHERE o.destination_id = webhook_destination_stats.destination_id ORDER BY a.id DESC LIMIT 1);
  CREATE TRIGGER destination_stats_new AFTER INSERT ON webhook_destinations BEGIN
    INSERT INTO webhook_destination_stats (destination_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  END;
  CREATE TRIGGER destination_stats_gone AFTER DELETE ON webhook_destinations BEGIN
    DELETE FROM webhook_destination_stats WHERE destination_id = OLD.id;
  END;
  CREATE TRIGGER outbox_stats_insert AFTER INSERT ON webhook_outbox BEGIN
    UPDATE webhook_destination_stats SET pending = pending + (NEW.state = 'pending'), delivered = delivered + (NEW.state = 'delivered'),
      failed = failed + (NEW.state = 'failed') WHERE destination_id = NEW.destination_id;
  END;
  CREATE TRIGGER outbox_stats_update AFTER UPDATE OF state, destination_id ON webhook_outbox
    WHEN OLD.state IS NOT NEW.state OR OLD.destination_id IS NOT NEW.destination_id BEGIN
    UPDATE webhook_destination_stats SET pending = pending - (OLD.state = 'pending'), delivered = delivered - (OLD.state = 'delivered'),
      failed = failed - (OLD.state = 'failed') WHERE destination_id = OLD.destination_id;
    UPDATE webhook_destination_stats SET pending = pending + (NEW.state = 'pending'), delivered = delivered + (NEW.state = 'delivered'),
      failed = failed + (NEW.state = 'failed') WHERE destination_id = NEW.destination_id;
  END;
  CREATE TRIGGER outbox_stats_delete AFTER DELETE ON webhook_outbox BEGIN
    UPDATE webhook_destination_stats SET pending = pending - (OLD.state = 'pending'), delivered = delivered - (OLD.state = 'delivered'),
      failed = failed - (OLD.state = 'failed') WHERE destination_id = OLD.destination_id;
  END;
  CREATE TRIGGER attempt_stats_insert AFTER INSERT ON webhook_attempts BEGIN
    UPDATE webhook_destination_stats SET attempts = attempts + 1, last_attempt_at = NEW.created_at, last_status_code = NEW.status_code
      WHERE destination_id = (SELECT destination_id FROM webhook_outbox WHERE id = NEW.outbox_id);
  END;
  CREATE TRIGGER attempt_stats_delete AFTER DELETE ON webhook_attempts BEGIN
    UPDATE webhook_destination_stats SET attempts = attempts - 1
      WHERE destination_id = (SELECT destination_id FROM webhook_outbox WHERE id = OLD.outbox_id);
  END;
  `,
  // 8: the face store (one embedding per kept face, tied to its owner: a session or a list
  // entry; triggers delete it with the owner whatever path deletes the owner) and lists with
  // their entries. face_index_state counts inserts and deletes per application so every
  // process's in-memory search index knows when to append or reload.
  `
  CREATE TABLE lists (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    list_type       TEXT NOT NULL CHECK (list_type IN ('blocklist', 'allowlist', 'custom')),
    entry_type      TEXT NOT NULL,
    is_system       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (application_id, name)
  );
  CREATE TABLE list_entries (
    id                    TEXT PRIMARY KEY,
    list_id               TEXT NOT NULL REFERENCES lists(id),
    application_id        TEXT NOT NULL,
    value                 TEXT NOT NULL,
    display_label         TEXT NOT NULL DEFAULT '',
    comment               TEXT NOT NULL DEFAULT '',
    added_by              TEXT NOT NULL,
    reference_session_id  TEXT,
    reference_object_uuid TEXT,
    metadata              TEXT,
    media_id              TEXT,
    created_at            INTEGER NOT NULL
  );
  CREATE INDEX list_entries_list ON list_entries(list_id, created_at);
  CREATE INDEX list_entries_session ON list_entries(reference_session_id);
  CREATE TABLE faces (
    id              TEXT NOT NULL UNIQUE,
    application_id  TEXT NOT NULL,
    session_id      TEXT,
    entry_id        TEXT,
    role            TEXT NOT NULL,
    media_id        TEXT,
    embedding       BLOB NOT NULL,
    created_at      INTEGER NOT NULL,
    CHECK ((session_id IS NULL) <> (entry_id IS NULL))
  );
  CREATE INDEX faces_app ON faces(application_id);
  CREATE INDEX faces_session ON faces(session_id);
  CREATE INDEX faces_entry ON faces(entry_id);
  CREATE TABLE face_index_state (
    application_id  TEXT PRIMARY KEY,
    inserted        INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE TRIGGER faces_counted_in AFTER INSERT ON faces BEGIN
    INSERT INTO face_index_state (application_id, inserted) VALUES (NEW.application_id, 1)
      ON CONFLICT(application_id) DO UPDATE SET inserted = inserted + 1;
  END;
  CREATE TRIGGER faces_counted_out AFTER DELETE ON faces BEGIN
    UPDATE face_index_state SET deleted = deleted + 1 WHERE application_id = OLD.application_id;
  END;
  CREATE TRIGGER faces_of_session AFTER DELETE ON sessions BEGIN
    DELETE FROM faces WHERE session_id = OLD.id;
  END;
  CREATE TRIGGER faces_of_entry AFTER DELETE ON list_entries BEGIN
    DELETE FROM faces WHERE entry_id = OLD.id;
    DELETE FROM media WHERE id = OLD.media_id;
  END;
  CREATE TRIGGER entries_of_list AFTER DELETE ON lists BEGIN
    DELETE FROM list_entries WHERE list_id = OLD.id;
  END;
  `,
];
