"""Related files keyed by a source's own record ids: ERP accounts and relations, call-centre and
WhatsApp tickets, call-centre attachments. Only good customer rows get related rows; a few
planted rows point at ids no customer row has (the ingest quarantines them).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from unifica.synth import vocab as v
from unifica.synth.corrupt import UPDATED_FROM, UPDATED_TO
from unifica.synth.documents import unique_ints
from unifica.synth.entities import choose
from unifica.synth.sources import format_times

COLUMNS = {
    "accounts": ("source_record_id", "account_number", "account_type", "status", "opened_at"),
    "tickets": ("source_record_id", "ticket_number", "status", "campaign", "channel", "assigned_agent", "created_at"),
    "attachments": ("source_record_id", "ticket_number", "file_name"),
    "relations": ("source_record_id", "related_source_record_id", "tags"),
}


def _times(rng: np.random.Generator, n: int, fmt: str, start: np.datetime64 = UPDATED_FROM) -> np.ndarray:
    span = int((UPDATED_TO - start).astype(np.int64))
    return format_times(start + rng.integers(0, span, n).astype("timedelta64[s]"), fmt)


def _repeat(rng: np.random.Generator, ids: np.ndarray, share: float, most: int) -> np.ndarray:
    """Each id repeated 0 times (1 - share) or 1..most times."""
    counts = np.where(rng.random(len(ids)) < share, rng.integers(1, most + 1, len(ids)), 0)
    return np.repeat(ids, counts)


def accounts(rng: np.random.Generator, ids: np.ndarray, company: np.ndarray) -> pd.DataFrame:
    """ERP accounts: most customers have one to three (companies up to four)."""
    owner = np.concatenate([_repeat(rng, ids[~company], .6, 3), _repeat(rng, ids[company], .85, 4)])
    owner = np.sort(owner, kind="stable") if len(owner) else owner
    n = len(owner)
    number = unique_ints(rng, 10**11, 10**12, n).astype(str)
    return pd.DataFrame({
        "source_record_id": owner,
        "account_number": [f"{x[:4]}-{x[4:8]}-{x[8:]}" for x in number],
        "account_type": choose(rng, v.ACCOUNT_TYPES, n),
        "status": choose(rng, v.ACCOUNT_STATUSES, n),
        "opened_at": _times(rng, n, "%Y-%m-%d", np.datetime64("2005-01-01T00:00:00")),
    })


def tickets(rng: np.random.Generator, ids: np.ndarray, prefix: str, channels: dict[str, float], share: float,
            most: int, fmt: str) -> pd.DataFrame:
    """Tickets of some customers; numbers are prefix + a sequence, unique across files."""
    owner = _repeat(rng, ids, share, most)
    n = len(owner)
    status = choose(rng, v.TICKET_STATUSES, n)
    agent = np.array(v.AGENTS, dtype=object)[rng.integers(0, len(v.AGENTS), n)]
    return pd.DataFrame({
        "source_record_id": owner,
        "ticket_number": [f"{prefix}{i:07d}" for i in range(1, n + 1)],
        "status": status,
        "campaign": choose(rng, v.CAMPAIGNS, n),
        "channel": choose(rng, channels, n),
        "assigned_agent": np.where((status == "open") & (rng.random(n) < .5), "", agent),
        "created_at": _times(rng, n, fmt),
    })


def attachments(rng: np.random.Generator, ticket_rows: pd.DataFrame) -> pd.DataFrame:
    """Files attached to about a third of the tickets (one or two each)."""
    counts = np.where(rng.random(len(ticket_rows)) < .3, rng.integers(1, 3, len(ticket_rows)), 0)
    rows = ticket_rows.loc[np.repeat(ticket_rows.index.to_numpy(), counts), ["source_record_id", "ticket_number"]]
    names = np.array(v.ATTACHMENT_NAMES, dtype=object)[rng.integers(0, len(v.ATTACHMENT_NAMES), len(rows))]
    return rows.assign(file_name=names).reset_index(drop=True)


def relations(rng: np.random.Generator, erp: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """ERP relations: relatives both in the ERP (hijo, hermano), companies' people, spouses.

    erp holds the good ERP rows: record_id, entity, customer_type.
    """
    first = erp.drop_duplicates("entity").set_index("entity")["record_id"]
    family = entities.loc[entities["role"] == "relative", ["entity", "lookalike_of", "family"]]
    family = family[family["entity"].isin(first.index) & family["lookalike_of"].isin(first.index)]
    parent_first = family["family"] == "parent"  # the relative is the base's parent
    frm = np.where(parent_first, first[family["entity"]].to_numpy(), first[family["lookalike_of"]].to_numpy())
    to = np.where(parent_first, first[family["lookalike_of"]].to_numpy(), first[family["entity"]].to_numpy())
    tag = np.where(family["family"] == "sibling", "hermano", "hijo")
    parts = [pd.DataFrame({"source_record_id": frm, "related_source_record_id": to, "tags": tag})]

    people = erp.loc[erp["customer_type"] == "person"]
    companies = erp.loc[erp["customer_type"] == "company"]
    if len(people) >= 2 and len(companies):
        owner = _repeat(rng, companies["record_id"].to_numpy(), .5, 3)
        pick = people.iloc[rng.integers(0, len(people), len(owner))]
        parts.append(pd.DataFrame({"source_record_id": owner, "related_source_record_id": pick["record_id"].to_numpy(),
                                   "tags": choose(rng, v.RELATION_TAGS_COMPANY, len(owner))}))
        k = len(people) // 50
        a, b = people.iloc[rng.integers(0, len(people), k)], people.iloc[rng.integers(0, len(people), k)]
        spouses = pd.DataFrame({"source_record_id": a["record_id"].to_numpy(),
                                "related_source_record_id": b["record_id"].to_numpy(), "tags": "conyuge"})
        parts.append(spouses[a["entity"].to_numpy() != b["entity"].to_numpy()])
    return pd.concat(parts, ignore_index=True)


def plant_unknown(rng: np.random.Generator, table: pd.DataFrame, kind: str,
                  unknown_ids: list[str]) -> tuple[pd.DataFrame, list[int]]:
    """table with one row per unknown id inserted at random places, and those rows' positions.

    The unknown id goes where the ingest looks it up: source_record_id, or for relations the
    related record.
    """
    columns = list(COLUMNS[kind])
    table = table[columns].reset_index(drop=True)
    if not unknown_ids:
        return table, []
    rows = table.iloc[rng.integers(0, max(len(table), 1), len(unknown_ids)) % max(len(table), 1)].copy() \
        if len(table) else pd.DataFrame({c: ["x"] * len(unknown_ids) for c in columns})
    rows = rows.reset_index(drop=True)
    rows["related_source_record_id" if kind == "relations" else "source_record_id"] = unknown_ids
    if kind == "tickets":
        rows["ticket_number"] = "X" + rows["ticket_number"]  # ticket numbers stay unique
    total = len(table) + len(rows)
    position = np.sort(rng.choice(total, size=len(rows), replace=False))
    order = np.empty(total, dtype=np.int64)
    planted = np.zeros(total, dtype=bool)
    planted[position] = True
    order[~planted] = np.arange(len(table))
    order[planted] = len(table) + np.arange(len(rows))
    return pd.concat([table, rows], ignore_index=True).iloc[order].reset_index(drop=True), position.tolist()
