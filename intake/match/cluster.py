"""Clustering pairs into persons: connected components with cannot-link constraints.

Why constrained: a reviewer who says "these two are different people" must be obeyed in every
later run, even when a chain of auto-links (A~C, C~B) would join them. Edges are merged
strongest first (human 'same' decisions, then auto-links by probability); a merge is refused
when the two groups contain any pair a human called different, so cannot-link holds
transitively. Person IDs derive from each person's earliest submission, so they are stable.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

import numpy as np


class ConstrainedUnionFind:
    """Union–find whose groups remember which other groups they must never join."""

    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}
        self.size: dict[Hashable, int] = {}
        self.cannot: dict[Hashable, set[Hashable]] = {}

    def find(self, x: Hashable) -> Hashable:
        parent = self.parent
        root = parent.setdefault(x, x)
        if root == x:
            self.size.setdefault(x, 1)
            return x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def forbid(self, a: Hashable, b: Hashable) -> None:
        """Record that a and b are different people."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:  # already joined (can only happen if a caller merged first)
            return
        self.cannot.setdefault(ra, set()).add(rb)
        self.cannot.setdefault(rb, set()).add(ra)

    def union(self, a: Hashable, b: Hashable) -> bool:
        """Join a's and b's groups unless forbidden; True when they are (now) one group."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        ca, cb = self.cannot.get(ra), self.cannot.get(rb)
        if ca and rb in ca:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb, ca, cb = rb, ra, cb, ca
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        if cb:  # move rb's constraints to ra and repoint the other side
            merged = self.cannot.setdefault(ra, set())
            for other in cb:
                s = self.cannot[other]
                s.discard(rb)
                s.add(ra)
                merged.add(other)
            del self.cannot[rb]
        return True


def cluster(
    nodes: Iterable[Hashable],
    same: Iterable[tuple[Hashable, Hashable]],
    links: Iterable[tuple[Hashable, Hashable]],
    different: Iterable[tuple[Hashable, Hashable]],
) -> dict[Hashable, Hashable]:
    """node -> group root. ``same`` (human) edges are merged before ``links`` (auto, strongest
    first); no group ever contains both ends of a ``different`` pair."""
    uf = ConstrainedUnionFind()
    for x in nodes:
        uf.find(x)
    for a, b in different:
        uf.forbid(a, b)
    for a, b in same:
        uf.union(a, b)
    for a, b in links:
        uf.union(a, b)
    return {x: uf.find(x) for x in list(uf.parent)}


def person_ids(
    groups: dict[Hashable, Hashable],
    order_key: Callable[[Hashable], object],
    ref_of: Callable[[Hashable], str],
) -> dict[Hashable, str]:
    """node -> 'P-' + the 8 characters of the claim ref of its group's earliest submission."""
    earliest: dict[Hashable, Hashable] = {}
    for node, root in groups.items():
        best = earliest.get(root)
        if best is None or order_key(node) < order_key(best):
            earliest[root] = node
    return {node: person_id(ref_of(earliest[root])) for node, root in groups.items()}


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of nodes 0..n-1 over edges (a[k], b[k]): each node's label is the
    smallest node of its component. Vectorised (min-label propagation with pointer jumping),
    for a full run without cannot-links, where the order of the unions cannot matter."""
    labels = np.arange(n)
    if len(a) == 0:
        return labels
    while True:
        low = np.minimum(labels[a], labels[b])
        new = labels.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, labels):
            return labels
        labels = new


def person_id(ref: str) -> str:
    """'CL-AB12-CD34' -> 'P-AB12CD34' (any other reference: its letters and digits)."""
    if (
        len(ref) == 12
        and ref[:3] == "CL-"
        and ref[7] == "-"
        and (p := ref[3:7] + ref[8:]).isalnum()
    ):
        return "P-" + p.upper()  # the canonical form, without the per-character loop
    core = ref[3:] if ref.upper().startswith("CL-") else ref
    return "P-" + "".join(ch for ch in core if ch.isalnum()).upper()
