"""The site a page belongs to, from its URL: what names an outlet for labeling and for a batch's memory."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["site_of"]


def site_of(url: str | None) -> str | None:
    """The site of a URL, without "www."; a Wayback capture names the archived site.

    >>> site_of("https://web.archive.org/web/2013/http://www.latimes.com/news/x"), site_of("http://www.bbc.co.uk/a")
    ('latimes.com', 'bbc.co.uk')
    >>> site_of("not a url"), site_of(None)
    (None, None)
    """
    if not url:
        return None
    url = url.strip()
    if "archive.org/web/" in url:
        inner = url.split("archive.org/web/", 1)[1].split("/", 1)
        url = inner[1] if len(inner) == 2 else url
        url = url if "://" in url else "http://" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    return host.removeprefix("www.") or None
