"""Clusters of customers that are one customer, without chaining unrelated customers.

Pairs at or above the auto-merge threshold are taken strongest first; two groups join only
when every pair between them is linked and none is known to be different (two distinct
valid documents, or rejected by a steward): complete linkage. Linked: a pair at or above
the threshold, one a steward accepted, or one the caller's judge finds alike (dedupe/
scoring.py scores every pair between the two groups, proposed or not, and asks for at least
``LINK_EVIDENCE`` of evidence). So "Ana García" (A), her relative "Ana García" (B) and a
WhatsApp record "Ana G." (C) linking to both never end as one customer unless A and B were
themselves compared and scored as alike: C goes with the stronger of the two and its other
pair is sent to review.

Plain Python over the few pairs above the threshold (a union-find with member lists); the
many pairs below it are only looked up in a set.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Clustering:
    """``cluster_of`` maps each clustered customer to its cluster id (the smallest customer id
    of the cluster); ``joined[i]`` says whether strong pair i joined two customers now in one
    cluster (False: refused because of a cannot-link, so it goes to review)."""

    cluster_of: dict[int, int]
    joined: np.ndarray

    @property
    def clusters(self) -> int:
        return len(set(self.cluster_of.values()))


def _root(parent: dict[int, int], x: int) -> int:
    """The representative of ``x``'s group in the union-find ``parent`` (paths halved on the way)."""
    while parent.get(x, x) != x:
        parent[x] = parent.get(parent[x], parent[x])
        x = parent[x]
    return x


def cluster_customers(left: np.ndarray, right: np.ndarray, probability: np.ndarray,
                      cannot_link: Iterable[tuple[int, int]],
                      linked: Iterable[tuple[int, int]] | None = None,
                      ties: np.ndarray | None = None) -> Clustering:
    """Cluster the pairs (``left[i]``, ``right[i]``) — the strong ones only — strongest first,
    pairs of equal probability in the order of ``ties`` (a key per pair, smallest first; by
    default their customer ids).

    ``cannot_link`` holds (smaller id, larger id) pairs that must never end in one cluster.
    With ``linked`` (the pairs the caller judged alike; the strong pairs count as linked), two
    groups join only if every pair between them is linked; without it, any pair not in
    ``cannot_link`` may.
    """
    never = {(min(a, b), max(a, b)) for a, b in cannot_link}
    alike = None
    if linked is not None:
        alike = {(min(a, b), max(a, b)) for a, b in linked}
        alike.update(zip(np.minimum(left, right).tolist(), np.maximum(left, right).tolist()))
    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}

    def root(x: int) -> int:
        return _root(parent, x)

    def conflict(a: list[int], b: list[int]) -> bool:
        cross = [(min(x, y), max(x, y)) for x in a for y in b]
        return any(p in never for p in cross) or (alike is not None and not all(p in alike for p in cross))

    order = np.lexsort((right, left, -probability) if ties is None else (right, left, ties, -probability))
    joined = np.zeros(len(left), dtype=bool)
    for i in order:
        a, b = int(left[i]), int(right[i])
        ra, rb = root(a), root(b)
        if ra == rb:
            joined[i] = True
            continue
        group_a, group_b = members.get(ra, [ra]), members.get(rb, [rb])
        if conflict(group_a, group_b):
            continue
        if len(group_a) < len(group_b):
            ra, rb, group_a, group_b = rb, ra, group_b, group_a
        parent[rb] = ra
        members[ra] = group_a + group_b
        members.pop(rb, None)
        joined[i] = True
    cluster_of: dict[int, int] = {}
    for group in members.values():
        cluster_id = min(group)
        for customer in group:
            cluster_of[customer] = cluster_id
    return Clustering(cluster_of, joined)


def connected_pairs(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (smaller id, larger id) of customers that the pairs (``left[i]``,
    ``right[i]``) connect, directly or through others: the pairs a cluster built from them
    could hold, which clustering judges before joining groups. Groups are small (at most 10
    customers on generated 100,000 records), so listing their pairs is cheap."""
    parent: dict[int, int] = {}
    for a, b in zip(left.tolist(), right.tolist()):
        ra, rb = _root(parent, a), _root(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for customer in sorted(set(left.tolist()) | set(right.tolist())):
        groups.setdefault(_root(parent, customer), []).append(customer)
    pairs = [(a, b) for members in groups.values() for i, a in enumerate(members) for b in members[i + 1:]]
    out = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return out[:, 0], out[:, 1]
