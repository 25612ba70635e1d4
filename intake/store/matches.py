"""Matcher storage: reading submissions' keys, writing dedup pairs and person ids, model params.

Why here: only ``intake/store`` knows SQL. The matcher reads keys in bulk (a million rows in one
streamed query), writes pairs in one transaction with executemany, and the incremental path uses
indexed look-ups only, so one new submission is matched in milliseconds.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from contextlib import contextmanager

import sqlite_utils

from . import now
from .submissions import secondary_indexes

KEY_SELECT = "id, k_name, k_email, k_phone, k_birth, k_postcode, k_addr, k_unit"
"""Columns in ``intake.match.frame.RECORD_COLUMNS`` order."""
RECORD_KEYS = ("id", "k_name", "k_email", "k_phone", "k_birth", "k_postcode", "k_addr", "k_unit")
MODEL_KEY = "match.model"


BATCH_CACHE_KIB = 256 * 1024
"""Page cache for batch runs: bulk writes update several indexes of a million-row table."""


_META_SELECT = "s.ref, s.submitted_at, m.person_id, m.matched_at"
_WITH_MATCHES = "FROM submissions AS s LEFT JOIN match_results AS m ON m.id = s.id ORDER BY s.id"


def key_rows(db: sqlite_utils.Database) -> tuple[list[tuple], list[tuple]]:
    """(key rows, meta rows) of every submission ordered by id; meta = (ref, submitted_at,
    person_id, matched_at). Also enlarges this connection's page cache for the batch."""
    db.conn.execute(f"PRAGMA cache_size = -{BATCH_CACHE_KIB}")
    keys, meta = [], []
    cur = db.conn.execute(f"SELECT {_qualified(KEY_SELECT)}, {_META_SELECT} {_WITH_MATCHES}")
    while batch := cur.fetchmany(50_000):
        for row in batch:
            keys.append(row[:8])
            meta.append(row[8:])
    return keys, meta


PACK_SEPARATOR = 0xFF
"""The byte joining the values of a packed key column: UTF-8 text never contains it."""


def packed_keys(db: sqlite_utils.Database) -> tuple[str, dict[str, bytes]] | None:
    """Every submission's id (comma-separated) and each key column of ``KEY_SELECT`` (UTF-8,
    missing as empty, the values joined by ``PACK_SEPARATOR``); None when a column is longer
    than SQLite's string limit (~1 GB, tens of millions of rows): read ``key_rows`` then.

    Why: the batch frame wants each column as one array. Read row by row, a million rows are
    ~8 million Python objects built and then taken apart again (~10 CPU s); packed, SQLite
    joins them in C and Python receives eight objects (~3 s). One aggregate pass over the
    table fills every column, so all list the rows in the same order (the ids say which)."""
    columns = [c.strip() for c in KEY_SELECT.split(",")][1:]
    packed = ", ".join(
        f"CAST(group_concat(coalesce({c}, ''), X'{PACK_SEPARATOR:02X}') AS BLOB)" for c in columns
    )
    try:
        row = db.conn.execute(f"SELECT group_concat(id), {packed} FROM submissions").fetchone()
    except sqlite3.DataError:  # string or blob too big
        return None
    return row[0] or "", dict(zip(columns, row[1:], strict=True))


def meta_rows(db: sqlite_utils.Database) -> list[tuple]:
    """``key_rows``'s meta rows alone (the batch reads the keys packed). Also enlarges this
    connection's page cache for the batch's writes, as ``key_rows`` does."""
    db.conn.execute(f"PRAGMA cache_size = -{BATCH_CACHE_KIB}")
    return db.conn.execute(f"SELECT {_META_SELECT} {_WITH_MATCHES}").fetchall()


@contextmanager
def read_snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """One read transaction around several reads, so they see the same rows (a claim filed
    between them would otherwise be in one and not the other). Inside an open transaction,
    that one is the snapshot."""
    if db.conn.in_transaction:
        yield
        return
    db.conn.execute("BEGIN")
    try:
        yield
    finally:
        db.conn.execute("COMMIT")


def _qualified(columns: str, alias: str = "s") -> str:
    """'id, k_name' -> 's.id, s.k_name': a column list for a query that joins tables."""
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


def record(db: sqlite_utils.Database, submission_id: int) -> dict | None:
    """One submission's key columns as a dict (the matcher's record)."""
    row = db.conn.execute(
        f"SELECT {KEY_SELECT}, k_phone_tail FROM submissions WHERE id = ?", [submission_id]
    ).fetchone()
    return None if row is None else dict(zip((*RECORD_KEYS, "k_phone_tail"), row, strict=True))


_CANDIDATE_QUERIES = {
    "email": "k_email = :k_email",
    "phone": "k_phone = :k_phone",
    "name_birth_year": "k_name = :k_name AND k_birth >= :year AND k_birth < :year_end",
    "name_postcode": "k_name = :k_name AND k_postcode = :k_postcode",
    # the birth date's index (~50 rows at 1M), not the postcode's (~700): unary + keeps SQLite
    # (no ANALYZE statistics) off the postcode index, which made this look-up 3 ms
    "birth_date_postcode": "k_birth = :k_birth AND +k_postcode = :k_postcode",
    "name_phone_tail": "k_phone_tail = :k_phone_tail",
}
"""Rules served by one indexed equality look-up (up to ``limit`` rows each)."""

_FORM_QUERIES = {
    # rule: (indexed look-up, name form the rows must share: 0 block key, 1 initials, the name
    # column as the narrowing names it: '+k_name' keeps SQLite on the key's index rather than
    # the name's, where a common name has hundreds of rows to read)
    "initials_birth_date": ("k_birth = :k_birth", 1, "+k_name"),
    "name_building": ("k_addr = :k_addr", 0, "+k_name"),
    "name_postcode_forms": ("k_postcode = :k_postcode", 0, "k_name"),  # (k_postcode, k_name)
    "initials_postcode": ("k_postcode = :k_postcode", 1, "k_name"),
}
"""Rules on a name form (``intake.match.names.block_forms``), which has no column: the rows of
one indexed key (the postcode's through the covering (k_postcode, k_name) index) whose k_name
passes ``_name_narrowing`` are read as (id, k_name) and checked in Python. ``FORM_SCAN`` rows
at most per key."""

FORM_SCAN = 2000
_SYLLABLES = ("\uac00", "\ud7a3")  # precomposed Hangul: 19 초성 x 588 (vowel, final)
_DUEUM = (2, 5, 11)  # ㄴ ㄹ ㅇ: the 초성 두음법칙 swaps at the start of a name (리/이, 라/나)


def _name_narrowing(k_name: str, form: int, column: str = "k_name") -> tuple[str, dict]:
    """An SQL condition on k_name that every name sharing ``k_name``'s block key (``form`` 0)
    or initials (1) meets, and most others fail; evaluated on index entries, so a postcode of
    a thousand submissions is not read row by row nor its names folded in Python.

    Why it holds (checked on the 180k distinct names of the 1M benchmark; the Python check
    after it stays the rule): for an all-Hangul name both forms keep every syllable after the
    first, and change the first at most between the 두음 초성 ㄴ/ㄹ/ㅇ. Latin keys fold to Latin
    forms, which never equal Hangul ones."""
    lo, hi = _SYLLABLES
    if not k_name or not all(lo <= c <= hi for c in k_name):
        return (f"{column} < :syllable_lo", {"syllable_lo": lo}) if k_name < lo else ("1", {})
    cho, rest = divmod(ord(k_name[0]) - 0xAC00, 588)
    firsts = _DUEUM if cho in _DUEUM else (cho,)
    if form == 0:  # the same name but for the first syllable's 두음 초성
        names = {f"form_name{f}": chr(0xAC00 + f * 588 + rest) + k_name[1:] for f in firsts}
        return f"{column} IN ({', '.join(':' + n for n in names)})", names
    params = {"form_len": len(k_name)}
    ranges = []
    for f in firsts:
        params[f"form_lo{f}"] = chr(0xAC00 + f * 588)
        params[f"form_hi{f}"] = chr(0xAC00 + (f + 1) * 588)
        ranges.append(f"k_name >= :form_lo{f} AND k_name < :form_hi{f}")
    where = [f"({' OR '.join(ranges)})", "length(k_name) = :form_len"]
    for j, c in enumerate(k_name[1:], start=2):
        params[f"form_cho{j}"] = (ord(c) - 0xAC00) // 588
        where.append(f"(unicode(substr(k_name, {j}, 1)) - 44032) / 588 = :form_cho{j}")
    return " AND ".join(where).replace("k_name", column), params


_BROAD_QUERIES = {
    # rule: (indexed look-up, column the batch sorts the block by)
    "name": ("k_name = :k_name", "k_birth"),
    "building": ("k_addr = :k_addr", "k_name"),
    "birth_date": ("k_birth = :k_birth", "k_name"),
}
"""The batch's broad rules: only blocks of at most ``max_block`` records, and in them only the
``window`` - 1 neighbours on each side in (sort column, id) order, as ``blocking.rule_pairs``."""


def candidate_records(
    db: sqlite_utils.Database,
    rec: dict,
    *,
    limit: int,
    forms: Callable[[str], tuple[str, str]] | None = None,
    broad: tuple[int, int] = (10, 3),
    house: Callable[[str], tuple[str, str] | None] | None = None,
    windows: Mapping[str, int] | None = None,
) -> dict[int, tuple[dict, str]]:
    """Stored submissions sharing a blocking key with ``rec`` (indexed queries, ``limit`` per
    rule): id -> (record, first rule). ``forms``: k_name -> (block key, initials) for the name
    form rules (skipped without); ``broad``: (max_block, window) of the broad rules;
    ``house``: k_addr -> (house number, street letters) of a free-text address, for the
    ``house_street`` rule (skipped without); ``windows``: rule -> window of the rules the
    batch compares in birth-date order with their nearest neighbours only, whatever the
    block's size (their look-ups then propose those neighbours, not the whole block)."""
    params = dict(rec)
    birth = rec.get("k_birth") or ""
    params["year"], params["year_end"] = birth[:4], birth[:4] + "\uffff"
    windows = windows or {}
    found: dict[int, str] = {}
    for rule, where in _CANDIDATE_QUERIES.items():
        if not _usable(where, params):
            continue
        if rule in windows:
            hits = _birth_neighbours(db, where, params, windows[rule])
        else:
            sql = f"SELECT id FROM submissions WHERE {where} AND id != :id LIMIT {int(limit)}"
            hits = [i for (i,) in db.conn.execute(sql, params)]
        for i in hits:
            found.setdefault(i, rule)
    if forms is not None and rec.get("k_name"):
        mine = forms(rec["k_name"])
        for rule, (where, form, column) in _FORM_QUERIES.items():
            if not _usable(where, params):
                continue
            narrow, extra = _name_narrowing(rec["k_name"], form, column)
            rows = db.conn.execute(
                f"SELECT id, k_name FROM submissions WHERE {where} AND {narrow} AND id != :id"
                f" LIMIT {FORM_SCAN}",
                {**params, **extra},
            )
            hits = [i for i, name in rows if name and forms(name)[form] == mine[form]]
            rule = rule.removesuffix("_forms")
            if rule in windows and len(hits) >= windows[rule]:  # a block over the window
                births = list(_submissions_by_id(db, "id, k_birth", hits))
                hits = _nearest(births, (rec["id"], birth or None), windows[rule])
            for i in hits[:limit]:
                found.setdefault(i, rule)
    max_block, window = broad
    for rule, (where, sort) in _BROAD_QUERIES.items():
        if rule == "birth_date" and house is not None:  # the batch's order of rules
            for i in _house_block(db, params, house, max_block):
                found.setdefault(i, "house_street")
        if _usable(where, params):
            for i in _window(db, where, sort, params, max_block, window):
                found.setdefault(i, rule)
    out: dict[int, tuple[dict, str]] = {}
    ids = list(found)
    for row in _submissions_by_id(db, KEY_SELECT, ids):
        out[row[0]] = (dict(zip(RECORD_KEYS, row, strict=True)), found[row[0]])
    return {i: out[i] for i in ids if i in out}


def _submissions_by_id(db: sqlite_utils.Database, columns: str, ids: list[int]) -> Iterator:
    """``columns`` of the submissions ``ids``, 500 ids a query (SQLite's variable limit)."""
    for k in range(0, len(ids), 500):
        chunk = ids[k : k + 500]
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT {columns} FROM submissions WHERE id IN ({marks})"
        yield from db.conn.execute(sql, chunk)


_HOUSE_QUERY = (
    "SELECT id, k_addr FROM submissions WHERE k_addr >= ? AND k_addr < ? AND id != ?"
    f" LIMIT {FORM_SCAN}"
)


def _house_block(
    db: sqlite_utils.Database,
    params: dict,
    house: Callable[[str], tuple[str, str] | None],
    max_block: int,
) -> list[int]:
    """Every other record of the ``house_street`` block (same house number and street letters
    of a free-text address), none when the block (with this one) has over ``max_block``.

    Served by ranges of the k_addr index, no key column: a free-text key starts with its house
    number ('raw:|363banks…' from the normaliser, '363 banks …' as benchmark keys), then the
    street's first letter in either case; ``house`` decides on each row read. A key without a
    house number has no narrow range and is left to the batch (docs/matcher.md)."""
    mine = house(params.get("k_addr") or "")
    if not mine or not mine[0]:
        return []
    number, street = mine
    hits: set[int] = set()
    for prefix in (f"raw:|{number}", number, f"{number} "):
        for start in {prefix + street[0], prefix + street[0].upper()}:
            rows = db.conn.execute(_HOUSE_QUERY, (start, start + "\uffff", params["id"]))
            hits.update(i for i, key in rows if house(key) == mine)
    return [] if len(hits) + 1 > max_block else sorted(hits)


def _usable(where: str, params: dict) -> bool:
    """Whether every parameter of ``where`` has a value (a missing key blocks nothing)."""
    return all(params.get(p.split()[0]) for p in where.split(":")[1:])


def _window(
    db: sqlite_utils.Database, where: str, sort: str, params: dict, max_block: int, window: int
) -> list[int]:
    """Ids of a broad rule's block the batch would pair with ``params['id']``: none when the
    block (with it) has over ``max_block`` records, else its neighbours within ``window`` - 1
    places in (sort value, missing first; id) order."""
    rows = db.conn.execute(
        f"SELECT id, {sort} FROM submissions WHERE {where} AND id != :id LIMIT {int(max_block)}",
        params,
    ).fetchall()
    if len(rows) + 1 > max_block:
        return []
    return _nearest(rows, (params["id"], params.get(sort)), window)


def _nearest(rows: list[tuple], me: tuple[int, str | None], window: int) -> list[int]:
    """Ids of ``rows`` within ``window`` - 1 places of ``me`` in the batch's order of a block
    (sort value, missing first; id): the pairs ``blocking.rule_pairs`` makes in a window."""
    ordered = sorted([*rows, me], key=lambda r: (bool(r[1]), r[1] or "", r[0]))
    at = ordered.index(me)
    return [r[0] for r in ordered[max(0, at - window + 1) : at + window] if r[0] != me[0]]


def _birth_neighbours(
    db: sqlite_utils.Database, where: str, params: dict, window: int
) -> list[int]:
    """Ids of the ``window`` - 1 records on each side of ``params['id']`` in its block's
    (k_birth, id) order, read from the ordered index: a few rows, whatever the block's size.
    (A rule with a birth year in its key: every record of the block has a birth date.)"""
    near = []
    for side, order in (("<", "DESC"), (">", "ASC")):
        near += db.conn.execute(
            f"SELECT id FROM submissions WHERE {where} AND (k_birth, id) {side} (:k_birth, :id)"
            f" ORDER BY k_birth {order}, id {order} LIMIT {int(window) - 1}",
            params,
        ).fetchall()
    return [i for (i,) in near]


class ValueCounts(dict):
    """field -> value -> count of submissions, fetched lazily by indexed COUNT queries."""

    COLUMNS = {
        "name": "k_name",
        "email": "k_email",
        "phone": "k_phone",
        "birth_date": "k_birth",
        "postal_code": "k_postcode",
    }

    def __init__(self, db: sqlite_utils.Database) -> None:
        super().__init__()
        self.db = db

    def __missing__(self, field: str):
        column = self.COLUMNS.get(field)
        counts = _LazyCounts(self.db, column) if column else {}
        self[field] = counts
        return counts

    def get(self, field: str, default=None):  # noqa: D401 - dict protocol
        # ``Model.tf_adjustment`` asks with .get, which dict answers without __missing__:
        # every field then had no counts and per-submit scores no term frequencies (a shared
        # common birth date weighed 14.5 bits per submit, 12.1 in the full run).
        return self[field] if field in self.COLUMNS else dict.get(self, field, default)


class _LazyCounts(dict):
    def __init__(self, db: sqlite_utils.Database, column: str) -> None:
        super().__init__()
        self.db, self.column = db, column

    def get(self, value, default=0):  # noqa: D401 - dict protocol
        if value not in self:
            self[value] = self.db.conn.execute(
                f"SELECT count(*) FROM submissions WHERE {self.column} = ?", [value]
            ).fetchone()[0]
        return dict.get(self, value, default)


def submission_count(db: sqlite_utils.Database) -> int:
    """Number of submissions (max rowid: O(log n); rows are never deleted)."""
    return db.conn.execute("SELECT coalesce(max(id), 0) FROM submissions").fetchone()[0]


PAIR_COLUMNS = "kind, id_l, id_r, probability, weight, band, explanation, rule, updated_at"


def write_pairs(
    db: sqlite_utils.Database, rows: Iterable[Sequence], *, replace_all: bool = False
) -> int:
    """Insert or replace dedup pairs (rows in PAIR_COLUMNS order minus kind/updated_at) in one
    transaction; ``replace_all`` first drops every stored dedup pair (a full run)."""
    at = now()
    conn = db.conn
    with transaction(db):
        dropped = []
        if replace_all:
            if isinstance(rows, Sized) and len(rows) >= _BULK_PAIRS:  # before the delete too:
                kept = conn.execute(  # ~10 s for 700k pairs through their two indexes
                    "SELECT count(*) FROM pairs WHERE kind < 'dedup' OR kind > 'dedup'"
                ).fetchone()[0]
                dropped = _drop_indexes(db, "pairs", len(rows), stored=kept)
            conn.execute("DELETE FROM pairs WHERE kind = 'dedup'")
        cur = conn.executemany(
            f"INSERT OR REPLACE INTO pairs ({PAIR_COLUMNS})"
            " VALUES ('dedup', ?, ?, ?, ?, ?, ?, ?, ?)",
            ((*r, at) for r in rows),
        )
        for sql in dropped:
            conn.execute(sql)
    return cur.rowcount


_BULK_PAIRS = 50_000


def _drop_indexes(
    db: sqlite_utils.Database, table: str, incoming: int, *, stored: int
) -> list[str]:
    """Inside a transaction, before a bulk write: drop the secondary indexes of ``table``
    (``pairs`` or ``match_results``) when the rows coming are at least as many as the
    ``stored`` ones that stay (the caller counts them as is cheap for it); returns their
    CREATE statements for the caller to run after the write.

    Why: a full run inserts ~700k pairs at a million submissions; maintaining ``pairs_r`` and
    ``pairs_band`` row by row cost ~5 s there, building them once after ~2.8 s. DDL is
    transactional, so a failure restores them."""
    if not incoming or incoming < stored:
        return []
    rows = secondary_indexes(db, table)
    for name, _ in rows:
        db.conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One write transaction (BEGIN IMMEDIATE ... COMMIT, rolled back on error); inside an open
    one it just joins it, so a caller can make several writes commit once (the incremental
    match: pairs, persons and the matched stamp in one commit)."""
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def link_edges(db: sqlite_utils.Database) -> list[tuple[int, int, float]]:
    """Every auto-link dedup pair, strongest first (the clustering order)."""
    return db.conn.execute(
        "SELECT id_l, id_r, probability FROM pairs WHERE kind = 'dedup' AND band = 'link'"
        " ORDER BY probability DESC, id_l, id_r"
    ).fetchall()


def edges_touching(db: sqlite_utils.Database, ids: Sequence[int]) -> list[tuple[int, int, float]]:
    """Auto-link pairs with either end in ``ids`` (two indexed look-ups: by id_l, by id_r)."""
    out = set()
    for i in range(0, len(ids), 500):
        chunk = list(ids[i : i + 500])
        marks = ",".join("?" * len(chunk))
        # explicit indexes: without ANALYZE statistics SQLite picks a scan of all dedup pairs
        for side, index in (("id_l", "sqlite_autoindex_pairs_1"), ("id_r", "pairs_r")):
            hint = "" if side == "id_l" else f" INDEXED BY {index}"
            out.update(
                db.conn.execute(
                    f"SELECT id_l, id_r, probability FROM pairs{hint} WHERE kind = 'dedup'"
                    f" AND {side} IN ({marks}) AND +band = 'link'",
                    chunk,
                ).fetchall()
            )
    return sorted(out)


def decisions_touching(db: sqlite_utils.Database, ids: Sequence[int]) -> list[tuple[int, int]]:
    """(id_l, id_r) of dedup decisions with either end in ``ids`` (effective ones are chosen by
    ``decisions.effective_decisions``)."""
    out = set()
    for i in range(0, len(ids), 500):
        chunk = list(ids[i : i + 500])
        marks = ",".join("?" * len(chunk))
        for side, index in (("id_l", "decisions_pair"), ("id_r", "decisions_r")):
            out.update(
                db.conn.execute(
                    f"SELECT id_l, id_r FROM decisions INDEXED BY {index}"
                    f" WHERE kind = 'dedup' AND {side} IN ({marks})",
                    chunk,
                ).fetchall()
            )
    return sorted(out)


def meta(db: sqlite_utils.Database, ids: Sequence[int]) -> dict[int, tuple]:
    """id -> (ref, submitted_at, person_id) for ``ids``."""
    out = {}
    for i in range(0, len(ids), 500):
        chunk = list(ids[i : i + 500])
        marks = ",".join("?" * len(chunk))
        for row in db.conn.execute(
            "SELECT s.id, s.ref, s.submitted_at, m.person_id FROM submissions AS s"
            f" LEFT JOIN match_results AS m ON m.id = s.id WHERE s.id IN ({marks})",
            chunk,
        ):
            out[row[0]] = row[1:]
    return out


def set_persons(
    db: sqlite_utils.Database, person_of: Iterable[tuple[str, int]], matched: Iterable[int] = ()
) -> None:
    """Write (person_id, submission id) updates and stamp ``matched`` ids, in one transaction.

    A row that gets both is written once; when the rows coming are at least as many as those
    stored (a first batch run) the person index is rebuilt once instead of updated row by row."""
    at = now()
    person_of, matched = list(person_of), list(matched)
    stamp = set(matched)
    both = [(i, p, at) for p, i in person_of if i in stamp]
    only_person = (
        [(i, p) for p, i in person_of if i not in stamp] if len(both) < len(person_of) else []
    )
    done = {i for i, _, _ in both}
    only_stamp = [(i, at) for i in matched if i not in done]
    conn = db.conn
    with transaction(db):
        # max(id), not count(*): O(log n) on the per-submit path (at most the rows stored)
        stored = conn.execute("SELECT coalesce(max(id), 0) FROM match_results").fetchone()[0]
        dropped = _drop_indexes(
            db, "match_results", len(person_of) + len(only_stamp), stored=stored
        )
        conn.executemany(
            "INSERT INTO match_results (id, person_id, matched_at) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET person_id = excluded.person_id,"
            " matched_at = excluded.matched_at",
            both,
        )
        conn.executemany(
            "INSERT INTO match_results (id, person_id) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET person_id = excluded.person_id",
            only_person,
        )
        conn.executemany(
            "INSERT INTO match_results (id, matched_at) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET matched_at = excluded.matched_at",
            only_stamp,
        )
        for sql in dropped:
            conn.execute(sql)


CANONICAL_PERSON_SQL = "'P-' || substr(ref, 4, 4) || substr(ref, 9, 4)"
"""SQLite's form of ``cluster.person_id`` for a reference matching ``fullrun.CANONICAL_REF``."""


def set_persons_full(
    db: sqlite_utils.Database,
    explicit: Iterable[tuple[int, str]],
    last_id: int,
    rows: int | None = None,
) -> int:
    """A full run: stamp every submission up to ``last_id`` (the rows the run read) matched
    and set its person id, in one transaction.
    ``explicit``: (submission id, person id) rows; every other row's person id is the canonical
    one of its own reference (``CANONICAL_PERSON_SQL``: the caller lists every row where that
    is not its person). Returns how many person ids changed. ``rows``: how many rows the run
    read (saves counting them on a first run, when every one of them changes).

    Why: the match results of the rows read are rewritten in one INSERT ... SELECT, with SQLite
    computing most person ids from the references (read from the reference index, not the wide
    table), and the person index is rebuilt once."""
    at = now()
    conn = db.conn
    person = f"coalesce(u.p, {CANONICAL_PERSON_SQL.replace('ref', 's.ref')})"
    read = "FROM submissions AS s LEFT JOIN temp.person_update AS u ON u.id = s.id"
    with transaction(db):
        conn.execute(f"PRAGMA temp.cache_size = -{BATCH_CACHE_KIB}")
        conn.execute("CREATE TEMP TABLE person_update (id INTEGER PRIMARY KEY, p TEXT NOT NULL)")
        conn.executemany("INSERT INTO person_update VALUES (?, ?)", explicit)
        if conn.execute("SELECT 1 FROM match_results WHERE id <= ?", [last_id]).fetchone():
            changed = conn.execute(
                f"SELECT count(*) {read} LEFT JOIN match_results AS m ON m.id = s.id"
                f" WHERE s.id <= ? AND m.person_id IS NOT {person}",
                [last_id],
            ).fetchone()[0]
        elif rows is not None:  # a first run: every row read gets its first person id
            changed = rows
        else:
            changed = conn.execute(
                "SELECT count(*) FROM submissions WHERE id <= ?", [last_id]
            ).fetchone()[0]
        dropped = _drop_indexes(db, "match_results", last_id, stored=0)  # all rewritten
        conn.execute("DELETE FROM match_results WHERE id <= ?", [last_id])
        conn.execute(
            f"INSERT INTO match_results (id, person_id, matched_at)"
            f" SELECT s.id, {person}, ? {read} WHERE s.id <= ?",
            [at, last_id],
        )
        conn.execute("DROP TABLE temp.person_update")
        for sql in dropped:
            conn.execute(sql)
    return changed


def load_model_params(db: sqlite_utils.Database) -> dict | None:
    """Stored m/u parameters from an EM run, or None (defaults)."""
    row = db.conn.execute("SELECT value FROM settings WHERE key = ?", [MODEL_KEY]).fetchone()
    return json.loads(row[0]) if row else None


def save_model_params(db: sqlite_utils.Database, params: dict | None) -> None:
    """Persist (or with None, forget) the m/u parameters the matcher should use."""
    with db.conn:
        if params is None:
            db.conn.execute("DELETE FROM settings WHERE key = ?", [MODEL_KEY])
        else:
            db.conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                [MODEL_KEY, json.dumps(params)],
            )


def iter_ids(db: sqlite_utils.Database, where: str = "1") -> Iterator[int]:
    """Submission ids matching a fixed SQL condition (internal callers only)."""
    for (i,) in db.conn.execute(f"SELECT id FROM submissions WHERE {where} ORDER BY id"):
        yield i
