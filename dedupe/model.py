"""The one place that knows recordlinkage (0.16; no longer maintained upstream).

Everything recordlinkage does for Unifica goes through these functions, so that it can be
replaced without touching the rest:

- ``compare_pairs``: the comparison levels of candidate pairs, through recordlinkage's
  ``Compare`` with one feature per ``Comparison`` (the levels themselves are computed by
  dedupe/comparisons.py with rapidfuzz);
- ``fit_unsupervised``: Fellegi-Sunter m and u probabilities estimated from the data itself,
  no labels needed (see the function for why not recordlinkage's ``ECMClassifier``);
- ``fit_steward``: what the stewards' decisions teach about the review band, a logistic
  regression (``LogisticRegressionClassifier``) on top of the unsupervised model;
- ``MatchModel.probability`` and ``MatchModel.level_weights``: each pair's match probability
  and, per field level, the m and u probabilities that explain it.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import recordlinkage
from recordlinkage.base import BaseCompareFeature

from dedupe.comparisons import Comparison, with_word_codes, word_columns

# Probabilities never reach 0 or 1 exactly: a level seen in only one class during fitting
# must not make a pair certain whatever its other fields say.
PROBABILITY_FLOOR = 1e-6
# u of a level no random pair reached, up to this many customers; beyond, PROBABILITY_FLOOR
# shrinks with the base (``unseen_share``)
UNSEEN_FLOOR_CUSTOMERS = 100_000


class _LevelFeature(BaseCompareFeature):
    """A recordlinkage compare feature giving a Comparison's level code for each pair."""

    def __init__(self, comparison: Comparison, available: Iterable[str]) -> None:
        columns = word_columns(available, [comparison.field, *comparison.columns])
        super().__init__(columns, columns, label=comparison.field)
        self.comparison = comparison

    def _compute_vectorized(self, *series: pd.Series) -> np.ndarray:
        half = len(series) // 2
        left = pd.DataFrame({s.name: s.to_numpy() for s in series[:half]})
        right = pd.DataFrame({s.name: s.to_numpy() for s in series[half:]})
        return self.comparison.codes(left, right)


def compare_pairs(pairs: pd.MultiIndex, customers: pd.DataFrame,
                  comparisons: tuple[Comparison, ...]) -> pd.DataFrame:
    """The level code (int8) each pair reaches per comparison field, indexed like ``pairs``.

    ``customers`` is the feature frame indexed by customer id, best with its word codes
    (``with_word_codes``; coded here, for this call only, when it has none).
    """
    customers = with_word_codes(customers)
    compare = recordlinkage.Compare([_LevelFeature(c, customers.columns) for c in comparisons])
    vectors = compare.compute(pairs, customers).astype(np.int8)
    by_field = {c.field: c for c in comparisons}
    implied_rows = {}  # judged on the levels as compared, before any is set to missing
    for c in comparisons:
        for rule in c.implied_by:
            if rule.field in by_field:
                other = by_field[rule.field]
                implied = np.isin(vectors[other.field].to_numpy(), [other.labels.index(label) for label in rule.levels])
                if rule.own:
                    implied &= np.isin(vectors[c.field].to_numpy(), [c.labels.index(label) for label in rule.own])
                implied_rows[c.field] = implied_rows.get(c.field, False) | implied
    for fld, implied in implied_rows.items():
        vectors.loc[implied, fld] = by_field[fld].missing
    for c in comparisons:
        for column in c.frequency_columns:  # the more common side's count or share of the agreed value
            counts = customers[column]
            vectors[frequency_column(c, column)] = np.maximum(
                counts.reindex(pairs.get_level_values(0)).to_numpy(), counts.reindex(pairs.get_level_values(1)).to_numpy())
    return vectors


def frequency_column(comparison: Comparison, column: str) -> str:
    """The vectors' column holding a pair's count of customers sharing ``column``'s value."""
    return f"{comparison.field}:{column}"


def _weights(m: dict[str, np.ndarray], u: dict[str, np.ndarray], comparison: Comparison) -> np.ndarray:
    """log(m/u) per level code of ``comparison``; 0 for missing (a missing value is no evidence)
    and for the levels that do not weigh."""
    w = np.log(m[comparison.field]) - np.log(u[comparison.field])
    w[comparison.missing] = 0.0
    w[[code for code, level in enumerate(comparison.levels) if not level.weighs]] = 0.0
    return w


@dataclass
class StewardLayer:
    """What the stewards' decisions teach about the review band (``fit_steward``): the log-odds
    of a merge, for a pair the unsupervised model puts in [``low``, ``high``), as the
    ``intercept``, plus ``score_weight`` times the unsupervised log-odds, plus the ``weights``
    of the level each field reached (per field, one per level code; missing weighs 0)."""

    weights: dict[str, np.ndarray]
    score_weight: float
    intercept: float
    decisions: int    # the decided pairs it was learnt from
    low: float        # the review band: [matching] review and auto_merge
    high: float

    def log_odds(self, vectors: pd.DataFrame, comparisons: tuple[Comparison, ...], unsupervised: np.ndarray) -> np.ndarray:
        total = self.intercept + self.score_weight * unsupervised
        for c in comparisons:
            total = total + self.weights[c.field][vectors[c.field].to_numpy()]
        return total


@dataclass
class MatchModel:
    """Fellegi-Sunter parameters for pairs of one customer type.

    ``m[field][code]`` is the share of matching pairs at that level, ``u[field][code]`` of
    non-matching pairs (both over the pairs where the field is not missing: a missing value
    is no evidence); ``prior`` the chance that two customers of the type, taken at random, are
    one (over all possible pairs, as u is).
    """

    customer_type: str
    comparisons: tuple[Comparison, ...]
    kind: str  # unsupervised | supervised
    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    prior: float
    pairs_fitted: int
    customers: int  # of the type, for term frequencies
    steward: StewardLayer | None = None  # kind "supervised": the review band as the stewards decide it

    def weights(self, comparison: Comparison) -> np.ndarray:
        """log(m/u) per level code of ``comparison``; 0 for missing."""
        return _weights(self.m, self.u, comparison)

    def log_odds(self, vectors: pd.DataFrame) -> np.ndarray:
        """The Fellegi-Sunter log-odds (natural log) of a match for each pair of ``vectors``:
        the prior's and the evidence, the steward layer left out."""
        return math.log(self.prior / (1 - self.prior)) + self.evidence(vectors)

    def probability(self, vectors: pd.DataFrame) -> np.ndarray:
        """The match probability of each pair of ``vectors`` (from ``compare_pairs``): the
        Fellegi-Sunter model's, or, for a pair it puts in the review band, the steward layer's."""
        log_odds = self.log_odds(vectors)
        probability = 1.0 / (1.0 + np.exp(-log_odds))
        layer = self.steward
        if layer is not None:
            band = np.flatnonzero((probability >= layer.low) & (probability < layer.high))
            if len(band):
                decided = layer.log_odds(vectors.iloc[band], self.comparisons, log_odds[band])
                probability[band] = 1.0 / (1.0 + np.exp(-decided))
        return probability

    def evidence(self, vectors: pd.DataFrame) -> np.ndarray:
        """The evidence of each pair of ``vectors`` for a match, the prior left out: the
        natural log of the product of m/u over its fields (positive: leaning to a match)."""
        total = np.zeros(len(vectors))
        for comparison in self.comparisons:
            codes = vectors[comparison.field].to_numpy()
            weights = self.weights(comparison)[codes]
            for code, level in enumerate(comparison.levels):
                if level.frequency:  # u of this very value, when above the level's average
                    at = codes == code
                    share = vectors[frequency_column(comparison, level.frequency)].to_numpy()[at] / max(self.customers, 1)
                    u = np.maximum(self.u[comparison.field][code], share)
                    weights[at] = np.log(self.m[comparison.field][code]) - np.log(u)
                elif level.value_share:  # u of this very value, whatever the level's average
                    at = np.flatnonzero(codes == code)
                    log_share = vectors[frequency_column(comparison, level.value_share)].to_numpy(dtype=float)[at]
                    known = ~np.isnan(log_share)
                    log_u = np.maximum(log_share[known], math.log(PROBABILITY_FLOOR))
                    weights[at[known]] = np.log(self.m[comparison.field][code]) - log_u
            total += weights
        return total

    def level_weights(self) -> list[tuple[str, str, float, float]]:
        """(field, level label, m, u) for every level but "missing": m/u is the evidence the
        level gives for (above 1) or against (below 1) a match, unless the level does not
        weigh (``Level.weighs``)."""
        return [(c.field, label, float(self.m[c.field][code]), float(self.u[c.field][code]))
                for c in self.comparisons for code, label in enumerate(c.labels) if code != c.missing]


def _level_shares(codes: np.ndarray, comparison: Comparison, weights: np.ndarray | None = None,
                  known: bool = False, floor: float = PROBABILITY_FLOOR) -> np.ndarray:
    """Share of each level among non-missing values (at least ``floor``, summing to 1;
    missing gets 1). With ``known``, levels whose m the comparison states keep it, the others
    share the rest."""
    counts = np.bincount(codes, weights=weights, minlength=comparison.missing + 1).astype(float)[:comparison.missing]
    shares = np.maximum(counts / max(counts.sum(), PROBABILITY_FLOOR), floor)
    shares /= shares.sum()
    if known:
        fixed = np.array([level.m is not None for level in comparison.levels] + [False])
        if fixed.any():
            stated = np.array([level.m or 0.0 for level in comparison.levels] + [0.0])
            shares = np.where(fixed, stated, shares * (1 - stated.sum()) / max(shares[~fixed].sum(), PROBABILITY_FLOOR))
    return np.append(shares, 1.0)


@dataclass
class KnownDistinct:
    """The candidate pairs of customers known to be two (valid documents of one type that
    differ: see ``dedupe.scoring``), as level codes, and per field how many such pairs the
    customers make in all among those both giving the field (``possible``: u is a share
    among the pairs where the field is not missing)."""

    vectors: pd.DataFrame
    possible: dict[str, int]


def _shares_among_distinct(u: np.ndarray, comparison: Comparison, distinct: KnownDistinct | None,
                           floor: float) -> np.ndarray:
    """``u`` of ``comparison`` with each level that blocking proposes in full
    (``Level.all_proposed``) measured instead on the customers known to be two: (pairs at the
    level + 0.5) / such pairs both giving the field, when those are more than 1 / ``floor``
    (finer than the floor).

    Two customers share a phone or an e-mail too rarely for the random pairs to see, so
    such a level's u was the floor (``unseen_share``), the same for a mobile as for a
    household's landline. The pairs of customers holding valid, different documents are two
    people for sure, and every one of them sharing a phone or an e-mail is a candidate pair
    (but those a steward rejected, which are not compared: a few, left out of the count);
    on generated 100,000 (seed 4242), of 77 million such pairs of persons both giving a phone
    27 shared a landline and 1 a mobile, of 47 million both giving an e-mail none shared one.
    The random pairs are not used even when one reaches such a level: with a prior near 1e-5
    and a u near 1e-8, nearly every random pair sharing a mobile is one customer. On generated
    100,000 (seed 31) one of the 200,000 did, and made the u of "a mobile in common" 6.6e-6
    (1 of 79 million known-distinct pairs both giving a phone shared one)."""
    possible = distinct.possible.get(comparison.field, 0) if distinct is not None else 0
    if possible * floor <= 1:
        return u
    u = u.copy()
    codes = distinct.vectors[comparison.field].to_numpy()
    for code, level in enumerate(comparison.levels):
        if level.all_proposed:
            u[code] = (np.count_nonzero(codes == code) + 0.5) / possible
    u[:comparison.missing] /= u[:comparison.missing].sum()
    return u


def unseen_share(customers: int) -> float:
    """The u given a level that no random pair reached, for a base of ``customers``.

    Such levels are identifiers in common (a phone, an e-mail, a document number): two
    distinct customers share one by coincidence (a household's landline), at a rate that
    falls as 1/customers, like the prior. The random pairs cannot see it; a fixed floor
    would make every identifier weaker as the base grows (at 754,000 persons the prior fell
    2.4 nats below 75,000's while "a phone in common" stayed at the floor, and pairs sharing a
    phone and a first name fell under auto-merge). So the floor falls with the base beyond
    UNSEEN_FLOOR_CUSTOMERS, keeping an identifier's say over the prior what it is there."""
    return PROBABILITY_FLOOR * min(1.0, UNSEEN_FLOOR_CUSTOMERS / max(customers, 1))


def _agreeing(comparison: Comparison) -> list[int]:
    """The level codes at which two customers hold the same value of an identifying field: the
    strongest level, and the levels of a value in common (a mobile or another phone)."""
    return [0] + [code for code, level in enumerate(comparison.levels) if code and level.all_proposed]


def _non_match_shares(random_vectors: pd.DataFrame, comparisons: tuple[Comparison, ...],
                      floor: float = PROBABILITY_FLOOR, distinct: KnownDistinct | None = None) -> dict[str, np.ndarray]:
    """u per field: its level shares among the random pairs, less those agreeing on another
    identifying field (``_agreeing``: the same e-mail, phone, name, document or date of birth);
    a shared contact's levels measured on the ``distinct`` pairs where they can be
    (``_shares_among_distinct``).

    Random pairs are nearly all non-matches, but not all: among 200,000 random pairs of
    10,000 customers a dozen are one customer, and those agree on everything. For a rare level
    such as "an e-mail in common" they were the whole of u (1.4e-4 against 1e-6 without them),
    which capped what an e-mail or phone in common could say at about the prior. Two real
    non-matches agreeing on one identifier are about as likely to agree on another as any two
    (the model takes the fields as independent), so leaving those pairs out keeps u otherwise
    unchanged."""
    agreeing = {c.field: np.isin(random_vectors[c.field].to_numpy(), _agreeing(c)) for c in comparisons if c.identifying}
    u = {}
    for c in comparisons:
        others = [agree for field, agree in agreeing.items() if field != c.field]
        keep = ~np.logical_or.reduce(others) if others else np.ones(len(random_vectors), dtype=bool)
        codes = random_vectors[c.field].to_numpy()[keep]
        u[c.field] = _shares_among_distinct(_level_shares(codes, c, floor=floor), c, distinct, floor)
    return u


def _distinct_patterns(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``codes`` (pairs x fields, small non-negative ints) and how often
    each occurs. Each row is packed into one integer first: far faster than unique rows."""
    base = int(codes.max(initial=0)) + 1
    weights = base ** np.arange(codes.shape[1], dtype=np.int64)
    keys, freq = np.unique(codes.astype(np.int64) @ weights, return_counts=True)
    patterns = (keys[:, None] // weights) % base
    return patterns.astype(np.int64), freq


def _em(codes: np.ndarray, comparisons: tuple[Comparison, ...], m: dict[str, np.ndarray],
        u: dict[str, np.ndarray], prior: float, estimate: set[str], max_iter: int,
        tolerance: float = 1e-6) -> tuple[dict[str, np.ndarray], float, float]:
    """Fellegi-Sunter EM over the distinct level patterns of ``codes`` (pairs x fields): u
    fixed, the prior and the m of the fields in ``estimate`` re-estimated, the other fields
    left out of the E step. Returns (m, prior, expected matches)."""
    used = [i for i, c in enumerate(comparisons) if c.field in estimate]
    if not used or len(codes) == 0:
        return m, prior, 0.0
    patterns, freq = _distinct_patterns(codes[:, used])
    m = {k: v.copy() for k, v in m.items()}
    expected = 0.0
    for _ in range(max_iter):
        log_odds = np.full(len(patterns), math.log(prior / (1 - prior)))
        for j, i in enumerate(used):
            log_odds += _weights(m, u, comparisons[i])[patterns[:, j]]
        g = freq / (1.0 + np.exp(-log_odds))       # expected matches per pattern
        expected = float(g.sum())
        new_prior = min(max(expected / freq.sum(), PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR)
        change = abs(new_prior - prior)
        for j, i in enumerate(used):
            c = comparisons[i]
            new_m = _level_shares(patterns[:, j], c, g, known=True)
            change = max(change, float(np.abs(new_m - m[c.field]).max()))
            m[c.field] = new_m
        prior = new_prior
        if change < tolerance:
            break
    return m, prior, expected


def _starting_m(comparison: Comparison) -> np.ndarray:
    """A guess that respects level order: matches likelier at the strong levels."""
    m = np.array([0.5 ** code for code in range(len(comparison.levels))] + [0.05])
    return _level_shares(np.arange(len(m)), comparison, m, known=True)


def fit_unsupervised(vectors: pd.DataFrame, random_vectors: pd.DataFrame, comparisons: tuple[Comparison, ...],
                     customer_type: str, customers: int,
                     sessions: list[tuple[np.ndarray, frozenset[str]]] | None = None,
                     max_iter: int = 100, base_customers: int | None = None,
                     distinct: KnownDistinct | None = None) -> MatchModel:
    """Fellegi-Sunter estimated from the data itself, no labels needed.

    - u, the level shares among non-matches, is measured on ``random_vectors``: the levels
      of random pairs of customers, nearly all non-matches (see ``_non_match_shares``); a
      level of a shared contact gets its share among the ``distinct`` pairs, customers known
      to be two, when blocking proposes all its pairs and they are many enough
      (``_shares_among_distinct``); a level no random pair reached, else, ``unseen_share``
      of the ``base_customers`` the random pairs were drawn from (default ``customers``).
    - m, the level shares among matches, is estimated by EM on the candidate pairs, one
      session per group of blocking rules (``sessions``: a mask over ``vectors`` and the
      fields its rules agree on by construction). A session does not learn, nor look at,
      the fields its rules agree on: pairs blocked on a shared name agree on the name
      whether or not they match. Each field's m is the sessions' estimates weighted by
      their expected matches.
    - the prior, the chance that two customers match, is over all possible pairs of the
      ``customers`` of the type (u was measured on random pairs, so the prior must be too):
      the expected matches among the candidate pairs, by EM with m and u fixed, divided by
      the possible pairs (pairs blocking did not propose are taken as non-matches).

    recordlinkage's ``ECMClassifier`` estimates m and u together on the candidate pairs;
    on CRM data its "match" class drifts to "shares a common name, lacks a document"
    (measured on 100,000 generated records: precision 0.45 at probability 0.95), hence
    u from random pairs and EM on m only, as Fellegi-Sunter implementations commonly do.
    """
    fields = [c.field for c in comparisons]
    codes = vectors[fields].to_numpy()
    u = _non_match_shares(random_vectors, comparisons, unseen_share(base_customers or customers), distinct)
    start = {c.field: _starting_m(c) for c in comparisons}
    sessions = sessions or [(np.ones(len(vectors), dtype=bool), frozenset())]
    estimates: dict[str, list[tuple[float, np.ndarray]]] = {f: [] for f in fields}
    for mask, agreed in sessions:
        learn = set(fields) - set(agreed)
        m, _, expected = _em(codes[mask], comparisons, start, u, 0.1, learn, max_iter)
        for field in learn:
            estimates[field].append((expected, m[field]))
    m = {}
    unseen = unseen_share(base_customers or customers)
    for c in comparisons:
        found = [(w, est) for w, est in estimates[c.field] if w > 0]
        if found:
            total = sum(w for w, _ in found)
            m[c.field] = _with_half_a_match(sum(w * est for w, est in found) / total, u[c.field], c, total, unseen)
        else:
            m[c.field] = start[c.field]
    model = MatchModel(customer_type, comparisons, "unsupervised", m, u, 0.5, len(vectors), customers)
    model.prior = _prior_only(model, vectors, customers * (customers - 1) // 2, max_iter)
    return model


def _with_half_a_match(m: np.ndarray, u: np.ndarray, comparison: Comparison, matches: float,
                       unseen: float) -> np.ndarray:
    """``m`` with half a match more (Jeffreys' prior) at every level that random pairs reach (u
    above ``unseen``), of the ``matches`` EM expected; a stated m is kept.

    A level EM saw no match at is rare among matches, not impossible: at the floor (1e-6) it
    weighed -15 to -20 bits, so that one field vetoed a pair whatever else it shared (on
    generated 100,000, companies' "different" city and "partly similar" address: no true pair
    of the generator differs there, a real company with two branches would). ``matches`` sums
    the sessions' expected matches, which overlap, so the half match errs small: on seed 77
    the two went from -19.8 to -13.6 and from -14.8 to -9.0 bits (persons' "different" city to
    -16.6), with the same precision and recall on seeds 31, 4242 and 77. A level random pairs
    do not reach either weighs nothing: with half a match, "similar city" of companies would
    have weighed +9 bits on no evidence. Where EM saw no match there either, its m is set to
    its u: both at the floor up to UNSEEN_FLOOR_CUSTOMERS, and beyond, where u falls under the
    floor (``unseen_share``), an m kept at the floor would weigh ln(customers / 100,000)."""
    free = np.zeros(len(m), dtype=bool)   # levels, then "different" and "missing"
    free[:comparison.missing] = True
    free[:len(comparison.levels)] &= [level.m is None for level in comparison.levels]
    reached = free & (u > unseen)
    m = m.copy()
    if reached.any():
        counts = m * max(matches, 1.0)
        counts[reached] += 0.5
        budget = 1.0 - m[:comparison.missing][~free[:comparison.missing]].sum()
        m[free] = np.maximum(counts[free] / counts[free].sum() * budget, PROBABILITY_FLOOR)
    unseen_by_both = free & ~reached & (m <= PROBABILITY_FLOOR)
    m[unseen_by_both] = u[unseen_by_both]
    return m


def refit_prior(model: MatchModel, vectors: pd.DataFrame, customers: int, max_iter: int = 100) -> MatchModel:
    """The model with its prior (and term-frequency base) set for ``vectors``, the candidate
    pairs among ``customers`` customers, m and u unchanged: for a model whose m was learnt
    on a sample of the customers."""
    model.customers = customers
    model.prior = _prior_only(model, vectors, customers * (customers - 1) // 2, max_iter)
    model.pairs_fitted = len(vectors)
    return model


def _prior_only(model: MatchModel, vectors: pd.DataFrame, possible_pairs: int, max_iter: int) -> float:
    """The share of matches among ``possible_pairs``, of which ``vectors`` are the candidates
    (EM on the prior alone, m and u fixed)."""
    # log odds 0 and no steward layer: probability() then gives the evidence alone
    plain = dataclasses.replace(model, prior=0.5, steward=None)
    evidence = np.clip(plain.probability(vectors), 1e-300, 1 - 1e-16)
    log_ratio = np.log(evidence) - np.log1p(-evidence)
    possible_pairs = max(possible_pairs, len(vectors), 1)
    prior = max(len(vectors), 1) / possible_pairs / 10
    for _ in range(max_iter):
        expected = np.sum(1.0 / (1.0 + np.exp(-(log_ratio + math.log(prior / (1 - prior))))))
        new = min(max(float(expected) / possible_pairs, 1e-12), 1 - PROBABILITY_FLOOR)
        if abs(new - prior) <= 1e-6 * prior:
            return new
        prior = new
    return prior


def fit_steward(model: MatchModel, vectors: pd.DataFrame, is_match: np.ndarray, low: float, high: float) -> MatchModel:
    """``model`` (unsupervised) with a steward layer learnt from the pairs stewards decided
    (``vectors``, their levels; ``is_match``: merge rather than not duplicate), for the pairs it
    puts in the review band [``low``, ``high``): the kind "supervised".

    The decisions come from the review band, so they say nothing of the pairs outside it, nor
    of non-matches at large: u and the prior stay the unsupervised model's, and so does every
    probability outside the band. Inside it, recordlinkage's ``LogisticRegressionClassifier``
    (L2-regularised) weighs the level each field reached, one indicator per level, and the
    unsupervised log-odds. A logistic regression, not naive Bayes on the decided pairs alone:
    the fields' evidence is not independent (names alike in a city of namesakes), and naive
    Bayes fitted to the band's pairs as if they were all pairs gave a generated 10,000 records
    precision 0.962 and a review band of 82 % of the records.
    """
    features = _steward_features(model, vectors)
    classifier = recordlinkage.LogisticRegressionClassifier()
    classifier.fit(features, features.index[np.asarray(is_match, dtype=bool)])
    coefficients = dict(zip(features.columns, np.ravel(classifier.coefficients)))
    weights = {c.field: np.array([coefficients.get(_level_feature(c, code), 0.0) for code in range(c.missing + 1)])
               for c in model.comparisons}
    layer = StewardLayer(weights, float(coefficients[_SCORE_FEATURE]), float(np.ravel(classifier.intercept)[0]),
                         len(features), low, high)
    return dataclasses.replace(model, kind="supervised", steward=layer)


_SCORE_FEATURE = "unsupervised log-odds"


def _level_feature(comparison: Comparison, code: int) -> str:
    return f"{comparison.field}={comparison.labels[code]}"


# A decided pair the unsupervised model now puts beyond a trillion to one (its decision taken
# under an earlier model) counts as that: its log-odds do not swamp the band's few nats.
_LOG_ODDS_BOUND = math.log(1e12)


def _steward_features(model: MatchModel, vectors: pd.DataFrame) -> pd.DataFrame:
    """One 0/1 column per field level (missing: none) and the unsupervised log-odds, per pair."""
    columns = {}
    for c in model.comparisons:
        codes = vectors[c.field].to_numpy()
        for code in range(c.missing):
            columns[_level_feature(c, code)] = (codes == code).astype(float)
    columns[_SCORE_FEATURE] = np.clip(model.log_odds(vectors), -_LOG_ODDS_BOUND, _LOG_ODDS_BOUND)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(vectors)))
