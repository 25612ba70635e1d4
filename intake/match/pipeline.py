"""Store integration: batch dedup (``run_match``), one new submission (``match_incremental``)
and re-clustering after a review decision (``recluster``).

Why three entry points over one engine: the CLI re-runs everything new (or everything, --full),
the web form needs a person id within milliseconds of a submit, and the review screens must see
a decision take effect at once without rescoring. All three cluster the same way (``cluster``),
so they agree on persons.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import sqlite_utils

from ..store import decisions as store_decisions
from ..store import matches as store
from ..store.background import in_background
from ..store.checkpoints import checkpointing_beside
from ..store.index_builds import BackgroundIndexes, indexes_in_background
from .blocking import BROAD_MAX_BLOCK, RULES, candidate_pairs, estimated_recall
from .cluster import cluster, person_id, person_ids
from .compare import house_street
from .explain import encode as encode_explanation
from .frame import KeyFrame
from .fullrun import earliest_rows, edge_rows, full_run_persons
from .households import HouseholdEvidence, household_evidence, households_params
from .names import block_forms
from .pairrows import pair_rows
from .prior import estimated_params
from .score import Model
from .settings import MatchSettings
from .vscore import pair_levels, score_pairs


@dataclass
class MatchReport:
    """What a run did; the CLI prints it and the audit log keeps its counts."""

    submissions: int = 0
    new: int = 0
    candidates: int = 0
    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    split_blocks: dict[str, int] = field(default_factory=dict)
    estimated_recall: float | None = None
    auto_links: int = 0
    review: int = 0
    persons: int = 0
    persons_changed: int = 0
    seconds: float = 0.0
    trained: bool = False
    households: HouseholdEvidence | None = None  # what this run's pairs say (match.households)
    stages: dict[str, float] = field(default_factory=dict)  # wall seconds per stage
    stages_cpu: dict[str, float] = field(default_factory=dict)  # CPU s (+ finished workers)
    _cpu: float = field(default_factory=lambda: _cpu_seconds(), repr=False)

    def lap(self, stage: str, since: float) -> float:
        """Record the wall and CPU time of ``stage`` (started at ``since``); returns now."""
        t, cpu = time.perf_counter(), _cpu_seconds()
        self.stages[stage] = round(self.stages.get(stage, 0.0) + t - since, 3)
        self.stages_cpu[stage] = round(self.stages_cpu.get(stage, 0.0) + cpu - self._cpu, 3)
        self._cpu = cpu
        return t


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished worker processes (the forked scorers):
    on a shared box the wall time of a stage says little, its CPU time says what it costs."""
    try:
        import resource
    except ImportError:  # not on Unix: this process only
        return time.process_time()
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def load_model(
    db: sqlite_utils.Database, settings: MatchSettings, n: int, tf=None, frame=None
) -> Model:
    """Defaults, or the m/u an EM run stored, with this store's size and term frequencies.
    The prior: estimated from ``frame`` in a batch run and stored (``prior.stored_params``),
    the stored one otherwise, so incremental and batch agree."""
    from .prior import stored_params

    return Model.from_params(stored_params(db, settings, frame), settings=settings, n=n, tf=tf)


def run_match(
    db: sqlite_utils.Database,
    *,
    full: bool = False,
    settings: MatchSettings | None = None,
    progress: bool = False,
    train: bool = False,
) -> MatchReport:
    """Deduplicate submissions: new ones (matched_at IS NULL) against all, or all with ``full``;
    write link/review (and decided) pairs, then recompute persons honouring decisions.

    ``train`` first estimates m/u from this data (EM, see ``em``) and stores them for every
    later run; it implies ``full``. Indexes a big import deferred (``import_claims(...,
    defer_indexes=True)``) are built in a thread beside the read, frame and blocking stages
    and waited for before the first write (report stage ``indexes``: the time waited)."""
    with without_cyclic_gc(), indexes_in_background(db) as indexes:
        return _run_match(
            db, full=full, settings=settings, progress=progress, train=train, indexes=indexes
        )


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector paused for a batch run (re-enabled after, as it was).

    Why: the run holds millions of row tuples, strings and lists at once, and each collection
    walks all of them; at a million submissions the collector ran many times over a growing
    heap (the key read took 7-9 s with it, ~5.6 s without). The run makes no reference
    cycles: its objects are tuples, lists, dicts and numpy arrays that refer only downwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _run_match(
    db, *, full: bool, settings, progress: bool, train: bool, indexes: BackgroundIndexes
) -> MatchReport:
    full = full or train
    settings = settings or MatchSettings()
    t0 = time.perf_counter()
    report = MatchReport()
    with store.read_snapshot(db):  # the keys and the meta rows list the same submissions
        packed, meta = store.packed_keys(db), store.meta_rows(db)
    if not meta:
        return report
    t = report.lap("read", t0)
    frame = packed and KeyFrame.from_packed(*packed, store.PACK_SEPARATOR)
    del packed
    if frame is None:  # a column did not unpack (``KeyFrame.from_packed``): read the rows
        key_rows, meta = store.key_rows(db)  # keys and meta of one read, as the snapshot's
        frame = KeyFrame.from_rows(key_rows)
        del key_rows
    report.submissions = len(frame)
    ids = frame.ids
    new = None if full else np.fromiter((m[3] is None for m in meta), bool, len(meta))
    report.new = len(ids) if new is None else int(new.sum())
    if progress:
        _say(f"{report.submissions} submissions, {report.new} to match")
    effective = store_decisions.effective_decisions(db, "dedup")
    links = edges = None
    t = report.lap("frame", t)
    if report.new:
        # the estimated prior is stored with the run's writes, not here: a write now would
        # wait for the index builds' transaction and leave the other core idle meanwhile
        params, params_changed = estimated_params(db, settings, frame)
        model = Model.from_params(params, settings=settings, n=len(frame))
        cands = candidate_pairs(frame, settings, new=new)
        t = report.lap("block", t)
        levels = pair_levels(model, frame, cands.left, cands.right)  # settings only, no model
        report.households = household_evidence(levels)
        if settings.household_detect:  # the finding is stored with the prior, for per-submit
            every_pair = new is None or bool(new.all())
            params, found_changed = households_params(
                params, report.households, every_pair=every_pair
            )
            if found_changed:
                params_changed = True
                model = Model.from_params(params, settings=settings, n=len(frame))
        if train:
            from .em import train as train_model

            model = train_model(frame, cands.left, cands.right, model)
            indexes.wait()
            store.save_model_params(db, model.params())  # with the prior's ratio
            params_changed = False
            report.trained = True
        report.candidates = len(cands)
        report.pairs_per_rule, report.split_blocks = cands.per_rule, cands.split_blocks
        scored = score_pairs(model, frame, cands.left, cands.right, levels=levels)
        del levels
        t = report.lap("score", t)
        indexes.wait()  # the writes below need the builds committed (and use the indexes)
        if params_changed:  # per-submit matches score with them from now on
            store.save_model_params(db, params)
        t = report.lap("indexes", t)
        prob = scored.probability
        keep = prob >= settings.lower
        if effective:  # decided pairs are always stored, whatever their band
            pair_ids = ids[cands.left] * (int(ids[-1]) + 1) + ids[cands.right]
            decided = np.fromiter(
                (lo * (int(ids[-1]) + 1) + hi for lo, hi in effective), np.int64, len(effective)
            )
            keep |= np.isin(pair_ids, decided)
        linked = prob >= settings.upper
        report.auto_links = int(linked.sum())
        report.review = int((keep & ~linked).sum())
        n = len(frame)
        report.estimated_recall = estimated_recall(
            cands, np.sort(cands.left[linked].astype(np.int64) * n + cands.right[linked])
        )
        if progress:
            _say(f"{report.candidates} candidate pairs scored; writing {int(keep.sum())}")
        if full:  # the pairs table will hold exactly these auto-links
            links = (ids[cands.left[linked]], ids[cands.right[linked]])
            edges = edge_rows(ids, effective, links)

        def write(to: sqlite_utils.Database) -> None:  # ``db``, or the pairs thread's own
            store.write_pairs(to, pair_rows(frame, cands, scored, keep, settings), replace_all=full)

        if edges is None:  # the clustering reads the stored pairs: write them first
            write(db)
            t = report.lap("write_pairs", t)
    indexes.wait()
    if edges is not None:  # a full run without cannot-links: column-wise (``fullrun``)
        # the clustering needs only these arrays: the pairs are written meanwhile, on a
        # connection of their own (``store.background``), and waited for before the persons;
        # the pairs' commit is copied into the database beside the persons write
        with checkpointing_beside(db):
            with in_background(db, write, "intake-pairs-write", autocheckpoint=0):
                earliest = earliest_rows(ids, meta, *edges)
                explicit, report.persons = full_run_persons(ids, meta, earliest)
                t = report.lap("cluster", t)
            t = report.lap("write_pairs", t)
            report.persons_changed = store.set_persons_full(db, explicit, int(ids[-1]), len(ids))
    else:
        persons = _assign_all(db, ids, meta, effective, links)
        report.persons = len(set(persons.values()))
        changed = [
            (p, i)
            for i, p, m in zip(ids.tolist(), persons.values(), meta, strict=True)
            if p != m[2]
        ]
        report.persons_changed = len(changed)
        matched = ids.tolist() if new is None else ids[new].tolist()
        t = report.lap("cluster", t)
        store.set_persons(db, changed, matched)
    report.lap("write_persons", t)
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def _assign_all(
    db, ids: np.ndarray, meta: list[tuple], effective, links: tuple | None = None
) -> dict[int, str]:
    """submission id -> person id for every submission (ids order). ``links``: the (id_l, id_r)
    arrays of every stored auto-link when the caller has them (a full run just wrote them)."""
    if not len(ids):
        return {}
    if not any(d == "different" for d in effective.values()):
        # no cannot-link: components do not depend on the merge order, so numpy can do it
        if links is None:
            edges = np.asarray([e[:2] for e in store.link_edges(db)], dtype=np.int64)
            links = (edges[:, 0], edges[:, 1]) if len(edges) else (edges, edges)
        rows = edge_rows(ids, effective, links)
        if rows is not None:  # every end is a known submission
            return _assign_components(ids, meta, *rows)
    refs = {i: m[0] for i, m in zip(ids.tolist(), meta, strict=True)}
    when = {i: m[1] for i, m in zip(ids.tolist(), meta, strict=True)}
    groups = _groups(store.link_edges(db), effective)
    grouped = person_ids(groups, lambda i: (when[i], i), refs.__getitem__)
    return {i: grouped.get(i) or person_id(refs[i]) for i in ids.tolist()}


def _assign_components(ids: np.ndarray, meta: list[tuple], a: np.ndarray, b: np.ndarray):
    """``_assign_all`` over row-index edges without constraints: each component takes the
    person id of its earliest (submitted_at, id) member, exactly as ``person_ids`` does."""
    reps, inverse = np.unique(earliest_rows(ids, meta, a, b), return_inverse=True)
    pids = [person_id(meta[r][0]) for r in reps.tolist()]
    return dict(zip(ids.tolist(), map(pids.__getitem__, inverse.tolist()), strict=True))


def _groups(edges, effective) -> dict:
    different = [p for p, d in effective.items() if d == "different"]
    same = [p for p, d in sorted(effective.items()) if d == "same"]
    links = [(a, b) for a, b, _ in edges if effective.get((a, b)) != "different"]
    nodes = {x for e in (*same, *links, *different) for x in e}
    return cluster(sorted(nodes), same, links, different)


def recluster(
    db: sqlite_utils.Database,
    submission_ids=None,
    *,
    settings: MatchSettings | None = None,
) -> None:
    """Recompute persons from stored pairs and decisions (no rescoring). With ids, only the
    components they belong to (after a review decision); without, everything."""
    effective = store_decisions.effective_decisions(db, "dedup")
    if submission_ids is None:
        key_rows, meta = store.key_rows(db)
        ids = np.asarray([r[0] for r in key_rows], dtype=np.int64)
        persons = _assign_all(db, ids, meta, effective)
        store.set_persons(
            db, [(p, i) for (i, p), m in zip(persons.items(), meta, strict=True) if p != m[2]]
        )
        return
    component, edges = _component(db, list(submission_ids), effective)
    info = store.meta(db, sorted(component))
    edges.sort(key=lambda e: (-e[2], e[0], e[1]))
    inside = {p: d for p, d in effective.items() if p[0] in component and p[1] in component}
    groups = _groups(edges, inside)
    for i in component:
        groups.setdefault(i, i)
    pids = person_ids(groups, lambda i: (info[i][1], i), lambda i: info[i][0])
    store.set_persons(db, [(p, i) for i, p in pids.items() if p != info[i][2]])


def _component(db, start: list[int], effective) -> tuple[set[int], list[tuple]]:
    """Every submission reachable from ``start`` over auto-links and decided pairs."""
    seen, frontier, edges, seen_edges = set(start), list(start), [], set()
    while frontier:
        found = []
        for a, b, p in store.edges_touching(db, frontier):
            if (a, b) not in seen_edges:
                seen_edges.add((a, b))
                edges.append((a, b, p))
                found += [a, b]
        for a, b in store.decisions_touching(db, frontier):
            if (a, b) in effective:
                found += [a, b]
        frontier = [x for x in set(found) if x not in seen]
        seen.update(frontier)
    return seen, edges


_BROAD = (BROAD_MAX_BLOCK, next(r.window for r in RULES if r.name == "name"))
"""(max_block, window) of the broad rules, for the per-submit look-ups."""
_WINDOWS = {r.name: r.window for r in RULES if r.window and r.max_block is None}
"""rule -> window of the narrow rules compared in birth-date windows, for the same look-ups."""


def match_incremental(
    db: sqlite_utils.Database, submission_id: int, *, settings: MatchSettings | None = None
) -> str:
    """Match one just-stored submission against the store and return its person id.

    Indexed candidate look-ups (a few hundred at most), Python scoring, then re-clustering of
    its component only: milliseconds on a store of a million."""
    settings = settings or MatchSettings()
    rec = store.record(db, submission_id)
    if rec is None:
        raise KeyError(f"no submission with id {submission_id}")
    model = load_model(db, settings, store.submission_count(db), tf=store.ValueCounts(db))
    rows = []
    candidates = store.candidate_records(
        db,
        rec,
        limit=settings.incremental_limit,
        forms=block_forms,
        broad=_BROAD,
        house=house_street,
        windows=_WINDOWS,
    )
    for other_id, (other, rule) in candidates.items():
        s = model.score(rec, other)
        if s.probability >= settings.lower:
            lo, hi = sorted((submission_id, other_id))
            rows.append(
                (lo, hi, s.probability, s.weight, settings.band(s.probability),
                 encode_explanation(s.explanation), rule)
            )  # fmt: skip
    with store.transaction(db):  # pairs, persons and the stamp: one commit
        if rows:
            store.write_pairs(db, rows)
        recluster(db, [submission_id], settings=settings)
        store.set_persons(db, [], [submission_id])
    return store.meta(db, [submission_id])[submission_id][2]


def _say(message: str) -> None:
    import sys

    print(message, file=sys.stderr)
