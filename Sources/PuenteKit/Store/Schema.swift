import Foundation
import GRDB

/// The store's data model: one definition of the current format, created whole in a new store.
///
/// A store keeps its format number in SQLite's `user_version`. A store written by an earlier
/// format is upgraded by replaying what it holds into a new file (``StoreUpgrade``), never
/// altered in place, so this file is the only description of the tables there is.
///
/// Checks compare with chains of `=`, not `IN` lists of three or more constants: SQLite
/// checks those by building a temporary b-tree each time a row is written.
enum Schema {
    /// The format this code writes. 1 was the format of the migrations that came before; 2
    /// had no count of each entity's open conflicts; 3 no commitment's source in its summary;
    /// 4 kept each operation as its canonical text, keyed by its author's and entity's text ids;
    /// 5 named the entity and author of each materialized value by their text ids; 6 indexed
    /// each register's winner; 7 had no planning-value marks in the summaries; 8 no
    /// delegations' leads in them; 9 no start of the latest reading's period; 10 no Spanish unit; 11 no
    /// delegations' priorities; 12 no indicator's baseline and target dates nor estimate flag,
    /// and no index of the dialogues that revisited a commitment.
    static let version = 13

    /// Creates every table, index and trigger of the current format and records its number.
    static func create(_ db: Database) throws {
        try db.execute(sql: identities + log + trustDocuments + state + readModels)
        try db.execute(sql: "PRAGMA user_version = \(version)")
    }

    /// Keys: every replica and root this store knows (`trusted` when a person trusted its card
    /// by hand), its chain's head here, and which of them is this store's own. `key` is the
    /// replica's number in this store only (the log refers to authors by it); `id` is its
    /// public name. Replicas are never deleted, so a key never changes hands.
    static let identities = """
        CREATE TABLE replica (
            key INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE CHECK (length(id) = 64 AND id NOT GLOB '*[^0-9a-f]*'),
            delegation TEXT NOT NULL CHECK (delegation IN ('us', 'mx')),
            role TEXT NOT NULL DEFAULT 'replica' CHECK (role IN ('replica', 'root')),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            office TEXT NOT NULL DEFAULT '',
            signing_key BLOB NOT NULL CHECK (length(signing_key) = 32),
            agreement_key BLOB CHECK (agreement_key IS NULL OR length(agreement_key) = 32),
            trusted INTEGER NOT NULL CHECK (trusted IN (0, 1)),
            head_seq INTEGER NOT NULL DEFAULT 0 CHECK (head_seq >= 0),
            head_hash TEXT NOT NULL CHECK (length(head_hash) = 64),
            head_hlc TEXT NOT NULL DEFAULT '000000000000-0000' CHECK (length(head_hlc) = 17),
            card BLOB
        );

        -- `halted`: set when this store sees its own replica beyond its own head (it was copied
        -- or restored) or revoked; it stops writing, for good, and says why.
        CREATE TABLE local_replica (
            singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
            replica TEXT NOT NULL UNIQUE REFERENCES replica(id),
            clock TEXT NOT NULL CHECK (length(clock) = 17),
            created_at TEXT NOT NULL,
            halted TEXT
        );

        """

    /// The operation log, in each author's chain order, with what materialization decided of
    /// each operation; operations held until a gap in their chain fills; signed heads; what
    /// each peer has; and local facts outside the digest (arrivals, imports, dropped runs).
    ///
    /// An operation is kept as what cannot be derived (``OperationRow``): its author's and
    /// entity's keys, its clock as two integers, its hash as 32 bytes, kind and status as codes
    /// (kind: create 0, set 1, add 2, remove 3, append 4, retract 5; status: accepted 0,
    /// pending 1, rejected 2), the value's canonical JSON and its references in a compact form.
    /// Its canonical bytes are those members joined in their fixed order, `prev` being the hash
    /// of the author's previous row, and are checked against `hash` whenever they are read.
    /// `entity_name` numbers every entity an operation names, whether or not it is materialized.
    /// `operation_text` shows the log with its public names, for the reads that want them.
    static let log = """
        CREATE TABLE entity_name (
            key INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE
        );

        CREATE TABLE operation (
            author INTEGER NOT NULL REFERENCES replica(key),
            seq INTEGER NOT NULL CHECK (seq >= 1),
            millis INTEGER NOT NULL CHECK (millis >= 0),
            counter INTEGER NOT NULL CHECK (counter >= 0 AND counter <= 65535),
            hash BLOB NOT NULL CHECK (length(hash) = 32),
            entity INTEGER NOT NULL REFERENCES entity_name(key),
            kind INTEGER NOT NULL CHECK (kind >= 0 AND kind <= 5),
            field TEXT NOT NULL,
            value BLOB NOT NULL,
            refs BLOB,
            status INTEGER NOT NULL DEFAULT 0 CHECK (status >= 0 AND status <= 2),
            reason TEXT,
            arrived INTEGER,
            CHECK ((status = 0) = (reason IS NULL)),
            PRIMARY KEY (author, seq)
        ) WITHOUT ROWID;
        CREATE INDEX operation_by_entity ON operation(entity);
        CREATE INDEX operation_by_status ON operation(status) WHERE status <> 0;

        CREATE VIEW operation_text AS
            SELECT r.id AS replica, o.seq AS seq, printf('%012x-%04x', o.millis, o.counter) AS hlc,
                lower(hex(o.hash)) AS hash, n.id AS entity,
                CASE o.kind WHEN 0 THEN 'create' WHEN 1 THEN 'set' WHEN 2 THEN 'add' WHEN 3 THEN 'remove'
                    WHEN 4 THEN 'append' ELSE 'retract' END AS kind,
                o.field AS field,
                CASE o.status WHEN 0 THEN 'accepted' WHEN 1 THEN 'pending' ELSE 'rejected' END AS status,
                o.reason AS reason, o.arrived AS arrived
            FROM operation o JOIN replica r ON r.key = o.author JOIN entity_name n ON n.key = o.entity;

        CREATE TABLE held_operation (
            replica TEXT NOT NULL REFERENCES replica(id),
            seq INTEGER NOT NULL CHECK (seq >= 1),
            bytes BLOB NOT NULL,
            PRIMARY KEY (replica, seq)
        ) WITHOUT ROWID;

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

        CREATE TABLE import_event (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('import', 'sync')),
            operations INTEGER NOT NULL CHECK (operations >= 0)
        );

        -- Runs of operations dropped past a revocation cut, or refused on arrival: neither kept
        -- nor relayed, but shown by `log --rejected`.
        CREATE TABLE dropped_operations (
            replica TEXT NOT NULL CHECK (length(replica) = 64),
            from_seq INTEGER NOT NULL CHECK (from_seq >= 1),
            to_seq INTEGER NOT NULL CHECK (to_seq >= from_seq),
            count INTEGER NOT NULL CHECK (count >= 1),
            dropped_at INTEGER NOT NULL,
            reason TEXT NOT NULL,
            UNIQUE (replica, from_seq, to_seq, reason)
        );

        """

    /// Trust documents, each kept as its exact signed bytes (it travels in every bundle) with
    /// the facts the resolver reads beside it. Signatures are checked before insert.
    static let trustDocuments = """
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

        CREATE TABLE fork_proof (
            replica TEXT NOT NULL REFERENCES replica(id),
            seq INTEGER NOT NULL CHECK (seq >= 1),
            digest TEXT NOT NULL CHECK (length(digest) = 64),
            bytes BLOB NOT NULL,
            PRIMARY KEY (replica, digest)
        ) WITHOUT ROWID;

        """

    /// Materialized state, derived by ``EntityMaterializer`` from the log and nothing else
    /// (`rebuild` derives it again): each entity, the live values of its registers (a register
    /// has an open conflict exactly when one of its live values is not the winner), the adds
    /// that keep each set element, and series entries. `changed_at` is the latest arrival of
    /// the entity's accepted operations: what `review --since` reads, as many rows as changed
    /// entities, never operations. `dangling` counts references of the entity's operations that
    /// name no operation of it: while there are any, a new operation is not stepped alone
    /// (``EntityMaterializer/step(_:on:targets:trusted:cuts:)``) but the entity is materialized whole.
    /// `conflicts` counts the entity's registers whose live values differ (0 unless accepted):
    /// the review's count of open conflicts reads the entities that have any, not every value.
    /// An entity's values, elements and entries name it by `key` (its `entity_name.key`) and
    /// their authors by `replica.key`: a row per live value costs its value and a few bytes.
    /// A register's rows are read by their key's prefix (entity, field), winner included; the
    /// one winner per register is the materializer's (property tests compare every row with a
    /// rebuild's), not an index's, which cost two index writes per step and 28 bytes per operation.
    static let state = """
        CREATE TABLE entity (
            id TEXT PRIMARY KEY NOT NULL,
            key INTEGER NOT NULL UNIQUE REFERENCES entity_name(key),
            type TEXT NOT NULL CHECK (type = 'commitment' OR type = 'dialogue' OR type = 'indicator' OR type = 'note'),
            state TEXT NOT NULL CHECK (state = 'accepted' OR state = 'pending' OR state = 'rejected'),
            owner TEXT CHECK (owner = 'us' OR owner = 'mx' OR owner = 'joint'),
            parent TEXT,
            external_id TEXT,
            creator TEXT NOT NULL REFERENCES replica(id),
            created_hlc TEXT NOT NULL,
            retracted INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1)),
            dangling INTEGER NOT NULL DEFAULT 0 CHECK (dangling >= 0),
            conflicts INTEGER NOT NULL DEFAULT 0 CHECK (conflicts >= 0),
            changed_at INTEGER,
            CHECK (substr(id, 1, length(type) + 1) = type || '/'),
            CHECK ((type = 'commitment') = (owner IS NOT NULL) OR state <> 'accepted')
        ) WITHOUT ROWID;
        CREATE INDEX entity_by_parent ON entity(parent) WHERE parent IS NOT NULL;
        CREATE INDEX entity_by_external_id ON entity(type, external_id) WHERE external_id IS NOT NULL;
        CREATE INDEX entity_by_change ON entity(changed_at);
        CREATE INDEX entity_with_conflicts ON entity(id, conflicts) WHERE conflicts > 0;

        CREATE TABLE register_value (
            entity INTEGER NOT NULL REFERENCES entity(key) ON DELETE CASCADE,
            field TEXT NOT NULL,
            author INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            hlc TEXT NOT NULL,
            value TEXT NOT NULL,
            winner INTEGER NOT NULL CHECK (winner IN (0, 1)),
            PRIMARY KEY (entity, field, author, seq)
        ) WITHOUT ROWID;
        CREATE INDEX register_conflict ON register_value(entity, field, winner) WHERE winner = 0;

        CREATE TABLE set_element (
            entity INTEGER NOT NULL REFERENCES entity(key) ON DELETE CASCADE,
            field TEXT NOT NULL,
            element TEXT NOT NULL,
            author INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (entity, field, element, author, seq)
        ) WITHOUT ROWID;
        -- The commitments a dialogue took up again, for its briefing and `list --dialogue`.
        CREATE INDEX set_element_revisited ON set_element(element, entity) WHERE field = 'revisited';

        CREATE TABLE series_entry (
            entity INTEGER NOT NULL REFERENCES entity(key) ON DELETE CASCADE,
            field TEXT NOT NULL,
            author INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            hlc TEXT NOT NULL,
            value TEXT NOT NULL,
            retracted INTEGER NOT NULL CHECK (retracted IN (0, 1)),
            PRIMARY KEY (entity, field, author, seq)
        ) WITHOUT ROWID;

        """

    /// What `list`, `review` and search read, kept in the transaction that changes the state
    /// they summarize, so no read command ever scans the record:
    /// - one summary row per accepted commitment, with an index on exactly each list's order
    ///   (`list` in due order, stalled per status, open ones by due date, the commitments the
    ///   two delegations assess differently);
    /// - full-text search over both languages (titles, summaries, area, leads — a known
    ///   agency by its acronym and both its names), folded for case
    ///   and accents, keyed by a stable integer per commitment;
    /// - one summary row per standing indicator, in the review's order (its commitment's due
    ///   date and title, carried by a trigger whoever writes the commitment's summary);
    /// - tallies per goal, owner and status and per indicator kind, kept by triggers (`''`
    ///   stands for no goal or no status; an outside analysts' recommendation is tallied as
    ///   `recommended`, whatever its status, and is in no list of open commitments).
    static let readModels = """
        CREATE TABLE commitment_summary (
            id TEXT PRIMARY KEY NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
            owner TEXT NOT NULL CHECK (owner = 'us' OR owner = 'mx' OR owner = 'joint'),
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
            created_hlc TEXT NOT NULL,
            source TEXT,
            illustrative TEXT,
            lead_us TEXT,
            lead_mx TEXT,
            priority_us TEXT,
            priority_mx TEXT
        ) WITHOUT ROWID;
        CREATE INDEX commitment_by_due ON commitment_summary(due);
        CREATE INDEX commitment_by_pillar_status ON commitment_summary(pillar, status);
        CREATE INDEX commitment_by_source ON commitment_summary(source) WHERE source IS NOT NULL;
        CREATE INDEX commitment_with_lead ON commitment_summary(id) WHERE lead_us IS NOT NULL OR lead_mx IS NOT NULL;
        CREATE INDEX commitment_list_order ON commitment_summary(due IS NULL, due, coalesce(title_en, title_es), id);
        CREATE INDEX commitment_status_order ON commitment_summary(status, due IS NULL, due, coalesce(title_en, title_es), id, source);
        CREATE INDEX commitment_open_by_due ON commitment_summary(due, coalesce(title_en, title_es), id, status, source)
            WHERE (status = 'proposed' OR status = 'agreed' OR status = 'in-progress' OR status = 'stalled')
                AND source IS NOT 'recommendation';
        CREATE INDEX commitment_disagreement ON commitment_summary(
            due IS NULL, due, coalesce(title_en, title_es), id, assessment_us, assessment_mx)
            WHERE assessment_us <> assessment_mx AND assessment_us <> 'not-assessed' AND assessment_mx <> 'not-assessed';

        CREATE TABLE commitment_search (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
        CREATE VIRTUAL TABLE commitment_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');

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
            latest_date TEXT,
            illustrative TEXT,
            latest_from TEXT,
            unit_es TEXT,
            baseline_date TEXT,
            target_date TEXT,
            estimate INTEGER NOT NULL DEFAULT 0 CHECK (estimate IN (0, 1))
        ) WITHOUT ROWID;
        CREATE INDEX indicator_by_parent ON indicator_summary(parent);
        CREATE INDEX indicator_review_order ON indicator_summary(
            kind, parent_due IS NULL, parent_due, parent_title, parent, coalesce(name_en, name_es, ''), id);
        CREATE TRIGGER indicator_parent_order AFTER UPDATE OF due, title_en, title_es ON commitment_summary
            WHEN old.due IS NOT new.due OR coalesce(old.title_en, old.title_es) IS NOT coalesce(new.title_en, new.title_es) BEGIN
            UPDATE indicator_summary SET parent_due = new.due, parent_title = coalesce(new.title_en, new.title_es)
                WHERE parent = new.id;
        END;

        CREATE TABLE commitment_tally (
            pillar TEXT NOT NULL,
            owner TEXT NOT NULL,
            status TEXT NOT NULL,
            n INTEGER NOT NULL CHECK (n >= 0),
            PRIMARY KEY (pillar, owner, status)
        ) WITHOUT ROWID;
        CREATE TRIGGER commitment_tally_insert AFTER INSERT ON commitment_summary BEGIN
            INSERT INTO commitment_tally (pillar, owner, status, n)
                VALUES (coalesce(new.pillar, ''), new.owner, CASE WHEN new.source IS 'recommendation' THEN 'recommended' ELSE coalesce(new.status, '') END, 1)
                ON CONFLICT (pillar, owner, status) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER commitment_tally_delete AFTER DELETE ON commitment_summary BEGIN
            UPDATE commitment_tally SET n = n - 1
                WHERE pillar = coalesce(old.pillar, '') AND owner = old.owner
                    AND status = CASE WHEN old.source IS 'recommendation' THEN 'recommended' ELSE coalesce(old.status, '') END;
        END;
        CREATE TRIGGER commitment_tally_update AFTER UPDATE OF pillar, owner, status, source ON commitment_summary
            WHEN old.pillar IS NOT new.pillar OR old.owner IS NOT new.owner OR old.status IS NOT new.status
                OR (old.source IS 'recommendation') <> (new.source IS 'recommendation') BEGIN
            UPDATE commitment_tally SET n = n - 1
                WHERE pillar = coalesce(old.pillar, '') AND owner = old.owner
                    AND status = CASE WHEN old.source IS 'recommendation' THEN 'recommended' ELSE coalesce(old.status, '') END;
            INSERT INTO commitment_tally (pillar, owner, status, n)
                VALUES (coalesce(new.pillar, ''), new.owner, CASE WHEN new.source IS 'recommendation' THEN 'recommended' ELSE coalesce(new.status, '') END, 1)
                ON CONFLICT (pillar, owner, status) DO UPDATE SET n = n + 1;
        END;

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
        """
}
