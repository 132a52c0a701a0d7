"""The frontend's public paths, the one place that knows them.

Revalidation sends these to the CDN and to the frontend, so they must be the URLs the Next.js
app serves (relative to ``FRONTEND_ORIGIN``, which the sitemap uses as its base too):

======================  =====================================================
``/``                   home: the newest posts
``/posts``              the list of every published post
``/posts/{slug}``       one post (an old slug answers a redirect to the new one)
``/series``             the list of series
``/series/{slug}``      one series with its published posts in order
``/tags``               the list of tags with their post counts
``/tags/{slug}``        the posts of one tag
``/feed.xml``           the RSS feed (``/api/feed`` rendered by the frontend)
``/sitemap.xml``        the sitemap (written to the site bucket by the sitemap job)
======================  =====================================================
"""
from __future__ import annotations

HOME = "/"
POSTS = "/posts"
SERIES_INDEX = "/series"
TAGS_INDEX = "/tags"
FEED = "/feed.xml"
SITEMAP = "/sitemap.xml"

# Every page that lists published posts: a post appearing, changing or leaving touches them all.
POST_LISTS = (HOME, POSTS, FEED, SITEMAP)


def post(slug: str) -> str:
    return f"/posts/{slug}"


def series(slug: str) -> str:
    return f"/series/{slug}"


def tag(slug: str) -> str:
    return f"/tags/{slug}"
