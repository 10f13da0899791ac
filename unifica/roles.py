"""Roles: who may do what to the customer base, and the audit trail of every action.

``[roles]`` in unifica.toml maps each role to the actions it may take (``"*"``: all of them).
Every command that changes or exports customers names its actor (``--as USER --role ROLE``,
or ``UNIFICA_USER`` / ``UNIFICA_ROLE``), calls ``authorise`` before it acts, and records what
it did with ``record``. A refusal is one ``UnificaError`` line, and is audited too.
"""
from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from merge.warehouse import run_sql, transaction
from unifica.errors import UnificaError

# Every action a role can be given.
ACTIONS = (
    "add", "edit", "contacts", "relations", "assign", "disable", "enable", "delete",
    "merge", "unmerge", "review", "export", "query",
)
ALL = "*"
DEFAULT_ROLES: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTIONS),
    "steward": frozenset({"merge", "unmerge", "review", "edit", "export"}),
    "agent": frozenset({"add", "edit", "contacts", "relations"}),
    "analyst": frozenset({"query"}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting, and in which role."""

    user: str
    role: str


# The nightly consolidation acting on its own (what it does is configured in unifica.toml).
SYSTEM = Actor("auto", "system")


def parse_roles(raw: Mapping[str, Any], where: str) -> dict[str, frozenset[str]]:
    """``[roles]`` checked: the defaults, with each role the file names replaced (``"*"``: all actions)."""
    roles = dict(DEFAULT_ROLES)
    for role, actions in raw.items():
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise UnificaError(f'{where} [roles]: {role} must be a list of actions, e.g. ["add", "edit"] or ["*"]')
        unknown = sorted(set(actions) - set(ACTIONS) - {ALL})
        if unknown:
            raise UnificaError(f"{where} [roles]: {role}: {unknown[0]!r} is not an action "
                               f"(actions: {', '.join(ACTIONS)}, or \"*\" for all)")
        roles[role] = frozenset(ACTIONS) if ALL in actions else frozenset(actions)
    return roles


def actor_from(user: str | None, role: str | None) -> Actor:
    """The acting user and role: the options given, else UNIFICA_USER / UNIFICA_ROLE; the user
    defaults to the login name, the role must be said."""
    user = user or os.environ.get("UNIFICA_USER") or getpass.getuser()
    role = role or os.environ.get("UNIFICA_ROLE")
    if not role:
        raise UnificaError("say in which role you act: --role ROLE or UNIFICA_ROLE "
                           "(roles and their actions: [roles] in unifica.toml)")
    return Actor(user.strip(), role.strip())


def authorise(con: duckdb.DuckDBPyConnection, roles: Mapping[str, frozenset[str]], actor: Actor, action: str,
              command: str, customer_ids: Iterable[int] = ()) -> None:
    """Return if ``actor``'s role may take ``action``; otherwise record the refusal and raise
    a ``UnificaError`` saying so."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if actor.role not in roles:
        reason = f"unknown role {actor.role!r} (roles: {', '.join(sorted(roles))})"
    elif action not in roles[actor.role]:
        allowed = ", ".join(a for a in ACTIONS if a in roles[actor.role]) or "nothing"
        reason = f"role {actor.role!r} may not {action} (it may: {allowed})"
    else:
        return
    with transaction(con):
        record(con, actor, action, command, customer_ids, outcome="refused", reason=reason)
    raise UnificaError(f"{actor.user} as {reason}; ask an admin, or act in another role")


def record(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, command: str,
           customer_ids: Iterable[int] = (), *, outcome: str = "done", reason: str | None = None,
           before: Any = None, after: Any = None, at: datetime | None = None) -> None:
    """Write one audit_log row, inside the caller's transaction."""
    run_sql(con, "insert_audit_entry", acted_at=at or datetime.now(), user_name=actor.user, role=actor.role,
            action=action, command=command, customer_ids=[int(c) for c in customer_ids], outcome=outcome,
            reason=reason, before=None if before is None else json.dumps(before, default=str),
            after=None if after is None else json.dumps(after, default=str))
