import Foundation
import GRDB

/// The store's migrations. A migration is never edited once it has landed: add a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-oplog-and-state") { db in
            try db.execute(sql: """
                CREATE TABLE replica (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 64 AND id NOT GLOB '*[^0-9a-f]*'),
                    delegation TEXT NOT NULL CHECK (delegation IN ('us', 'mx')),
                    role TEXT NOT NULL DEFAULT 'replica' CHECK (role IN ('replica', 'root')),
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
                    office TEXT NOT NULL DEFAULT '',
                    signing_key BLOB NOT NULL CHECK (length(signing_key) = 32),
                    agreement_key BLOB CHECK (agreement_key IS NULL OR length(agreement_key) = 32),
                    trusted INTEGER NOT NULL CHECK (trusted IN (0, 1)),
                    head_seq INTEGER NOT NULL DEFAULT 0 CHECK (head_seq >= 0),
                    head_hash TEXT NOT NULL CHECK (length(head_hash) = 64),
                    head_hlc TEXT NOT NULL DEFAULT '000000000000-0000' CHECK (length(head_hlc) = 17)
                );

                CREATE TABLE local_replica (
                    singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                    replica TEXT NOT NULL UNIQUE REFERENCES replica(id),
                    clock TEXT NOT NULL CHECK (length(clock) = 17),
                    created_at TEXT NOT NULL
                );

                CREATE TABLE operation (
                    replica TEXT NOT NULL REFERENCES replica(id),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    hlc TEXT NOT NULL CHECK (length(hlc) = 17),
                    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
                    entity TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('create', 'set', 'add', 'remove', 'append', 'retract')),
                    field TEXT NOT NULL,
                    bytes BLOB NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('accepted', 'pending', 'rejected')),
                    reason TEXT,
                    CHECK ((status = 'accepted') = (reason IS NULL)),
                    PRIMARY KEY (replica, seq)
                ) WITHOUT ROWID;
                CREATE INDEX operation_by_entity ON operation(entity);
                CREATE INDEX operation_by_status ON operation(status) WHERE status <> 'accepted';

                CREATE TABLE held_operation (
                    replica TEXT NOT NULL REFERENCES replica(id),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    bytes BLOB NOT NULL,
                    PRIMARY KEY (replica, seq)
                ) WITHOUT ROWID;

                CREATE TABLE entity (
                    id TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL CHECK (type IN ('commitment', 'dialogue', 'indicator', 'note')),
                    state TEXT NOT NULL CHECK (state IN ('accepted', 'pending', 'rejected')),
                    owner TEXT CHECK (owner IN ('us', 'mx', 'joint')),
                    parent TEXT,
                    external_id TEXT,
                    creator TEXT NOT NULL REFERENCES replica(id),
                    created_hlc TEXT NOT NULL,
                    retracted INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1)),
                    CHECK (substr(id, 1, length(type) + 1) = type || '/'),
                    CHECK ((type = 'commitment') = (owner IS NOT NULL) OR state <> 'accepted')
                ) WITHOUT ROWID;
                CREATE INDEX entity_by_parent ON entity(parent) WHERE parent IS NOT NULL;
                CREATE INDEX entity_by_external_id ON entity(type, external_id) WHERE external_id IS NOT NULL;

                CREATE TABLE register_value (
                    entity TEXT NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
                    field TEXT NOT NULL,
                    replica TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    hlc TEXT NOT NULL,
                    value TEXT NOT NULL,
                    winner INTEGER NOT NULL CHECK (winner IN (0, 1)),
                    PRIMARY KEY (entity, field, replica, seq),
                    FOREIGN KEY (replica, seq) REFERENCES operation(replica, seq)
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX register_one_winner ON register_value(entity, field) WHERE winner = 1;

                CREATE TABLE set_element (
                    entity TEXT NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
                    field TEXT NOT NULL,
                    element TEXT NOT NULL,
                    replica TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (entity, field, element, replica, seq),
                    FOREIGN KEY (replica, seq) REFERENCES operation(replica, seq)
                ) WITHOUT ROWID;

                CREATE TABLE series_entry (
                    entity TEXT NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
                    field TEXT NOT NULL,
                    replica TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    hlc TEXT NOT NULL,
                    value TEXT NOT NULL,
                    retracted INTEGER NOT NULL CHECK (retracted IN (0, 1)),
                    PRIMARY KEY (entity, field, replica, seq),
                    FOREIGN KEY (replica, seq) REFERENCES operation(replica, seq)
                ) WITHOUT ROWID;

                CREATE TABLE commitment_summary (
                    id TEXT PRIMARY KEY NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
                    owner TEXT NOT NULL CHECK (owner IN ('us', 'mx', 'joint')),
                    title_en TEXT,
                    title_es TEXT,
                    summary_en TEXT,
                    summary_es TEXT,
                    pillar TEXT,
                    area TEXT,
                    status TEXT,
                    priority TEXT,
                    due TEXT,
                    dialogue TEXT,
                    lead TEXT,
                    assessment_us TEXT,
                    assessment_mx TEXT,
                    conflicts INTEGER NOT NULL DEFAULT 0 CHECK (conflicts >= 0),
                    created_hlc TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX commitment_by_due ON commitment_summary(due);
                CREATE INDEX commitment_by_pillar_status ON commitment_summary(pillar, status);
                """)
        }
        migrator.registerMigration("v2-attestations-and-have") { db in
            try db.execute(sql: """
                CREATE TABLE attestation (
                    replica TEXT NOT NULL REFERENCES replica(id),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    hash TEXT NOT NULL CHECK (length(hash) = 64),
                    signature BLOB NOT NULL CHECK (length(signature) = 64),
                    PRIMARY KEY (replica, seq, hash)
                ) WITHOUT ROWID;

                CREATE TABLE peer_have (
                    peer TEXT NOT NULL REFERENCES replica(id),
                    replica TEXT NOT NULL,
                    seq INTEGER NOT NULL CHECK (seq >= 0),
                    hash TEXT NOT NULL CHECK (length(hash) = 64),
                    PRIMARY KEY (peer, replica)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-fork-proofs") { db in
            try db.execute(sql: """
                CREATE TABLE fork_proof (
                    replica TEXT NOT NULL REFERENCES replica(id),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    digest TEXT NOT NULL CHECK (length(digest) = 64),
                    bytes BLOB NOT NULL,
                    PRIMARY KEY (replica, digest)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4-halted-writes") { db in
            // Set when this store sees its own replica beyond its own head (it was copied or
            // restored): it stops writing, for good, and says why.
            try db.execute(sql: "ALTER TABLE local_replica ADD COLUMN halted TEXT")
        }
        migrator.registerMigration("v5-certificates-revocations-rotations") { db in
            // Every trust document is kept as its exact signed bytes (it travels in every bundle),
            // with the facts the resolver reads beside it. Signatures are checked before insert.
            try db.execute(sql: """
                ALTER TABLE replica ADD COLUMN card BLOB;

                CREATE TABLE certificate (
                    digest TEXT PRIMARY KEY NOT NULL CHECK (length(digest) = 64),
                    issuer TEXT NOT NULL CHECK (length(issuer) = 64),
                    member TEXT NOT NULL REFERENCES replica(id),
                    delegation TEXT NOT NULL CHECK (delegation IN ('us', 'mx')),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    name TEXT NOT NULL,
                    office TEXT NOT NULL,
                    issued TEXT NOT NULL,
                    bytes BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX certificate_by_member ON certificate(member);

                CREATE TABLE revocation (
                    digest TEXT PRIMARY KEY NOT NULL CHECK (length(digest) = 64),
                    issuer TEXT NOT NULL CHECK (length(issuer) = 64),
                    delegation TEXT NOT NULL CHECK (delegation IN ('us', 'mx')),
                    replica TEXT NOT NULL CHECK (length(replica) = 64),
                    last_good_seq INTEGER NOT NULL CHECK (last_good_seq >= 0),
                    last_good_hash TEXT NOT NULL CHECK (length(last_good_hash) = 64),
                    issued TEXT NOT NULL,
                    bytes BLOB NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE rotation (
                    digest TEXT PRIMARY KEY NOT NULL CHECK (length(digest) = 64),
                    delegation TEXT NOT NULL CHECK (delegation IN ('us', 'mx')),
                    version INTEGER NOT NULL CHECK (version >= 2),
                    old_root TEXT NOT NULL CHECK (length(old_root) = 64),
                    new_root TEXT NOT NULL CHECK (length(new_root) = 64),
                    bytes BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v6-arrivals") { db in
            // When each operation reached this store (local wall clock, milliseconds), and each
            // import: what `review --since` reads. Local facts, outside the digest.
            try db.execute(sql: """
                ALTER TABLE operation ADD COLUMN arrived INTEGER;
                CREATE INDEX operation_by_arrival ON operation(arrived) WHERE arrived IS NOT NULL;
                CREATE TABLE import_event (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('import', 'sync')),
                    operations INTEGER NOT NULL CHECK (operations >= 0)
                );
                """)
        }
        migrator.registerMigration("v7-commitment-search") { db in
            // Full-text search over both languages (titles, summaries, area, lead), folded for
            // case and accents. The FTS row of a commitment is keyed by a stable integer.
            try db.execute(sql: """
                CREATE TABLE commitment_search (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
                CREATE VIRTUAL TABLE commitment_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
                INSERT INTO commitment_search (id) SELECT id FROM commitment_summary;
                INSERT INTO commitment_fts (rowid, body)
                    SELECT s.key, coalesce(c.title_en, '') || ' ' || coalesce(c.title_es, '') || ' ' || coalesce(c.summary_en, '')
                        || ' ' || coalesce(c.summary_es, '') || ' ' || coalesce(c.area, '') || ' ' || coalesce(c.lead, '')
                    FROM commitment_summary c JOIN commitment_search s ON s.id = c.id;
                """)
        }
        migrator.registerMigration("v8-lean-operation-index") { db in
            // The operation table loses the UNIQUE index on `hash` (nothing looks an operation up by
            // its hash alone, and a random 64-character key is the slowest index to insert into),
            // and open conflicts get a small index of their own: a register has a conflict exactly
            // when one of its live values is not the winner.
            try db.execute(sql: """
                CREATE TABLE operation_v8 (
                    replica TEXT NOT NULL REFERENCES replica(id),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    hlc TEXT NOT NULL CHECK (length(hlc) = 17),
                    hash TEXT NOT NULL CHECK (length(hash) = 64),
                    entity TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('create', 'set', 'add', 'remove', 'append', 'retract')),
                    field TEXT NOT NULL,
                    bytes BLOB NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('accepted', 'pending', 'rejected')),
                    reason TEXT,
                    arrived INTEGER,
                    CHECK ((status = 'accepted') = (reason IS NULL)),
                    PRIMARY KEY (replica, seq)
                ) WITHOUT ROWID;
                INSERT INTO operation_v8 (replica, seq, hlc, hash, entity, kind, field, bytes, status, reason, arrived)
                    SELECT replica, seq, hlc, hash, entity, kind, field, bytes, status, reason, arrived FROM operation;
                DROP TABLE operation;
                ALTER TABLE operation_v8 RENAME TO operation;
                CREATE INDEX operation_by_entity ON operation(entity);
                CREATE INDEX operation_by_status ON operation(status) WHERE status <> 'accepted';
                CREATE INDEX operation_by_arrival ON operation(arrived) WHERE arrived IS NOT NULL;
                CREATE INDEX register_conflict ON register_value(entity, field) WHERE winner = 0;
                """)
        }
        migrator.registerMigration("v9-checks-without-in-lists") { db in
            // SQLite checks `x IN (a, b, c)` of three or more constants by building a temporary
            // b-tree each time an insert runs: two of them for every operation stored, three for
            // every entity. The same constraints as chains of `=` cost nothing. Tables rebuilt as
            // in v8 (foreign keys are off during a migration, so no cascade runs).
            func oneOf(_ column: String, _ values: [String]) -> String {
                "(" + values.map { "\(column) = '\($0)'" }.joined(separator: " OR ") + ")"
            }
            let kinds = oneOf("kind", ["create", "set", "add", "remove", "append", "retract"])
            let statuses = oneOf("status", ["accepted", "pending", "rejected"])
            let types = oneOf("type", ["commitment", "dialogue", "indicator", "note"])
            let states = oneOf("state", ["accepted", "pending", "rejected"])
            let owners = oneOf("owner", ["us", "mx", "joint"])
            try db.execute(sql: """
                CREATE TABLE operation_v9 (
                    replica TEXT NOT NULL REFERENCES replica(id),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    hlc TEXT NOT NULL CHECK (length(hlc) = 17),
                    hash TEXT NOT NULL CHECK (length(hash) = 64),
                    entity TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK \(kinds),
                    field TEXT NOT NULL,
                    bytes BLOB NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK \(statuses),
                    reason TEXT,
                    arrived INTEGER,
                    CHECK ((status = 'accepted') = (reason IS NULL)),
                    PRIMARY KEY (replica, seq)
                ) WITHOUT ROWID;
                INSERT INTO operation_v9 (replica, seq, hlc, hash, entity, kind, field, bytes, status, reason, arrived)
                    SELECT replica, seq, hlc, hash, entity, kind, field, bytes, status, reason, arrived FROM operation;
                DROP TABLE operation;
                ALTER TABLE operation_v9 RENAME TO operation;
                CREATE INDEX operation_by_entity ON operation(entity);
                CREATE INDEX operation_by_status ON operation(status) WHERE status <> 'accepted';
                CREATE INDEX operation_by_arrival ON operation(arrived) WHERE arrived IS NOT NULL;

                CREATE TABLE entity_v9 (
                    id TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL CHECK \(types),
                    state TEXT NOT NULL CHECK \(states),
                    owner TEXT CHECK \(owners),
                    parent TEXT,
                    external_id TEXT,
                    creator TEXT NOT NULL REFERENCES replica(id),
                    created_hlc TEXT NOT NULL,
                    retracted INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1)),
                    CHECK (substr(id, 1, length(type) + 1) = type || '/'),
                    CHECK ((type = 'commitment') = (owner IS NOT NULL) OR state <> 'accepted')
                ) WITHOUT ROWID;
                INSERT INTO entity_v9 (id, type, state, owner, parent, external_id, creator, created_hlc, retracted)
                    SELECT id, type, state, owner, parent, external_id, creator, created_hlc, retracted FROM entity;
                DROP TABLE entity;
                ALTER TABLE entity_v9 RENAME TO entity;
                CREATE INDEX entity_by_parent ON entity(parent) WHERE parent IS NOT NULL;
                CREATE INDEX entity_by_external_id ON entity(type, external_id) WHERE external_id IS NOT NULL;

                CREATE TABLE commitment_summary_v9 (
                    id TEXT PRIMARY KEY NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
                    owner TEXT NOT NULL CHECK \(owners),
                    title_en TEXT,
                    title_es TEXT,
                    summary_en TEXT,
                    summary_es TEXT,
                    pillar TEXT,
                    area TEXT,
                    status TEXT,
                    priority TEXT,
                    due TEXT,
                    dialogue TEXT,
                    lead TEXT,
                    assessment_us TEXT,
                    assessment_mx TEXT,
                    conflicts INTEGER NOT NULL DEFAULT 0 CHECK (conflicts >= 0),
                    created_hlc TEXT NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO commitment_summary_v9 SELECT id, owner, title_en, title_es, summary_en, summary_es, pillar, area,
                    status, priority, due, dialogue, lead, assessment_us, assessment_mx, conflicts, created_hlc
                    FROM commitment_summary;
                DROP TABLE commitment_summary;
                ALTER TABLE commitment_summary_v9 RENAME TO commitment_summary;
                CREATE INDEX commitment_by_due ON commitment_summary(due);
                CREATE INDEX commitment_by_pillar_status ON commitment_summary(pillar, status);
                """)
        }
        migrator.registerMigration("v10-list-order-index", foreignKeyChecks: .immediate) { db in
            // `list` reads commitments in this order (Replica.dueOrder): with an index on exactly
            // these expressions, its first page is read without sorting every commitment. Nothing
            // is rebuilt, so foreign keys stay on (a deferred check would scan the whole store).
            try db.execute(sql: """
                CREATE INDEX commitment_list_order ON commitment_summary(due IS NULL, due, coalesce(title_en, title_es), id)
                """)
        }
        migrator.registerMigration("v11-review-tables", foreignKeyChecks: .immediate) { db in
            // `review` reads its counts from tallies and the first rows of each list from indexes,
            // never every commitment or indicator (see Replica.review(asOf:since:limit:)):
            // - indicator_summary: what the review shows of each standing indicator of a listed
            //   commitment, ordered by that commitment's due date and title (kept on write);
            // - tallies of commitments per goal, owner and status and of indicators per kind,
            //   kept by triggers in the same transaction as the rows they count ('' stands for
            //   no goal or no status);
            // - commitments per status in list order (stalled), open ones by due date (overdue,
            //   due soon), and those the two delegations assess differently;
            // - the conflict index covers its `winner` column, so counting conflicts reads no table.
            // Tables are added, not rebuilt, so foreign keys stay on.
            try db.execute(sql: """
                CREATE TABLE indicator_summary (
                    id TEXT PRIMARY KEY NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
                    parent TEXT NOT NULL,
                    parent_due TEXT,
                    parent_title TEXT,
                    kind TEXT NOT NULL CHECK (kind = 'outcome' OR kind = 'output'),
                    direction TEXT NOT NULL CHECK (direction = 'increase' OR direction = 'decrease'),
                    name_en TEXT,
                    name_es TEXT,
                    unit TEXT,
                    baseline TEXT,
                    target TEXT,
                    latest TEXT,
                    latest_date TEXT
                ) WITHOUT ROWID;
                CREATE INDEX indicator_by_parent ON indicator_summary(parent);
                CREATE INDEX indicator_review_order ON indicator_summary(
                    kind, parent_due IS NULL, parent_due, parent_title, parent, coalesce(name_en, name_es, ''), id);

                CREATE TABLE indicator_tally (
                    kind TEXT PRIMARY KEY NOT NULL,
                    n INTEGER NOT NULL CHECK (n >= 0)
                ) WITHOUT ROWID;
                CREATE TRIGGER indicator_tally_insert AFTER INSERT ON indicator_summary BEGIN
                    INSERT INTO indicator_tally (kind, n) VALUES (new.kind, 1) ON CONFLICT (kind) DO UPDATE SET n = n + 1;
                END;
                CREATE TRIGGER indicator_tally_delete AFTER DELETE ON indicator_summary BEGIN
                    UPDATE indicator_tally SET n = n - 1 WHERE kind = old.kind;
                END;
                CREATE TRIGGER indicator_tally_update AFTER UPDATE OF kind ON indicator_summary WHEN old.kind IS NOT new.kind BEGIN
                    UPDATE indicator_tally SET n = n - 1 WHERE kind = old.kind;
                    INSERT INTO indicator_tally (kind, n) VALUES (new.kind, 1) ON CONFLICT (kind) DO UPDATE SET n = n + 1;
                END;

                CREATE TABLE commitment_tally (
                    pillar TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    status TEXT NOT NULL,
                    n INTEGER NOT NULL CHECK (n >= 0),
                    PRIMARY KEY (pillar, owner, status)
                ) WITHOUT ROWID;
                INSERT INTO commitment_tally (pillar, owner, status, n)
                    SELECT coalesce(pillar, ''), owner, coalesce(status, ''), count(*) FROM commitment_summary GROUP BY 1, 2, 3;
                CREATE TRIGGER commitment_tally_insert AFTER INSERT ON commitment_summary BEGIN
                    INSERT INTO commitment_tally (pillar, owner, status, n) VALUES (coalesce(new.pillar, ''), new.owner, coalesce(new.status, ''), 1)
                        ON CONFLICT (pillar, owner, status) DO UPDATE SET n = n + 1;
                END;
                CREATE TRIGGER commitment_tally_delete AFTER DELETE ON commitment_summary BEGIN
                    UPDATE commitment_tally SET n = n - 1
                        WHERE pillar = coalesce(old.pillar, '') AND owner = old.owner AND status = coalesce(old.status, '');
                END;
                CREATE TRIGGER commitment_tally_update AFTER UPDATE OF pillar, owner, status ON commitment_summary
                    WHEN old.pillar IS NOT new.pillar OR old.owner IS NOT new.owner OR old.status IS NOT new.status BEGIN
                    UPDATE commitment_tally SET n = n - 1
                        WHERE pillar = coalesce(old.pillar, '') AND owner = old.owner AND status = coalesce(old.status, '');
                    INSERT INTO commitment_tally (pillar, owner, status, n) VALUES (coalesce(new.pillar, ''), new.owner, coalesce(new.status, ''), 1)
                        ON CONFLICT (pillar, owner, status) DO UPDATE SET n = n + 1;
                END;

                CREATE INDEX commitment_status_order ON commitment_summary(status, due IS NULL, due, coalesce(title_en, title_es), id);
                CREATE INDEX commitment_open_by_due ON commitment_summary(due, coalesce(title_en, title_es), id, status)
                    WHERE status = 'proposed' OR status = 'agreed' OR status = 'in-progress' OR status = 'stalled';
                CREATE INDEX commitment_disagreement ON commitment_summary(
                    due IS NULL, due, coalesce(title_en, title_es), id, assessment_us, assessment_mx)
                    WHERE assessment_us <> assessment_mx AND assessment_us <> 'not-assessed' AND assessment_mx <> 'not-assessed';

                DROP INDEX register_conflict;
                CREATE INDEX register_conflict ON register_value(entity, field, winner) WHERE winner = 0;
                """)
            try Store.fillIndicatorSummary(db)
        }
        migrator.registerMigration("v12-indicator-order-trigger", foreignKeyChecks: .immediate) { db in
            // A commitment's due date and title order its indicators in the review. A trigger
            // carries a change of either to indicator_summary, as the tallies are kept, whoever
            // writes the summary (v11 did it in Swift after the summary's UPDATE, so stores
            // that ran v11 are already in step).
            try db.execute(sql: """
                CREATE TRIGGER indicator_parent_order AFTER UPDATE OF due, title_en, title_es ON commitment_summary
                    WHEN old.due IS NOT new.due OR coalesce(old.title_en, old.title_es) IS NOT coalesce(new.title_en, new.title_es) BEGIN
                    UPDATE indicator_summary SET parent_due = new.due, parent_title = coalesce(new.title_en, new.title_es)
                        WHERE parent = new.id;
                END;
                """)
        }
        migrator.registerMigration("v13-entity-changed-at", foreignKeyChecks: .immediate) { db in
            // `review --since` lists the commitments that changed since a point in time. It read
            // every operation that arrived since then (seconds and 675 MiB after a bundle of
            // 1,000,000), through an index on `operation.arrived` that every stored operation
            // paid for. Each entity now keeps the latest arrival of its accepted operations,
            // written with its other materialized rows, and the review reads the entities that
            // changed from an index on it: as many rows as changed entities, never operations.
            try db.execute(sql: """
                ALTER TABLE entity ADD COLUMN changed_at INTEGER;
                UPDATE entity SET changed_at =
                    (SELECT max(o.arrived) FROM operation o WHERE o.entity = entity.id AND o.status = 'accepted');
                CREATE INDEX entity_by_change ON entity(changed_at);
                DROP INDEX operation_by_arrival;
                """)
        }
        migrator.registerMigration("v14-dropped-operations", foreignKeyChecks: .immediate) { db in
            // Operations past a revocation cut are neither kept nor relayed, so `log --rejected`
            // had nothing to show for them: each run that was dropped, or refused on arrival, is
            // recorded here (a local audit, outside the digest).
            try db.execute(sql: """
                CREATE TABLE dropped_operations (
                    replica TEXT NOT NULL CHECK (length(replica) = 64),
                    from_seq INTEGER NOT NULL CHECK (from_seq >= 1),
                    to_seq INTEGER NOT NULL CHECK (to_seq >= from_seq),
                    count INTEGER NOT NULL CHECK (count >= 1),
                    dropped_at INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    UNIQUE (replica, from_seq, to_seq, reason)
                );
                """)
        }
        migrator.registerMigration("v15-certificates-carry-the-members-card", foreignKeyChecks: .immediate) { db in
            // Certificates now carry the member's own signature over its card (docs/design.md, note 52).
            // One written before cannot count and would refuse every bundle that carried it, so it
            // goes; its root certifies the member again (`puente keys root certify`).
            for row in try Row.fetchAll(db, sql: "SELECT digest, bytes FROM certificate") {
                let bytes: Data = row["bytes"]
                if (try? Certificate(bytes: Array(bytes))) == nil {
                    try db.execute(sql: "DELETE FROM certificate WHERE digest = ?", arguments: [row["digest"] as String])
                }
            }
        }
        return migrator
    }
}
