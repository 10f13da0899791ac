"""Seeded synthetic multi-channel CRM data with ground truth (`unifica generate`).

``generate(out_dir, customers, seed)`` writes, into out_dir:

- one customer file per source, each in its own style (sources.STYLES): ``web_form_*.csv``
  (UTF-8 with BOM), ``whatsapp.jsonl``, ``email.csv``, ``call_centre.csv`` (Latin-1), ``erp.xlsx``;
- related files keyed by those sources' record ids: ``erp_accounts.csv``, ``erp_relations.csv``,
  ``call_centre_tickets.csv``, ``call_centre_attachments.csv``, ``whatsapp_tickets.csv``;
- ``truth.csv``: ``source_system, source_record_id, entity_id, customer_type, role, lookalike_of,
  file, line`` for every customer row written (role: original, duplicate, relative, namesake,
  similar_company, bad);
- ``bad_rows.csv``: ``file, line, kind`` of every row planted to be quarantined: line is the
  1-based physical line (header = line 1; JSON Lines have no header; XLSX: the sheet row);
- ``unifica.toml`` mapping all of it (DESIGN.md "Configuration").

The same seed gives the same bytes: nothing depends on the clock (reference date 2026-01-01).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from unifica.errors import UnificaError
from unifica.synth import related as rel
from unifica.synth.corrupt import SOURCES, assign_sources, customer_records, plan_copies
from unifica.synth.entities import draw_entities
from unifica.synth.sources import STYLES, render
from unifica.synth.writers import write_config, write_customers, write_table

__all__ = ["GenerateSummary", "generate", "BAD_ROW_KINDS", "MIN_CUSTOMERS"]

MIN_CUSTOMERS = 100
BAD_ROW_KINDS = {  # kind -> sources whose format can carry it
    "bad_date": SOURCES, "missing_id": SOURCES, "duplicate_id": SOURCES, "no_name": SOURCES,
    "extra_fields": ("web_form", "email", "call_centre"), "invalid_json": ("whatsapp",),
}
BAD_DATES = ("31/02/1990", "ayer", "1990-13-45", "32/01/1990", "30-02-1985", "no sabe")  # not 00/00/0000: a placeholder read as empty
UNKNOWN_RECORD = "unknown_record"


@dataclass(frozen=True)
class GenerateSummary:
    """What generate wrote."""

    out_dir: Path
    seed: int
    records: int  # customer rows, bad ones included
    records_per_source: Mapping[str, int]
    entities: int
    duplicated_entities: int  # entities with two or more good rows
    hard_negatives: Mapping[str, int]  # look-alike entities by kind
    bad_rows: int  # customer rows planted bad
    bad_related_rows: int  # related rows pointing at unknown records
    bad_rows_per_kind: Mapping[str, int]
    related_rows: Mapping[str, int]  # per related file
    files: tuple[str, ...]  # relative to out_dir

    def __str__(self) -> str:
        share = self.duplicated_entities / max(self.entities, 1)
        return (f"wrote {self.records:,} customer records of {self.entities:,} entities ({share:.0%} duplicated) "
                f"and {sum(self.related_rows.values()):,} related rows to {self.out_dir} in {len(self.files)} files; "
                f"{self.bad_rows + self.bad_related_rows} bad rows planted (see bad_rows.csv)")


def default_bad_rows(customers: int) -> int:
    """About 0.1 % of the records, at least one of each kind."""
    return max(len(BAD_ROW_KINDS), round(customers * 0.001))


def _check(customers: int, duplicate_share: float, bad_rows: int) -> None:
    if customers < MIN_CUSTOMERS:
        raise UnificaError(f"generate: --customers {customers} is too few; give at least {MIN_CUSTOMERS}")
    if not 0 <= duplicate_share <= 0.9:
        raise UnificaError(f"generate: duplicate share {duplicate_share} is outside 0-0.9; give e.g. 0.3")
    if not 0 <= bad_rows <= customers // 10:
        raise UnificaError(f"generate: {bad_rows} bad rows for {customers} records; give 0 to {customers // 10}")


def _plant_bad(rng: np.random.Generator, n_bad: int, ent: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kinds, source indexes, entities) of the bad rows: kinds in turn, so every kind shows up."""
    order = rng.permutation(list(BAD_ROW_KINDS))
    kinds = np.array([str(order[i % len(order)]) for i in range(n_bad)], dtype=object)
    sources = np.array([SOURCES.index(rng.choice(BAD_ROW_KINDS[k])) for k in kinds], dtype=np.int64)
    persons = np.flatnonzero(~ent["is_company"].to_numpy())
    entity = np.where(np.isin(kinds, ("bad_date", "no_name")), persons[rng.integers(0, len(persons), n_bad)],
                      rng.integers(0, len(ent), n_bad))
    return kinds, sources, entity


def _files(name: str, updated: np.ndarray) -> np.ndarray:
    """File name of each row of a source (web forms come as one export per period)."""
    if name == "web_form":
        recent = updated >= np.datetime64("2025-01-01")
        return np.where(recent, "web_form_2025.csv", "web_form_2023-2024.csv").astype(object)
    return np.full(len(updated), f"{name}.{STYLES[name].file_format}", dtype=object)


def _record_ids(name: str, recs: pd.DataFrame) -> np.ndarray:
    n = len(recs)
    width = max(6, len(str(n)))
    if name == "whatsapp":  # the WhatsApp number, then how often it wrote to us
        number = ("wa_" + recs["mobile_cc"] + recs["mobile"]).to_numpy()
        count = pd.Series(number).groupby(number, sort=False).cumcount().to_numpy() + 1
        return np.array([f"{x}_{k}" for x, k in zip(number, count)], dtype=object)
    prefix = {"web_form": "WF-", "email": "EM-", "call_centre": "CALL-"}.get(name)
    if prefix is None:  # ERP: numeric codes
        return (np.arange(n) + 100_001).astype(str).astype(object)
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _earlier_holders(recs: pd.DataFrame, i: int) -> np.ndarray:
    """Rows a repeated id at row i can copy: good rows of another entity, earlier in its file."""
    same_file = recs["file"].to_numpy() == recs.at[i, "file"]
    return np.flatnonzero(same_file & (np.arange(len(recs)) < i) & (recs["bad_kind"].to_numpy() == "")
                          & (recs["entity"].to_numpy() != recs.at[i, "entity"]))


def _order_source(rng: np.random.Generator, name: str, recs: pd.DataFrame) -> pd.DataFrame:
    """The source's rows in file order (by update time), with file, line and record_id."""
    recs = recs.assign(file=_files(name, recs["updated_at"].to_numpy()), last=False)
    recs = recs.sort_values(["file", "updated_at"], kind="stable").reset_index(drop=True)
    repeated = np.flatnonzero((recs["bad_kind"] == "duplicate_id").to_numpy())
    # a repeated id needs a first holder above it; one with none yet goes to the end of its file
    recs.loc[[i for i in repeated if len(_earlier_holders(recs, i)) == 0], "last"] = True
    recs = recs.sort_values(["file", "last", "updated_at"], kind="stable").reset_index(drop=True)
    recs["line"] = recs.groupby("file").cumcount() + (1 if STYLES[name].file_format == "jsonl" else 2)
    recs["record_id"] = _record_ids(name, recs)
    for i in np.flatnonzero((recs["bad_kind"] == "duplicate_id").to_numpy()):
        recs.at[i, "record_id"] = recs.at[int(rng.choice(_earlier_holders(recs, i))), "record_id"]
    recs.loc[(recs["bad_kind"] == "missing_id").to_numpy(), "record_id"] = ""
    return recs


def generate(out_dir: Path, customers: int, seed: int, duplicate_share: float = 0.3, bad_rows: int | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> GenerateSummary:
    """Write `customers` customer records (rows across all sources, bad rows included) and
    their related files, ground truth and unifica.toml into out_dir; see the module doc."""
    n_bad = default_bad_rows(customers) if bad_rows is None else bad_rows
    _check(customers, duplicate_share, n_bad)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng_plan, rng_ent, rng_rec, rng_src, rng_rel = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5))
    say = progress or (lambda stage, done, total: None)

    say("entities", 0, 1)
    copies = plan_copies(rng_plan, customers - n_bad, duplicate_share)
    ent = draw_entities(rng_ent, len(copies))
    ent_width = max(6, len(str(len(ent))))
    ent_ids = np.array([f"E{i:0{ent_width}d}" for i in range(len(ent))], dtype=object)
    say("entities", 1, 1)

    entity = np.repeat(np.arange(len(copies)), copies)
    copy_no = np.arange(len(entity)) - np.repeat(np.cumsum(copies) - copies, copies)
    source = assign_sources(rng_plan, ent["is_company"].to_numpy()[entity])
    kinds, bad_sources, bad_entities = _plant_bad(rng_plan, n_bad, ent)
    entity = np.concatenate([entity, bad_entities])
    source = np.concatenate([source, bad_sources])
    role = np.concatenate([np.where(copy_no == 0, ent["role"].to_numpy()[entity[:len(copy_no)]], "duplicate"),
                           np.full(n_bad, "bad")]).astype(object)
    say("records", 0, 1)
    recs = customer_records(rng_rec, ent, entity, source, np.isin(role, ("duplicate", "bad")))
    recs["role"] = role
    recs["bad_kind"] = np.concatenate([np.full(len(copy_no), ""), kinds]).astype(object)
    bad_date = (recs["bad_kind"] == "bad_date").to_numpy()
    recs.loc[bad_date, "dob_text"] = np.array(BAD_DATES, dtype=object)[rng_plan.integers(0, len(BAD_DATES), bad_date.sum())]
    no_name = (recs["bad_kind"] == "no_name").to_numpy()
    recs.loc[no_name, ["first_name", "middle_name", "last_name", "second_last_name", "business_name"]] = ""
    say("records", 1, 1)

    written: dict[str, pd.DataFrame] = {}
    for s, name in enumerate(SOURCES):
        part = _order_source(rng_src, name, recs.loc[source == s])
        values = render(rng_src, STYLES[name], part)
        for file_name in pd.unique(part["file"]):
            rows = (part["file"] == file_name).to_numpy()
            write_customers(out_dir / file_name, STYLES[name], {k: x[rows] for k, x in values.items()},
                            part["bad_kind"].to_numpy()[rows], progress)
        written[name] = part[["record_id", "entity", "customer_type", "role", "bad_kind", "file", "line"]]

    say("related", 0, 1)
    related_files, bad_list, related_counts = _write_related(rng_rel, out_dir, written, ent, n_bad > 0)
    say("related", 1, 1)

    truth = pd.concat([w.assign(source_system=name) for name, w in written.items()], ignore_index=True)
    lookalike = ent["lookalike_of"].to_numpy()[truth["entity"].to_numpy()]
    truth["entity_id"] = ent_ids[truth["entity"].to_numpy()]
    truth["lookalike_of"] = np.where(lookalike >= 0, ent_ids[np.maximum(lookalike, 0)], "")
    write_table(out_dir / "truth.csv",
                ("source_system", "source_record_id", "entity_id", "customer_type", "role", "lookalike_of", "file", "line"),
                truth[["source_system", "record_id", "entity_id", "customer_type", "role", "lookalike_of", "file",
                       "line"]].itertuples(index=False))
    bad = truth.loc[truth["bad_kind"] != "", ["file", "line", "bad_kind"]]
    bad_list = sorted([tuple(x) for x in bad.itertuples(index=False)] + bad_list)
    write_table(out_dir / "bad_rows.csv", ("file", "line", "kind"), bad_list)

    files = {name: sorted(set(w["file"])) for name, w in written.items()}
    globs = {name: ["web_form_*.csv"] if name == "web_form" else f for name, f in files.items()}
    write_config(out_dir / "unifica.toml", customers, seed, [STYLES[n] for n in SOURCES], globs, related_files)

    good_counts = truth.loc[truth["role"] != "bad", "entity"].value_counts()
    all_files = sorted(f for fs in files.values() for f in fs) + sorted(
        f for kinds_ in related_files.values() for fs in kinds_.values() for f in fs) + \
        ["bad_rows.csv", "truth.csv", "unifica.toml"]
    return GenerateSummary(
        out_dir=out_dir, seed=seed, records=len(truth),
        records_per_source={name: len(w) for name, w in written.items()},
        entities=len(ent), duplicated_entities=int((good_counts >= 2).sum()),
        hard_negatives=dict(Counter(r for r in ent["role"] if r != "original")),
        bad_rows=n_bad, bad_related_rows=len(bad_list) - n_bad,
        bad_rows_per_kind=dict(Counter(k for _, _, k in bad_list)),
        related_rows=related_counts, files=tuple(all_files))


def _write_related(rng: np.random.Generator, out_dir: Path, written: dict[str, pd.DataFrame], ent: pd.DataFrame,
                   plant: bool) -> tuple[dict[str, dict[str, list[str]]], list[tuple[str, int, str]], dict[str, int]]:
    """Write the related files; return their config entries, the planted bad rows, row counts."""
    good = {name: w.loc[w["role"] != "bad"] for name, w in written.items()}
    erp, cc, wa = good["erp"], good["call_centre"], good["whatsapp"]
    cc_tickets = rel.tickets(rng, cc["record_id"].to_numpy(), "TK-", {"phone": .8, "email": .1, "web": .1}, .7, 4,
                             STYLES["call_centre"].date_formats[1])
    tables = {
        ("erp", "accounts"): rel.accounts(rng, erp["record_id"].to_numpy(), (erp["customer_type"] == "company").to_numpy()),
        ("erp", "relations"): rel.relations(rng, erp, ent),
        ("call_centre", "tickets"): cc_tickets,
        ("call_centre", "attachments"): rel.attachments(rng, cc_tickets),
        ("whatsapp", "tickets"): rel.tickets(rng, wa["record_id"].to_numpy(), "WA-", {"whatsapp": .9, "web": .1}, .5, 3,
                                             STYLES["whatsapp"].date_formats[1]),
    }
    n_related = sum(len(t) for t in tables.values())
    n_unknown = max(2, round(n_related * 0.0005)) if plant else 0
    where = Counter(rng.choice(len(tables), n_unknown).tolist())
    config: dict[str, dict[str, list[str]]] = {}
    bad: list[tuple[str, int, str]] = []
    counts: dict[str, int] = {}
    for k, ((source, kind), table) in enumerate(tables.items()):
        file_name = f"{source}_{kind}.csv"
        unknown = [{"erp": f"{9_900_000 + i}", "call_centre": f"CALL-{99_000_000 + i}",
                    "whatsapp": f"wa_570000000000_{i + 1}"}[source] for i in range(where.get(k, 0))]
        table, positions = rel.plant_unknown(rng, table, kind, unknown)
        bad += [(file_name, p + 2, UNKNOWN_RECORD) for p in positions]
        style = STYLES[source]
        delimiter = style.delimiter if style.file_format == "csv" else ","
        encoding = style.encoding if style.file_format == "csv" else "utf-8"
        write_table(out_dir / file_name, rel.COLUMNS[kind], table.itertuples(index=False), delimiter, encoding)
        config.setdefault(source, {})[kind] = [file_name]
        counts[file_name] = len(table)
    return config, bad, counts
