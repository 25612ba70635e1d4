"""The two import commands as library calls: :func:`import_accounts` and :func:`import_claims`.

Both stream the file in 100k-row transactions with a resume point, write rejects beside the
input, audit counts only (never PII), and are idempotent per file content (sha256).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlite_utils

from .batches import (
    READER_MESSAGE_ROWS,
    account_batches,
    claim_batches,
    in_reader_process,
    no_gc_pauses,
    use_reader_process,
)
from .claim_rows import range_batches
from .imports import open_table
from .loading import BATCH_ROWS, ImportReport, Rejects, fingerprint, key_check, progress_bar
from .refs import new_claim_ref
from .store import accounts as store_accounts
from .store import imports as store_imports
from .store import submissions as store_submissions
from .store.audit import audit

IMPORT_CACHE_KIB = 256 * 1024  # SQLite page cache of a claims import (KiB)
IMPORT_MMAP_BYTES = 2_000_000_000  # memory-mapped reads during a claims import (SQLite caps it)


class ImportRefused(ValueError):
    """The import cannot run as asked (message says why and what to do; no PII)."""


def import_accounts(
    db: sqlite_utils.Database,
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    replace: bool = False,
    encoding: str | None = None,
    hash_key: str | bytes | None = None,
    progress: bool = False,
    workers: int | None = None,
    batch_rows: int = BATCH_ROWS,
    user_id: int | None = None,
) -> ImportReport:
    """Load an affected-account list (extend the current one, or ``replace`` it).

    With ``hash_key`` (config ACCOUNT_HASH_KEY) e-mails and phones are stored only as HMACs.
    A finished list bumps the list version so the next ``run_link`` re-checks every claim.
    """
    path = Path(path)
    table = open_table(path, kind="accounts", mapping=mapping, encoding=encoding)
    digest, lines = fingerprint(path)
    check = key_check(hash_key)
    meta = store_accounts.get_meta(db)
    if not replace and store_accounts.list_size(db) and meta["key_check"] != check:
        raise ImportRefused(
            "the stored list was loaded with a different privacy setting or ACCOUNT_HASH_KEY; "
            "use --replace to load this list in place of it"
        )
    replaced = 0

    def on_new(db_: sqlite_utils.Database, import_id: int) -> None:
        nonlocal replaced
        if replace:
            replaced = store_imports.mark_replaced(db_, "accounts", except_id=import_id)
            store_accounts.clear_accounts(db_)

    row, action = store_imports.begin_import(db, "accounts", path.name, digest, on_new=on_new)
    report = _report(row, action, table, "accounts")
    report.replaced_imports = replaced
    if action == "done":
        return report
    import_id = row["id"]
    fresh = store_imports.other_live_imports(db, "accounts", import_id) == 0
    if fresh:  # nothing else in the list: load without indexes, build them once at the end
        store_accounts.drop_indexes(db)
    store_accounts.set_meta(db, hashed=check is not None, key_check=check)
    init = ("accounts", hash_key, import_id, table.header, "")
    _load(db, table, row, action, report, lines, store_accounts.INSERT_ACCOUNT, init, workers,
          batch_rows, progress)  # fmt: skip
    store_accounts.ensure_indexes(db)
    store_imports.finish_import(db, import_id)
    meta = store_accounts.get_meta(db)
    store_accounts.set_meta(db, version=meta["version"] + 1)
    _audit(db, report, user_id)
    return report


def import_claims(
    db: sqlite_utils.Database,
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    progress: bool = False,
    workers: int | None = None,
    batch_rows: int | None = None,
    user_id: int | None = None,
    defer_indexes: bool = False,
) -> ImportReport:
    """Load claims gathered elsewhere as submissions (source 'import:<file name>').

    The ``ref`` column becomes source_ref; each row gets a fresh claim reference. New rows are
    unmatched and unlinked, so the next ``intake match`` picks them up. ``defer_indexes``: a
    big import leaves the submissions indexes for the batch match run straight after it
    (``run_match`` builds them beside its first stages; ``intake import-claims --match``).
    ``batch_rows``: rows per commit (default :func:`claims_batch_rows` of the file's lines).
    """
    path = Path(path)
    table = open_table(path, kind="claims", mapping=mapping, encoding=encoding)
    digest, lines = fingerprint(path)
    row, action = store_imports.begin_import(db, "claims", path.name, digest)
    report = _report(row, action, table, "claims")
    if action == "done":
        return report
    init = ("claims", None, row["id"], table.header, f"import:{path.name}")
    if batch_rows is None:
        batch_rows = claims_batch_rows(lines - (row["last_line"] if action == "resume" else 0))
    # A file at least as big as the store: no secondary index is maintained row by row; they
    # are built once at the end (or by the resume of a killed run).
    with store_submissions.bulk_import(
        db, lines, IMPORT_CACHE_KIB, IMPORT_MMAP_BYTES, defer_indexes=defer_indexes
    ) as big:
        _load(db, table, row, action, report, lines, None, init, workers, batch_rows, progress)
    store_imports.finish_import(db, row["id"])
    _audit(db, report, user_id)
    if big:  # the WAL holds every page written (~1 GB at 1M rows): copy it now, not in the match
        store_submissions.checkpoint(db)
    return report


def claims_batch_rows(lines: int) -> int:
    """Rows per commit of a claims import of ``lines`` lines: a tenth of them, at least
    MIN_BATCH_ROWS and at most BATCH_ROWS.

    Why not always BATCH_ROWS: the writer commits a batch once it is full, so a file of ~100k
    rows had one big commit (~1 s) that began when the workers had nearly finished, and ran
    alone; ten commits overlap the parsing (100k rows: 4.95 -> 4.23 s). Why not small batches
    at any size: each commit rewrites every page of the random-key ``ref`` index that it
    touched, so at a million rows 20k-row batches were ~3 s slower than 100k-row ones
    (docs/benchmarks/matcher.md, round 10)."""
    return max(MIN_BATCH_ROWS, min(BATCH_ROWS, lines // 10))


MIN_BATCH_ROWS = 10_000


def _report(row: Mapping[str, Any], action: str, table, kind: str) -> ImportReport:
    return ImportReport(
        import_id=row["id"],
        kind=kind,
        file_name=row["file_name"],
        action=action,
        loaded=row["rows_loaded"],
        rejected=row["rows_rejected"],
        encoding=table.encoding,
        columns={f: table.header[i] for f, i in table.columns.items()},
        unmapped=table.unmapped,
    )


def _load(db, table, row, action, report, lines, insert_sql, init, workers, batch_rows, progress):
    """Stream, normalise and commit in batches together with the resume point."""
    import_id = row["id"]
    start_after = row["last_line"] if action == "resume" else 0
    report.skipped_lines = max(start_after - 1, 0)
    loaded, rejected = report.loaded, report.rejected
    rejects = Rejects(table.path, table.header, resume_after=start_after if start_after else None)
    if rejects.path.exists():
        report.rejects_file = str(rejects.path)
    total = None if table.format == "xlsx" else max(lines - 1, 0) or None  # zip: no line count
    bar = progress_bar(total, loaded + rejected, table.path.name, progress)
    if insert_sql is None:
        kwargs = dict(
            start_after=start_after, init_args=init, workers=workers, batch_rows=batch_rows,
            lines=lines - start_after,
        )  # fmt: skip
        batches = range_batches(table, **kwargs) or claim_batches(table, **kwargs)
    else:
        kwargs = dict(
            table=table, start_after=start_after, hash_key=init[1], import_id=import_id,
            batch_rows=batch_rows,
        )  # fmt: skip
        if use_reader_process(workers):
            # small messages keep both processes busy; the commits stay batch_rows apart
            kwargs["batch_rows"] = min(batch_rows, READER_MESSAGE_ROWS)
            batches = in_reader_process(account_batches, **kwargs)
        else:
            batches = account_batches(**kwargs)
    batch = None  # the rows of the next commit: a list, or PackedClaims from range_batches
    last, pending = start_after, 0
    try:
        with no_gc_pauses() as gc_done:
            for rows, rejected_rows, last, n in batches:
                for line, reason, cells in rejected_rows:
                    rejects.add(line, reason, cells)
                if batch is None:
                    batch = rows
                else:
                    batch += rows
                loaded += len(rows)
                rejected += len(rejected_rows)
                pending += n
                if len(batch) >= batch_rows:
                    _commit(db, import_id, insert_sql, batch, last, loaded, rejected, rejects)
                    if bar is not None:
                        bar.update(pending)
                    gc_done(pending)
                    batch, pending = None, 0
            batch = [] if batch is None else batch
            _commit(db, import_id, insert_sql, batch, last, loaded, rejected, rejects)
            if bar is not None:
                bar.update(pending)
    finally:
        batches.close()  # ends a reader process whatever happened here
        rejects.close()
        if bar is not None:
            bar.close()
    report.loaded, report.rejected = loaded, rejected
    if rejected:
        report.rejects_file = str(rejects.path)


def _commit(db, import_id, insert_sql, batch, last, loaded, rejected, rejects) -> None:
    rejects.flush()  # rejects reach the disk before the resume point moves past them
    if insert_sql is None:
        store_imports.commit_claims(
            db, import_id, batch, new_ref=new_claim_ref, last_line=last, loaded=loaded,
            rejected=rejected,
        )  # fmt: skip
    else:
        store_imports.commit_batch(
            db, import_id, insert_sql, batch, last_line=last, loaded=loaded, rejected=rejected
        )


def _audit(db: sqlite_utils.Database, report: ImportReport, user_id: int | None) -> None:
    audit(
        db,
        "import",
        user_id=user_id,
        target=f"import:{report.import_id}",
        kind=report.kind,
        loaded=report.loaded,
        rejected=report.rejected,
        resumed=report.action == "resume",
        replaced_imports=report.replaced_imports,
    )
