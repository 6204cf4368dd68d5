"""One search box over past issues and stored entries together.

Every keystroke starts a query in a thread worker; ``exclusive=True`` means
only the newest one matters, and a result that arrives for text the box no
longer holds is dropped. Past issues are listed first (the editor's own
words, "did we cover this?"), then entries; each group is ranked by bm25.

Titles and snippets come from feeds and are drawn as Content with the
matches as spans: a title like ``[bold]`` or ``[@click=…]`` stays text.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from digest import archive
from digest.store import EntryRow, IssueHit, SearchResults
from digest.textclean import clean_line
from digest.tui.focus import focus_now
from digest.tui.screens.archive import IssueReader, reveal_entry
from digest.tui.widgets.archive_highlight import highlight_words, marked, query_words

if TYPE_CHECKING:
    from digest.tui.app import DigestApp

#: Results per group; more than a screenful is noise for a search-as-you-type box.
LIMIT = 50
_WORD = re.compile(r"\w+", re.UNICODE)


def usable_query(text: str) -> str:
    """The words worth sending: one-letter words would make FTS5 scan every term."""
    return " ".join(w for w in _WORD.findall(text) if len(w) >= 2)


@dataclass(frozen=True)
class IssueTitleHit:
    """Items that matched only through their issue's title, shown as the issue once.

    The store indexes each item with its issue's title, so a query that
    names an issue's headline returns every item of that issue; listing
    them one by one would bury the items that match on their own.
    """

    number: int
    date: str
    issue_title: str
    count: int


def direct_match(hit: IssueHit, words: list[str]) -> bool:
    """Did the item itself match (title, blurb, section), not just its issue's title?"""
    if "\x02" in hit.snippet:
        return True
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + ")",
                         re.IGNORECASE | re.UNICODE)
    return bool(words) and any(pattern.search(t) for t in (hit.title, hit.section))


def group_issue_hits(hits: tuple[IssueHit, ...],
                     words: list[str]) -> list[IssueHit | IssueTitleHit]:
    """Direct hits in rank order; the rest folded into one row per issue, at its best rank."""
    out: list[IssueHit | IssueTitleHit] = []
    counts: Counter[int] = Counter()
    for hit in hits:
        if direct_match(hit, words):
            out.append(hit)
            continue
        if not counts[hit.number]:
            out.append(IssueTitleHit(hit.number, hit.date, hit.issue_title, 0))
        counts[hit.number] += 1
    return [replace(row, count=counts[row.number]) if isinstance(row, IssueTitleHit) else row
            for row in out]


def issue_title_prompt(hit: IssueTitleHit, words: list[str]) -> Content:
    items = f"{hit.count} item{'s' if hit.count != 1 else ''}"
    return Content.assemble(
        (f"#{hit.number}", "bold $accent"), "  ", (hit.date, "$text-muted"), "  ",
        ("Issue", "$text-muted"), "  ", highlight_words(hit.issue_title, words, "bold"),
        "  ", (f"({items} of this issue)", "$text-muted"),
    )


def issue_hit_prompt(hit: IssueHit, words: list[str]) -> Content:
    head = Content.assemble(
        (f"#{hit.number}", "bold $accent"), "  ", (hit.date, "$text-muted"), "  ",
        (clean_line(hit.section), "$text-muted"), "  ",
        highlight_words(hit.title, words, "bold"),
    )
    if not hit.snippet:
        return head
    return Content("\n").join([head, Content("      ") + marked(hit.snippet, "$text-muted")])


def entry_prompt(row: EntryRow, snippet: str, words: list[str]) -> Content:
    when = f"{row.published:%Y-%m-%d}" if row.published else "          "
    head = Content.assemble(
        (when, "$text-muted"), "  ", highlight_words(row.title, words, "bold"), "  ",
        (clean_line(row.feed_title), "$text-muted"),
    )
    if not snippet:
        return head
    return Content("\n").join([head, Content("            ") + marked(snippet, "$text-muted")])


def group_header(label: str) -> Option:
    return Option(Content.styled(label, "bold $text-muted"), disabled=True)


class SearchScreen(Screen[None]):
    """Search as you type; Enter opens an issue at the item, or an entry in the inbox."""

    DEFAULT_CSS = """
    SearchScreen #search-box { margin: 0 1; }
    SearchScreen #search-status { height: 1; padding: 0 2; color: $text-muted; }
    SearchScreen #search-results { height: 1fr; border: none; }
    SearchScreen #search-results > .option-list--option { padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="search.back",
                tooltip="From the results to the box; from the box back to the inbox"),
        Binding("down", "focus_results", "Results", show=False, id="search.results",
                tooltip="Move from the box into the results"),
    ]

    results: var[SearchResults] = var(SearchResults)

    def __init__(self) -> None:
        super().__init__(id="search")
        self._hits: dict[str, IssueHit | IssueTitleHit | EntryRow] = {}

    @property
    def digest_app(self) -> DigestApp:
        return cast("DigestApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        yield Input(placeholder="Search past issues and stored entries", id="search-box")
        yield Static(Content("Type two letters or more"), id="search-status")
        yield OptionList(id="search-results")
        yield Footer()

    def on_screen_resume(self) -> None:
        if not self.query_one(OptionList).has_focus:
            self.query_one(Input).focus()

    # --- querying ------------------------------------------------------------------

    @on(Input.Changed, "#search-box")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False, name="search")
    def _search(self, text: str) -> tuple[str, SearchResults, float]:
        query = usable_query(text)
        start = time.perf_counter()
        results = self.digest_app.store.search(query, LIMIT) if query else SearchResults()
        return text, results, (time.perf_counter() - start) * 1000

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        worker: Worker[Any] = event.worker
        if event.state == WorkerState.ERROR:
            self.notify(f"{worker.name} failed: {worker.error}", severity="error",
                        markup=False)
        elif event.state == WorkerState.SUCCESS and worker.name == "search":
            text, results, elapsed = cast("tuple[str, SearchResults, float]", worker.result)
            if text != self.query_one(Input).value:
                return  # the editor typed on; a newer query is on its way
            self._show(text, results, elapsed)

    def _show(self, text: str, results: SearchResults, elapsed: float) -> None:
        self.results = results
        words = query_words(usable_query(text))
        options: list[Option] = []
        self._hits = {}
        if results.issues:
            options.append(group_header(f"Past issues · {len(results.issues)} matching items"))
            for n, hit in enumerate(group_issue_hits(results.issues, words)):
                self._hits[f"hit-{n}"] = hit
                prompt = (issue_hit_prompt(hit, words) if isinstance(hit, IssueHit)
                          else issue_title_prompt(hit, words))
                options.append(Option(prompt, id=f"hit-{n}"))
        if results.entries:
            options.append(group_header(f"Entries · {len(results.entries)}"))
            for n, row in enumerate(results.entries):
                self._hits[f"entry-{n}"] = row
                snippet = results.entry_snippets.get(row.id, "")
                options.append(Option(entry_prompt(row, snippet, words), id=f"entry-{n}"))
        option_list = self.query_one(OptionList)
        option_list.set_options(options)
        if self._hits:
            option_list.highlighted = option_list.get_option_index(next(iter(self._hits)))
        status = self.query_one("#search-status", Static)
        if not usable_query(text):
            status.update(Content("Type two letters or more"))
        elif not self._hits:
            status.update(Content.assemble("Nothing matches ", (clean_line(text), "bold")))
        else:
            status.update(Content(
                f"{len(results.issues)} in past issues · {len(results.entries)} entries · "
                f"{elapsed:.0f} ms"))

    # --- moving and opening ----------------------------------------------------------

    def action_focus_results(self) -> None:
        if self._hits:
            focus_now(self.query_one(OptionList))

    @on(Input.Submitted, "#search-box")
    def _submitted(self) -> None:
        self.action_focus_results()

    async def action_back(self) -> None:
        box = self.query_one(Input)
        if not box.has_focus:
            focus_now(box)
        else:
            await self.app.switch_mode("inbox")

    @on(OptionList.OptionSelected, "#search-results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        hit = self._hits.get(event.option.id or "")
        if isinstance(hit, IssueHit):
            self._open_issue(hit.number, hit.url)
        elif isinstance(hit, IssueTitleHit):
            self._open_issue(hit.number, "")
        elif isinstance(hit, EntryRow):
            self.app.run_worker(reveal_entry(self.digest_app, hit.id), group="reveal",
                                exclusive=True, exit_on_error=False)

    @work(exclusive=True, group="search-open", exit_on_error=False, name="open-issue")
    async def _open_issue(self, number: int, url: str) -> None:
        project = self.digest_app.project
        path = archive.issue_path(project, number)
        try:
            issue = await asyncio.to_thread(archive.load_issue, path)
        except archive.ArchiveError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        await self.app.push_screen(IssueReader(issue, focus_url=url))
