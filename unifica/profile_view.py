"""A customer's profile for the terminal (`unifica customer show`): rich panels and tables,
built from ``merge.profile.CustomerProfile``; printing is left to the caller.

Every value from the warehouse goes in as plain ``Text``: a name with brackets in it is
shown as written, never read as rich markup.
"""
from __future__ import annotations

from datetime import date, datetime

from rich import box
from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from merge.profile import ContactDetail, Customer, CustomerProfile, TicketCount
from schemas.records import CustomerStatus, CustomerType

_STATUS_STYLE = {CustomerStatus.ACTIVE: "green", CustomerStatus.DISABLED: "yellow",
                 CustomerStatus.MERGED: "yellow", CustomerStatus.DELETED: "bold red"}
_CHECK = {"valid": ("check digit valid", "green"), "invalid": ("check digit INVALID", "bold red"),
          "unchecked": ("no check digit to verify", "dim")}


def merge_notice(profile: CustomerProfile) -> str | None:
    """The line saying the id asked for was merged and which customer is shown instead
    (e.g. "customer 7 was merged into 3 (merge 12, 2026-11-23 by auto); showing customer 3");
    None when the customer asked for is the one shown."""
    m = profile.merged_from
    if m is None:
        return None
    how = f" (merge {m.merge_id}, {m.merged_at:%Y-%m-%d} by {m.merged_by})" if m.merge_id is not None else ""
    onward = "" if m.merged_into == profile.customer_id else f", which now lives in customer {profile.customer_id}"
    return f"customer {m.customer_id} was merged into {m.merged_into}{how}{onward}; showing customer {profile.customer_id}"


def render_profile(profile: CustomerProfile) -> list[RenderableType]:
    """The profile as renderables, top to bottom: basic information, contact details,
    accounts, tickets (then their attachments), related customers, source records, indicators."""
    return [
        _basic(profile.customer),
        _contact_details(profile),
        _accounts(profile),
        _tickets(profile),
        _related(profile),
        _sources(profile),
        _indicators(profile),
    ]


def _basic(c: Customer) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    status = Text(c.status, style=_STATUS_STYLE.get(c.status, ""))
    if c.status == CustomerStatus.DELETED:
        status.append(" (this customer is deleted; shown for the record)", style="red")
    elif c.status == CustomerStatus.DISABLED:
        status.append(" (this customer is disabled)", style="yellow")
    grid.add_row("Status", status)
    if c.customer_type == CustomerType.COMPANY:
        grid.add_row("Business name", _t(c.business_name))
        grid.add_row("Legal form", _t(c.legal_form))
    else:
        grid.add_row("First names", _t(_join(c.first_name, c.middle_name)))
        grid.add_row("Last names", _t(_join(c.last_name, c.second_last_name)))
    document = _t(_join(c.document_type, c.document_number) or None)
    if c.document_number:
        label, style = _CHECK.get(c.document_check, (c.document_check, ""))
        document.append(f"  {label}", style=style)
    grid.add_row("Document", document)
    if c.customer_type != CustomerType.COMPANY:
        grid.add_row("Date of birth", _t(c.date_of_birth))
        grid.add_row("Gender", _t(c.gender))
    grid.add_row("City, country", _t(", ".join(p for p in (c.city, c.country) if p) or None))
    grid.add_row("Tags", _t(c.tags))
    grid.add_row("Assigned user", _t(c.assigned_user))
    if c.merged_customer_ids:
        grid.add_row("Merged into it", _t(", ".join(str(i) for i in c.merged_customer_ids)))
    grid.add_row("Created", _t(c.created_at))
    grid.add_row("Updated", Text.assemble(_t(c.updated_at), ("  (sources: ", "dim"), _t(c.source_updated_at),
                                         (")", "dim")))
    deleted = c.status == CustomerStatus.DELETED
    title = Text.assemble((f"customer {c.customer_id}", "bold"), f" · {c.customer_type} · ", _t(c.name))
    if deleted:
        title.append(" · DELETED", style="bold red")
    return Panel(grid, title=title, title_align="left", border_style="red" if deleted else "blue")


def _contact_details(profile: CustomerProfile) -> RenderableType:
    if not profile.contact_details:
        return _none("Contact details")
    table = _table("Contact details", len(profile.contact_details), "Kind", "Value", "Details", "Source")
    for kind, details in profile.contact_details_by_kind().items():
        for i, d in enumerate(details):
            table.add_row(Text(kind if i == 0 else "", style="bold"), _t(_shown_value(d)), _contact_extra(d),
                          _t(_join(d.source_system, d.source_record_id) or None))
        table.add_section()
    return table


def _shown_value(d: ContactDetail) -> str:
    """Phones in E.164 and e-mails lower-cased; addresses and profiles as received."""
    return d.value_norm if d.kind in ("phone", "email") else d.value


def _contact_extra(d: ContactDetail) -> Text:
    text = Text()
    if d.kind == "phone":
        text.append(d.line_type or "unknown", style="cyan")
        if d.area_code:
            text.append(f", area {d.area_code}")
    elif d.kind == "address":
        text.append(", ".join(p for p in (d.city, d.country) if p))
    if not d.is_valid:
        text.append("  invalid", style="bold red")
    return text


def _accounts(profile: CustomerProfile) -> RenderableType:
    if not profile.accounts:
        return _none("Accounts")
    table = _table("Accounts", len(profile.accounts), "Number", "Type", "Status", "Opened", "Source")
    for a in profile.accounts:
        table.add_row(_t(a.account_number), _t(a.account_type), _t(a.status), _t(a.opened_at),
                      _t(f"{a.source_system} {a.source_record_id}"))
    return table


def _tickets(profile: CustomerProfile) -> RenderableType:
    if not profile.tickets:
        return _none("Tickets")
    table = _table("Tickets", len(profile.tickets), "Number", "Created", "Status", "Campaign", "Channel", "Agent",
                   "Files", note="most recent first", no_wrap=("Number", "Created", "Status", "Channel", "Files"))
    for t in profile.tickets:
        created = t.created_at.date() if t.created_at else None
        table.add_row(_t(t.ticket_number), _t(created), _t(t.status), _t(t.campaign), _t(t.channel),
                      _t(t.assigned_agent), Text(str(len(t.attachments)) if t.attachments else ""))
    attached = [(t.ticket_number, name) for t in profile.tickets for name in t.attachments]
    if not attached:
        return table
    files = _table("Attachments", len(attached), "Ticket", "File name")
    for number, name in attached:
        files.add_row(_t(number), _t(name))
    return Group(table, Text(""), files)


def _related(profile: CustomerProfile) -> RenderableType:
    if not profile.related_customers:
        return _none("Related customers")
    table = _table("Related customers", len(profile.related_customers), "", "Customer", "Name", "Tags")
    table.caption = "→ this customer's record names the other; ← the other's record names this customer"
    for r in profile.related_customers:
        name = _t(r.name)
        if r.status and r.status != CustomerStatus.ACTIVE:
            name.append(f" ({r.status})", style=_STATUS_STYLE.get(r.status, ""))
        table.add_row("→" if r.direction == "to" else "←", _t(r.customer_id), name, _t(r.tags))
    return table


def _sources(profile: CustomerProfile) -> RenderableType:
    if not profile.source_records:
        return _none("Source records")
    merged_in = any(s.linked_customer_id != profile.customer_id for s in profile.source_records)
    headers = ("Source system", "Record id", "File, line") + (("Came with customer",) if merged_in else ())
    table = _table("Source records", len(profile.source_records), *headers)
    for s in profile.source_records:
        where = f"{s.file.rsplit('/', 1)[-1]}, line {s.line}" if s.file else None
        row = [_t(s.source_system), _t(s.source_record_id), _t(where)]
        if merged_in:
            row.append(_t(s.linked_customer_id if s.linked_customer_id != profile.customer_id else None))
        table.add_row(*row)
    return table


def _indicators(profile: CustomerProfile) -> RenderableType:
    if not profile.tickets:
        return _none("Indicators (no tickets)")
    status = _counts("Tickets by status", "Status", profile.tickets_by_status)
    campaign = _counts("Tickets by campaign", "Campaign", profile.tickets_by_campaign)
    channels = _table("Channel preferences", None, "#", "Channel", "Tickets", "Share")
    for c in profile.channel_preferences:
        channels.add_row(_t(c.preference_rank), _t(c.channel), _t(c.tickets), _t(f"{c.share:.0%}"))
    return Group(Text("Indicators", style="bold underline"), Columns([status, campaign, channels], padding=(0, 4)))


def _counts(title: str, header: str, rows: tuple[TicketCount, ...]) -> Table:
    table = _table(title, None, header, "Tickets")
    for r in rows:
        table.add_row(_t(r.value), _t(r.tickets))
    return table


def _table(title: str, count: int | None, *headers: str, note: str = "", no_wrap: tuple[str, ...] = ()) -> Table:
    heading = title if count is None else f"{title} ({count:,}{', ' + note if note else ''})"
    table = Table(title=heading, title_justify="left", title_style="bold", caption_justify="left",
                  box=box.SIMPLE_HEAD, header_style="dim", pad_edge=False)
    for header in headers:
        table.add_column(header, overflow="fold", no_wrap=header in no_wrap)
    return table


def _none(title: str) -> Text:
    return Text.assemble((title, "bold"), (": none", "dim"))


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def _t(value: object) -> Text:
    """A warehouse value as plain text: dates as YYYY-MM-DD, times to the minute, None as a dash."""
    if value is None or value == "":
        return Text("—", style="dim")
    if isinstance(value, datetime):
        return Text(f"{value:%Y-%m-%d %H:%M}")
    if isinstance(value, date):
        return Text(value.isoformat())
    return Text(str(value))
