"""Cross-check of submissions against the affected-account list (the "link" use of the engine).

Candidates come from index look-ups on the strongest keys first (e-mail, phone, then name +
postcode), each candidate is scored with the same Fellegi–Sunter ``Model`` as the dedup, and the
claim gets one status:

- ``verified``: a strong key (e-mail or phone) agrees AND the name agrees (exact or close);
- ``probable``: for review: the score reaches the lower band, or the e-mail (the Coupang login)
  agrees while the name does not; also every claim caught by a fraud signal;
- ``unverified``: nothing on the list is close enough.

Fraud signals (sent to review, never shown to the claimant): one account matched by submissions
of several different persons; one claimant matching many accounts. Never imports Flask.

The batch (:func:`run_link`) works a chunk of claims at a time in worker processes: one sorted
index probe per key kind for the whole chunk, one read of the distinct candidate accounts, one
vectorised scoring pass (``linkscore``); the parent writes. One web submission
(:func:`link_submission`) uses one look-up statement and scores pair by pair; both decide
through ``linkscore.link_results`` and store identical results.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from ..loading import key_check, key_hasher
from ..pools import fork_pool
from ..store import accounts as store_accounts
from ..store import database_file
from ..store import links as store_links
from ..store.links import LinkResult
from .linkscore import RULE_BITS, by_strong_key, link_results
from .score import Model
from .settings import MatchSettings

MANY_ACCOUNTS = 3  # a claim whose e-mail or phone proposed this many accounts goes to review
PARALLEL_MIN = 20_000  # below this many claims, scoring in-process beats starting workers
CHUNK = 2_000  # claims per worker task
IN_FLIGHT = 4  # chunks queued per worker: they keep scoring while the parent clears and writes


class LinkError(RuntimeError):
    """The cross-check cannot run as configured (e.g. privacy-mode key missing or wrong)."""


@dataclass
class LinkReport:
    """What a batch cross-check did (counts only)."""

    submissions: int = 0
    verified: int = 0
    probable: int = 0
    unverified: int = 0
    pairs: int = 0
    full: bool = False
    list_version: int = 0
    shared_accounts: int = 0  # accounts claimed by several persons (fraud signal)
    many_account_claimants: int = 0
    sent_to_review: int = 0  # verified claims turned probable by a fraud signal
    seconds: float = 0.0
    note: str = ""


class Linker:
    """One list + one model + one look-up cursor; link many submissions with it."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        *,
        settings: MatchSettings | None = None,
        hash_key: str | bytes | None = None,
    ) -> None:
        self.db = db
        self.settings = settings or MatchSettings()
        self.meta = store_accounts.get_meta(db)
        self.hasher: Callable[[str | None], str | None] | None = None
        if self.meta.get("hashed"):
            if not hash_key:
                raise LinkError("the list is stored hashed: set ACCOUNT_HASH_KEY to cross-check")
            if key_check(hash_key) != self.meta.get("key_check"):
                raise LinkError("ACCOUNT_HASH_KEY differs from the key the list was loaded with")
            self.hasher = key_hasher(hash_key)
        n = store_accounts.list_size(db)
        # households stay on: the finding (match.households) needs birth dates on both sides
        # and the stored list has none, so it could never read household-free
        self.model = Model(settings=self.settings, n=n)
        self.lookup = store_accounts.Lookup(db)

    def _keys(self, keyrow: tuple) -> tuple:
        """The key row with e-mail, phone and phone tail hashed in privacy mode."""
        if self.hasher is None:
            return tuple(keyrow)
        h, r = self.hasher, list(keyrow)
        r[3], r[4], r[5] = h(r[3]), h(r[4]), h(r[5])
        return tuple(r)

    def link(
        self, keyrow: tuple, decisions: Mapping[tuple[int, int], str] | None = None
    ) -> LinkResult:
        """The status of one submission (key row as ``store.links.SUBMISSION_KEYS``): one
        statement for its three probes, then the same scoring as the batch."""
        sub = self._keys(keyrow)
        keys = {"k_email": sub[3], "k_phone": sub[4], "k_name": sub[2], "k_postcode": sub[7]}
        found = self.lookup.candidates(keys)
        cands = [(0, acc, sum(RULE_BITS[r] for r in rules)) for acc, (_row, rules) in found.items()]
        rows = {acc: row for acc, (row, _rules) in found.items()}
        return link_results(self.model, [sub], rows, cands, decisions)[0]

    def link_many(
        self, keyrows: Sequence[tuple], decisions: Mapping[tuple[int, int], str] | None = None
    ) -> list[LinkResult]:
        """Statuses of many submissions: one sorted index probe per key kind for all of them,
        one read of the distinct candidate accounts, one vectorised scoring pass."""
        subs = [self._keys(r) for r in keyrows]
        probe = self.lookup.probe_many
        by_email = probe("email", (s[3] for s in subs if s[3]))
        by_phone = probe("phone", (s[4] for s in subs if s[4]))
        by_name = probe("name_postcode", ((s[2], s[7]) for s in subs if s[2] and s[7]))
        e_bit, p_bit, n_bit = (RULE_BITS[r] for r in ("email", "phone", "name_postcode"))
        cands: list[tuple[int, int, int]] = []
        for i, s in enumerate(subs):
            found: dict[int, int] = {}
            if s[3]:
                for acc in by_email.get(s[3], ()):
                    found[acc] = found.get(acc, 0) | e_bit
            if s[4]:
                for acc in by_phone.get(s[4], ()):
                    found[acc] = found.get(acc, 0) | p_bit
            if s[2] and s[7]:
                for acc in by_name.get((s[2], s[7]), ()):
                    found[acc] = found.get(acc, 0) | n_bit
            cands += [(i, acc, mask) for acc, mask in found.items()]
        rows = self.lookup.rows(acc for _i, acc, _m in cands)
        return link_results(self.model, subs, rows, cands, decisions)


def run_link(
    db: sqlite_utils.Database,
    *,
    full: bool = False,
    settings: MatchSettings | None = None,
    progress: bool = False,
    hash_key: str | bytes | None = None,
    workers: int | None = None,
) -> LinkReport:
    """Cross-check submissions in batch: only never-linked ones, or all when ``full`` or when a
    new list was loaded since the last run. Fraud signals are re-evaluated over everything.

    Big runs score in ``workers`` processes (default: one per core), each with its own
    read connection; this process only reads key rows and writes results."""
    t0 = time.perf_counter()
    meta = store_accounts.get_meta(db)
    report = LinkReport(list_version=meta["version"])
    if not meta["version"]:
        report.note = "no affected-account list loaded"
        return report
    if store_links.linked_version(db) != meta["version"]:
        full = True
    report.full = full
    store_accounts.ensure_indexes(db)  # a killed fresh load may have left them unbuilt
    linker = Linker(db, settings=settings, hash_key=hash_key)
    decisions = store_links.link_decisions(db)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=store_links.count_to_link(db, full=full),
            desc="link",
            unit=" claims",
            unit_scale=True,
        )
    total = store_links.count_to_link(db, full=full)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if total >= PARALLEL_MIN else 0
    chunks = store_links.submissions_to_link(db, full=full, chunk=CHUNK)
    init = (database_file(db), linker.settings, hash_key, decisions)
    with store_links.bulk_writes(db):
        if full:  # a full run killed half-way must be a full run again next time
            store_links.set_linked_version(db, 0)
        replace = not full and store_links.has_link_pairs_unlinked(db)

        def start() -> None:  # runs while the workers score the first chunks
            if full:
                store_links.clear_link_pairs(db)

        for results in _linked_chunks(linker, decisions, chunks, workers, init, start):
            store_links.write_results(db, results, replace_pairs=replace)
            for r in results:
                setattr(report, r.status, getattr(report, r.status) + 1)
                report.pairs += len(r.pairs)
            report.submissions += len(results)
            if bar is not None:
                bar.update(len(results))
        if bar is not None:
            bar.close()
    shared, many, moved = apply_fraud_signals(db)
    report.shared_accounts, report.many_account_claimants = shared, many
    report.sent_to_review = moved
    store_links.set_linked_version(db, meta["version"])
    report.seconds = time.perf_counter() - t0
    return report


_WORKER: dict[str, Any] = {}


def _init_worker(path: str, settings: MatchSettings, hash_key: Any, decisions: dict) -> None:
    from .. import store

    db = store.connect(path, migrate_schema=False)
    _WORKER.update(linker=Linker(db, settings=settings, hash_key=hash_key), decisions=decisions)


def _link_chunk(rows: list[tuple]) -> list[LinkResult]:
    return _WORKER["linker"].link_many(rows, _WORKER["decisions"])


def _linked_chunks(
    linker: Linker,
    decisions: dict,
    chunks: Iterator[list[tuple]],
    workers: int,
    init: tuple,
    on_start: Callable[[], None],
) -> Iterator[list[LinkResult]]:
    """Results per chunk in submission order; bounded in flight so memory stays flat.

    ``on_start`` runs once before the first result is handed out; with workers, after the
    first chunks are queued, so the parent's set-up writes overlap their scoring."""
    if workers <= 0:
        on_start()
        for rows in chunks:
            yield linker.link_many(rows, decisions)
        return
    with fork_pool(workers, _init_worker, init) as pool:
        pending: deque = deque()
        started = False
        for rows in chunks:
            pending.append(pool.apply_async(_link_chunk, (rows,)))
            if len(pending) >= IN_FLIGHT * workers:
                if not started:
                    on_start()
                    started = True
                yield pending.popleft().get()
        if not started:
            on_start()
        while pending:
            yield pending.popleft().get()


def link_submission(
    db: sqlite_utils.Database,
    submission_id: int,
    *,
    settings: MatchSettings | None = None,
    hash_key: str | bytes | None = None,
) -> str:
    """Cross-check one submission now (the web form calls this after each claim); returns the
    status. Milliseconds: three index look-ups and a handful of scored candidates."""
    if not store_accounts.get_meta(db)["version"]:
        return "unverified"  # no list yet: `intake match` links everyone once it arrives
    hash_key = hash_key or getattr(settings, "account_hash_key", None)
    keyrow = store_links.submission_keys(db, submission_id)
    if keyrow is None:
        raise KeyError(f"no submission {submission_id}")
    linker = Linker(db, settings=settings, hash_key=hash_key)
    result = linker.link(keyrow, store_links.link_decisions(db, submission_id))
    store_links.write_results(db, [result])
    many = sum(by_strong_key(rule) for *_pair, rule in result.pairs) >= MANY_ACCOUNTS
    if result.account_row is not None or many:
        apply_fraud_signals(db, account_rows=[result.account_row] if result.account_row else [])
        if many:
            store_links.send_to_review(db, [submission_id])
        # a fraud signal may have sent it to review
        return store_links.status_of(db, submission_id) or result.status
    return result.status


def apply_fraud_signals(
    db: sqlite_utils.Database, *, account_rows: list[int] | None = None
) -> tuple[int, int, int]:
    """Send fraud-signal claims to review.

    Returns (shared accounts, many-account claimants, verified claims moved to probable)."""
    shared = store_links.shared_accounts(db, account_rows)
    ids = [sid for _row, sids in shared for sid in sids]
    many = []
    if account_rows is None:
        many = store_links.many_account_claimants(db, MANY_ACCOUNTS)
        ids += many
    moved = 0
    for i in range(0, len(ids), 5000):  # one statement per 5000 claims
        moved += store_links.send_to_review(db, ids[i : i + 5000])
    return len(shared), len(many), moved


def fraud_flags(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Fraud signals for the review screens (ids and counts); see store.accounts.fraud_flags."""
    return store_accounts.fraud_flags(db, many_accounts=MANY_ACCOUNTS)
