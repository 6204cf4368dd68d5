"""The `?` screen: every key of the current screen, built from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

#: Headings for the places a binding comes from.
GROUPS = {"EntryList": "List", "InboxScreen": "Inbox", "FeedsScreen": "Feeds",
          "IssueScreen": "Issue", "IssueOutline": "Issue", "ArchiveScreen": "Archive",
          "SearchScreen": "Search", "DigestApp": "Everywhere"}


@dataclass(frozen=True)
class KeyHelp:
    group: str
    key: str
    description: str
    tooltip: str
    binding_id: str


def key_help(screen: Screen[object]) -> list[KeyHelp]:
    """What each key does on ``screen`` right now (focused widget, screen, then app)."""
    app = screen.app
    grouped: dict[tuple[str, str, str], list[str]] = {}
    info: dict[tuple[str, str, str], Binding] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or not binding.id:
            continue  # Textual's own scrolling keys: not ours to explain or remap
        name = type(active.node).__name__
        group = GROUPS.get(name, name.removesuffix("Screen"))
        ident = (group, binding.action, binding.description)
        grouped.setdefault(ident, []).append(app.get_key_display(binding.with_key(key)))
        info[ident] = binding
    order = list(dict.fromkeys(ident[0] for ident in grouped))
    out = [
        KeyHelp(group, " ".join(keys), description, info[ident].tooltip, info[ident].id or "")
        for ident, keys in grouped.items()
        for group, _action, description in [ident]
    ]
    return sorted(out, key=lambda h: order.index(h.group))


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background 60%; }
    HelpScreen > Vertical {
        width: 116; max-width: 98%; height: 90%;
        border: thick $primary; background: $panel; padding: 0 1;
    }
    HelpScreen Label { text-style: bold; margin: 1 0; }
    HelpScreen DataTable { height: 1fr; }
    """

    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close", id="help.close")]

    def __init__(self, keys: Iterable[KeyHelp], title: str = "Keys") -> None:
        super().__init__()
        self.keys = list(keys)
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self._title} — remap any of them in digest.toml [keys] with its id",
                        markup=False)
            table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_column("Where", width=10)
            table.add_column("Key", width=8)
            table.add_column("Does", width=16)
            table.add_column("Details", width=42)
            table.add_column("Id")
            for h in self.keys:
                table.add_row(Text(h.group, style="bold"), Text(h.key, style="bold"),
                              Text(h.description), Text(h.tooltip, overflow="ellipsis"),
                              Text(h.binding_id, style="dim"))
            yield table
