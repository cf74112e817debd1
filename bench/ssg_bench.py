"""Side-by-side render throughput: newsroom against Hugo and Pelican on the same generated articles.

    python -m bench.ssg_bench [--articles 5000] [--hugo-runs 3] [--pelican-runs 1] [--newsroom-json FILE] [--keep]

The same ``bench.generate.generate_articles(articles, seed)`` archive is
written as a Hugo site (``content/<section path>/<id>.md``, YAML front matter)
and as a Pelican content folder (Pelican metadata headers), each built with
minimal templates equivalent to ours (bench/ssg/hugo/, bench/ssg/pelican/):
article pages at ``yyyy/mm/dd/slug.html`` (title, date, authors, section
link, tag links, body), section and tag listings 20 per page with pager
links, RSS and Atom feeds per section, tag and site, a sitemap, the home
page. Each build is a subprocess timed with ``time.perf_counter`` (best of N,
a fresh output folder each time) and checked (a known article's page holds
its title, listings have ceil(n/20) pages) so an empty build cannot pass as
fast. Our figure is ``render_bench``'s ``full_render`` (SiteRenderer.everything
+ BuildFolder.write over the whole site): milliseconds per page written, compared
as ``tool ms/page / newsroom ms/page`` (> 1: newsroom is faster).
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.generate import DEFAULT_SEED, GeneratedArticle, generate_articles, load_spellings, markdown_body
from bench.util import REPO_ROOT, log, newsroom_yaml, rate

SSG_DIR = Path(__file__).resolve().parent / "ssg"
HUGO_DIR = SSG_DIR / "hugo"
PELICAN_DIR = SSG_DIR / "pelican"
HUGO_MISSING = "hugo not installed (apt-get install hugo)"
PELICAN_MISSING = "pelican not installed (pip install pelican)"
ARTICLE_PATH = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+\.html$")
PAGE_KINDS = ("article", "listing", "feed", "sitemap")  # a redirect stub is written but is not a page


class BuildError(RuntimeError):
    """A build failed, or its output is not the site it should be."""


# -- the shared input ------------------------------------------------------------
@dataclass(frozen=True)
class SectionInfo:
    slug: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class SiteInfo:
    name: str
    description: str
    base_url: str
    timezone: str
    page_size: int
    sections: tuple[SectionInfo, ...]

    def section(self, slug: str) -> SectionInfo:
        for section in self.sections:
            if section.slug == slug:
                return section
        raise KeyError(slug)

    def chain(self, slug: str) -> list[SectionInfo]:
        """The section and its ancestors, outermost first."""
        chain: list[SectionInfo] = []
        current: str | None = slug
        while current is not None and len(chain) < 8:
            section = self.section(current)
            chain.insert(0, section)
            current = section.parent
        return chain


@dataclass(frozen=True)
class Entry:
    """One generated article as every tool gets it: dates in the site's zone, the page's path, canonical tags."""

    article: GeneratedArticle
    published: datetime
    updated: datetime | None
    slug: str
    path: str  # yyyy/mm/dd/slug.html, as newsroom's store mints it
    tags: tuple[tuple[str, str], ...]  # (slug, name) after the taxonomy, as newsroom's ingest normalises them
    body: str  # Markdown


def site_info() -> SiteInfo:
    data = newsroom_yaml()
    site = data.get("site") or {}
    sections = tuple(
        SectionInfo(str(s["slug"]), str(s.get("name") or s["slug"]), s.get("parent")) for s in data.get("sections", [])
    )
    return SiteInfo(
        name=str(site.get("name", "newsroom")),
        description=str(site.get("description", "")),
        base_url=str(site.get("base_url", "http://localhost/")).rstrip("/") + "/",
        timezone=str(site.get("timezone", "UTC")),
        page_size=int(site.get("page_size", 20)),
        sections=sections,
    )


def prepare(articles: Iterable[GeneratedArticle], site: SiteInfo) -> list[Entry]:
    """The entries in generation order; a second article of the same day and slug gets ``-2`` (as the store does)."""
    from newsroom.text import fold, slugify

    tz = ZoneInfo(site.timezone)
    spellings = load_spellings()
    taken: set[str] = set()
    entries: list[Entry] = []
    for article in articles:
        published = article.published.astimezone(tz)
        slug = article.slug
        path = f"{published:%Y/%m/%d}/{slug}.html"
        number = 1
        while path in taken:
            number += 1
            slug = f"{article.slug}-{number}"
            path = f"{published:%Y/%m/%d}/{slug}.html"
        taken.add(path)
        tags: dict[str, str] = {}
        for written in article.tags:
            tag_slug = spellings.canonical.get(fold(written)) or slugify(written)
            variants = spellings.variants.get(tag_slug)
            tags.setdefault(tag_slug, variants[0] if variants else written)
        entries.append(
            Entry(
                article=article,
                published=published,
                updated=article.updated.astimezone(tz) if article.updated else None,
                slug=slug,
                path=path,
                tags=tuple(tags.items()),
                body=markdown_body(article.body),
            )
        )
    return entries


def _q(value: str) -> str:
    """A YAML/TOML double-quoted string (JSON strings are valid in both)."""
    return json.dumps(value, ensure_ascii=False)


def _one_line(value: str) -> str:
    return " ".join(value.split())


# -- Hugo ------------------------------------------------------------------------
def write_hugo_site(entries: Sequence[Entry], site: SiteInfo, folder: Path) -> Path:
    """``folder``: hugo.toml, layouts/ (copied from bench/ssg/hugo), content/<section path>/{_index.md,<id>.md}."""
    folder.mkdir(parents=True, exist_ok=True)
    config = (HUGO_DIR / "hugo.toml").read_text(encoding="utf-8")
    head = f"baseURL = {_q(site.base_url)}\ntitle = {_q(site.name)}\ntimeZone = {_q(site.timezone)}\n"
    config = re.sub(r"(?m)^timeZone = .*\n", "", config)
    config = re.sub(r"(?m)^paginate = .*$", f"paginate = {site.page_size}", config)
    tail = f"\n[params]\ndescription = {_q(site.description)}\n"
    (folder / "hugo.toml").write_text(head + config + tail, encoding="utf-8")
    shutil.rmtree(folder / "layouts", ignore_errors=True)
    shutil.copytree(HUGO_DIR / "layouts", folder / "layouts")
    content = folder / "content"
    dirs: dict[str, Path] = {}
    for weight, section in enumerate(site.sections, 1):
        path = content.joinpath(*(s.slug for s in site.chain(section.slug)))
        path.mkdir(parents=True, exist_ok=True)
        (path / "_index.md").write_text(f"---\ntitle: {_q(section.name)}\nweight: {weight}\n---\n", encoding="utf-8")
        dirs[section.slug] = path
    for entry in entries:
        a = entry.article
        lines = [
            f"title: {_q(a.title)}",
            f"date: {entry.published.isoformat()}",
            f"url: {_q('/' + entry.path)}",
            f"slug: {_q(entry.slug)}",
            f"authors: [{', '.join(_q(x) for x in a.authors)}]",
            f"tags: [{', '.join(_q(name) for _slug, name in entry.tags)}]",
            f"summary: {_q(a.summary)}",
        ]
        if entry.updated is not None:
            lines.append(f"lastmod: {entry.updated.isoformat()}")
        if a.image is not None:
            lines += [
                f"image: {_q(a.image.url)}",
                f"image_alt: {_q(a.image.alt)}",
                f"image_caption: {_q(a.image.caption)}",
                f"image_credit: {_q(a.image.credit)}",
            ]
        if a.correction:
            lines.append(f"correction: {_q(a.correction)}")
        text = "---\n" + "\n".join(lines) + "\n---\n" + entry.body
        (dirs[a.section] / a.filename).write_text(text, encoding="utf-8")
    return folder


def hugo_version(hugo: str) -> str:
    done = subprocess.run([hugo, "version"], capture_output=True, text=True, timeout=30, check=False)
    match = re.search(r"v(\d+\.\d+\.\d+\S*)", done.stdout)
    return match[1] if match else done.stdout.strip()


def hugo_supports_render_to_memory(hugo: str) -> bool:
    done = subprocess.run([hugo, "--help"], capture_output=True, text=True, timeout=30, check=False)
    return "--renderToMemory" in done.stdout


# -- Pelican ---------------------------------------------------------------------
def write_pelican_site(entries: Sequence[Entry], site: SiteInfo, folder: Path) -> Path:
    """``folder``: settings.py (bench/ssg/pelican/bench_pelicanconf.py + this site's values) and content/<id>.md."""
    folder.mkdir(parents=True, exist_ok=True)
    content = folder / "content"
    content.mkdir(exist_ok=True)
    site_url = site.base_url.rstrip("/")
    settings = "\n".join(
        [
            "# Generated by bench/ssg_bench.py: the shared settings, then this site's.",
            "import sys",
            f"sys.path.insert(0, {str(PELICAN_DIR)!r})",
            "from bench_pelicanconf import *  # noqa: E402,F403",
            f"PATH = {str(content)!r}",
            f"THEME = {str(PELICAN_DIR / 'theme')!r}",
            f"SITENAME = {site.name!r}",
            f"SITEDESCRIPTION = {site.description!r}",
            f"SITEURL = {site_url!r}",
            f"FEED_DOMAIN = {site_url!r}",
            f"TIMEZONE = {site.timezone!r}",
            f"DEFAULT_PAGINATION = {site.page_size}",
            "",
        ]
    )
    (folder / "settings.py").write_text(settings, encoding="utf-8")
    for entry in entries:
        a = entry.article
        lines = [
            f"Title: {_one_line(a.title)}",
            f"Date: {entry.published.isoformat(sep=' ')}",
            f"Category: {site.section(a.section).name}",
            f"Tags: {', '.join(name.replace(',', ' ') for _slug, name in entry.tags)}",
            f"Authors: {', '.join(x.replace(',', ' ') for x in a.authors)}",
            f"Summary: {_one_line(a.summary)}",
            f"Slug: {entry.slug}",
        ]
        if entry.updated is not None:
            lines.append(f"Modified: {entry.updated.isoformat(sep=' ')}")
        if a.image is not None:
            lines += [
                f"Image: {a.image.url}",
                f"Image_alt: {_one_line(a.image.alt)}",
                f"Image_caption: {_one_line(a.image.caption)}",
                f"Image_credit: {_one_line(a.image.credit)}",
            ]
        if a.correction:
            lines.append(f"Correction: {_one_line(a.correction)}")
        (content / a.filename).write_text("\n".join(lines) + "\n\n" + entry.body, encoding="utf-8")
    return folder


def pelican_command() -> list[str] | None:
    beside = Path(sys.executable).parent / "pelican"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("pelican")
    if found:
        return [found]
    import importlib.util

    return [sys.executable, "-m", "pelican"] if importlib.util.find_spec("pelican") else None


def pelican_version(command: Sequence[str]) -> str:
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60, check=False)
    return (done.stdout or done.stderr).strip()


# -- building, counting, checking ------------------------------------------------
@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # user + system seconds of the build process and its children


def timed_build(args: list[str], env: dict[str, str]) -> tuple[Timing, str]:
    """One build as a subprocess: its wall and CPU time, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-1500:]
        raise BuildError(f"{Path(args[0]).name} exited with {done.returncode}: {tail}")
    if done.stderr.strip():
        log(f"ssg: {Path(args[0]).name} said: {done.stderr.strip()[:500]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(elapsed, cpu), done.stdout


def timed_builds(
    command: Callable[[Path], list[str]],
    out: Path,
    runs: int,
    env: dict[str, str],
    *,
    before_each: Callable[[int], None] | None = None,
) -> list[Timing]:
    """Each of ``runs`` builds into a folder of its own that never existed (``out`` is the last one's):
    removing a tree just before a timed build makes the build pay for the removal (the disk's discard).
    ``before_each(number)``: what runs before each build (the other tool's build, interleaved)."""
    times: list[Timing] = []
    folders = [out.with_name(f"{out.name}-run{number}") for number in range(1, runs + 1)]
    for folder in (*folders, out):
        shutil.rmtree(folder, ignore_errors=True)
    for number, folder in enumerate(folders, 1):
        if before_each is not None:
            before_each(number)
        timing, _printed = timed_build(command(folder), env)
        times.append(timing)
        log(f"ssg:   run {number}/{runs}: {timing.wall:.2f} s ({timing.cpu:.2f} CPU s)")
    if folders[-1].exists():  # hugo --renderToMemory writes nothing
        folders[-1].rename(out)
    for folder in folders[:-1]:
        shutil.rmtree(folder, ignore_errors=True)
    return times


def count_pages(out: Path) -> dict[str, int]:
    """Files written, by kind: article pages, listings (home, sections, tags, their pages), page-1 redirects,
    feeds, sitemaps, other; ``pages`` = the HTML and XML files but the redirects (a few bytes each)."""
    counts: Counter[str] = Counter()
    for root, _dirs, files in os.walk(out):
        base = Path(root).relative_to(out).as_posix()
        for name in files:
            rel = name if base == "." else f"{base}/{name}"
            if name.endswith(".html"):
                if ARTICLE_PATH.match(rel):
                    kind = "article"
                elif rel.endswith("/page/1/index.html") or rel == "page/1/index.html":
                    kind = "redirect"  # Hugo's alias of a listing's first page
                else:
                    kind = "listing"
            elif name.endswith(".xml"):
                kind = "sitemap" if name.startswith("sitemap") or base.startswith("sitemaps") else "feed"
            else:
                kind = "other"
            counts[kind] += 1
    result = {kind: counts[kind] for kind in (*PAGE_KINDS, "redirect", "other")}
    result["pages"] = sum(counts[k] for k in PAGE_KINDS)
    return result


def _expected_listing_pages(count: int, size: int) -> int:
    return max(1, math.ceil(count / size))


def _page_numbers(folder: Path) -> set[int]:
    """Pagination numbers found under ``folder/page/``: Hugo's ``N/index.html``, Pelican's ``N.html``."""
    found: set[int] = set()
    pages = folder / "page"
    if pages.is_dir():
        for child in pages.iterdir():
            stem = child.name.removesuffix(".html")
            if stem.isdigit():
                found.add(int(stem))
    return found


def check_build(
    tool: str,
    out: Path,
    entries: Sequence[Entry],
    site: SiteInfo,
    counts: dict[str, int],
    *,
    section_dir: Callable[[str], str],
    tag_dirs: str,
    feeds: Sequence[str],
    article_pages: int | None = None,
) -> dict[str, Any]:
    """Raise :class:`BuildError` unless ``out`` is the whole site; what was checked, for the report.
    ``article_pages``: how many the site has, if not one per entry (our store holds render_bench's extra filing)."""
    problems: list[str] = []
    expected_articles = len(entries) if article_pages is None else article_pages
    if counts["article"] != expected_articles:
        problems.append(f"{counts['article']} article pages at yyyy/mm/dd/slug.html, expected {expected_articles}")
    samples = [entries[0], entries[len(entries) // 2], entries[-1]]
    for entry in samples:
        page = out / entry.path
        if not page.is_file():
            problems.append(f"no article page {entry.path}")
            continue
        text = html.unescape(page.read_text(encoding="utf-8"))
        for label, wanted in (
            ("title", entry.article.title),
            ("author", entry.article.authors[0]),
            ("tag", entry.tags[0][1] if entry.tags else ""),
            ("section", site.section(entry.article.section).name),
        ):
            if wanted and wanted not in text:
                problems.append(f"{entry.path} lacks its {label} {wanted!r}")
        if "<p>" not in text.split('class="article-body"', 1)[-1]:
            problems.append(f"{entry.path} has no body paragraphs")
    by_section = Counter(e.article.section for e in entries)
    section, count = by_section.most_common(1)[0]
    expected = _expected_listing_pages(count, site.page_size)
    folder = out / section_dir(section)
    numbers = _page_numbers(folder)
    if not (folder / "index.html").is_file():
        problems.append(f"no listing {section_dir(section)}/index.html")
    elif expected > 1 and max(numbers, default=1) != expected:
        problems.append(
            f"listing of {section} ({count} articles): {max(numbers, default=1)} pages, expected {expected}"
        )
    distinct_tags = {slug for e in entries for slug, _name in e.tags}
    tag_root = out / tag_dirs
    tag_listings = sum(1 for d in tag_root.iterdir() if (d / "index.html").is_file()) if tag_root.is_dir() else 0
    if tag_listings < 0.95 * len(distinct_tags):
        problems.append(f"{tag_listings} tag listings under {tag_dirs}/, expected about {len(distinct_tags)}")
    for feed in feeds:
        path = out / feed
        if not path.is_file() or path.stat().st_size < 200:
            problems.append(f"no feed {feed}")
    if problems:
        raise BuildError(f"{tool} output failed its checks: " + "; ".join(problems[:8]))
    return {
        "article_pages": counts["article"],
        "sample_pages": [e.path for e in samples],
        "largest_section": {"slug": section, "articles": count, "listing_pages": expected},
        "tag_listings": tag_listings,
        "distinct_tags": len(distinct_tags),
    }


def _tool_figures(pages: int, runs: Sequence[Timing | float]) -> dict[str, Any]:
    timings = [r if isinstance(r, Timing) else Timing(r, float("nan")) for r in runs]
    best = min(timings, key=lambda t: t.wall)
    figures: dict[str, Any] = {
        "pages": pages,
        "seconds": round(best.wall, 3),
        "runs": [round(t.wall, 3) for t in timings],
        "median_seconds": round(statistics.median(t.wall for t in timings), 3),
        "ms_per_page": round(1000 * best.wall / pages, 3) if pages else None,
        "pages_per_s": round(rate(pages, best.wall), 1),
    }
    if not math.isnan(best.cpu):
        figures["cpu_seconds"] = round(best.cpu, 3)  # of the best run: > seconds when it used several cores
    return figures


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # keep bench/ssg/pelican free of __pycache__
    return env


def bench_hugo(
    entries: Sequence[Entry],
    site: SiteInfo,
    folder: Path,
    runs: int,
    *,
    before_each: Callable[[int], None] | None = None,
    render_to_memory: bool = True,
) -> dict[str, Any]:
    """Hugo's whole-site build, best of ``runs``; ``before_each``: our build, run before each of Hugo's;
    ``render_to_memory``: then as many ``--renderToMemory`` builds (backfill_bench leaves them out: at
    100,000 articles the whole site would sit in Hugo's memory)."""
    hugo = shutil.which("hugo")
    if hugo is None:
        return {"error": HUGO_MISSING}
    result: dict[str, Any] = {"version": hugo_version(hugo), "command": "hugo --quiet --destination OUT"}
    source = write_hugo_site(entries, site, folder / "site")
    out = folder / "public"
    cache = folder / "cache"
    base = [hugo, "--quiet", "--source", str(source), "--cacheDir", str(cache), "--noBuildLock"]
    log(f"ssg: hugo {result['version']}: {runs} build(s) of {len(entries)} articles")
    times = timed_builds(lambda o: [*base, "--destination", str(o)], out, runs, _env(), before_each=before_each)
    counts = count_pages(out)
    result.update(_tool_figures(counts["pages"], times))
    result["page_set"] = counts
    result["checks"] = check_build(
        "hugo",
        out,
        entries,
        site,
        counts,
        section_dir=lambda slug: "/".join(s.slug for s in site.chain(slug)),
        tag_dirs="tags",
        feeds=["index.xml", "atom.xml", "sitemap.xml"],
    )
    if not render_to_memory:
        return result
    if hugo_supports_render_to_memory(hugo):
        log(f"ssg: hugo --renderToMemory: {runs} build(s)")
        memory = timed_builds(lambda _o: [*base, "--renderToMemory"], folder / "unused", runs, _env())
        result["render_only"] = {
            **_tool_figures(counts["pages"], memory),
            "command": "hugo --quiet --renderToMemory",
            "note": "pages = the disk build's count (nothing is written)",
        }
    else:
        result["render_only"] = {"error": f"hugo {result['version']} has no --renderToMemory"}
    return result


def bench_pelican(entries: Sequence[Entry], site: SiteInfo, folder: Path, runs: int) -> dict[str, Any]:
    command = pelican_command()
    if command is None:
        return {"error": PELICAN_MISSING}
    result: dict[str, Any] = {
        "version": pelican_version(command),
        "command": "pelican content -s settings.py -o OUT -q",
        "markdown": "markdown-it-py via bench/ssg/pelican/mdit_reader.py (the parser newsroom uses)",
    }
    source = write_pelican_site(entries, site, folder / "site")
    out = folder / "public"

    def args(o: Path) -> list[str]:
        return [*command, str(source / "content"), "-s", str(source / "settings.py"), "-o", str(o), "-q"]

    log(f"ssg: pelican {result['version']}: {runs} build(s) of {len(entries)} articles")
    times = timed_builds(args, out, runs, _env())
    counts = count_pages(out)
    result.update(_tool_figures(counts["pages"], times))
    result["page_set"] = counts
    result["checks"] = check_build(
        "pelican",
        out,
        entries,
        site,
        counts,
        section_dir=lambda slug: _pelican_slug(site.section(slug).name),
        tag_dirs="tag",
        feeds=["feed.xml", "atom.xml", "sitemap.xml"],
    )
    return result


def _pelican_slug(name: str) -> str:
    from pelican.utils import slugify

    return str(slugify(name, regex_subs=[(r"[^\w\s-]", ""), (r"(?u)\A\s*", ""), (r"(?u)\s*\Z", ""), (r"[-\s]+", "-")]))


# -- newsroom's own figures --------------------------------------------------------
class NewsroomBuilds:
    """Our whole-site build as a command (``python -m bench.site_build``), run once before each of Hugo's.

    Each build writes into a folder that never existed, in a fresh process (none of the bench's
    state: no language model), on ``workers`` processes as ``newsroom publish``; each output is
    checked like Hugo's before its time counts.
    """

    def __init__(
        self, state_dir: Path, entries: Sequence[Entry], site: SiteInfo, folder: Path, workers: int, articles: int
    ) -> None:
        self.state_dir, self.entries, self.site, self.folder, self.workers = state_dir, entries, site, folder, workers
        self.articles = articles  # article pages the store's site has
        self.times: list[Timing] = []
        self.render_seconds: list[float] = []
        self.counts: dict[str, int] = {}
        self.checks: dict[str, Any] = {}
        self.error: str | None = None

    def __call__(self, number: int) -> None:
        if self.error is not None:
            return
        out = self.folder / f"public-run{number}"
        shutil.rmtree(out, ignore_errors=True)
        env = _env()
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT / "plugins"), str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
        )
        args = [sys.executable, "-m", "bench.site_build", str(self.state_dir), str(out), "--workers", str(self.workers)]
        try:
            timing, printed = timed_build(args, env)
            self.counts = count_pages(out)
            self.checks = check_build(
                "newsroom",
                out,
                self.entries,
                self.site,
                self.counts,
                section_dir=lambda slug: slug,
                tag_dirs="tag",
                feeds=["feed.xml", "atom.xml", "sitemap.xml"],
                article_pages=self.articles,
            )
        except (BuildError, OSError, subprocess.SubprocessError) as exc:
            log(f"ssg: newsroom build failed: {exc}")
            self.error = f"{type(exc).__name__}: {exc}"
            return
        self.times.append(timing)
        self.render_seconds.append(float(json.loads(printed.strip().splitlines()[-1])["render_site_seconds"]))
        log(f"ssg:   newsroom run {number}: {timing.wall:.2f} s ({timing.cpu:.2f} CPU s)")

    def figures(self) -> dict[str, Any]:
        if self.error is not None or not self.times:
            return {"error": self.error or "no newsroom build ran"}
        pages = self.counts["pages"]
        best = min(range(len(self.times)), key=lambda i: self.times[i].wall)
        return {
            **_tool_figures(pages, self.times),
            "command": f"python -m bench.site_build STATE OUT --workers {self.workers} (render_site, fresh process)",
            "render_site_seconds": round(self.render_seconds[best], 3),
            "page_set": self.counts,
            "checks": self.checks,
        }


def newsroom_figures(newsroom: dict[str, Any]) -> dict[str, Any]:
    """Ours from ``render_bench.run``'s result: the full render + write of the site, in pages written."""
    full = newsroom.get("full_render")
    if not full:
        return {"error": f"no full_render in the render figures ({newsroom.get('error', 'render_bench failed')})"}
    kinds = full["by_kind"]

    def n(*names: str) -> int:
        return sum(int(kinds.get(k, {}).get("pages", 0)) for k in names)

    robots = 1 if n("sitemap") else 0  # SitemapWriter always writes robots.txt among the sitemaps: not a page
    page_set = {
        "article": n("article"),
        "listing": n("home", "section", "tag"),
        "redirect": 0,
        "feed": n("feed"),
        "sitemap": n("sitemap") - robots,
        "other": n("static") + robots,
    }
    page_set["pages"] = sum(page_set[k] for k in PAGE_KINDS)
    pages = page_set["pages"]
    wall = float(full["wall_seconds"])
    render = float(full["total"]["seconds"])
    result: dict[str, Any] = {
        "version": _newsroom_version(),
        "command": "render_bench full_render: SiteRenderer.everything + BuildFolder.write, in process",
        **_tool_figures(pages, [wall]),
        "render_seconds": round(render, 3),
        "write_seconds": full.get("write_seconds"),
        "page_set": page_set,
        "render_only": _tool_figures(pages, [render]),
    }
    parallel = newsroom.get("full_render_parallel") or {}
    if parallel.get("wall_seconds") and parallel.get("pages") == full.get("distinct_keys_written"):
        # Hugo builds on every core; so does `newsroom publish` (render_site): the headline figure
        result["one_process"] = _tool_figures(pages, [wall])
        result.update(_tool_figures(pages, [float(parallel["wall_seconds"])]))
        result["command"] = f"render_site on {parallel['workers']} processes (render + write), as newsroom publish"
        wall = float(parallel["wall_seconds"])
    ingest = (newsroom.get("ingest") or {}).get("seconds")
    if isinstance(ingest, (int, float)):
        result["from_source"] = {
            **_tool_figures(pages, [wall + ingest]),
            "note": "ingest (Markdown to HTML, sanitising, store writes) + render + write; enrich not counted",
        }
    return result


def _newsroom_version() -> str:
    try:
        from newsroom import __version__
    except ImportError:
        __version__ = "?"
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    return f"{__version__} ({done.stdout.strip() or 'no git'})"


def _ratio(theirs: dict[str, Any] | None, ours: dict[str, Any] | None) -> float | None:
    if not theirs or not ours or theirs.get("error") or ours.get("error"):
        return None
    if not theirs.get("ms_per_page") or not ours.get("ms_per_page"):
        return None
    return round(float(theirs["ms_per_page"]) / float(ours["ms_per_page"]), 2)


def _median_ratio(theirs: dict[str, Any], ours: dict[str, Any]) -> float | None:
    """Per page, on the median runs: ``(their median s / their pages) / (our median s / our pages)``."""
    if theirs.get("error") or ours.get("error") or not theirs.get("median_seconds") or not ours.get("median_seconds"):
        return None
    theirs_ms = float(theirs["median_seconds"]) / max(1, int(theirs["pages"]))
    ours_ms = float(ours["median_seconds"]) / max(1, int(ours["pages"]))
    return round(theirs_ms / ours_ms, 2)


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    """``tool ms/page / newsroom ms/page``: > 1 means newsroom is that many times faster per page."""
    ours = result.get("newsroom") or {}
    hugo = result.get("hugo") or {}
    pelican = result.get("pelican") or {}
    out: dict[str, Any] = {
        "hugo": _ratio(hugo, ours),
        "hugo_median": _median_ratio(hugo, ours),
        "hugo_render_only": _ratio(hugo.get("render_only"), ours.get("render_only")),
        "pelican": _ratio(pelican, ours),
        "hugo_from_source": _ratio(hugo, ours.get("from_source")),
        "pelican_from_source": _ratio(pelican, ours.get("from_source")),
    }
    # The whole site, whatever each counts as a page: tool seconds / newsroom seconds.
    for name, tool in (("hugo", hugo), ("pelican", pelican)):
        if tool.get("seconds") and ours.get("seconds") and not tool.get("error") and not ours.get("error"):
            out[f"{name}_whole_site"] = round(tool["seconds"] / ours["seconds"], 2)
    out["meaning"] = "tool ms/page ÷ newsroom ms/page; > 1: newsroom is faster"
    return out


# -- the benchmark -------------------------------------------------------------------
def run(
    articles: int,
    seed: int,
    workdir: Path,
    *,
    newsroom: dict[str, Any] | None = None,
    hugo_runs: int = 3,
    pelican_runs: int = 1,
) -> dict[str, Any]:
    """Hugo and Pelican on the same ``articles`` generated articles as ``render_bench.run(articles, seed, ...)``.

    ``newsroom``: the dict ``render_bench.run`` returned for the same articles and seed (its
    ``full_render`` is our figure); without it, ``render_bench.run`` runs here in ``workdir/newsroom``.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "articles_requested": articles,
        "seed": seed,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    if newsroom is None:
        from bench import render_bench

        log("ssg: no newsroom figures given: running render_bench first")
        newsroom = {}
        try:
            render_bench.run(articles, seed, workdir / "newsroom", result=newsroom)
        except Exception as exc:  # report it with the others' figures
            newsroom["error"] = f"{type(exc).__name__}: {exc}"
    elif newsroom.get("articles_requested") not in (None, articles) or newsroom.get("seed") not in (None, seed):
        raise ValueError(
            f"newsroom figures are for {newsroom.get('articles_requested')} articles, seed {newsroom.get('seed')}; "
            f"asked for {articles}, seed {seed}"
        )
    ours = newsroom_figures(newsroom)

    site = site_info()
    log(f"ssg: generating {articles} articles (seed {seed})")
    entries = prepare(generate_articles(articles, seed), site)
    result["articles"] = len(entries)
    state_dir = newsroom.get("state_dir")
    builds = None
    if state_dir and Path(state_dir).is_dir():
        workers = max(2, min(4, os.cpu_count() or 1))
        live = int(newsroom.get("store_articles") or len(entries))
        builds = NewsroomBuilds(Path(state_dir), entries, site, workdir / "newsroom-build", workers, live)
    for name, bench, runs in (("hugo", bench_hugo, hugo_runs), ("pelican", bench_pelican, pelican_runs)):
        try:
            if name == "hugo":
                result[name] = bench_hugo(entries, site, workdir / name, max(1, runs), before_each=builds)
            else:
                result[name] = bench(entries, site, workdir / name, max(1, runs))
        except (BuildError, OSError, subprocess.SubprocessError) as exc:
            log(f"ssg: {name} failed: {exc}")
            result[name] = {"error": f"{type(exc).__name__}: {exc}"}
    if builds is not None:
        if not builds.times and builds.error is None:  # Hugo did not run: our builds alone
            for number in range(1, max(1, hugo_runs) + 1):
                builds(number)
        built = builds.figures()
        if not built.get("error") and not ours.get("error"):
            # the headline: our whole-site build as a command, interleaved with Hugo's, best of the same N
            moved = ("pages", "seconds", "runs", "median_seconds", "ms_per_page", "pages_per_s", "cpu_seconds")
            in_bench = {k: ours.pop(k) for k in moved if k in ours}
            ours["in_bench_process"] = {**in_bench, "command": ours.get("command")}
            ours.update(built)
            ingest = (newsroom.get("ingest") or {}).get("seconds")
            if isinstance(ingest, (int, float)):
                ours["from_source"] = {
                    **_tool_figures(built["pages"], [built["seconds"] + ingest]),
                    "note": "ingest (Markdown to HTML, sanitising, store writes) + render + write; enrich not counted",
                }
        else:
            ours["build_error"] = built.get("error")
        shutil.rmtree(workdir / "newsroom-build", ignore_errors=True)
    result["newsroom"] = ours
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["ratios"] = ratios(result)
    result["page_sets_note"] = (
        "Each tool's own page set is counted (HTML + XML files written). newsroom also writes monthly, news and "
        "index sitemaps, a listing index beside its numbered pages, and tag pages for the tags enrich finds in the "
        "text; Hugo writes one sitemap and a redirect for each listing's page 1; Pelican writes one category per "
        "leaf section (no parent section listing). Ratios are per page; *_whole_site compares whole builds. "
        "Hugo's pages carry no related links, back-links or sidebar (newsroom's article pages read and render them). "
        "newsroom and Hugo are built alternately (newsroom, hugo, newsroom, hugo...), each into a folder that never "
        "existed, each output checked; best of the same N for both, medians beside."
    )
    return result


# -- the report ------------------------------------------------------------------------
def _f(value: Any, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "—"


def _times(ratio: Any) -> str:
    if not isinstance(ratio, (int, float)):
        return "—"
    return f"{ratio:.2f}× ({'newsroom faster' if ratio >= 1 else 'newsroom slower'})"


def format_ssg(result: dict[str, Any]) -> list[str]:
    articles = result.get("articles", result.get("articles_requested"))
    lines = [
        f"Side by side with Hugo and Pelican ({articles} generated articles, seed {result.get('seed')}; "
        f"whole-site build, best of N; {result.get('cpus', '?')} CPUs)"
    ]
    if result.get("error"):
        lines.append(f"  FAILED: {result['error']}")
        if not any(result.get(k) for k in ("newsroom", "hugo", "pelican")):
            return lines
    if result.get("load_average_before"):
        lines.append(
            f"  load average (1, 5, 15 min) before {result['load_average_before']}, after "
            f"{result.get('load_average_after')}: well above 0 before means other work shared the CPUs (noisier)"
        )
    r = result.get("ratios") or {}
    head = (
        f"  {'':<30}{'version':<18}{'pages':>7}{'seconds':>9}{'CPU s':>8}{'ms/page':>9}{'pages/s':>9}"
        "   ratio vs newsroom"
    )
    lines.append(head)
    ours = result.get("newsroom") or {}
    hugo = result.get("hugo") or {}
    pelican = result.get("pelican") or {}
    rows: list[tuple[str, dict[str, Any], str, str]] = [
        ("newsroom render + write", ours, ours.get("version", ""), "1.00×" if not ours.get("error") else "—"),
        ("hugo (build to disk)", hugo, hugo.get("version", ""), _times(r.get("hugo"))),
        ("pelican", pelican, pelican.get("version", ""), _times(r.get("pelican"))),
        ("newsroom in the bench process", ours.get("in_bench_process") or {}, "", ""),
        ("newsroom render + write, 1 proc", ours.get("one_process") or {}, "", ""),
        ("newsroom render only, 1 proc", ours.get("render_only") or {}, "", ""),
        ("hugo --renderToMemory", hugo.get("render_only") or {}, "", _times(r.get("hugo_render_only"))),
        ("newsroom ingest+render+write", ours.get("from_source") or {}, "", ""),
    ]
    for label, figures, version, ratio in rows:
        if not figures and label != "newsroom render + write":
            continue
        if figures.get("error"):
            lines.append(f"  {label:<30}{'':<18}FAILED: {figures['error'][:200]}")
            continue
        runs = figures.get("runs") or []
        runs_text = f"   runs {', '.join(_f(x) for x in runs)}" if len(runs) > 1 else ""
        lines.append(
            f"  {label:<30}{str(version)[:17]:<18}{figures.get('pages', 0):>7}{_f(figures.get('seconds')):>9}"
            f"{_f(figures.get('cpu_seconds')):>8}{_f(figures.get('ms_per_page'), 3):>9}"
            f"{_f(figures.get('pages_per_s'), 0):>9}   {ratio}{runs_text}"
        )
    if r.get("hugo_median") is not None:
        lines.append(
            f"  on the median runs (newsroom {_f(ours.get('median_seconds'))} s, "
            f"hugo {_f(hugo.get('median_seconds'))} s): hugo {_times(r.get('hugo_median'))}"
        )
    if ours.get("build_error"):
        lines.append(
            f"  newsroom's build as a command FAILED ({ours['build_error'][:200]}): the in-process figure stands"
        )
    if r.get("hugo_from_source") is not None or r.get("pelican_from_source") is not None:
        lines.append(
            f"  counting our ingest too (their builds parse Markdown, our render reads stored HTML): "
            f"hugo {_times(r.get('hugo_from_source'))}, pelican {_times(r.get('pelican_from_source'))}"
        )
    whole = [f"{k.removesuffix('_whole_site')} {v:.2f}×" for k, v in r.items() if k.endswith("_whole_site")]
    if whole:
        lines.append(f"  whole site, tool seconds ÷ newsroom seconds (> 1: newsroom faster): {', '.join(whole)}")
    lines.append("  page sets (articles / listings / page-1 redirects / feeds / sitemaps):")
    for name, figures in (("newsroom", ours), ("hugo", hugo), ("pelican", pelican)):
        ps = figures.get("page_set")
        if ps:
            lines.append(
                f"    {name:<9}{ps['pages']:>7} = {ps['article']} / {ps['listing']} / {ps['redirect']} / "
                f"{ps['feed']} / {ps['sitemap']}"
            )
    lines.append("  ratio = tool ms/page ÷ newsroom ms/page (> 1: newsroom is faster); each tool counts its own pages")
    if pelican.get("markdown"):
        lines.append(f"  pelican Markdown: {pelican['markdown']}")
    return lines


# -- command line ------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.ssg_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--hugo-runs", type=int, default=3)
    parser.add_argument("--pelican-runs", type=int, default=1)
    parser.add_argument(
        "--newsroom-json",
        type=Path,
        help="results.json of `python -m bench.run` with the same --articles: reuse its render figures",
    )
    parser.add_argument("--workdir", type=Path, help="work here (kept) instead of a temp dir (removed)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    newsroom = None
    if args.newsroom_json:
        newsroom = json.loads(args.newsroom_json.read_text(encoding="utf-8")).get("render")
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="newsroom-bench-ssg-"))
    try:
        result = run(
            args.articles,
            args.seed,
            folder,
            newsroom=newsroom,
            hugo_runs=args.hugo_runs,
            pelican_runs=args.pelican_runs,
        )
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            log(f"kept {folder}")
    print("\n".join(format_ssg(result)))
    print()
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    failed = any((result.get(k) or {}).get("error") for k in ("newsroom", "hugo", "pelican"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
