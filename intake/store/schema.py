"""The SQLite schema as an ordered list of forward migrations.

``PRAGMA user_version`` records how many have been applied. Never edit a released
migration: append a new one. Pairs are stored with ``id_l < id_r`` (Splink's convention).
"""

from __future__ import annotations

V1_BASE = """
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,              -- claim reference CL-XXXX-XXXX, random
    source TEXT NOT NULL,                  -- 'web' or 'import:<file name>'
    source_ref TEXT,                       -- the 'ref' column of an imported row
    import_id INTEGER,
    source_line INTEGER,
    submitted_at TEXT NOT NULL,            -- ISO 8601 UTC
    name TEXT, email TEXT, phone TEXT, address TEXT, postal_code TEXT, birth_date TEXT,
    raw TEXT NOT NULL DEFAULT '{}',        -- JSON: the values exactly as entered
    flags TEXT NOT NULL DEFAULT '[]',      -- JSON: normaliser / validation flags
    claimant_type TEXT, notice TEXT, notice_date TEXT,
    login_email TEXT, login_phone TEXT,
    harms TEXT NOT NULL DEFAULT '[]', harm_other TEXT,
    other_suit INTEGER,
    consents TEXT NOT NULL DEFAULT '{}',   -- JSON: consent item -> ISO time given
    consent_at TEXT,
    guardian_name TEXT, guardian_relation TEXT, guardian_contact TEXT,
    evidence_file TEXT, evidence_type TEXT,
    email_confirmed_at TEXT,
    held INTEGER NOT NULL DEFAULT 0, hold_reason TEXT,
    ip_hash TEXT,
    -- matcher keys (normalised, indexed for blocking and incremental look-ups)
    k_name TEXT, k_email TEXT, k_phone TEXT, k_phone_tail TEXT, k_birth TEXT,
    k_postcode TEXT, k_addr TEXT, k_unit TEXT,
    -- matcher results
    person_id TEXT,
    matched_at TEXT,                       -- NULL: not yet matched (incremental work list)
    account_status TEXT NOT NULL DEFAULT 'unverified',
    account_id TEXT, account_row INTEGER, account_score REAL, account_explanation TEXT
);
CREATE UNIQUE INDEX submissions_import_line ON submissions(import_id, source_line)
    WHERE import_id IS NOT NULL;
CREATE INDEX submissions_person ON submissions(person_id);
CREATE INDEX submissions_submitted ON submissions(submitted_at);
CREATE INDEX submissions_unmatched ON submissions(matched_at) WHERE matched_at IS NULL;
CREATE INDEX submissions_k_email ON submissions(k_email);
CREATE INDEX submissions_k_phone ON submissions(k_phone);
CREATE INDEX submissions_k_name ON submissions(k_name, k_birth);
CREATE INDEX submissions_source_ref ON submissions(source_ref);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                    -- 'claims' or 'accounts'
    file_name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,             -- sha256 of the file: re-running resumes, not duplicates
    started_at TEXT NOT NULL, finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'loading',  -- loading | complete | replaced
    rows_loaded INTEGER NOT NULL DEFAULT 0, rows_rejected INTEGER NOT NULL DEFAULT 0,
    last_line INTEGER NOT NULL DEFAULT 0,  -- last source line committed (resume point)
    UNIQUE(kind, fingerprint)
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL,
    source_line INTEGER NOT NULL,
    account_id TEXT,
    name TEXT, email TEXT, phone TEXT, address TEXT, postal_code TEXT,
    flags TEXT,
    k_name TEXT, k_email TEXT, k_phone TEXT, k_phone_tail TEXT, k_postcode TEXT,
    k_addr TEXT, k_unit TEXT
);

CREATE TABLE pairs (
    kind TEXT NOT NULL,                    -- 'dedup' (two submissions) or 'link' (to an account)
    id_l INTEGER NOT NULL,                 -- dedup: lower submission id; link: submission id
    id_r INTEGER NOT NULL,                 -- dedup: higher submission id; link: accounts.id
    probability REAL NOT NULL,
    weight REAL NOT NULL,                  -- match weight in bits
    band TEXT NOT NULL,                    -- 'link' | 'review' | 'distinct'
    explanation TEXT NOT NULL,             -- JSON {"prior": bits, field: [level, bits]}
    rule TEXT,                             -- blocking rule that proposed the pair
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, id_l, id_r)
) WITHOUT ROWID;
CREATE INDEX pairs_band ON pairs(band, kind);
CREATE INDEX pairs_r ON pairs(kind, id_r);

CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    id_l INTEGER NOT NULL,
    id_r INTEGER NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('same', 'different', 'skip')),
    note TEXT,
    user_id INTEGER,
    decided_at TEXT NOT NULL,
    undone_at TEXT, undone_by INTEGER
);
CREATE INDEX decisions_pair ON decisions(kind, id_l, id_r);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('paralegal', 'lawyer', 'admin')),
    active INTEGER NOT NULL DEFAULT 1,
    expires_at TEXT,
    session_version INTEGER NOT NULL DEFAULT 0,  -- bumped to end every open session at once
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    last_login_at TEXT
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    action TEXT NOT NULL,                  -- login, decision, export, import, user_*
    target TEXT,                           -- e.g. 'submission:12', 'user:3' (ids only, never PII)
    detail TEXT NOT NULL DEFAULT '{}'      -- JSON, ids and counts only
);
CREATE INDEX audit_at ON audit(at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL                    -- JSON
);
"""

V2_NAME_SEARCH = """
-- Staff search (H5): romanised and 두음-folded forms of each distinct k_name, filled lazily
CREATE TABLE name_search (
    k_name TEXT PRIMARY KEY,
    latin TEXT,
    block TEXT
) WITHOUT ROWID;
CREATE INDEX name_search_latin ON name_search(latin);
CREATE INDEX name_search_block ON name_search(block);
"""

V3_ACCOUNT_LINK = """
-- Affected-list cross-check (H4): which submissions still need linking; a new list resets it.
-- Account key indexes are NOT here: the bulk loader builds them after loading (much faster).
ALTER TABLE submissions ADD COLUMN linked_at TEXT;
CREATE INDEX submissions_unlinked ON submissions(id) WHERE linked_at IS NULL;
CREATE INDEX submissions_account ON submissions(account_row) WHERE account_row IS NOT NULL;
"""

V4_MATCH_BLOCKING = """
-- Matcher (H2): indexes for the incremental match's blocking look-ups (one new submission
-- against the store: same birth date, same building, same phone tail) and person look-ups.
CREATE INDEX submissions_k_birth ON submissions(k_birth);
CREATE INDEX submissions_k_addr ON submissions(k_addr, k_unit);
CREATE INDEX submissions_k_phone_tail ON submissions(k_phone_tail);
CREATE INDEX decisions_r ON decisions(kind, id_r);
"""

V5_MATCH_POSTCODE = """
-- Matcher (H2): the incremental match counts how many submissions share a postcode (term
-- frequency) and looks candidates up by it; without an index that is a full scan per submit.
CREATE INDEX submissions_k_postcode ON submissions(k_postcode);
"""

V6_MATCH_NAME_POSTCODE = """
-- Matcher (speed): the incremental match's name + postcode look-up. Without it SQLite reads
-- every row of the postcode (over 1,000 at a million submissions) to check the name: 2.7 ms
-- of a ~5 ms submit on average, up to 8 ms.
CREATE INDEX submissions_k_name_postcode ON submissions(k_name, k_postcode);
"""

V7_DEFERRED_INDEXES = """
-- Imports (speed): a big claims import drops the submissions secondary indexes for its whole
-- run and builds them once at the end; the dropped CREATE statements are kept here (in the
-- same transaction as the drop) so a killed import's resume, or the next import, rebuilds them.
CREATE TABLE deferred_indexes (name TEXT PRIMARY KEY, sql TEXT NOT NULL);
"""

V8_FEWER_SUBMISSION_INDEXES = """
-- Imports (speed): every secondary index is one more sort of the whole table at the end of a
-- big import (~2.5 s each at a million rows). source_ref is shown, never looked up: its index
-- had no reader. One (k_postcode, k_name) index serves both the postcode count and the
-- name + postcode look-up (two equalities, any column order), so it replaces two. A killed
-- import's recorded statements for the removed indexes are forgotten, not rebuilt.
DROP INDEX IF EXISTS submissions_source_ref;
DROP INDEX IF EXISTS submissions_k_postcode;
DROP INDEX IF EXISTS submissions_k_name_postcode;
DELETE FROM deferred_indexes WHERE name IN
    ('submissions_source_ref', 'submissions_k_postcode', 'submissions_k_name_postcode');
CREATE INDEX IF NOT EXISTS submissions_k_postcode_name ON submissions(k_postcode, k_name);
"""

V9_MATCH_RESULTS = """
-- Matcher (speed): a submission's person and match stamp live in a narrow table of their own.
-- A full match sets both on every row; in the wide submissions table (~50 columns, ~1.4 KB a
-- row) that rewrote every page of it, 1.5 GB at a million rows (~16 s); here it is ~40 bytes a
-- row. No row, or a NULL matched_at: not matched yet. Readers that want a submission with its
-- person read the view, which is the submissions table plus these two columns.
CREATE TABLE match_results (
    id INTEGER PRIMARY KEY,                -- submissions.id (submissions are never deleted)
    person_id TEXT,
    matched_at TEXT                        -- NULL: not yet matched (incremental work list)
);
INSERT INTO match_results (id, person_id, matched_at)
    SELECT id, person_id, matched_at FROM submissions
    WHERE person_id IS NOT NULL OR matched_at IS NOT NULL;
DROP INDEX IF EXISTS submissions_person;
DROP INDEX IF EXISTS submissions_unmatched;
DELETE FROM deferred_indexes WHERE name IN ('submissions_person', 'submissions_unmatched');
ALTER TABLE submissions DROP COLUMN person_id;
ALTER TABLE submissions DROP COLUMN matched_at;
CREATE INDEX match_results_person ON match_results(person_id);
CREATE VIEW submissions_with_matches AS
    SELECT s.*, m.person_id, m.matched_at FROM submissions AS s
    LEFT JOIN match_results AS m ON m.id = s.id;
"""

MIGRATIONS: list[str] = [
    V1_BASE,
    V2_NAME_SEARCH,
    V3_ACCOUNT_LINK,
    V4_MATCH_BLOCKING,
    V5_MATCH_POSTCODE,
    V6_MATCH_NAME_POSTCODE,
    V7_DEFERRED_INDEXES,
    V8_FEWER_SUBMISSION_INDEXES,
    V9_MATCH_RESULTS,
]
