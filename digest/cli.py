"""The ``digest`` command: the TUI by default, subcommands for scripts and cron.

A thin shell over the core: every subcommand calls the same functions the TUI
calls, and turns their errors into one clear line and a non-zero exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import click
from platformdirs import user_data_path

from digest import archive, curate
from digest.archive import ArchiveError
from digest.config import ConfigError, Project, load_project
from digest.model import Issue
from digest.store import EntryFilter, Store, StoreError

if TYPE_CHECKING:
    from rich.progress import Progress


def default_db_path(project_root: Path | None) -> Path:
    """One cache per project, in the user's data dir, so newsletters do not mix feeds."""
    base = user_data_path("digest", appauthor=False)
    if project_root is None:
        return base / "default.db"
    digest_ = hashlib.sha1(str(project_root.resolve()).encode()).hexdigest()[:10]
    return base / f"{project_root.resolve().name}-{digest_}.db"


@dataclass
class AppContext:
    """What every subcommand shares: where the project and the cache are."""

    project_dir: Path | None = None
    db_path: Path | None = None
    _project: Project | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    def project(self) -> Project:
        if self._project is None:
            try:
                self._project = load_project(self.project_dir or Path.cwd())
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._project

    def maybe_project(self) -> Project | None:
        root = self.project_dir or Path.cwd()
        if self.project_dir is None and not (root / "digest.toml").is_file():
            return None
        return self.project()

    def db_file(self) -> Path:
        if self.db_path:
            return self.db_path
        env = os.environ.get("DIGEST_DB")
        if env:
            return Path(env)
        project = self.maybe_project()
        return default_db_path(project.root if project else None)

    def store(self) -> Store:
        if self._store is None:
            try:
                self._store = Store(self.db_file(),
                                    on_upgrade=lambda note: click.echo(note, err=True))
            except StoreError as exc:
                raise click.ClickException(str(exc)) from None
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_ctx = click.make_pass_decorator(AppContext)


def fail(message: str) -> click.ClickException:
    return click.ClickException(message)


@click.group(invoke_without_command=True)
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The newsletter project folder (default: the current folder).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The entry cache file (default: in the user's data folder, one per project).")
@click.version_option(package_name="digest")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path | None, db_path: Path | None) -> None:
    """digest: curate a weekly link newsletter from your feeds, in the terminal.

    Without a command, opens the curator on the project in the current folder.
    """
    app_ctx = AppContext(project_dir, db_path)
    ctx.obj = app_ctx
    ctx.call_on_close(app_ctx.close)
    if ctx.invoked_subcommand is None:
        run_tui(app_ctx)


def run_tui(app_ctx: AppContext) -> None:
    project = app_ctx.project()
    store = app_ctx.store()
    from digest.tui.app import make_app

    make_app(project, store).run()


# --- projects ------------------------------------------------------------------

@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="", help="The newsletter's title.")
def init(directory: Path, title: str) -> None:
    """Create a newsletter project in DIRECTORY (digest.toml and issues/)."""
    try:
        path = archive.init_project(directory, title or directory.resolve().name)
    except (ArchiveError, OSError) as exc:
        raise fail(str(exc)) from None
    click.echo(f"Created {path}. "
               f"Next: add feeds with `digest --project {directory} feeds add URL`.")


def demo_source() -> Path:
    return Path(str(resources.files("digest") / "demo" / "project"))


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-open", is_flag=True, help="Copy and fetch the demo, but do not open the TUI.")
@pass_ctx
def demo(app_ctx: AppContext, directory: Path | None, no_open: bool) -> None:
    """Copy the bundled demo newsletter to DIRECTORY (default ./digest-demo) and open it.

    Works offline: its feeds are files inside the project.
    """
    directory = directory or Path("digest-demo")
    if not (directory / "digest.toml").is_file():
        if directory.exists() and any(directory.iterdir()):
            raise fail(f"{directory}: exists and is not a digest project; choose another folder")
        shutil.copytree(demo_source(), directory, dirs_exist_ok=True)
        click.echo(f"Copied the demo newsletter to {directory}/ (yours to keep and edit).")
    app_ctx.project_dir = directory
    _fetch(app_ctx, [], None, quiet=False)
    if not no_open:
        run_tui(app_ctx)


# --- progress ----------------------------------------------------------------------


class _Bar:
    """A progress bar on stderr, or nothing at all when it would not be seen."""

    def __init__(self, bar: Progress | None = None) -> None:
        self._bar = bar

    def update(self, done: int, last: str) -> None:
        if self._bar is not None:
            self._bar.update(self._bar.task_ids[0], completed=done, last=last)

    def say(self, line: str) -> None:
        if self._bar is None:
            click.echo(line, err=True)
        else:
            self._bar.console.print(line, markup=False, highlight=False)


@contextlib.contextmanager
def _progress(label: str, total: int, *, shown: bool) -> Iterator[_Bar]:
    """Rich is imported only for a bar on a terminal: cron's `digest fetch` skips it."""
    if not shown or not sys.stderr.isatty():
        yield _Bar()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[last]}", markup=False),
                  console=Console(stderr=True), transient=True) as bar:
        bar.add_task(label, total=total, last="")
        yield _Bar(bar)


# --- fetch -----------------------------------------------------------------------

def _say_left_out(opml: Path, urls: list[str]) -> None:
    for url in urls:
        click.echo(f"{opml}: left out {url!r}: not an http(s) address "
                   "(local feeds go in digest.toml)", err=True)


def _fetch(app_ctx: AppContext, urls: list[str], opml: Path | None, *, quiet: bool,
           concurrency: int | None = None, force: bool = False) -> bool:
    from digest.feeds.opml import OpmlError, parse_opml
    from digest.ingest import fetch_feeds, fetch_settings, subscriptions

    project = app_ctx.maybe_project()
    feeds: list[tuple[str, str]] = subscriptions(project) if project and not (urls or opml) else []
    if opml:
        try:
            left_out: list[str] = []
            feeds += [(f.url, f.title) for f in parse_opml(opml.read_bytes(), skipped=left_out)]
            _say_left_out(opml, left_out)
        except (OSError, OpmlError) as exc:
            raise fail(f"{opml}: {exc}") from None
    feeds += [(u, "") for u in urls]
    if not feeds:
        raise fail("no feeds to fetch: add some with `digest feeds add URL`, "
                   "or pass --opml FILE or URLs")
    settings = fetch_settings(project)
    if concurrency:
        from dataclasses import replace

        settings = replace(settings, concurrency=concurrency)
    store = app_ctx.store()
    with _progress("fetching", len(feeds), shown=not quiet) as bar:

        def progress(outcome: object, done: int, total: int) -> None:
            bar.update(done, getattr(outcome, "url", "")[-50:])

        summary = asyncio.run(fetch_feeds(store, feeds, settings, progress, force=force))
    if not quiet:
        for o in sorted(summary.failed, key=lambda o: o.url):
            click.echo(f"  failed  {o.url}: {o.error}", err=True)
        click.echo(
            f"{len(summary.outcomes)} feeds: {summary.count('ok')} ok, "
            f"{summary.count('not-modified')} not modified, {len(summary.failed)} failed; "
            f"{summary.new_entries} new entries.",
            err=True,
        )
    return not summary.nothing_fetched


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--opml", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Fetch the feeds of this OPML file (instead of the project's).")
@click.option("--concurrency", type=click.IntRange(1, 512), help="Feeds fetched at once.")
@click.option("--force", is_flag=True,
              help="Also ask feeds that wait out a Retry-After or a timeout back-off.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors that stop the run.")
@pass_ctx
def fetch(app_ctx: AppContext, urls: tuple[str, ...], opml: Path | None,
          concurrency: int | None, force: bool, quiet: bool) -> None:
    """Fetch every feed of the project (or the given URLs / OPML) into the cache.

    A feed that timed out is left alone for [fetch] backoff seconds (default
    30 minutes), and one answered 429/503 until its Retry-After; --force asks
    them anyway. Exits non-zero only when no feed at all could be fetched.
    """
    if not _fetch(app_ctx, list(urls), opml, quiet=quiet, concurrency=concurrency,
                  force=force):
        sys.exit(1)


# --- feeds -------------------------------------------------------------------------

@cli.group()
def feeds() -> None:
    """List, add, import and export subscriptions."""


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def feeds_list(app_ctx: AppContext, as_json: bool) -> None:
    """Each feed with its last fetch, HTTP status, entry count and last error."""
    from digest.ingest import subscriptions

    project = app_ctx.project()
    subs = subscriptions(project)
    rows = app_ctx.store().feeds([u for u, _ in subs])
    titles = dict(subs)
    if as_json:
        click.echo(json.dumps([{
            "url": f.url, "title": f.title or titles.get(f.url, ""), "status": f.status,
            "http_status": f.http_status, "entries": f.entry_count, "error": f.error,
            "last_fetch": f.last_fetch.isoformat() if f.last_fetch else None,
        } for f in rows], indent=2))
        return
    for f in rows:
        when = f.last_fetch.strftime("%Y-%m-%d %H:%M") if f.last_fetch else "never"
        http = str(f.http_status) if f.http_status else "-"
        title = f.title or titles.get(f.url, "") or "(untitled)"
        click.echo(f"{title}\n  {f.url}\n  last fetch {when} · {f.status} · HTTP {http} · "
                   f"{f.entry_count} entries" + (f"\n  error: {f.error}" if f.error else ""))


@feeds.command("add")
@click.argument("url")
@click.option("--title", default="")
@pass_ctx
def feeds_add(app_ctx: AppContext, url: str, title: str) -> None:
    """Subscribe to URL; a web page's feed is found through its <link rel="alternate">."""
    from digest.feeds.discover import discover
    from digest.feeds.fetch import FetchSettings, new_client

    project = app_ctx.project()
    location = url
    if url.startswith(("http://", "https://")):
        async def find() -> list[str]:
            settings = FetchSettings()
            async with new_client(settings) as client:
                return await discover(client, url, settings)

        try:
            candidates = asyncio.run(find())
        except Exception as exc:
            raise fail(f"{url}: {exc}") from None
        if not candidates:
            raise fail(f"{url}: neither a feed nor a page that links one")
        location = candidates[0]
        if location != url:
            click.echo(f"Found the feed {location} on {url}.")
    added = archive.append_feeds(project, [(location, title)])
    click.echo(f"Subscribed to {location}." if added else f"Already subscribed to {location}.")


@feeds.command("import")
@click.argument("opml", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@pass_ctx
def feeds_import(app_ctx: AppContext, opml: Path) -> None:
    """Add every feed of an OPML file to digest.toml."""
    from digest.feeds.opml import OpmlError, parse_opml

    try:
        left_out: list[str] = []
        found = parse_opml(opml.read_bytes(), skipped=left_out)
        _say_left_out(opml, left_out)
    except (OSError, OpmlError) as exc:
        raise fail(f"{opml}: {exc}") from None
    added = archive.append_feeds(app_ctx.project(), [(f.url, f.title) for f in found])
    click.echo(f"{len(found)} feeds in {opml}; {added} new, {len(found) - added} already there.")


@feeds.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def feeds_export(app_ctx: AppContext, output: Path | None) -> None:
    """Write the subscriptions as OPML 2.0 (to stdout or a file)."""
    from digest.feeds.opml import OpmlFeed, to_opml
    from digest.ingest import subscriptions

    project = app_ctx.project()
    known = {f.url: f for f in app_ctx.store().feeds()}
    items = []
    for url, title in subscriptions(project):
        f = known.get(url)
        items.append(OpmlFeed(url=url, title=title or (f.title if f else "") or url,
                              html_url=f.site_url if f else ""))
    data = to_opml(items, project.title)
    if output:
        archive.atomic_write(output, data)
    else:
        click.echo(data.decode("utf-8"), nl=False)


# --- curation from the command line ----------------------------------------------

@cli.command()
@click.option("--search", "query", default="", help="Words to find (title, author, text).")
@click.option("--new", "only_new", is_flag=True, help="Only entries not seen yet.")
@click.option("--all", "show_all", is_flag=True, help="Include dismissed entries.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def entries(app_ctx: AppContext, query: str, only_new: bool, show_all: bool, limit: int,
            as_json: bool) -> None:
    """Stored entries, newest first: ids, titles, links, feeds, states."""
    flt = EntryFilter(text=query, only_new=only_new, hide_dismissed=not show_all)
    rows = app_ctx.store().list_entries(flt, limit=limit)
    if as_json:
        click.echo(json.dumps([{
            "id": r.id, "title": r.title, "link": r.link, "author": r.author,
            "feed": r.feed_title, "state": r.state,
            "published": r.published.isoformat() if r.published else None,
        } for r in rows], indent=2, ensure_ascii=False))
        return
    for r in rows:
        date = r.published.strftime("%Y-%m-%d") if r.published else "          "
        click.echo(f"{r.id}  {date}  {r.state:<9}  {r.title}  ({r.author or r.feed_title})")


@cli.command()
@click.argument("entry_id")
@click.argument("section")
@click.option("--issue", "number", type=int, help="Issue number (default: the current draft).")
@pass_ctx
def pick(app_ctx: AppContext, entry_id: str, section: str, number: int | None) -> None:
    """File entry ENTRY_ID into SECTION of the draft issue (saved at once)."""
    project = app_ctx.project()
    entry = app_ctx.store().entry(entry_id)
    if entry is None:
        raise fail(f"no entry {entry_id!r} in the cache (see `digest entries`)")
    try:
        if number is None:
            issue = archive.open_draft(project)
        else:
            issue = archive.load_issue(archive.issue_path(project, number))
        item = curate.pick(issue, project, entry, section)
        path = archive.save_issue(project, issue)
    except (ArchiveError, curate.CurateError) as exc:
        raise fail(str(exc)) from None
    click.echo(f"Added “{item.title}” to {section} of issue {issue.number} ({path}).")


# --- issues ------------------------------------------------------------------------

@cli.group("issues")
def issues_group() -> None:
    """List, show and publish newsletter issues."""


@issues_group.command("list")
@pass_ctx
def issues_list(app_ctx: AppContext) -> None:
    """Every issue, newest first, with its status, date and item count."""
    loaded = archive.load_all(app_ctx.project())
    for issue in reversed(loaded.issues):
        click.echo(f"{issue.number:>4}  {issue.date}  {issue.status:<9}  "
                   f"{issue.item_count():>3} items  {issue.title}")
    for err in loaded.errors:
        click.echo(f"error: {err}", err=True)


@issues_group.command("show")
@click.argument("number", type=int)
@pass_ctx
def issues_show(app_ctx: AppContext, number: int) -> None:
    """Show issue NUMBER rendered in the terminal."""
    from rich.console import Console
    from rich.markdown import Markdown

    from digest.render.markdown import render_markdown

    project = app_ctx.project()
    try:
        issue = archive.load_issue(archive.issue_path(project, number))
    except ArchiveError as exc:
        raise fail(str(exc)) from None
    Console().print(Markdown(render_markdown(issue, project)))


@issues_group.command("publish")
@click.argument("number", type=int)
@pass_ctx
def issues_publish(app_ctx: AppContext, number: int) -> None:
    """Mark issue NUMBER published and stamp today's date."""
    try:
        issue = archive.publish(app_ctx.project(), number)
    except ArchiveError as exc:
        raise fail(str(exc)) from None
    click.echo(f"Issue {issue.number} published on {issue.date}.")


def main() -> None:
    cli(prog_name="digest")


# --- import ---
# Bringing an existing Markdown archive in: one file, or a folder in one go.
# A file that fails is reported and the rest still come in; the exit status
# says whether everything did.


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace issue files that already exist.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@pass_ctx
def import_command(app_ctx: AppContext, path: Path, force: bool, quiet: bool) -> None:
    """Import a Markdown issue (or a folder of .md issues) into issues/NNN.toml.

    Reads Django-News-style Markdown: '# Issue NNN: title', '## Section',
    '### [Title](url)' items with their blurb and source domain. An existing
    issue number is left alone unless --force is given.
    """
    from digest.importer import MarkdownImportError, markdown_files, read_issue_markdown

    project = app_ctx.project()
    files = markdown_files(path) if path.is_dir() else [path]
    if not files:
        raise fail(f"{path}: no .md files to import")
    imported: list[int] = []
    skipped: list[str] = []
    failed: list[str] = []
    seen: dict[int, Path] = {}
    with _progress("importing", len(files), shown=not quiet and len(files) > 1) as bar:
        for done, md_file in enumerate(files, 1):
            bar.update(done - 1, md_file.name[-40:])
            try:
                result = read_issue_markdown(md_file, project.sections)
                issue = result.issue
                target = archive.issue_path(project, issue.number)
                if issue.number in seen and not force:
                    skipped.append(f"{md_file}: issue {issue.number} was already imported "
                                   f"from {seen[issue.number]} in this run")
                elif target.exists() and not force:
                    skipped.append(f"{md_file}: issue {issue.number} already exists "
                                   f"({target}); --force replaces it")
                else:
                    archive.save_issue(project, issue)
                    seen[issue.number] = md_file
                    imported.append(issue.number)
                    for warning in result.warnings:
                        bar.say(f"warning: {warning}")
            except (MarkdownImportError, ArchiveError) as exc:
                failed.append(str(exc))
            bar.update(done, "")
    for line in skipped:
        click.echo(f"skipped: {line}", err=True)
    for line in failed:
        click.echo(f"error: {line}", err=True)
    if not quiet or skipped or failed:
        numbers = ", ".join(str(n) for n in sorted(imported)[:10])
        more = "…" if len(imported) > 10 else ""
        click.echo(f"Imported {len(imported)} of {len(files)} file"
                   f"{'s' if len(files) != 1 else ''} into {project.issues_dir}"
                   + (f" (issues {numbers}{more})" if imported else "")
                   + (f"; {len(skipped)} skipped" if skipped else "")
                   + (f"; {len(failed)} failed" if failed else "") + ".",
                   err=bool(skipped or failed))
    if skipped or failed:
        sys.exit(1)


# --- export and build ---
# Rendering modules load on first use: `digest fetch` from cron should not pay
# for Jinja, markdown-it and the CSS inliner.


def _issue_to_export(project: Project, number: int | None) -> Issue:
    if number is not None:
        try:
            return archive.load_issue(archive.issue_path(project, number))
        except ArchiveError as exc:
            raise fail(str(exc)) from None
    loaded = archive.load_all(project)
    drafts = [i for i in loaded.issues if i.status == "draft"]
    if not drafts:
        raise fail(f"no draft issue in {project.issues_dir}; name the issue to export "
                   "(digest export NUMBER)")
    return max(drafts, key=lambda i: i.number)


@cli.command("export")
@click.argument("number", type=int, required=False)
@click.option("-f", "--format", "fmt", default="md", show_default=True,
              help="md, html, email, text, or the name of a [renderer.NAME] plugin.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="File (or existing folder) to write; '-' or none: standard output.")
@click.option("--save", is_flag=True,
              help="Write to the project folder: exports/NNN.<ext>.")
@click.option("--theme", default=None, help="Theme for html and email (default: the project's).")
@pass_ctx
def export_command(app_ctx: AppContext, number: int | None, fmt: str, output: Path | None,
                   save: bool, theme: str | None) -> None:
    """Export issue NUMBER (default: the newest draft) as Markdown, HTML, e-mail or text."""
    from digest.render import (
        ExportError,
        PluginError,
        ThemeError,
        default_export_path,
        export_issue,
    )

    project = app_ctx.project()
    issue = _issue_to_export(project, number)
    target: Path | None = None if output is None or str(output) == "-" else output
    if save and target is None:
        target = default_export_path(project, issue, fmt)
    try:
        result = export_issue(project, issue, fmt, target, theme=theme)
    except (PluginError, ExportError, ThemeError) as exc:
        raise fail(str(exc)) from None
    if result.path is not None:
        click.echo(f"Issue {issue.number} exported as {fmt} to {result.path}", err=True)
    else:
        stdout = sys.stdout.buffer  # click.get_binary_stream is deprecated from Click 8.2
        stdout.write(result.data)
        stdout.flush()


@cli.command("build")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to build into (default: `output` in digest.toml, usually site/).")
@click.option("--drafts", is_flag=True, help="Publish draft issues too (for a preview).")
@click.option("--theme", default=None, help="Theme (default: the project's).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@pass_ctx
def build_command(app_ctx: AppContext, output: Path | None, drafts: bool, theme: str | None,
                  quiet: bool) -> None:
    """Build the archive site: index, one page per issue, Atom feed, search."""
    from digest.render import BuildError, PluginError, ThemeError, build_site

    project = app_ctx.project()
    try:
        report = build_site(project, output, include_drafts=drafts, theme=theme)
    except (BuildError, PluginError, ThemeError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write the site: {exc}") from None
    for error in report.errors:
        click.echo(f"skipped: {error}", err=True)
    if not quiet:
        click.echo(
            f"Built {report.issues} issue{'s' if report.issues != 1 else ''} into "
            f"{report.out_dir} ({report.written} written, {report.unchanged} unchanged, "
            f"{report.removed} removed) in {report.seconds:.2f} s"
        )
