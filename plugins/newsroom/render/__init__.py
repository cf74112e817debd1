"""Render: the one Jinja2 environment, the URL scheme, and the site's pages."""

from newsroom.render.page import Page
from newsroom.render.site import SiteRenderer
from newsroom.render.urls import UnsafeKeyError, Urls, safe_key

__all__ = ["Page", "SiteRenderer", "UnsafeKeyError", "Urls", "safe_key"]
