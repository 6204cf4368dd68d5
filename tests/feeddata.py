"""Small feed documents for pipeline tests: a planet, the blog behind it, a page."""

from __future__ import annotations

PLANET_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Planet Python</title>
<link>https://planetpython.org/</link>
<description>Planet Python - https://planetpython.org/</description>
<item>
  <title>Eli Bendersky: Plugins case study: mdBook preprocessors</title>
  <guid isPermaLink="false">tag:eli.thegreenplace.net,2026-06-07:/2026/plugins-mdbook/</guid>
  <link>https://eli.thegreenplace.net/2026/plugins-case-study-mdbook-preprocessors/</link>
  <description>&lt;p&gt;mdBook is a tool for easily creating books out of Markdown files.&lt;/p&gt;</description>
  <pubDate>Sun, 07 Jun 2026 01:37:00 +0000</pubDate>
  <dc:creator>Eli Bendersky</dc:creator>
</item>
<item>
  <title>Armin Ronacher: Communities of Not</title>
  <guid isPermaLink="false">https://lucumr.pocoo.org/2026/6/6/communities/</guid>
  <link>https://lucumr.pocoo.org/2026/6/6/communities/</link>
  <description>&lt;p&gt;There is a strange thing that happens in communities.&lt;/p&gt;</description>
  <pubDate>Sat, 06 Jun 2026 00:00:00 +0000</pubDate>
  <dc:creator>Armin Ronacher</dc:creator>
</item>
</channel>
</rss>
"""

BLOG_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Eli Bendersky's website</title>
<link href="https://eli.thegreenplace.net/"/>
<id>https://eli.thegreenplace.net/</id>
<updated>2026-06-07T01:37:00Z</updated>
<author><name>Eli Bendersky</name></author>
<entry>
  <title>Plugins case study: mdBook preprocessors</title>
  <link href="https://eli.thegreenplace.net/2026/plugins-case-study-mdbook-preprocessors/?utm_source=rss&amp;utm_medium=feed#top"/>
  <id>tag:eli.thegreenplace.net,2026-06-07:/2026/plugins-mdbook/</id>
  <updated>2026-06-07T01:37:00Z</updated>
  <content type="html">&lt;p&gt;mdBook is a tool for easily creating books out of Markdown files.&lt;/p&gt;</content>
</entry>
</feed>
"""

HTML_PAGE = """<!doctype html><html><head><title>Blog</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
</head><body><p>Hello</p></body></html>
"""

MALFORMED = b"<rss><channel><title>x & y</title><item><title>a</item>"
