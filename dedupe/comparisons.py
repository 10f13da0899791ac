"""Comparisons: how two customers of a candidate pair are compared, field by field, as data.

``COMPARISONS`` lists, per field, ordered levels from the strongest agreement down; a pair
reaches the first level whose test holds, "different" when none holds, and "missing" when
either customer has no value (missing is evidence of nothing). The level labels are what a
steward reads in ``candidate_pairs.levels``; the model (dedupe/model.py) learns how much each
level says for or against a match.

Every test is vectorised over a whole batch of pairs: string similarities with
``rapidfuzz.process.cpdist`` (C++, all cores), the rest with numpy; the tests on words (of
names, phones, e-mails) compare integer word codes (``with_word_codes``). A test receives the
left and right customers' feature frames (columns of merge/sql/stage_comparison_customers.sql)
and returns a boolean array. The frames may still hold pairs placed at a stronger level
(they are dropped only once fewer than ``RETAKE_BELOW`` of them are left to place): their
results are ignored.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, OSA
from rapidfuzz.process import cpdist

from dedupe.names import NICKNAMES

Test = Callable[[pd.DataFrame, pd.DataFrame, str], np.ndarray]

DIFFERENT = "different"
MISSING = "missing"


@dataclass(frozen=True)
class Level:
    """One level of agreement: ``label`` (what a steward reads) and the ``test`` that reaches it.

    ``frequency`` names a feature column counting the customers that share the value agreed
    on (the more common side's count is used): agreeing on "maria garcia" says less than on
    "yago pimenta", so the model takes the chance that two random customers agree on this very
    value, count / customers, when it is above the level's average (term frequency).
    ``value_share`` names a feature column holding the natural log of the chance that a
    random customer holds this very value (the commoner side's is used): the model takes it
    as the pair's u, above or below the level's average (never below PROBABILITY_FLOOR). All
    four words of "jorge andres pineda mosquera" agreeing is far rarer than "luz suarez"
    agreeing, though both are "same name" and may share their first given name and surname
    with as many customers.
    ``m``, when given, is the level's known share among matches, not learnt from the data.
    ``weighs`` False: the level is shown (a steward reads it) but is no evidence either way,
    as if missing: it follows from another field the model already counts.
    ``all_proposed``: blocking proposes every pair at this level (a rule on the shared value),
    so the candidate pairs hold all the pairs of customers known to be two that reach it; the
    model measures its u on those when they are many enough (dedupe/model.py).
    """

    label: str
    test: Test
    frequency: str | None = None
    value_share: str | None = None
    m: float | None = None
    weighs: bool = True
    all_proposed: bool = False


# A level's test runs on the rows of the pairs still to place, the rows copied afresh only once
# fewer than this share of them is left: copying a batch's frames for each level cost more
# than testing the few pairs a stronger level placed again (each test judges each pair alone).
RETAKE_BELOW = 0.5


@dataclass(frozen=True)
class Implied:
    """When comparison ``field`` reached one of ``levels``, the ``own`` levels of the comparison
    this belongs to (all of them when empty) add nothing new: they count as missing. The model
    takes fields as independent evidence; these are not (a household shares its landline and
    its surnames, the address says so already)."""

    field: str
    levels: tuple[str, ...]
    own: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """How one field of two customers is compared: ``levels`` strongest first.

    ``customer_types`` says for which customers the field is compared (a company has no date
    of birth); ``columns`` are extra feature columns the tests read besides ``field``;
    ``implied_by`` names other comparisons' levels that already say what some of this one's
    would (``Implied``);
    ``identifying`` marks a field whose strongest level alone nearly always means one customer
    (a document, a name, an e-mail): random pairs agreeing on one are left out when the model
    measures how often non-matches agree on the other fields (dedupe/model.py).
    """

    field: str
    levels: tuple[Level, ...]
    customer_types: frozenset[str] = frozenset({"person", "company"})
    columns: tuple[str, ...] = ()
    implied_by: tuple[Implied, ...] = ()
    identifying: bool = False

    @property
    def frequency_columns(self) -> tuple[str, ...]:
        """Feature columns the levels' term frequencies and value shares come from."""
        return tuple(dict.fromkeys(column for level in self.levels
                                   for column in (level.frequency, level.value_share) if column))

    @property
    def labels(self) -> tuple[str, ...]:
        """Level labels by code: the levels, then "different", then "missing"."""
        return tuple(level.label for level in self.levels) + (DIFFERENT, MISSING)

    @property
    def different(self) -> int:
        return len(self.levels)

    @property
    def missing(self) -> int:
        return len(self.levels) + 1

    def codes(self, left: pd.DataFrame, right: pd.DataFrame) -> np.ndarray:
        """The level code (index into ``labels``) each pair reaches; left and right are aligned
        rows of feature frames."""
        out = np.full(len(left), self.different, dtype=np.int8)
        present = _present(left[self.field].to_numpy()) & _present(right[self.field].to_numpy())
        out[~present] = self.missing
        rows = np.flatnonzero(present)  # the rows of left and right that l and r hold
        l, r = (left, right) if rows.size == len(left) else (left.iloc[rows], right.iloc[rows])
        undecided = np.ones(rows.size, dtype=bool)
        for code, level in enumerate(self.levels):
            to_place = int(undecided.sum())
            if to_place == 0:
                break
            if to_place < RETAKE_BELOW * rows.size:  # the placed pairs' rows are dropped
                keep = np.flatnonzero(undecided)
                rows, l, r, undecided = rows[keep], l.iloc[keep], r.iloc[keep], np.ones(keep.size, dtype=bool)
            hit = np.asarray(level.test(l, r, self.field), dtype=bool) & undecided
            out[rows[hit]] = code
            undecided &= ~hit
        return out


def _present(values: np.ndarray) -> np.ndarray:
    """True where a value is there (the feature query gives NULL for empty texts and lists)."""
    return pd.notna(values)


def _sides(left: pd.DataFrame, right: pd.DataFrame, field: str) -> tuple[list, list]:
    return left[field].tolist(), right[field].tolist()


# ---- tests (each a Test, or a function returning one) -------------------------------------

def exact(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """Same value."""
    return left[field].to_numpy() == right[field].to_numpy()


def similarity_at_least(threshold: float) -> Test:
    """Jaro-Winkler similarity of the two values at least ``threshold`` (0..1)."""
    def test(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
        l, r = _sides(left, right, field)
        return cpdist(l, r, scorer=JaroWinkler.normalized_similarity, workers=-1) >= threshold
    return test


def edit_distance_at_most(edits: int, min_length: int = 5) -> Test:
    """At most ``edits`` insertions, deletions, substitutions or adjacent transpositions
    (optimal string alignment), for values of at least ``min_length`` characters (two short
    numbers one digit apart say little)."""
    def test(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
        l, r = _sides(left, right, field)
        long_enough = np.minimum(left[field].str.len().to_numpy(), right[field].str.len().to_numpy()) >= min_length
        return long_enough & (cpdist(l, r, scorer=OSA.distance, workers=-1) <= edits)
    return test


def same_words_any_order(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """The same words in another order (given names and surnames swapped or split
    differently between the fields)."""
    l, r = _sides(left, right, field)
    return cpdist(l, r, scorer=fuzz.token_sort_ratio, workers=-1) >= 100


def _texts(values: pd.Series) -> np.ndarray:
    """The values as texts, words separated by spaces: a list (phones, e-mails) joined."""
    out = values.to_numpy(dtype=object)
    present = np.flatnonzero(pd.notna(out))
    if present.size and not isinstance(out[present[0]], str):
        out = out.copy()
        out[present] = [" ".join(v) for v in out[present]]
    return out


PHONE_START = 10  # characters of a phone ("+57" and 7 digits) a phone cut short must keep


def _email_users(words: pa.Array) -> pa.Array:
    """Each e-mail's user name (the part before "@")."""
    return pc.list_element(pc.split_pattern(words, "@", max_splits=1), 0)


def _phone_starts(words: pa.Array) -> pa.Array:
    return pc.utf8_slice_codeunits(words, 0, PHONE_START)


# Words as integers. The name, phone and e-mail tests compare words: ``with_word_codes``
# splits each customer's values once into codes of one vocabulary, kept beside the field as
# int32 columns ``<word field>_words:<position>`` (as many as the field's longest value has
# words: a batch's rows are gathered as plain integers, and read as a matrix in one step).
# A comparison names them ``<word field>_words`` in its ``columns`` (``word_columns``). A
# frame without them (a test's few rows) has its words coded when compared. Word field ->
# (feature column, what each word becomes, on an Arrow array of words: None for the word itself).
WordTransform = Callable[[pa.Array], pa.Array]
WORD_FIELDS: dict[str, tuple[str, WordTransform | None]] = {
    "full_name": ("full_name", None), "given_names": ("given_names", None),
    "emails": ("emails", None), "phones": ("phones", None), "email_users": ("emails", _email_users),
    "phone_starts": ("phones", _phone_starts), "business_name": ("business_name", None),
    "mobiles": ("mobiles", None),
}


def _each_distinct(values: pd.Series | np.ndarray, transform: Callable[[str], str]) -> np.ndarray:
    """``transform`` of each value, computed once per distinct value (a customer's value
    recurs in many pairs); a missing value stays None."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    done = np.array([transform(u) for u in uniques] + [None], dtype=object)
    return done[codes]  # code -1 (missing) takes the trailing None


def _word_lists(values: pd.Series | np.ndarray) -> pa.ListArray:
    """Each value's words, split at whitespace as ``str.split`` splits (a list of phones or
    e-mails joined first); null for a missing value."""
    array = pa.array(np.asarray(values, dtype=object), from_pandas=True)
    if pa.types.is_null(array.type):
        array = array.cast(pa.string())
    elif pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
        array = pc.binary_join(array, " ")
    return pc.utf8_split_whitespace(array)


def _word_codes(*columns: tuple[pd.Series | np.ndarray, WordTransform | None]) -> list[np.ndarray]:
    """The words of each value of ``columns`` (values, what each word becomes) as codes into
    one vocabulary shared by all of them: per column a matrix (a row per value, a column per
    word position, -1 past the value's last word or for a missing value), all as wide as the
    longest. Split and coded by Arrow: at a million customers 3.9 s, 9.6 s in Python."""
    words, rows, sizes = [], [], []
    for values, each_word in columns:
        lists = _word_lists(values)
        flat, parents = pc.list_flatten(lists), pc.list_parent_indices(lists)
        if each_word is not None:
            flat = each_word(flat)
        kept = pc.greater(pc.utf8_length(flat), 0)  # a value's leading space, a user name that is none
        words.append(flat.filter(kept))
        rows.append(parents.filter(kept).to_numpy().astype(np.int64))
        sizes.append(len(lists))
    codes = pc.dictionary_encode(pa.concat_arrays(words) if words else pa.array([], pa.string())).indices
    codes = codes.to_numpy(zero_copy_only=False).astype(np.int32)
    counts = [np.bincount(r, minlength=n) for r, n in zip(rows, sizes)]
    width = max([int(c.max(initial=0)) for c in counts] + [1])
    out, done = [], 0
    for r, n, count in zip(rows, sizes, counts):
        matrix = np.full((n, width), -1, dtype=np.int32)
        matrix[r, np.arange(len(r)) - (np.cumsum(count) - count)[r]] = codes[done:done + len(r)]
        out.append(matrix)
        done += len(r)
    return out


def with_word_codes(customers: pd.DataFrame) -> pd.DataFrame:
    """``customers`` (a feature frame) with the word codes of every word field it has, coded
    now unless it holds them already (a copy is coded: the caller's frame is left alone)."""
    fields = [(name, column, each_word) for name, (column, each_word) in WORD_FIELDS.items() if column in customers]
    if all(f"{name}_words:0" in customers for name, _, _ in fields):
        return customers
    matrices = _word_codes(*[(customers[column], each_word) for _, column, each_word in fields])
    coded = [pd.DataFrame(matrix, index=customers.index, columns=[f"{name}_words:{i}" for i in range(matrix.shape[1])])
             for (name, _, _), matrix in zip(fields, map(_narrowed, matrices))]  # a field's own width
    return pd.concat([customers, *coded], axis=1)


def word_columns(columns: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """The ``wanted`` feature columns among ``columns``, a word field's ``<field>_words``
    read as its code columns (``<field>_words:0``, ``:1``, ...) when there are some."""
    columns = list(columns)
    return [code for column in wanted for code in (_code_columns(columns, column) or [column])]


def _code_columns(columns: Iterable[str], words: str) -> list[str]:
    """The code columns ``with_word_codes`` added for ``words`` (``<field>_words``)."""
    return [c for c in columns if isinstance(c, str) and c.startswith(f"{words}:")]


def _words(*sides: tuple[pd.DataFrame, str]) -> list[np.ndarray]:
    """The word codes (a matrix per side: see ``_word_codes``) of each (frame, word field):
    those ``with_word_codes`` kept when every frame has them, else coded now, in one
    vocabulary."""
    kept = [_code_columns(frame.columns, f"{name}_words") for frame, name in sides]
    if all(kept):
        out = [frame[columns].to_numpy(dtype=np.int32) for (frame, _), columns in zip(sides, kept)]
    else:
        sources = [WORD_FIELDS.get(name, (name, None)) for _, name in sides]
        out = _word_codes(*[(frame[column], each_word) for (frame, _), (column, each_word) in zip(sides, sources)])
    width = max(_narrowed(matrix).shape[1] for matrix in out)  # one width for all, as _word_codes gives
    return [matrix[:, :width] for matrix in out]


def _narrowed(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` (word codes, see ``_word_codes``) without the columns past its longest
    row's last word (at least one column). At a million records one company name of ten
    words made every word field ten wide; the widest full name has eight words."""
    return matrix[:, :max(int(_word_count(matrix).max(initial=0)), 1)]


def _spelled(codes: np.ndarray, matrix: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """The word of each of ``codes``, read off a row of ``matrix`` (the word codes of
    ``texts``) that holds it."""
    flat = matrix.ravel()
    holder = np.zeros(int(flat.max(initial=0)) + 1, dtype=np.int64)
    holder[flat[flat >= 0]] = np.flatnonzero(flat >= 0)  # any position holding the code will do
    back, distinct = pd.factorize(codes)  # each word spelled once
    rows, positions = np.divmod(holder[distinct], matrix.shape[1])
    return np.array([texts[r].split()[p] for r, p in zip(rows.tolist(), positions.tolist())], dtype=object)[back]


def _distinct_word_pairs(a: np.ndarray, b: np.ndarray, both: np.ndarray,
                         texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct pairs of the word codes (``a[i]``, ``b[i]``), spelled (words read off
    ``both``, the word codes of ``texts``: see ``_spelled``), and each i's index among them:
    a test judges each distinct pair of words once, then spreads the verdicts back."""
    size = np.int64(both.max(initial=0)) + 1
    back, distinct = pd.factorize(a.astype(np.int64) * size + b)
    return _spelled(distinct // size, both, texts), _spelled(distinct % size, both, texts), back


def _found(words: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Per row and word position of ``words``: that word is one of ``among``'s row (False for
    the positions past the last word)."""
    return (words[:, :, None] == among[:, None, :]).any(axis=2) & (words >= 0)


def _word_count(words: np.ndarray) -> np.ndarray:
    return (words >= 0).sum(axis=1)


def _within(left: pd.DataFrame, right: pd.DataFrame, field: str, threshold: float) -> np.ndarray:
    """The shorter value (at least two words) has every word close to one of the other's, and
    when both are as long, each has (so that the order of the pair does not matter). With a
    ``threshold`` of 1, equal, and the first given names and first surnames in their places
    (``_in_their_places``); below 1, exactly one word of the shorter (of each, when as long)
    only close (Jaro-Winkler at least ``threshold`` or one typo apart, ``_one_typo_apart``;
    but not the other sex's form of a given name, ``other_sex_forms``: "moreno" and "morena"
    as surnames are a typo), the others equal: names all within the other but out of place
    are no typo."""
    l, r = _words((left, field), (right, field))
    valid = (l >= 0)[:, :, None] & (r >= 0)[:, None, :]
    close = (l[:, :, None] == r[:, None, :]) & valid  # close[i, x, y]: left word x and right word y
    long_enough = np.minimum(_word_count(l), _word_count(r)) >= 2
    exactly_within = _one_within_other(l, r, close) & long_enough
    if threshold == 1.0:  # the places checked on the few pairs within (their frames' rows copied)
        at = np.flatnonzero(exactly_within)
        exactly_within[at] = _in_their_places(left.iloc[at], right.iloc[at], l[at], r[at], close[at])
        return exactly_within
    # one typo: the shorter side (each side, when as long) has exactly one word not found as
    # such in the other; only its pairs with the other's words, and the other's words not
    # found with its, are judged (each distinct pair of words once)
    found_l, found_r = close.any(axis=2) | (l < 0), close.any(axis=1) | (r < 0)
    missing_l, missing_r = (~found_l).sum(axis=1), (~found_r).sum(axis=1)
    nl, nr = _word_count(l), _word_count(r)
    one_typo = (((nl < nr) & (missing_l == 1)) | ((nr < nl) & (missing_r == 1))
                | ((nl == nr) & (missing_l == 1) & (missing_r == 1))) & long_enough
    at = np.nonzero(valid & ~close & one_typo[:, None, None] & (~found_l[:, :, None] | ~found_r[:, None, :]))
    both, texts = np.concatenate([l, r]), np.concatenate([_texts(left[field]), _texts(right[field])])
    words_l, words_r, back = _distinct_word_pairs(l[at[0], at[1]], r[at[0], at[2]], both, texts)
    similar = ((cpdist(words_l, words_r, scorer=JaroWinkler.similarity, workers=-1) >= threshold)
               | _one_typo_apart(words_l.tolist(), words_r.tolist()))
    sexes = np.zeros(len(similar), dtype=bool)
    sexes[similar] = other_sex_forms(words_l[similar].tolist(), words_r[similar].tolist())
    # the masculine and feminine forms of a given name are two people's; of a surname a typo
    given_l, given_r = (_word_count(g) for g in _words((left, "given_names"), (right, "given_names")))
    both_given = (at[1] < given_l[at[0]]) & (at[2] < given_r[at[0]])
    close[at] = similar[back] & ~(sexes[back] & both_given)
    return _one_within_other(l, r, close) & long_enough & ~exactly_within


def _in_their_places(left: pd.DataFrame, right: pd.DataFrame, l: np.ndarray, r: np.ndarray,
                     close: np.ndarray) -> np.ndarray:
    """Per pair of full names (word codes ``l`` and ``r``, ``close[i, x, y]``: left word x
    close to right word y): the first given names are close when both sides give some, the
    first surnames when both sides give some, and at least one of the two was compared; or
    the two are swapped (a surname typed in the given name's box). "lorena parra" lies within
    "maria lorena quintero parra", but as a middle name and a second surname. Of the
    generated 100,000 records' (seed 4242) candidate pairs whose words lie within the
    other's, 27 of 34,026 out of place are one person, against 8,485 of 27,662 in their
    places or swapped."""
    at_l, at_r, given_l, given_r, surname_l, surname_r = _name_parts(left, right, l, r)
    rows = np.arange(len(l))
    both_given, both_surnames = given_l & given_r, surname_l & surname_r
    first = ~both_given | close[rows, 0, 0]
    surname = ~both_surnames | close[rows, at_l, at_r]
    swapped = both_given & both_surnames & close[rows, 0, at_r] & close[rows, at_l, 0]
    return (first & surname & (both_given | both_surnames)) | swapped


def _name_parts(left: pd.DataFrame, right: pd.DataFrame, l: np.ndarray,
                r: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per pair of full names (word codes ``l`` and ``r``): the position of each side's first
    surname (after its given names; clipped to the last column when there is none), and per
    side whether it gives given names and whether it gives a surname."""
    given_l, given_r = _words((left, "given_names"), (right, "given_names"))
    at_l, at_r = _word_count(given_l), _word_count(given_r)
    return (np.minimum(at_l, l.shape[1] - 1), np.minimum(at_r, r.shape[1] - 1), at_l > 0, at_r > 0,
            at_l < _word_count(l), at_r < _word_count(r))


def _one_within_other(l: np.ndarray, r: np.ndarray, close: np.ndarray) -> np.ndarray:
    """Per row of the word codes ``l`` and ``r``: every word of the shorter side is close to
    one of the other's (``close[i, x, y]``: left word x and right word y), and when both are
    as long, each side's are (so that the order of the pair does not matter, and "castillo
    castillo" does not lie within "castillo rivera")."""
    nl, nr = _word_count(l), _word_count(r)
    left_within = (close.any(axis=2) | (l < 0)).all(axis=1)
    right_within = (close.any(axis=1) | (r < 0)).all(axis=1)
    return ((nl < nr) & left_within) | ((nr < nl) & right_within) | ((nl == nr) & left_within & right_within)


def words_of_one_within_other(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """Every word of one value is a word of the other, which has more (a missing middle name
    or second surname), the first given name and first surname in their places (see
    ``_in_their_places``); the shorter one has at least two words, since a lone "maria" is
    within half the customer base."""
    return _within(left, right, field, 1.0)


def words_of_one_nearly_within_other(threshold: float) -> Test:
    """Every word of the shorter value (at least two words) is a word of the other but one,
    which is close to one (Jaro-Winkler at least ``threshold``, or one typo apart; not the
    other sex's form of a given name): a name missing on one side and a typo in another ("julia
    freitass" and "julia giovanna freitas"). Names wholly within the other but out of place
    are not this level either; nor are two typos (on generated 100,000 that moved recall by
    0.0003 at most and the review band up by 0.1 point, and the test went from 2.05 s to
    1.38 s)."""
    def test(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
        return _within(left, right, field, threshold)
    return test


def lone_word_among_other_words(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """One side is a single word that is among the other side's words (a WhatsApp profile
    that shows only "Bryan" against "Bryan Arrieta Rojas")."""
    l, r = _words((left, field), (right, field))
    return (((_word_count(l) == 1) & _found(l[:, :1], r)[:, 0])
            | ((_word_count(r) == 1) & _found(r[:, :1], l)[:, 0]))


def similar_ignoring_spaces(threshold: float) -> Test:
    """Similar once the words are sorted, or once the spaces are removed ("mcgilc hrist" and
    "mcgilchrist"): the better of rapidfuzz's token_sort_ratio and ratio without spaces at
    least ``threshold`` (0..1)."""
    def test(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
        l, r = _sides(left, right, field)
        sorted_words = cpdist(l, r, scorer=fuzz.token_sort_ratio, workers=-1)
        joined = cpdist(_without_spaces(left[field]), _without_spaces(right[field]), scorer=fuzz.ratio, workers=-1)
        return np.maximum(sorted_words, joined) >= threshold * 100
    return test


def unless_other_sex_forms(test: Test) -> Test:
    """``test``, but not for the pairs whose first words are the masculine and feminine forms
    of one name (``other_sex_forms``: "mario garcia" and "maria garcia")."""
    def unless(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
        out = test(left, right, field)
        at = np.flatnonzero(out)
        if at.size:
            firsts = [_first_words(side[field].iloc[at]).tolist() for side in (left, right)]
            out[at] = ~other_sex_forms(*firsts)
        return out
    return unless


def _without_spaces(values: pd.Series) -> list[str]:
    """Each value with its spaces removed (each distinct value once)."""
    return _each_distinct(values, lambda u: u.replace(" ", "")).tolist()


def _first_words(values: pd.Series) -> pd.Series:
    """Each value's first word (each distinct value split once)."""
    return pd.Series(_each_distinct(values, lambda u: u.split(maxsplit=1)[0] if u.strip() else ""))


def nickname_and_other_names_within(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """One side's first name is a nickname of the other's, and after it the names of one
    side are all among the other's ("pepe orozco" and "jose abraham orozco parra", "lucho
    lozano osorio" and "luis lozano")."""
    l, r = _words((left, field), (right, field))
    out = np.zeros(len(left), dtype=bool)
    if l.shape[1] < 2 or r.shape[1] < 2:
        return out
    todo = np.flatnonzero((l[:, 0] != r[:, 0]) & (l[:, 1] >= 0) & (r[:, 1] >= 0))
    # each distinct first name spelled once, from one row holding it; only nicknames go on
    firsts, at = np.unique(np.concatenate([l[todo, 0], r[todo, 0]]), return_index=True)
    values = np.concatenate([left[field].to_numpy()[todo], right[field].to_numpy()[todo]])[at]
    is_nickname = np.zeros(int(max(l.max(initial=0), r.max(initial=0))) + 1, dtype=bool)
    is_nickname[firsts] = [value.split(maxsplit=1)[0] in NICKNAMES for value in values]
    todo = todo[is_nickname[l[todo, 0]] | is_nickname[r[todo, 0]]]
    if todo.size:  # a few % of the pairs
        todo = todo[nickname_or_same_first_word(left.iloc[todo], right.iloc[todo], field)]
        rest_l, rest_r = l[todo, 1:], r[todo, 1:]
        same = (rest_l[:, :, None] == rest_r[:, None, :]) & (rest_l >= 0)[:, :, None]
        out[todo] = _one_within_other(rest_l, rest_r, same)
    return out


def _first_name_and_surname(left: pd.DataFrame, right: pd.DataFrame, field: str) -> tuple[np.ndarray, ...]:
    """Per pair: the word codes of the full names (a matrix per side, see ``_word_codes``),
    of each side's first given name and first surname, and whether both sides have a surname."""
    l, r = _words((left, field), (right, field))
    at_l, at_r, given_l, given_r, surname_l, surname_r = _name_parts(left, right, l, r)
    has_surname = given_l & given_r & surname_l & surname_r
    rows = np.arange(len(left))
    return l, r, l[:, 0], r[:, 0], l[rows, at_l], r[rows, at_r], has_surname


def same_first_name_and_surname(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """Both sides have a surname, and their first given names and first surnames are the
    same, whatever the other names: one record dropped the middle name, the other the second
    surname ("amanda lavinia simoes" and "amanda simoes farias")."""
    _, _, first_l, first_r, surname_l, surname_r, has_surname = _first_name_and_surname(left, right, field)
    return has_surname & (first_l == first_r) & (surname_l == surname_r)


def first_name_and_surname_alike(threshold: float) -> Test:
    """As ``same_first_name_and_surname``, but the first surnames the same or one typo away
    (Jaro-Winkler at least ``threshold``) and the first names alike (``first_names_alike``:
    also one typo apart, or through a nickname) ("ana lucia caballero" and "ana clballero
    polo", "djego contreras ramirez" and "diego giovanny contreras"). Each distinct pair of
    names is judged once."""
    def test(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
        l, r, first_l, first_r, surname_l, surname_r, has_surname = _first_name_and_surname(left, right, field)
        out = np.zeros(len(left), dtype=bool)
        both, texts = np.concatenate([l, r]), np.concatenate([_texts(left[field]), _texts(right[field])])

        def alike(a: np.ndarray, b: np.ndarray, first_names: bool) -> np.ndarray:
            words_a, words_b, back = _distinct_word_pairs(a, b, both, texts)
            if first_names:
                return first_names_alike(words_a.tolist(), words_b.tolist(), threshold)[back]
            return (cpdist(words_a, words_b, scorer=JaroWinkler.similarity, workers=-1) >= threshold)[back]

        todo = np.flatnonzero(has_surname)
        todo = todo[alike(surname_l[todo], surname_r[todo], False)]  # the rarer of the two: first
        out[todo[alike(first_l[todo], first_r[todo], True)]] = True
        return out
    return test


def given_names_only_and_first_alike(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """One side gives only given names, no surname (a WhatsApp profile, a form's first-name
    field), and its first one is the other's first given name, a nickname of it or one typo
    away ("luaura" and "laura acosta figueroa", "mafe" and "maria fernanda cortes")."""
    only_given = ((left["given_names"].to_numpy() == left[field].to_numpy())
                  | (right["given_names"].to_numpy() == right[field].to_numpy()))
    todo = np.flatnonzero(only_given)
    out = np.zeros(len(left), dtype=bool)
    if todo.size:
        l, r = left.iloc[todo], right.iloc[todo]
        out[todo] = (nickname_or_same_first_word(l, r, "given_names")
                     | similar_first_name(0.88)(l, r, "given_names"))
    return out


def first_name_among_other_names(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """One side's first given name is among the other side's names (given names and surnames
    swapped between the fields)."""
    gl, gr, nl, nr = _words((left, field), (right, field), (left, "full_name"), (right, "full_name"))
    return _found(gl[:, :1], nr)[:, 0] | _found(gr[:, :1], nl)[:, 0]


def word_sets_similarity_at_least(threshold: float) -> Test:
    """rapidfuzz's token_set_ratio at least ``threshold`` (0..1): the shared words and the rest
    compared, so extra words on one side cost little."""
    def test(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
        l, r = _sides(left, right, field)
        return cpdist(l, r, scorer=fuzz.token_set_ratio, workers=-1) >= threshold * 100
    return test


def _abbreviates(short: str, long: str) -> bool:
    """``short`` is ``long`` abbreviated: shorter, of at least two letters, the same first
    letter, and its letters in ``long`` in order ("dist" and "distribuidora", "gpo" and
    "grupo", "pc" and "pecas")."""
    if not 2 <= len(short) < len(long) or short[0] != long[0]:
        return False
    letters = iter(long)
    return all(letter in letters for letter in short)


def same_words_some_abbreviated(typo_threshold: float) -> Test:
    """As many words (at least two), word by word the same, at least one abbreviated on one
    side ("dist santa fe" and "distribuidora santa fe", "agrop pires" and "agropecuaria
    pires"), the others the same or one typo apart (Jaro-Winkler at least
    ``typo_threshold``). Each distinct pair of differing words is judged once."""
    def test(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
        l, r = _words((left, field), (right, field))
        width = max(l.shape[1], r.shape[1])
        l = np.pad(l, ((0, 0), (0, width - l.shape[1])), constant_values=-1)
        r = np.pad(r, ((0, 0), (0, width - r.shape[1])), constant_values=-1)
        out = np.zeros(len(left), dtype=bool)
        todo = np.flatnonzero((_word_count(l) == _word_count(r)) & (_word_count(l) >= 2) & (l != r).any(axis=1))
        if not todo.size:
            return out
        l, r = l[todo], r[todo]
        differ = (l != r) & (l >= 0)
        rows, positions = np.nonzero(differ)
        both, texts = np.concatenate([l, r]), np.concatenate([_texts(left[field])[todo], _texts(right[field])[todo]])
        words_l, words_r, back = _distinct_word_pairs(l[rows, positions], r[rows, positions], both, texts)
        abbreviated = np.array([_abbreviates(a, b) or _abbreviates(b, a) for a, b in zip(words_l, words_r)], dtype=bool)
        typo = cpdist(words_l, words_r, scorer=JaroWinkler.similarity, workers=-1) >= typo_threshold
        word_abbreviated, word_alike = np.zeros_like(differ), ~differ
        word_abbreviated[rows, positions] = abbreviated[back]
        word_alike[rows, positions] = (abbreviated | typo)[back]
        out[todo] = word_alike.all(axis=1) & word_abbreviated.any(axis=1)
        return out
    return test


def one_name(a: str, b: str) -> bool:
    """Two first names are one name: equal, or one is a nickname of the other (Pepe and José,
    Zé and José, Lucho and Luis; dedupe/names.py NICKNAMES), or both of a third."""
    if a == b:
        return True
    forms_a, forms_b = NICKNAMES.get(a, frozenset()), NICKNAMES.get(b, frozenset())
    return b in forms_a or a in forms_b or not forms_a.isdisjoint(forms_b)


def _name_forms() -> dict[str, tuple[str, ...]]:
    """Per name with nicknames: the name and its nicknames; per nickname: the nickname, the
    names it stands for and their other nicknames (NICKNAMES). Each word once."""
    nicknames_of: dict[str, set[str]] = {}
    for nick, names in NICKNAMES.items():
        for name in names:
            nicknames_of.setdefault(name, set()).add(nick)
    forms = {name: {name} | nicks for name, nicks in nicknames_of.items()}
    for nick, names in NICKNAMES.items():
        forms[nick] = forms.get(nick, {nick}).union(*(forms[name] for name in names))
    return {word: tuple(sorted(group)) for word, group in forms.items()}


NAME_FORMS = _name_forms()


def _one_typo_apart(a: list[str], b: list[str]) -> np.ndarray:
    """Per pair of words: at most one letter inserted, deleted, replaced or two swapped
    (optimal string alignment), the longer at least three letters, the first letter the same
    unless the first two are swapped: "lz" and "luz", "naa" and "ana", "dimz" and "diaz",
    which Jaro-Winkler scores low (short words, the typo early), but not "mario" and "dario"
    or "sara" and "lara", other names that Jaro-Winkler rightly keeps apart."""
    longer = np.maximum(np.fromiter(map(len, a), dtype=np.int64, count=len(a)),
                        np.fromiter(map(len, b), dtype=np.int64, count=len(b)))
    out = (cpdist(a, b, scorer=OSA.distance, workers=-1) <= 1) & (longer >= 3)
    at = np.flatnonzero(out)
    out[at] = [x[:1] == y[:1] or x[:2] == y[1::-1] for x, y in zip((a[i] for i in at), (b[i] for i in at))]
    return out


def first_names_alike(a: list[str], b: list[str], threshold: float) -> np.ndarray:
    """Per pair of first names: Jaro-Winkler at least ``threshold``, one typo apart, or so
    once one of them is read as any of its forms (``NAME_FORMS``): one name ("pepe" and
    "jose", "pepe" and "chema"), a nickname with a typo ("ppe" and "jose", through pepe), a
    nickname against a name with a typo ("mafe" and "amria", through maria). Never the
    masculine and feminine forms of one name (``other_sex_forms``). Pass each distinct pair
    once."""
    alike = (cpdist(a, b, scorer=JaroWinkler.similarity, workers=-1) >= threshold) | _one_typo_apart(a, b)
    codes, words = pd.factorize(pd.Series(a + b, dtype=object))
    forms = [NAME_FORMS.get(word, ()) for word in words]
    counts = np.fromiter(map(len, forms), dtype=np.int64, count=len(forms))
    flat = np.array([form for group in forms for form in group], dtype=object)
    starts = np.cumsum(counts) - counts
    sides = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    code_a, code_b = codes[:len(a)], codes[len(a):]
    x, y, at = [], [], []
    # each side's forms against the other side as written (not form against form: "roberto"
    # and "alberto" are both "beto"); a form is no nearer the other sex's name ("paco" and
    # "francisca", through francisco)
    for own, other in ((code_a, sides[1]), (code_b, sides[0])):
        todo = np.flatnonzero(~alike & (counts[own] > 0))
        repeat = counts[own[todo]]
        rows = np.repeat(todo, repeat)
        within = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)  # 0, 1, .. per row
        x.append(flat[np.repeat(starts[own[todo]], repeat) + within])
        y.append(other[rows])
        at.append(rows)
    x, y, at = np.concatenate(x).tolist(), np.concatenate(y).tolist(), np.concatenate(at)
    if at.size:
        hit = np.flatnonzero((cpdist(x, y, scorer=JaroWinkler.similarity, workers=-1) >= threshold)
                             | _one_typo_apart(x, y))
        alike[at[hit[~other_sex_forms([x[i] for i in hit], [y[i] for i in hit])]]] = True
    at = np.flatnonzero(alike)
    other_sex = at[other_sex_forms(sides[0][at].tolist(), sides[1][at].tolist())]
    # unless the table has one as a nickname of the other ("marian" for "mariana")
    alike[other_sex] = [sides[1][i] in NAME_FORMS.get(sides[0][i], ()) for i in other_sex]
    return alike


def other_sex_forms(a: list[str], b: list[str]) -> np.ndarray:
    """Per pair of words: the masculine and feminine forms of one name, -o against -a
    ("bruno" and "bruna") or a consonant against it and -a ("daniel" and "daniela", "luiz"
    and "luiza"). Two people, often siblings sharing surnames and a city, that Jaro-Winkler
    takes for one typo apart: of the generated 100,000 records' (seed 4242) candidate pairs
    whose first given names are such, 37 of 4,519 are one person, yet 24 were auto-merged."""
    out = np.zeros(len(a), dtype=bool)
    for i, (x, y) in enumerate(zip(a, b)):
        short, long = sorted((x, y), key=len)
        if len(short) >= 2 and len(long) == len(short):
            out[i] = short[:-1] == long[:-1] and {short[-1], long[-1]} == {"a", "o"}
        elif len(short) >= 2 and len(long) == len(short) + 1:
            out[i] = long == short + "a" and short[-1] not in "aeiou"
    return out


def similar_first_name(threshold: float) -> Test:
    """The first given names alike (``first_names_alike``: a typo, a nickname with a typo)."""
    def test(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
        out = np.zeros(len(left), dtype=bool)
        l, r = _words((left, field), (right, field))
        given = np.flatnonzero((l[:, 0] >= 0) & (r[:, 0] >= 0))  # a side may give no given names
        if given.size:  # each distinct pair of first names judged once
            both, texts = np.concatenate([l, r]), np.concatenate([_texts(left[field]), _texts(right[field])])
            words_l, words_r, back = _distinct_word_pairs(l[given, 0], r[given, 0], both, texts)
            out[given] = first_names_alike(words_l.tolist(), words_r.tolist(), threshold)[back]
        return out
    return test


def nickname_or_same_first_word(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """The first given names are one name (``one_name``)."""
    fa, fb = _first_words(left[field]).to_numpy(), _first_words(right[field]).to_numpy()
    out = fa == fb
    nick = ~out & (pd.Series(fa).isin(NICKNAMES).to_numpy() | pd.Series(fb).isin(NICKNAMES).to_numpy())
    for i in np.flatnonzero(nick):  # the few pairs where a nickname is involved
        out[i] = one_name(fa[i], fb[i])
    return out


def same_initial(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """The first letters are equal."""
    return left[field].str[:1].to_numpy() == right[field].str[:1].to_numpy()


def any_in_common(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """The two lists (phones, e-mails) share a value."""
    l, r = _words((left, field), (right, field))
    return _found(l, r).any(axis=1)


def a_mobile_in_common(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """A mobile line in common (``mobiles``: the phones that are mobile lines): one person's
    phone, where a landline in common is a household's."""
    return any_in_common(left, right, "mobiles")


def a_phone_cut_short(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """A phone of one side, at least ``PHONE_START`` characters long, is the start of one of
    the other's: its last digits lost ("+5730449069" and "+573044906980"; ingest flags such a
    number invalid, but validity is not what is tested). Judged only on the pairs whose
    phones share a start (few)."""
    l, r = _words((left, "phone_starts"), (right, "phone_starts"))
    out = _found(l, r).any(axis=1)
    todo = np.flatnonzero(out)
    out[todo] = [any(a != b and min(len(a), len(b)) >= PHONE_START and (a.startswith(b) or b.startswith(a))
                     for a in x.split() for b in y.split())
                 for x, y in zip(_texts(left[field])[todo], _texts(right[field])[todo])]
    return out


def any_email_user_in_common(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """An e-mail user name (before the @) in common, at another provider."""
    l, r = _words((left, "email_users"), (right, "email_users"))
    return _found(l, r).any(axis=1)


def both_valid_yet_different(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """Both numbers pass their check digit, are of one type and differ: two real, distinct
    documents, strong evidence of two customers."""
    return ((left["document_check"].to_numpy() == "valid") & (right["document_check"].to_numpy() == "valid")
            & (left["document_type"].to_numpy() == right["document_type"].to_numpy())
            & (left[field].to_numpy() != right[field].to_numpy()))


def day_and_month_swapped(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """Same date with day and month read the other way round (dd/mm against mm/dd)."""
    l, r = left[field], right[field]  # 'YYYY-MM-DD'
    return ((l.str[:4].to_numpy() == r.str[:4].to_numpy()) & (l.str[5:7].to_numpy() == r.str[8:10].to_numpy())
            & (l.str[8:10].to_numpy() == r.str[5:7].to_numpy()))


def same_year(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """Same year of birth."""
    return left[field].str[:4].to_numpy() == right[field].str[:4].to_numpy()


def one_digit_off_in_date(left: pd.DataFrame, right: pd.DataFrame, field: str) -> np.ndarray:
    """The dates' texts one typed digit apart."""
    return cpdist(left[field].tolist(), right[field].tolist(), scorer=OSA.distance, workers=-1) <= 1


PERSON = frozenset({"person"})
COMPANY = frozenset({"company"})

COMPARISONS: tuple[Comparison, ...] = (
    Comparison("document_number", columns=("document_type", "document_check"), identifying=True, levels=(
        Level("same number", exact),
        Level("one digit off", edit_distance_at_most(1)),
        # a typo never keeps a CPF, CNPJ or NIT check digit valid: two distinct documents, two
        # customers by the identity rule. No true pair of the generated million records (of
        # 18,949 giving both documents) reaches it. At m 0.001 it weighed -6: a company's name
        # and a shared e-mail outweighed it, and 16,615 pairs of companies at this level scored
        # 0.95 or more (code of that morning), none one company (most held back into review);
        # at 1e-6 (-12 to -13) only such pairs agreeing on nearly everything else reach review
        Level("both valid, different", both_valid_yet_different, m=1e-6),
    )),
    # a household shares its surnames and its address: at the same address, names alike only
    # in their surnames, or a given name that is the other's surname, say nothing more
    # (siblings at their parents' address were auto-merged, the surnames counted twice)
    Comparison("full_name", customer_types=PERSON,
               columns=("name_count", "name_share", "given_names", "full_name_words", "given_names_words"), identifying=True,
               implied_by=(Implied("address", ("same address",), own=("similar",)),),
               levels=(
        # the whole name agreeing: as rare as its words together. Not "a name missing": the
        # words of "juan perez gomez" are also the namesake "juan carlos perez gomez"'s (measured
        # at 1,000,000: that pattern then filled the review band at 15 % precision)
        Level("same name", exact, value_share="name_share"),
        Level("same names, other order", same_words_any_order, value_share="name_share"),
        Level("a name missing on one side", words_of_one_within_other, frequency="name_count"),
        Level("one typo", unless_other_sex_forms(similar_ignoring_spaces(0.92)), frequency="name_count"),
        Level("a name missing and a typo", words_of_one_nearly_within_other(0.88), frequency="name_count"),
        Level("a nickname, the other names within", nickname_and_other_names_within, frequency="name_count"),
        Level("same first name and surname, other names differ", same_first_name_and_surname, frequency="name_count"),
        Level("first name and surname alike, other names differ", first_name_and_surname_alike(0.88)),
        Level("one name only, found in the other", lone_word_among_other_words),
        Level("given names only, the first alike", given_names_only_and_first_alike),
        # not token_set_ratio: it scores "ramirez soto" within "lucia ramirez soto" at 80, so
        # two relatives sharing both surnames would look alike
        Level("similar", similar_ignoring_spaces(0.85)),
    )),
    Comparison("given_names", customer_types=PERSON,
               columns=("full_name", "given_names_words", "full_name_words"),
               implied_by=(Implied("full_name", ("same name", "same names, other order", "a name missing on one side",
                                                 "a nickname, the other names within",
                                                 "same first name and surname, other names differ",
                                                 "first name and surname alike, other names differ",
                                                 "one name only, found in the other",
                                                 "given names only, the first alike")),
                           Implied("address", ("same address",), own=("first name written as a surname",))), levels=(
        Level("same given names", exact),
        Level("same first name or its nickname", nickname_or_same_first_word),
        Level("similar first name", similar_first_name(0.88)),
        Level("first name written as a surname", first_name_among_other_names),
        Level("same initial", same_initial),
    )),
    Comparison("birth_date", customer_types=PERSON, identifying=True, levels=(
        Level("same date", exact),
        Level("day and month swapped", day_and_month_swapped),
        Level("one digit off", one_digit_off_in_date),
        Level("same year", same_year),
    )),
    Comparison("business_name", customer_types=COMPANY, identifying=True, columns=("business_name_words",), levels=(
        Level("same name", exact),
        Level("one typo", similarity_at_least(0.95)),
        Level("same words", word_sets_similarity_at_least(1.0)),
        Level("same words, some abbreviated", same_words_some_abbreviated(0.9)),
        Level("similar", word_sets_similarity_at_least(0.8)),
    )),
    # two legal forms are two companies ("grupo perdomo sas" and "grupo perdomo ltda", sister
    # companies sharing an e-mail); the same one says a little (most companies are an SAS)
    Comparison("legal_form", customer_types=COMPANY, levels=(
        Level("same legal form", exact),
    )),
    Comparison("emails", identifying=True, columns=("emails_words", "email_users_words"), levels=(
        Level("an e-mail in common", any_in_common, all_proposed=True),
        # a user name is mostly the customer's name ("maria.barbosa" at gmail and at uol):
        # namesakes share it, so it would count the name twice (measured on generated
        # 100,000: the level in most wrong auto-merges)
        Level("same user name elsewhere", any_email_user_in_common, weighs=False),
    )),
    # a landline is a household's: at the same address, a phone in common says nothing more
    # (relatives sharing both were auto-merged, counted twice); a mobile is one person's, and
    # says so at any address (generated 100,000: the review band 0.03 to 0.12 point smaller)
    Comparison("phones", identifying=True, columns=("phones_words", "phone_starts_words", "mobiles", "mobiles_words"),
               implied_by=(Implied("address", ("same address",),
                                   own=("a phone in common", "a phone in common, cut short on one side", DIFFERENT)),),
               levels=(
        Level("a mobile in common", a_mobile_in_common, all_proposed=True),
        Level("a phone in common", any_in_common, all_proposed=True),
        Level("a phone in common, cut short on one side", a_phone_cut_short),
    )),
    Comparison("address", levels=(
        Level("same address", word_sets_similarity_at_least(0.95)),
        Level("similar address", word_sets_similarity_at_least(0.8)),
        Level("partly similar address", word_sets_similarity_at_least(0.65)),
    )),
    Comparison("city", levels=(
        Level("same city", exact),
        Level("similar city", similarity_at_least(0.9)),
    )),
)


def comparisons_for(customer_type: str, comparisons: tuple[Comparison, ...] = COMPARISONS) -> tuple[Comparison, ...]:
    """The comparisons that apply to pairs of ``customer_type`` customers."""
    return tuple(c for c in comparisons if customer_type in c.customer_types)
