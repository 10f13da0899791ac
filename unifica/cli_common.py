"""What every part of the ``unifica`` command line shares: the consoles, the one-line
errors, the common options, progress bars, and the role check."""
from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from unifica.errors import UnificaError

out = Console()
err = Console(stderr=True)
state = {"debug": False}

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="The unifica.toml to use.",
                                            envvar="UNIFICA_CONFIG")]
F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn a ``UnificaError`` into one line on stderr and exit code 1 (``--debug``: traceback)."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UnificaError as exc:
            if state["debug"]:
                raise
            err.print(f"[red]Error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper  # type: ignore[return-value]


def progress_bars() -> Progress:
    """Progress bars on stderr, drawn only on a terminal (a log or a pipe gets the summary alone)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


class Bars:
    """A progress callback (what, done, total) drawing one bar per ``what``."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def __call__(self, what: str, done: int, total: int) -> None:
        if what not in self.tasks:
            self.tasks[what] = self.progress.add_task(what, total=total)
        self.progress.update(self.tasks[what], completed=done, total=total)


ActorOption = Annotated[str | None, typer.Option("--as", help="Who is acting (default: $UNIFICA_USER, "
                                                              "else your login name); recorded with what is done.")]
RoleOption = Annotated[str | None, typer.Option("--role", help="The role you act in (default: $UNIFICA_ROLE); "
                                                               "[roles] in unifica.toml says what each may do.")]


def authorised(con: Any, cfg: Any, user: str | None, role: str | None, action: str, command: str,
                customer_ids: list[int] | tuple[int, ...] = ()) -> Any:
    """The acting user and role, once allowed to take ``action`` (a refusal is audited and is
    one line); returns the ``Actor``."""
    from unifica.roles import actor_from, authorise

    actor = actor_from(user, role)
    authorise(con, cfg.roles, actor, action, command, customer_ids)
    return actor


def act(config: Path, user: str | None, role: str | None, action: str, command: str,
        change: Callable[[Any, Any, Any], Any], customer_ids: list[int] | tuple[int, ...] = ()) -> None:
    """The shape of a command that changes one thing: load the config, open the warehouse,
    check the role may take ``action``, call ``change(con, cfg, actor)`` and print the
    summary line of what it returns."""
    from merge.warehouse import open_warehouse
    from unifica.config import load_config

    cfg = load_config(config)
    with open_warehouse(cfg.warehouse) as con:
        actor = authorised(con, cfg, user, role, action, command, customer_ids)
        result = change(con, cfg, actor)
    out.print(result.line(), highlight=False, soft_wrap=True)
