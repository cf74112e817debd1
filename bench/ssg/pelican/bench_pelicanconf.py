"""Pelican side of bench/ssg_bench.py: the settings every generated site shares.

The generated ``settings.py`` does ``from bench_pelicanconf import *`` and adds
SITENAME, SITEURL, TIMEZONE, THEME and the site description. The page set
mirrors newsroom's: article pages at yyyy/mm/dd/slug.html, a paginated listing
(20 per page) per category (= section) and per tag with RSS and Atom feeds,
the site's feeds, a sitemap and the home page; nothing else (no author,
archive, category or tag index pages), and no cache.
"""

from mdit_reader import MarkdownItReader

READERS = {"md": MarkdownItReader, "markdown": None, "mkd": None, "mdown": None, "html": None, "htm": None}
DEFAULT_LANG = "fr"
DEFAULT_DATE_FORMAT = "%d/%m/%Y %H:%M"
LOCALE = ("C.UTF-8", "C")
RELATIVE_URLS = False
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
DELETE_OUTPUT_DIRECTORY = False
STATIC_PATHS: list[str] = []
THEME_STATIC_PATHS: list[str] = []
PAGE_PATHS: list[str] = []
ARTICLE_PATHS = [""]
FILENAME_METADATA = r"(?!)"  # the date comes from the metadata, never the file name

ARTICLE_URL = ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/{slug}.html"
CATEGORY_URL = "{slug}/index.html"
CATEGORY_SAVE_AS = "{slug}/index.html"
TAG_URL = "tag/{slug}/index.html"
TAG_SAVE_AS = "tag/{slug}/index.html"
AUTHOR_URL = AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = ""

DIRECT_TEMPLATES = ["index", "sitemap"]
SITEMAP_SAVE_AS = "sitemap.xml"
DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {"category": None, "tag": None}  # the home page is not paginated (as newsroom's)
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}.html", "{base_name}/page/{number}.html"),
)

FEED_MAX_ITEMS = 50
FEED_ALL_RSS = "feed.xml"
FEED_ALL_ATOM = "atom.xml"
FEED_RSS = FEED_ATOM = None
CATEGORY_FEED_RSS = "{slug}/feed.xml"
CATEGORY_FEED_ATOM = "{slug}/atom.xml"
TAG_FEED_RSS = "tag/{slug}/feed.xml"
TAG_FEED_ATOM = "tag/{slug}/atom.xml"
AUTHOR_FEED_RSS = AUTHOR_FEED_ATOM = None
TRANSLATION_FEED_RSS = TRANSLATION_FEED_ATOM = None
RSS_FEED_SUMMARY_ONLY = True
