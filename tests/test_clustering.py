"""cluster_customers: strong pairs joined strongest first, never chaining two customers known
to be different, cluster id = smallest member id, the same result whatever the input order."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from dedupe.clustering import Clustering, cluster_customers, connected_pairs

A, B, C, D, E = 11, 12, 13, 14, 15


def cluster(pairs: list[tuple[int, int, float]], cannot_link: tuple[tuple[int, int], ...] | list = ()) -> Clustering:
    """cluster_customers over (left, right, probability) rows."""
    left = np.array([p[0] for p in pairs], dtype=np.int64)
    right = np.array([p[1] for p in pairs], dtype=np.int64)
    probability = np.array([p[2] for p in pairs], dtype=float)
    return cluster_customers(left, right, probability, cannot_link)


def groups(clustering: Clustering) -> set[frozenset[int]]:
    out: dict[int, set[int]] = {}
    for customer, cluster_id in clustering.cluster_of.items():
        out.setdefault(cluster_id, set()).add(customer)
    return {frozenset(g) for g in out.values()}


def test_strong_pairs_chain_into_one_cluster_when_nothing_forbids_it() -> None:
    result = cluster([(A, B, 0.99), (B, C, 0.97), (D, E, 0.96)])
    assert groups(result) == {frozenset({A, B, C}), frozenset({D, E})}
    assert result.joined.tolist() == [True, True, True]
    assert result.clusters == 2


def test_a_third_record_never_chains_two_customers_known_different() -> None:
    # "Ana García" A and her relative "Ana García" B were compared and found different;
    # the WhatsApp record C links strongly to both.
    result = cluster([(A, C, 0.99), (B, C, 0.97)], cannot_link=[(A, B)])
    assert groups(result) == {frozenset({A, C})}   # C goes with the stronger pair
    assert B not in result.cluster_of
    assert result.joined.tolist() == [True, False]  # the other strong pair is refused (to review)


def test_the_stronger_pair_wins_whichever_side_it_is_on() -> None:
    result = cluster([(A, C, 0.97), (B, C, 0.99)], cannot_link=[(B, A)])  # cannot-link in either order
    assert groups(result) == {frozenset({B, C})}
    assert result.joined.tolist() == [False, True]


def test_pairs_of_equal_probability_go_in_the_order_of_their_tie_keys_not_their_ids() -> None:
    # C links as strongly to A as to B, which are known different: the pair taken first wins.
    # By ids that is A-C; the tie keys (the customers' first source records, the same
    # whichever order the records arrived in) can put B-C first.
    left, right = np.array([A, B]), np.array([C, C])
    probability = np.array([0.98, 0.98])
    assert groups(cluster_customers(left, right, probability, [(A, B)])) == {frozenset({A, C})}
    by_keys = cluster_customers(left, right, probability, [(A, B)], ties=np.array([1, 0]))
    assert groups(by_keys) == {frozenset({B, C})}
    assert by_keys.joined.tolist() == [False, True]
    # the keys only order equals: a stronger pair still goes first
    stronger = cluster_customers(left, right, np.array([0.99, 0.98]), [(A, B)], ties=np.array([1, 0]))
    assert groups(stronger) == {frozenset({A, C})}


def test_a_cannot_link_between_any_members_keeps_two_groups_apart() -> None:
    # {A, B} and {C, D} are each certain; B-C is strong, but A and D are known different
    result = cluster([(A, B, 0.99), (C, D, 0.99), (B, C, 0.98)], cannot_link=[(A, D)])
    assert groups(result) == {frozenset({A, B}), frozenset({C, D})}
    assert result.joined.tolist() == [True, True, False]


def test_a_pair_inside_an_existing_cluster_counts_as_joined() -> None:
    result = cluster([(A, B, 0.99), (B, C, 0.98), (A, C, 0.96)])
    assert result.joined.tolist() == [True, True, True]
    assert groups(result) == {frozenset({A, B, C})}


def test_cluster_id_is_the_smallest_member_id() -> None:
    # the big group {20, 30, 40} is formed first; 1 joins it last, and the id follows it
    result = cluster([(20, 30, 0.99), (30, 40, 0.99), (1, 40, 0.97), (7, 9, 0.96)])
    assert result.cluster_of == {1: 1, 20: 1, 30: 1, 40: 1, 7: 7, 9: 7}


def test_no_strong_pairs_no_clusters() -> None:
    result = cluster([])
    assert result.cluster_of == {} and result.clusters == 0 and len(result.joined) == 0


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_ties_are_broken_by_ids_whatever_the_input_order(order: tuple[int, ...]) -> None:
    # A-C and B-C are equally strong and A, B are known different: the pair with the smaller
    # ids (A, C) is taken first, whatever order the pairs arrive in.
    pairs = [(B, C, 0.98), (A, C, 0.98), (D, E, 0.98)]
    shuffled = [pairs[i] for i in order]
    result = cluster(shuffled, cannot_link=[(A, B)])
    assert groups(result) == {frozenset({A, C}), frozenset({D, E})}
    joined = {pair[:2]: bool(j) for pair, j in zip(shuffled, result.joined)}
    assert joined == {(A, C): True, (B, C): False, (D, E): True}


def test_complete_linkage_needs_every_pair_between_two_groups_compared_and_alike() -> None:
    left, right = np.array([A, B], dtype=np.int64), np.array([C, C], dtype=np.int64)
    probability = np.array([0.99, 0.97])
    # A and B never compared (or scored below the floor): C joins only the stronger one
    apart = cluster_customers(left, right, probability, cannot_link=(), linked=[])
    assert apart.cluster_of == {A: A, C: A} and apart.joined.tolist() == [True, False]
    # A and B compared and scored above the floor: the three are one customer
    together = cluster_customers(left, right, probability, cannot_link=(), linked=[(B, A)])
    assert set(together.cluster_of) == {A, B, C} and together.joined.tolist() == [True, True]


def test_connected_pairs_lists_every_pair_a_cluster_could_hold() -> None:
    """1-2 and 2-3 connect 1 and 3 too; 4-5 stand apart; nothing in, nothing out."""
    left, right = connected_pairs(np.array([2, 1, 5]), np.array([3, 2, 4]))
    assert sorted(zip(left.tolist(), right.tolist())) == [(1, 2), (1, 3), (2, 3), (4, 5)]
    left, right = connected_pairs(np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert len(left) == len(right) == 0
