"""A customer's status and assigned user (DESIGN.md, "The domain"): assign, unassign,
disable, enable, delete.

disabled: kept, out of matching (``status = 'disabled'``; enable makes it active again).
deleted: a tombstone (``status = 'deleted'``), never physically removed, out of matching and
exports; enable does not revive it. A merged customer is refused, naming where it lives.

Each function takes a set of customers (one from ``unifica customer disable ID``, many from
a massive action) and is one transaction that changes them and writes one audit_log row
listing them, with what they were before and after. A refusal (an unknown or merged
customer, a deleted one to enable, an assignment that is someone else's) changes nothing,
is audited in a transaction of its own, and is one ``UnificaError`` line.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import duckdb

from merge.warehouse import fetch_sql, run_sql, transaction
from schemas.records import CustomerStatus
from unifica.errors import UnificaError
from unifica.roles import Actor, record

ADMIN_ROLE = "admin"
# The status each action leaves a customer in.
TARGET_STATUS = {
    "disable": CustomerStatus.DISABLED,
    "enable": CustomerStatus.ACTIVE,
    "delete": CustomerStatus.DELETED,
}
MAX_NAMED = 5  # customers named in a refusal that concerns many

# Called with each statement's name after it ran, inside the change's transaction. Tests set
# it to inject a fault between two statements.
after_statement: Callable[[str], None] | None = None


@dataclass(frozen=True)
class CustomerState:
    """What a status or assignment change checks about one customer."""

    customer_id: int
    status: str
    merged_into: int | None
    surviving_id: int
    assigned_user: str | None


@dataclass(frozen=True)
class StatusResult:
    """What a status or assignment change did: the customers changed, and those already so."""

    action: str
    changed: tuple[int, ...]
    unchanged: tuple[int, ...]
    assigned_user: str | None = None

    def line(self) -> str:
        """The closing summary of the command."""
        done = {"disable": "disabled (kept, out of matching)", "enable": "enabled (active, matched again)",
                "delete": "deleted (a tombstone: out of matching and exports)",
                "assign": f"assigned to {self.assigned_user}", "unassign": "unassigned"}[self.action]
        already = f"; {_count(self.unchanged)} already so, unchanged" if self.unchanged else ""
        return f"{_count(self.changed)} {done}{already}"


def _count(ids: Sequence[int]) -> str:
    if len(ids) == 1:
        return f"customer {ids[0]}"
    return f"{len(ids):,} customers"


def _named(ids: Sequence[int]) -> str:
    shown = ", ".join(str(c) for c in ids[:MAX_NAMED])
    return shown + (f" and {len(ids) - MAX_NAMED:,} more" if len(ids) > MAX_NAMED else "")


@contextmanager
def refusals_audited(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, command: str,
                     customer_ids: Sequence[int] = ()) -> Iterator[None]:
    """A ``UnificaError`` raised in the block is recorded as a refusal (in a transaction of its
    own, so use it outside any transaction) and raised again."""
    try:
        yield
    except UnificaError as exc:
        with transaction(con):
            record(con, actor, action, command, customer_ids, outcome="refused", reason=str(exc))
        raise


def customer_states(con: duckdb.DuckDBPyConnection, customer_ids: Sequence[int]) -> dict[int, CustomerState]:
    """The customers named, by id; an unknown id or a merged customer is refused, naming where
    it lives now."""
    ids = list(dict.fromkeys(int(c) for c in customer_ids))
    if not ids:
        raise UnificaError("no customer named: nothing to do")
    found = {row[0]: CustomerState(*row) for row in fetch_sql(con, "select_status_customers", customer_ids=ids)}
    unknown = [c for c in ids if c not in found]
    if unknown:
        raise UnificaError(f"no customer {_named(unknown)} in the warehouse")
    merged = [found[c] for c in ids if found[c].status == CustomerStatus.MERGED]
    if merged:
        first = merged[0]
        others = f" (and {len(merged) - 1:,} more merged customers)" if len(merged) > 1 else ""
        raise UnificaError(f"customer {first.customer_id} is merged: it now lives in customer {first.surviving_id} "
                           f"(merged into {first.merged_into}); act on {first.surviving_id} instead{others}")
    return {c: found[c] for c in ids}


def change_status(con: duckdb.DuckDBPyConnection, customer_ids: Sequence[int], action: str, *, actor: Actor,
                  command: str, now: datetime | None = None) -> StatusResult:
    """Disable, enable or delete the customers, in one transaction with its audit row; returns
    what changed. Refused (and audited): unknown or merged customers, a deleted one to enable
    or disable."""
    if action not in TARGET_STATUS:
        raise ValueError(f"unknown status action {action!r}")
    target = TARGET_STATUS[action]
    ids = [int(c) for c in customer_ids]
    with refusals_audited(con, actor, action, command, ids):
        states = customer_states(con, ids)
        deleted = [c for c, s in states.items() if s.status == CustomerStatus.DELETED]
        if deleted and target != CustomerStatus.DELETED:
            raise UnificaError(f"customer {_named(deleted)} {'is' if len(deleted) == 1 else 'are'} deleted: a "
                               f"deleted customer is a tombstone and stays deleted ({action} does not revive it)")
    changed = [c for c, s in states.items() if s.status != target]
    with transaction(con):
        run_sql(con, "set_customer_status", customer_ids=changed, status=str(target), now=now or datetime.now())
        if after_statement is not None:
            after_statement("set_customer_status")
        record(con, actor, action, command, list(states),
               before={str(c): {"status": states[c].status} for c in changed},
               after={str(c): {"status": str(target)} for c in changed})
    return StatusResult(action, tuple(changed), tuple(c for c in states if c not in changed))


def change_assignment(con: duckdb.DuckDBPyConnection, customer_ids: Sequence[int], user: str | None, *,
                      actor: Actor, command: str, now: datetime | None = None) -> StatusResult:
    """Assign the customers to ``user`` (None: unassign them), in one transaction with its audit
    row (action ``assign``); returns what changed. A customer already assigned to someone may
    be reassigned only by that user or by the admin role: otherwise refused (and audited)."""
    ids = [int(c) for c in customer_ids]
    user = user.strip() if user is not None else None
    with refusals_audited(con, actor, "assign", command, ids):
        if user == "":
            raise UnificaError("name the user to assign the customer to (to assign nobody: unassign)")
        states = customer_states(con, ids)
        if actor.role != ADMIN_ROLE:
            theirs = [s for s in states.values()
                      if s.assigned_user is not None and s.assigned_user != actor.user and s.assigned_user != user]
            if theirs:
                first = theirs[0]
                more = f" (and {len(theirs) - 1:,} more assigned to others)" if len(theirs) > 1 else ""
                raise UnificaError(f"customer {first.customer_id} is assigned to {first.assigned_user}: only "
                                   f"{first.assigned_user} or the admin role may change that{more}")
    changed = [c for c, s in states.items() if s.assigned_user != user]
    with transaction(con):
        run_sql(con, "set_assigned_user", customer_ids=changed, assigned_user=user, now=now or datetime.now())
        if after_statement is not None:
            after_statement("set_assigned_user")
        record(con, actor, "assign", command, list(states),
               before={str(c): {"assigned_user": states[c].assigned_user} for c in changed},
               after={str(c): {"assigned_user": user} for c in changed})
    return StatusResult("assign" if user is not None else "unassign", tuple(changed),
                        tuple(c for c in states if c not in changed), assigned_user=user)
