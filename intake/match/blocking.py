"""Blocking: which pairs get compared at all. Several rules, unioned; nothing quadratic.

Why several rules: each one misses duplicates the others catch (a new e-mail, a mistyped name, a
moved household). Why a cap: a block of all 김민준 born in 1990 would be quadratic, so blocks over
``block_cap`` records are compared only within a sliding window sorted by a second key (records
that look most alike end up next to each other), and the report says how many were split.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .frame import KeyFrame
from .settings import MatchSettings


@dataclass(frozen=True)
class Rule:
    """Records agreeing on all ``columns`` (none missing) are candidate pairs."""

    name: str
    columns: tuple[str, ...]
    window_sort: str  # order inside an oversized block
    window: int | None = None  # None: settings.block_window; broad rules use a smaller one
    max_block: int | None = None  # broad rules: blocks over this are left to the other rules


BROAD_MAX_BLOCK = 10

RULES: tuple[Rule, ...] = (
    Rule("email", ("email",), "name"),
    Rule("phone", ("phone",), "name"),
    Rule("name_birth_year", ("name_block", "birth_year"), "birth_date"),
    Rule("name_postcode", ("name_block", "postal_code"), "address"),
    Rule("initials_birth_date", ("initials", "birth_date"), "name"),
    Rule("birth_date_postcode", ("birth_date", "postal_code"), "name"),
    Rule("name_phone_tail", ("name_block", "phone_tail"), "phone"),
    Rule("name_building", ("name_block", "building"), "address"),
    Rule("initials_postcode", ("initials", "postal_code"), "birth_date"),
    # The broad rules catch a duplicate whose other keys all changed, which only happens in
    # small blocks (a rare name, a small building). In a block of hundreds of 김민준 or one
    # apartment complex their window pairs are strangers: at 100k Korean submissions blocks
    # over 10 gave ~200k candidates (half of all) and no true pair, so they are skipped.
    Rule("name", ("name_block",), "birth_date", window=3, max_block=BROAD_MAX_BLOCK),
    Rule("building", ("building",), "name", window=3, max_block=BROAD_MAX_BLOCK),
    Rule("birth_date", ("birth_date",), "name", window=3, max_block=BROAD_MAX_BLOCK),
)


@dataclass
class Candidates:
    """Candidate pairs as row indices into a frame (left < right), with the first rule's index."""

    left: np.ndarray
    right: np.ndarray
    rule: np.ndarray
    per_rule: dict[str, int] = field(default_factory=dict)  # pairs each rule proposed
    split_blocks: dict[str, int] = field(default_factory=dict)  # oversized blocks windowed
    rule_keys: dict[str, np.ndarray] = field(default_factory=dict)  # for recall estimation

    def __len__(self) -> int:
        return len(self.left)


def _block_key(frame: KeyFrame, columns: tuple[str, ...]) -> np.ndarray:
    """One int64 per record combining the codes of ``columns``; -1 where any is missing."""
    key = np.zeros(len(frame), dtype=np.int64)
    valid = np.ones(len(frame), dtype=bool)
    for col in columns:
        codes = frame.codes[col]
        valid &= codes >= 0
        key = key * (len(frame.uniques[col]) + 1) + codes
    key[~valid] = -1
    return key


def rule_pairs(
    frame: KeyFrame,
    rule: Rule,
    settings: MatchSettings,
    new: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Pairs (i, j), i < j as row indices, of one rule; with ``new`` only pairs touching a new
    row. Returns (i, j, number of oversized blocks)."""
    key = _block_key(frame, rule.columns)
    rows = np.flatnonzero(key >= 0)
    if new is not None:
        # keep only blocks that contain at least one new row
        new_keys = np.unique(key[rows[new[rows]]])
        rows = rows[np.isin(key[rows], new_keys)]
    empty = np.empty(0, np.int64)
    if len(rows) < 2:
        return empty, empty, 0
    order = np.lexsort((frame.ids[rows], frame.codes[rule.window_sort][rows], key[rows]))
    rows = rows[order]
    k = key[rows]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    skipped = 0
    if rule.max_block is not None and (sizes > rule.max_block).any():
        small = sizes <= rule.max_block
        skipped = int((~small).sum())
        rows = rows[np.repeat(small, sizes)]
        starts = np.r_[0, np.cumsum(sizes[small])[:-1]] if small.any() else starts[:0]
        sizes = sizes[small]
        if len(rows) < 2:
            return empty, empty, skipped
        k = key[rows]
    size_of = np.repeat(sizes, sizes)
    end_of = np.repeat(starts + sizes, sizes)
    pos = np.arange(len(k))
    window = rule.window or settings.block_window
    limit = np.where(size_of > min(settings.block_cap, window), window, size_of)
    limit = np.minimum(limit, end_of - pos) - 1  # neighbours to pair with, to the right
    active = np.flatnonzero(limit > 0)
    lefts, rights = [], []
    d = 1
    while len(active):
        lefts.append(rows[active])
        rights.append(rows[active + d])
        active = active[limit[active] > d]
        d += 1
    oversized = int((sizes > min(settings.block_cap, window)).sum()) + skipped
    if not lefts:
        return empty, empty, oversized
    a, b = np.concatenate(lefts), np.concatenate(rights)
    if new is not None:
        keep = new[a] | new[b]
        a, b = a[keep], b[keep]
    return np.minimum(a, b), np.maximum(a, b), oversized


def candidate_pairs(
    frame: KeyFrame,
    settings: MatchSettings,
    *,
    new: np.ndarray | None = None,
    rules: tuple[Rule, ...] = RULES,
) -> Candidates:
    """The union of every rule's pairs, each attributed to the first rule that proposed it."""
    n = max(len(frame), 1)
    keys, rule_ids = [], []
    per_rule, split, rule_keys = {}, {}, {}
    for r, rule in enumerate(rules):
        a, b, oversized = rule_pairs(frame, rule, settings, new)
        pk = np.unique(a.astype(np.int64) * n + b)
        per_rule[rule.name] = len(pk)
        split[rule.name] = oversized
        rule_keys[rule.name] = pk
        keys.append(pk)
        rule_ids.append(np.full(len(pk), r, dtype=np.int8))
    if keys:
        allk = np.concatenate(keys)
        allr = np.concatenate(rule_ids)
        uniq, first = np.unique(allk, return_index=True)
        rule_of = allr[first]
    else:
        uniq, rule_of = np.empty(0, np.int64), np.empty(0, np.int8)
    return Candidates(uniq // n, uniq % n, rule_of, per_rule, split, rule_keys)


def estimated_recall(cands: Candidates, linked_keys: np.ndarray) -> float | None:
    """Capture–recapture estimate of blocking recall from the pairs that were auto-linked.

    Each rule's share of the linked pairs estimates its recall; assuming rules miss duplicates
    independently, the union misses the product of their miss rates."""
    if len(linked_keys) == 0:
        return None
    miss = 1.0
    for pk in cands.rule_keys.values():
        share = np.isin(linked_keys, pk, assume_unique=True).mean()
        miss *= 1.0 - float(share)
    return 1.0 - miss
