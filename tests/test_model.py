"""The Fellegi-Sunter model (dedupe/model.py) on synthetic level vectors drawn from a known
mixture of matches and non-matches: what the unsupervised fit recovers, how probability
follows the evidence (agreement, missing values, stated m, term frequency), the steward layer
learnt from decided pairs, and compare_pairs through recordlinkage."""
from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest

from dedupe.comparisons import COMPARISONS, Comparison, comparisons_for
from dedupe.model import (PROBABILITY_FLOOR, KnownDistinct, MatchModel, compare_pairs, fit_steward,
                          fit_unsupervised, frequency_column, refit_prior, unseen_share)
from dedupe.scoring import _known_distinct

PERSON = comparisons_for("person")
NAME = next(c for c in PERSON if c.field == "full_name")
DOCUMENT = next(c for c in PERSON if c.field == "document_number")
BIRTH = next(c for c in PERSON if c.field == "birth_date")
# the m the "both valid, different" level states (two distinct real documents: almost never a match)
STATED_M = next(level.m for level in DOCUMENT.levels if level.label == "both valid, different")
NAME_COUNT = frequency_column(NAME, "name_count")
NAME_SHARE = frequency_column(NAME, "name_share")
CUSTOMERS = 3000          # of the type: 4.5 million possible pairs
MATCHES, NON_MATCHES = 1500, 4500   # candidate pairs (blocking found these)
MISSING_SHARE = 0.2


def true_m(c: Comparison) -> np.ndarray:
    """Level shares among matches (levels then "different"): strongest level likeliest."""
    m = np.array([0.5 ** k for k in range(len(c.levels))] + [0.04])
    if "both valid, different" in c.labels:
        m[c.labels.index("both valid, different")] = STATED_M
    return m / m.sum()


def true_u(c: Comparison) -> np.ndarray:
    """Level shares among non-matches: "different" likeliest, the stronger levels rarest."""
    u = np.array([0.01 * (k + 1) for k in range(len(c.levels))] + [0.0])
    u[-1] = 1 - u.sum()
    return u


def draw(rng: np.random.Generator, comparisons: tuple[Comparison, ...], n: int, match: bool) -> pd.DataFrame:
    """``n`` level vectors of matches (or non-matches), each field missing with MISSING_SHARE."""
    columns = {}
    for c in comparisons:
        shares = true_m(c) if match else true_u(c)
        codes = rng.choice(len(shares), n, p=shares)
        codes[rng.random(n) < MISSING_SHARE] = c.missing
        columns[c.field] = codes.astype(np.int8)
    frame = pd.DataFrame(columns)
    frame[NAME_COUNT] = 1
    frame[NAME_SHARE] = np.nan
    return frame


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Candidate vectors, which of them are matches, and vectors of random pairs."""
    rng = np.random.default_rng(7)
    vectors = pd.concat([draw(rng, PERSON, MATCHES, True), draw(rng, PERSON, NON_MATCHES, False)], ignore_index=True)
    is_match = np.arange(len(vectors)) < MATCHES
    random_vectors = draw(rng, PERSON, 50_000, False)
    return vectors, is_match, random_vectors


@pytest.fixture(scope="module")
def unsupervised(synthetic) -> MatchModel:
    vectors, _, random_vectors = synthetic
    return fit_unsupervised(vectors, random_vectors, PERSON, "person", CUSTOMERS)


def vector(levels: dict[str, str | int] | None = None, default: str = "different", name_count: int = 1,
           name_share: float = np.nan) -> pd.DataFrame:
    """One level vector: every person field at ``default`` unless ``levels`` says otherwise
    (a label, or 0 for the first level); ``name_share`` the log share of the agreed name."""
    row = {}
    for c in PERSON:
        value = (levels or {}).get(c.field, default)
        row[c.field] = value if isinstance(value, int) else c.labels.index(value)
    frame = pd.DataFrame([row]).astype(np.int8)
    frame[NAME_COUNT] = name_count
    frame[NAME_SHARE] = name_share
    return frame


def probability(model: MatchModel, levels: dict[str, str | int] | None = None, **kw) -> float:
    return float(model.probability(vector(levels, **kw))[0])


# ---- unsupervised ----------------------------------------------------------------------------

def test_unsupervised_recovers_m_and_u(unsupervised: MatchModel) -> None:
    for c in PERSON:
        m, u = unsupervised.m[c.field], unsupervised.u[c.field]
        expected_m, expected_u = true_m(c), true_u(c)
        assert m[0] == pytest.approx(expected_m[0], abs=0.05), c.field
        assert m[c.different] == pytest.approx(expected_m[-1], abs=0.05), c.field
        assert u[:c.missing] == pytest.approx(expected_u, abs=0.01), c.field   # measured on random pairs
        assert m[0] / u[0] > 10, c.field                       # the strongest level: evidence for
        assert m[c.different] / u[c.different] < 0.2, c.field  # "different": evidence against
        assert m[c.missing] == u[c.missing] == 1.0             # missing is no evidence


def test_unsupervised_prior_is_the_share_of_matches_among_all_pairs(unsupervised: MatchModel) -> None:
    possible = CUSTOMERS * (CUSTOMERS - 1) // 2
    assert unsupervised.prior == pytest.approx(MATCHES / possible, rel=0.25)
    assert unsupervised.kind == "unsupervised" and unsupervised.pairs_fitted == MATCHES + NON_MATCHES


def test_probability_increases_with_each_field_that_agrees(unsupervised: MatchModel) -> None:
    agreed: dict[str, str | int] = {}
    seen = [probability(unsupervised, agreed)]
    for c in PERSON:
        agreed[c.field] = 0
        seen.append(probability(unsupervised, agreed))
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert seen[0] < 0.01 and seen[-1] > 0.99


def test_probability_orders_pairs_like_the_truth(synthetic, unsupervised: MatchModel) -> None:
    vectors, is_match, _ = synthetic
    p = unsupervised.probability(vectors)
    assert np.mean(p[is_match] >= 0.5) > 0.9
    assert np.mean(p[~is_match] < 0.5) > 0.98


@pytest.mark.parametrize("field", [c.field for c in PERSON])
def test_a_missing_field_lies_between_agreeing_and_disagreeing(unsupervised: MatchModel, field: str) -> None:
    c = next(c for c in PERSON if c.field == field)
    base = {"full_name": "same name", "birth_date": "same date"}
    agree = probability(unsupervised, {**base, field: 0})
    missing = probability(unsupervised, {**base, field: "missing"})
    disagree = probability(unsupervised, {**base, field: "different"})
    assert disagree < missing < agree
    # and missing is exactly no evidence: as if the field were not compared at all
    weights = unsupervised.weights(c)
    assert weights[c.missing] == 0.0


def test_a_stated_m_is_kept_however_often_the_data_shows_the_level() -> None:
    # candidates full of matches whose documents are "both valid, different": EM must not
    # learn that two distinct valid documents are common among matches
    rng = np.random.default_rng(3)
    vectors = pd.concat([draw(rng, PERSON, MATCHES, True), draw(rng, PERSON, NON_MATCHES, False)], ignore_index=True)
    level = DOCUMENT.labels.index("both valid, different")
    vectors.loc[: MATCHES // 2, "document_number"] = level
    model = fit_unsupervised(vectors, draw(rng, PERSON, 20_000, False), PERSON, "person", CUSTOMERS)
    m = model.m["document_number"]
    assert m[level] == pytest.approx(STATED_M)
    assert m[:DOCUMENT.missing].sum() == pytest.approx(1.0)
    # and it is what the evidence is made of: log(m / u), u measured on the random pairs
    assert model.weights(DOCUMENT)[level] == pytest.approx(np.log(STATED_M) - np.log(model.u["document_number"][level]))
    assert model.weights(DOCUMENT)[level] < 0


def test_a_common_name_agreeing_says_less_than_a_rare_one(unsupervised: MatchModel) -> None:
    levels = {"full_name": "one typo", "city": "same city"}
    rare = probability(unsupervised, levels, name_count=1)
    common = probability(unsupervised, levels, name_count=300)   # 10% of the customers share it
    assert common < rare
    # the count only matters at the levels that name it, and only above the level's average
    assert probability(unsupervised, {"full_name": "similar"}, name_count=300) == \
        probability(unsupervised, {"full_name": "similar"}, name_count=1)
    assert probability(unsupervised, levels, name_count=2) == rare  # 2/3000 is below u


@pytest.mark.parametrize("level", ["same name", "same names, other order"])
def test_a_whole_name_agreeing_says_more_the_rarer_its_words(unsupervised: MatchModel, level: str) -> None:
    """At the levels where the whole name agrees, u is the chance that a random customer holds
    all its words: the product of their shares, above or below the level's average, never
    below PROBABILITY_FLOOR, whatever the base (unlike an unseen identifier's: the more
    customers, the likelier a namesake); the first given name and surname's count is not used."""
    levels = {"full_name": level, "city": "same city"}
    code = NAME.labels.index(level)
    m, average_u = unsupervised.m["full_name"][code], unsupervised.u["full_name"][code]
    common = np.log(0.2) + np.log(0.3)                   # two words most names here hold: 6 %
    rare = np.log(0.01) + np.log(0.002) + np.log(0.003)  # three uncommon words: 1 in 17 million
    weight = {share: float(unsupervised.evidence(vector(levels, name_share=share))[0]) for share in (common, rare)}
    no_share = float(unsupervised.evidence(vector(levels))[0])
    assert weight[rare] > no_share > weight[common]       # the level's average lies between
    assert weight[common] - no_share == pytest.approx(np.log(average_u) - common)
    assert weight[rare] - no_share == pytest.approx(np.log(average_u) - np.log(PROBABILITY_FLOOR))
    larger_base = dataclasses.replace(unsupervised, customers=1_000_000)
    for share in (common, rare):
        assert larger_base.evidence(vector(levels, name_share=share))[0] == pytest.approx(weight[share])
    assert no_share - unsupervised.evidence(vector({"city": "same city"}))[0] == \
        pytest.approx(np.log(m) - np.log(average_u) - unsupervised.weights(NAME)[NAME.different])
    # the first given name and surname's count no longer matters at these levels
    assert unsupervised.evidence(vector(levels, name_share=common, name_count=300))[0] == weight[common]


def test_unsupervised_sessions_do_not_learn_the_fields_their_rules_agree_on(synthetic) -> None:
    # pairs found by a name rule all agree on the name, matches or not: learning full_name's
    # m from them would say a shared name is what every match has
    vectors, _, random_vectors = synthetic
    rng = np.random.default_rng(11)
    blocked_on_name = draw(rng, PERSON, 3000, False)
    blocked_on_name["full_name"] = 0
    both = pd.concat([vectors, blocked_on_name], ignore_index=True)
    name_rule = np.arange(len(both)) >= len(vectors)
    sessions = [(~name_rule, frozenset()), (name_rule, frozenset({"full_name", "given_names"}))]
    with_sessions = fit_unsupervised(both, random_vectors, PERSON, "person", CUSTOMERS, sessions)
    assert with_sessions.m["full_name"][0] == pytest.approx(true_m(NAME)[0], abs=0.05)
    assert probability(with_sessions, {"full_name": "same name"}) < 0.01  # a shared name alone


# ---- supervised: the steward layer ---------------------------------------------------------

def _decided_band(unsupervised: MatchModel, vectors: pd.DataFrame, low: float, high: float) -> np.ndarray:
    p = unsupervised.probability(vectors)
    return np.flatnonzero((p >= low) & (p < high))


def test_a_steward_layer_decides_only_the_review_band(synthetic, unsupervised: MatchModel) -> None:
    """The stewards' decisions come from the review band: the layer learnt from them changes
    the probability of the pairs the unsupervised model puts there, and of no other pair;
    u and the prior stay the unsupervised model's."""
    vectors, is_match, _ = synthetic
    low, high = 1e-6, 0.999   # wide enough for this mixture to put pairs of both kinds in it
    band = _decided_band(unsupervised, vectors, low, high)
    assert 100 < len(band) and 10 < is_match[band].sum() < len(band) - 10
    model = fit_steward(unsupervised, vectors.iloc[band], is_match[band], low, high)
    assert model.kind == "supervised" and model.steward.decisions == len(band)
    assert model.prior == unsupervised.prior and all((model.u[f] == unsupervised.u[f]).all() for f in model.u)
    before, after = unsupervised.probability(vectors), model.probability(vectors)
    outside = (before < low) | (before >= high)
    assert (after[outside] == before[outside]).all()
    assert (after[~outside] != before[~outside]).any()
    # fitted to the decisions, the band's probabilities average to the share merged
    assert after[band].mean() == pytest.approx(is_match[band].mean(), abs=0.03)
    # the prior is the unsupervised model's evidence's, whatever the layer says of the band
    customers = 10 * len(vectors)
    layered, plain = copy.deepcopy(model), copy.deepcopy(unsupervised)   # refit_prior sets them anew
    assert refit_prior(layered, vectors, customers).prior == refit_prior(plain, vectors, customers).prior
    assert plain.prior != unsupervised.prior   # another base, another prior: the check can fail


def test_a_steward_layer_learns_what_the_stewards_decide(synthetic, unsupervised: MatchModel) -> None:
    """Stewards who merge every pair born on the same day and reject the others: from a fifth
    of the pairs decided, the layer puts the first far above the second, whatever the
    unsupervised model said of them."""
    vectors, _, _ = synthetic
    low, high = 0.0, 1.01   # every pair in the band
    decided = np.arange(0, len(vectors), 5)   # a fifth of the pairs decided
    same_date = vectors.birth_date.to_numpy() == BIRTH.labels.index("same date")
    assert 100 < same_date[decided].sum() < len(decided) - 100
    model = fit_steward(unsupervised, vectors.iloc[decided], same_date[decided], low, high)
    after = model.probability(vectors)
    assert (after[same_date] > 0.5).mean() > 0.95 and (after[~same_date] < 0.5).mean() > 0.95
    assert after[same_date].mean() > 0.85 and after[~same_date].mean() < 0.15
    weights = model.steward.weights["birth_date"]
    assert weights[0] > 0 > weights[BIRTH.different] and weights[BIRTH.missing] == 0


# ---- compare_pairs ---------------------------------------------------------------------------

def test_compare_pairs_gives_each_comparisons_codes_and_the_commoner_name_count_and_share() -> None:
    customers = pd.DataFrame({
        "customer_id": [1, 2, 3],
        "customer_type": ["person"] * 3,
        "document_number": ["12345678", "12345687", None],
        "document_type": ["CC", "CC", None],
        "document_check": ["unchecked"] * 3,
        "given_names": ["pepe", "jose", "maria"],
        "full_name": ["pepe garcia", "jose garcia", "maria lopez"],
        "birth_date": ["1980-03-04", "1980-04-03", None],
        "business_name": [None] * 3,
        "emails": [["pepe@x.co"], None, ["pepe@y.co"]],
        "phones": [["+573001234567"], ["+573001234567"], None],
        "mobiles": [["+573001234567"], ["+573001234567"], None],   # the phones that are mobile lines
        "address": [None] * 3,
        "city": ["bogota", "bogota", "cali"],
        "name_count": [1, 7, 2],
        "name_share": [-6.2, -3.1, np.nan],
    }).set_index("customer_id")
    pairs = pd.MultiIndex.from_tuples([(1, 2), (1, 3), (2, 3)])
    vectors = compare_pairs(pairs, customers, PERSON)
    labels = {c.field: [c.labels[x] for x in vectors[c.field]] for c in PERSON}
    assert labels["document_number"] == ["one digit off", "missing", "missing"]
    # "pepe" is a nickname of "jose": the full names say so, and the given names then add nothing
    assert labels["full_name"][0] == "a nickname, the other names within"
    assert labels["given_names"] == ["missing", "different", "different"]
    assert labels["birth_date"] == ["day and month swapped", "missing", "missing"]
    assert labels["emails"] == ["missing", "same user name elsewhere", "missing"]
    assert labels["phones"] == ["a mobile in common", "missing", "missing"]
    assert labels["city"] == ["same city", "different", "different"]
    assert vectors[NAME_COUNT].tolist() == [7, 2, 7]
    assert vectors[NAME_SHARE].tolist()[0] == -3.1   # the commoner name; unknown when either is
    assert np.isnan(vectors[NAME_SHARE].tolist()[1:]).all()
    assert all(vectors[c.field].dtype == np.int8 for c in PERSON)
    assert set(COMPARISONS) >= set(PERSON)


def test_u_leaves_out_random_pairs_that_agree_on_another_identifier(synthetic) -> None:
    """A few true matches among the random pairs agree on every identifier at once; they
    must not count as non-matches agreeing on an e-mail."""
    vectors, _, random_vectors = synthetic
    rng = np.random.default_rng(11)
    matches = draw(rng, PERSON, 1000, True)
    for c in PERSON:
        if c.identifying:
            matches[c.field] = 0   # a match agrees on every identifier
    contaminated = pd.concat([random_vectors, matches], ignore_index=True)
    emails = next(c for c in PERSON if c.field == "emails")
    naive = np.mean(contaminated["emails"].to_numpy()[contaminated["emails"].to_numpy() != emails.missing] == 0)
    assert naive > 0.025    # true u of the level is 0.01
    model = fit_unsupervised(vectors, contaminated, PERSON, "person", CUSTOMERS)
    assert model.u["emails"][0] == pytest.approx(true_u(emails)[0], abs=0.002)


def test_a_level_no_match_reached_is_rare_not_impossible(synthetic) -> None:
    """Every match agrees on the city, yet "different city" is not a veto: its m is half a
    match of those EM expected, not the floor. "similar city", which no pair reaches, match or
    random, weighs nothing, whatever the base."""
    vectors, is_match, random_vectors = synthetic
    city = next(c for c in PERSON if c.field == "city")
    vectors, random_vectors = vectors.copy(), random_vectors.copy()
    similar = city.labels.index("similar city")
    vectors.loc[is_match, "city"] = city.labels.index("same city")
    vectors.loc[vectors.city == similar, "city"] = city.different
    random_vectors.loc[random_vectors.city == similar, "city"] = city.different
    model = fit_unsupervised(vectors, random_vectors, PERSON, "person", CUSTOMERS)
    weights = model.weights(city) / np.log(2)
    assert model.m["city"][city.different] >= 0.5 / len(vectors)   # at least half a match of all pairs
    assert -16 < weights[city.different] < -3
    assert abs(weights[similar]) < 0.01
    # nor in a base of a million, where a level no random pair reached gets a u under the floor
    large = fit_unsupervised(vectors, random_vectors, PERSON, "person", CUSTOMERS, base_customers=1_000_000)
    assert large.u["city"][similar] < PROBABILITY_FLOOR
    assert abs(large.weights(city)[similar]) < 0.01


def test_a_level_that_does_not_weigh_is_no_evidence(unsupervised: MatchModel) -> None:
    """An e-mail user name at another provider is shown, but says no more than no e-mail."""
    emails = next(c for c in PERSON if c.field == "emails")
    silent = next(level.label for level in emails.levels if not level.weighs)
    assert unsupervised.m["emails"][emails.labels.index(silent)] != unsupervised.u["emails"][emails.labels.index(silent)]
    base = {"full_name": "same name", "birth_date": "same date"}
    assert probability(unsupervised, {**base, "emails": silent}) == probability(unsupervised, {**base, "emails": "missing"})


def test_a_level_no_random_pair_reached_weighs_more_in_a_larger_base(synthetic) -> None:
    """An identifier in common that no random pair shows gets the floor's u up to 100,000
    customers, and a u shrinking with the base beyond: ten times the customers, a tenth of
    it (so a phone in common keeps its say over a prior that shrinks the same way)."""
    vectors, _, random_vectors = synthetic
    phones = next(c for c in PERSON if c.field == "phones")
    shared = [phones.labels.index(label) for label in ("a mobile in common", "a phone in common")]
    unseen = random_vectors.assign(phones=np.where(np.isin(random_vectors["phones"].to_numpy(), shared),
                                                   phones.different, random_vectors["phones"].to_numpy()))
    small = fit_unsupervised(vectors, unseen, PERSON, "person", CUSTOMERS, base_customers=50_000)
    large = fit_unsupervised(vectors, unseen, PERSON, "person", CUSTOMERS, base_customers=1_000_000)
    assert unseen_share(50_000) == unseen_share(100_000) == PROBABILITY_FLOOR
    for code in shared:
        assert small.u["phones"][code] == pytest.approx(PROBABILITY_FLOOR, rel=1e-3)
        assert large.u["phones"][code] == pytest.approx(PROBABILITY_FLOOR / 10, rel=1e-3)
        assert large.weights(phones)[code] == pytest.approx(small.weights(phones)[code] + np.log(10), abs=0.05)
    # a level the random pairs do reach keeps its measured u whatever the base
    assert large.u["full_name"][0] == pytest.approx(small.u["full_name"][0])


def test_a_shared_contact_no_random_pair_reached_is_measured_on_customers_known_distinct(synthetic) -> None:
    """A phone in common that no random pair shows gets its share among the pairs of customers
    known to be two (valid, different documents), when blocking proposes all such pairs: a
    household's landline more often than a mobile. Levels blocking does not propose in full
    (a phone cut short), and too few known-distinct pairs, keep the floor."""
    vectors, _, random_vectors = synthetic
    phones = next(c for c in PERSON if c.field == "phones")
    mobile, landline, cut_short = (phones.labels.index(label) for label in (
        "a mobile in common", "a phone in common", "a phone in common, cut short on one side"))
    codes = random_vectors["phones"].to_numpy()
    unseen = random_vectors.assign(phones=np.where(codes <= cut_short, phones.different, codes))
    known = draw(np.random.default_rng(5), PERSON, 1000, False)
    known["phones"] = np.where(np.arange(1000) < 3, landline, phones.different)   # 3 landlines, no mobile
    possible = 40_000_000   # pairs of known-distinct customers both giving a phone
    model = fit_unsupervised(vectors, unseen, PERSON, "person", CUSTOMERS,
                             distinct=KnownDistinct(known, {"phones": possible}))
    assert model.u["phones"][mobile] == pytest.approx(0.5 / possible, rel=1e-3)
    assert model.u["phones"][landline] == pytest.approx(3.5 / possible, rel=1e-3)
    assert model.u["phones"][cut_short] == pytest.approx(PROBABILITY_FLOOR, rel=1e-3)
    assert model.weights(phones)[mobile] - model.weights(phones)[landline] > np.log(7) - 0.5  # m alike here
    few = fit_unsupervised(vectors, unseen, PERSON, "person", CUSTOMERS,   # no finer than the floor
                           distinct=KnownDistinct(known, {"phones": int(1 / PROBABILITY_FLOOR)}))
    assert few.u["phones"][mobile] == few.u["phones"][landline] == pytest.approx(PROBABILITY_FLOOR, rel=1e-3)


def test_a_random_pair_sharing_a_mobile_does_not_set_its_u(synthetic) -> None:
    """A random pair that shares a mobile is nearly always one customer (prior near 1e-5, u
    near 1e-8): the level's u comes from the known-distinct pairs all the same."""
    vectors, _, random_vectors = synthetic
    phones = next(c for c in PERSON if c.field == "phones")
    mobile, cut_short = (phones.labels.index(label) for label in (
        "a mobile in common", "a phone in common, cut short on one side"))
    codes = random_vectors["phones"].to_numpy()
    one_seen = random_vectors.assign(phones=np.where(codes <= cut_short, phones.different, codes))
    one_seen.loc[0, "phones"] = mobile   # one of the random pairs shares a mobile
    known = draw(np.random.default_rng(5), PERSON, 1000, False)
    known["phones"] = phones.different   # no known-distinct pair does
    possible = 40_000_000
    model = fit_unsupervised(vectors, one_seen, PERSON, "person", CUSTOMERS,
                             distinct=KnownDistinct(known, {"phones": possible}))
    assert model.u["phones"][mobile] == pytest.approx(0.5 / possible, rel=1e-3)


def test_known_distinct_pairs_are_counted_among_customers_giving_the_field() -> None:
    """u is a share among the pairs where the field is not missing: the known-distinct
    customers without a phone make no pair that could share one."""
    customers = pd.DataFrame({
        "customer_type": ["person"] * 6 + ["company"],
        "document_check": ["valid"] * 5 + ["invalid", "valid"],
        "document_type": ["CPF", "CPF", "CPF", "CPF", "RUT", "CPF", "CNPJ"],
        "phones": ["+5511911111111", "+5511922222222", "+5511933333333", None, "+56911111111", "+5511944444444",
                   "+551133333333"],
        "emails": ["a@x.co", None, None, None, "b@x.co", "c@x.co", None],
    }, index=pd.Index(range(1, 8), name="customer_id"))
    vectors = pd.DataFrame({"document_number": [DOCUMENT.labels.index("both valid, different"), 0],
                            "phones": [0, 0], "emails": [2, 2]})
    distinct = _known_distinct(vectors, customers, PERSON, "person")
    assert distinct.possible == {"phones": 3, "emails": 0}   # C(3,2) CPF with a phone; RUT alone; one CPF e-mail
    assert len(distinct.vectors) == 1


def _people(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Person feature rows (given names, full name, address), ids from 1, nothing else given."""
    n = len(rows)
    return pd.DataFrame({
        "customer_type": ["person"] * n,
        "document_number": [None] * n, "document_type": [None] * n, "document_check": [None] * n,
        "given_names": [g for g, _, _ in rows], "full_name": [f for _, f, _ in rows],
        "birth_date": [None] * n, "business_name": [None] * n, "emails": [None] * n,
        "phones": [None] * n, "mobiles": [None] * n,
        "address": [a for _, _, a in rows], "city": ["bogota"] * n,
        "name_count": [1] * n, "name_share": [-6.0] * n,
    }, index=pd.Index(range(1, n + 1), name="customer_id"))


def test_at_one_address_names_alike_in_their_surnames_alone_say_nothing_more() -> None:
    """Siblings at their parents' address share the surnames and the address: names alike in
    the surnames alone, or a given name that is the other's surname, are the household's,
    counted once, as the address. At two addresses they still say what they said, and a typo
    is one person's at any address."""
    home, elsewhere = "calle 10 20 30", "carrera 7 45 12"
    customers = _people([
        ("carlos", "carlos ortega cardenas", home), ("alonso", "alonso ortega cardenas", home),
        ("carlos", "carlos ortega cardenas", home), ("alonso", "alonso ortega cardenas", elsewhere),
        ("gomez", "gomez andres rios", home), ("lucia", "lucia gomez rios", home),
        ("gomez", "gomez andres rios", home), ("lucia", "lucia gomez rios", elsewhere),
        ("emilly", "emilly porto", home), ("emjilly", "emjilly porto", home),
    ])
    vectors = compare_pairs(pd.MultiIndex.from_tuples([(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)]), customers, PERSON)
    given = next(c for c in PERSON if c.field == "given_names")
    address = next(c for c in PERSON if c.field == "address")
    assert [address.labels[x] for x in vectors["address"]] == [
        "same address", "different", "same address", "different", "same address"]
    assert [NAME.labels[x] for x in vectors["full_name"]][:2] == ["missing", "similar"]
    assert [given.labels[x] for x in vectors["given_names"]][2:4] == ["missing", "first name written as a surname"]
    assert NAME.labels[vectors["full_name"].iloc[4]] == "one typo"


def test_at_one_address_a_shared_landline_says_nothing_more_a_shared_mobile_does() -> None:
    """A landline in common at the same address is the household's (counted once, as the
    address); a mobile in common is one person's wherever they live."""
    landline, mobile = "+576012345678", "+573001234567"
    customers = _people([("ana", "ana rojas", "calle 10 20 30"), ("luis", "luis rojas", "calle 10 20 30"),
                         ("ana", "ana rojas", "calle 10 20 30"), ("ana", "ana rojas", "calle 10 20 30")])
    customers["phones"] = [[landline], [landline], [mobile], [mobile]]
    customers["mobiles"] = [None, None, [mobile], [mobile]]
    vectors = compare_pairs(pd.MultiIndex.from_tuples([(1, 2), (3, 4)]), customers, PERSON)
    phones = next(c for c in PERSON if c.field == "phones")
    address = next(c for c in PERSON if c.field == "address")
    assert [address.labels[x] for x in vectors["address"]] == ["same address", "same address"]
    assert [phones.labels[x] for x in vectors["phones"]] == ["missing", "a mobile in common"]
