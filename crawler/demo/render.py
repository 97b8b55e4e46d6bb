"""HTML of the bundled demo news sites: two CMS layouts (a 临汾 county portal, a 山西日报-like site).

Pure functions from the stories in ``articles.py``/``sample.py`` to page bytes; ``server.py`` serves them.
The layouts carry what real pages carry around an article — navigation, breadcrumbs, 字号 and share
widgets, 浏览次数, related-article lists with their own dates, copyright footers — so extraction is
tested against the clutter it meets in the wild.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

# How a page is served: (charset in the HTTP header or None, charset in <meta>, codec of the bytes).
ENCODINGS: dict[str, tuple[str | None, str, str]] = {
    "utf-8": ("utf-8", "utf-8", "utf-8"),
    "gbk": ("GBK", "gbk", "gbk"),
    "gb2312-lie": ("gb2312", "gb2312", "utf-8"),
    "gb2312-gbk": (None, "gb2312", "gbk"),
}


@dataclass(frozen=True)
class Page:
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Story:
    """Everything an article page shows, already laid out as the site prints it."""

    url: str
    title: str  # with the 【column】 prefix when there is one
    subtitle: str | None
    date_text: str | None  # the visible date, as printed
    meta_date: str | None  # the <meta> publish date, when the CMS writes one
    source_text: str  # e.g. "来源:临汾新闻网"
    views_label: str
    paragraphs: tuple[str, ...]
    byline: str | None  # printed as the last paragraph of the text
    author_info: str | None  # printed in the info line (作者：…)
    editor_line: str
    copyright: str
    image: tuple[str, str] | None
    related: tuple[tuple[str, str, str], ...]  # (url, title, date)
    encoding: str = "utf-8"


def _encode(html: str, encoding: str) -> Page:
    header, meta, codec = ENCODINGS[encoding]
    html = html.replace("{META_CHARSET}", meta)
    content_type = f"text/html; charset={header}" if header else "text/html"
    return Page(content_type, html.encode(codec, errors="xmlcharrefreplace"))


def _paragraphs(story: Story, static: str) -> str:
    parts = []
    for index, text in enumerate(story.paragraphs):
        parts.append(f"<p>\u3000\u3000{escape(text)}</p>")
        if index == 0 and story.image:
            name, caption = story.image
            parts.append(f'<p style="text-align:center"><img src="{static}/{name}" alt="" border="0"></p>')
            parts.append(f'<p style="text-align:center" class="pic-caption">{escape(caption)}</p>')
    if story.byline:
        parts.append(f"<p>\u3000\u3000{escape(story.byline)}</p>")
    parts.append("<p>&nbsp;</p>")
    return "\n".join(parts)


def _related_items(story: Story, date_tag: str) -> str:
    return "\n".join(
        f'<li><a href="{url}" target="_blank">{escape(title)}</a><{date_tag}>{date}</{date_tag}></li>'
        for url, title, date in story.related
    )


def linfen_article(story: Story, hot: tuple[tuple[str, str, str], ...]) -> Page:
    """A page of the 临汾 county portal (reprints are pasted in, subtitle and byline inside the text)."""
    subtitle = f"<p>{escape(story.subtitle)}</p>\n" if story.subtitle else ""
    date = f'<span class="time">{escape(story.date_text)}</span> ' if story.date_text else ""
    hot_items = "\n".join(f'<li><a href="{u}">{escape(t)}</a> <i>{d}</i></li>' for u, t, d in hot)
    html = f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset={{META_CHARSET}}">
<title>{escape(story.title)}_临汾新闻网</title>
<meta name="keywords" content="临汾新闻,临汾新闻网,检察">
<link rel="stylesheet" href="/linfen/static/style.css">
</head><body>
<div class="topbar"><span>欢迎访问临汾新闻网!</span> <a href="/linfen/">设为首页</a> | <a href="#">加入收藏</a></div>
<div class="header"><a class="logo" href="/linfen/"><img src="/linfen/static/logo.gif" alt="临汾新闻网"></a>
<ul class="nav"><li><a href="/linfen/">首页</a></li><li><a href="/linfen/news/index.html">临汾新闻</a></li>
<li><a href="/linfen/news/index.html">县域经济</a></li><li><a href="/linfen/news/index.html">法治</a></li>
<li><a href="/linfen/news/index.html">文化旅游</a></li><li><a href="/linfen/">视频</a></li></ul></div>
<div class="position">当前位置:<a href="/linfen/">首页</a> &gt; <a href="/linfen/news/index.html">临汾新闻</a> &gt; 正文</div>
<div class="main"><div class="left">
<div class="article">
<h1 class="title">{escape(story.title)}</h1>
<div class="info">{date}<span class="source">{escape(story.source_text)}</span>&nbsp;&nbsp;&nbsp;\
<span class="views">{escape(story.views_label)}<em id="hits"></em></span>
<span class="font">字号:<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> \
<a href="javascript:doZoom(12)">小</a></span></div>
<div class="content" id="zoom">
{subtitle}{_paragraphs(story, "/linfen/static")}
</div>
<div class="editor">{escape(story.editor_line)}</div>
<div class="share">分享到:<a href="#" class="wx">微信</a> <a href="#" class="wb">新浪微博</a> \
<a href="#" class="qz">QQ空间</a></div>
<div class="statement">{escape(story.copyright)}</div>
</div>
<div class="related"><h3>相关新闻</h3><ul>
{_related_items(story, "span")}
</ul></div>
</div>
<div class="right"><div class="hot"><h3>热点排行</h3><ol>
{hot_items}
</ol></div></div></div>
<div class="footer"><p><a href="/linfen/">关于我们</a> | <a href="/linfen/">联系我们</a> | <a href="/linfen/">网站地图</a></p>
<p>临汾新闻网 版权所有 Copyright © 2010-2024 未经书面授权禁止复制或建立镜像</p>
<p>主办:临汾日报社 晋ICP备09004567号 晋公网安备 14100202000123号</p></div>
</body></html>"""
    return _encode(html, story.encoding)


def sxrb_article(story: Story) -> Page:
    """A page of the 山西日报-like site (publish date also in a <meta>, editor after the text)."""
    meta = f'<meta name="publishdate" content="{story.meta_date}">\n' if story.meta_date else ""
    subtitle = f'<h3 class="fu-title">{escape(story.subtitle)}</h3>\n' if story.subtitle else ""
    date = f"<span>{escape(story.date_text)}</span>" if story.date_text else ""
    author = f"<span>{escape(story.author_info)}</span>" if story.author_info else ""
    html = f"""<!DOCTYPE html>
<html><head>
<meta charset="{{META_CHARSET}}">
<title>{escape(story.title)} - 山西日报 - 山西新闻网</title>
{meta}<meta name="source" content="山西日报">
<link rel="stylesheet" href="/sxrb/static/main.css">
<script>var _hmt = _hmt || []; /* 统计代码 2024-01-01 */</script>
</head><body>
<div id="hd"><div class="logo"><a href="/sxrb/">山西日报 山西新闻网</a></div>
<div class="menu"><a href="/sxrb/">首页</a> <a href="/sxrb/fazhi/index.shtml">要闻</a> \
<a href="/sxrb/fazhi/index.shtml">时政</a> <a href="/sxrb/fazhi/index.shtml">法治</a> <a href="/sxrb/">评论</a> \
<a href="/sxrb/">数字报</a></div>
<form class="search" action="/sxrb/search"><input name="q" placeholder="搜索"><button>搜索</button></form></div>
<div class="crumb">您的位置:<a href="/sxrb/">首页</a> &gt; <a href="/sxrb/fazhi/index.shtml">法治</a></div>
<div class="wrap"><div class="detail">
<h1>{escape(story.title)}</h1>
{subtitle}<div class="d-info">{date} <span>{escape(story.source_text)}</span> {author}
<span class="fontsize">【字号 <a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</span> \
<a class="print" href="javascript:window.print()">打印本页</a></div>
<div class="d-text" id="content">
{_paragraphs(story, "/sxrb/static")}
</div>
<div class="d-editor">({escape(story.editor_line)})</div>
<div class="bdsharebuttonbox"><span>分享到:</span><a class="bds_weixin">微信</a><a class="bds_tsina">微博</a></div>
<div class="xgxw"><h4>相关阅读</h4><ul>
{_related_items(story, "em")}
</ul></div>
</div></div>
<div id="ft"><p>山西日报社 山西新闻网 版权所有 本网站所刊登的各种新闻、信息均属山西新闻网所有</p>
<p>晋ICP备05000345号 互联网新闻信息服务许可证:14120170001</p></div>
</body></html>"""
    return _encode(html, story.encoding)


def list_page(site: str, heading: str, items: list[tuple[str, str, str]], page: int, pages: int) -> Page:
    """One page of a site's article list, with 上一页/下一页 pagination."""
    base = "/linfen/news/index" if site == "linfen" else "/sxrb/fazhi/index"
    ext = ".html" if site == "linfen" else ".shtml"

    def href(number: int) -> str:
        return f"{base}{ext}" if number == 1 else f"{base}_{number}{ext}"

    links = []
    if page > 1:
        links.append(f'<a href="{href(page - 1)}">上一页</a>')
    links += [f'<a href="{href(n)}">{n}</a>' if n != page else f"<b>{n}</b>" for n in range(1, pages + 1)]
    if page < pages:
        links.append(f'<a href="{href(page + 1)}">下一页</a>')
    rows = "\n".join(
        f'<li><a href="{url}" target="_blank">{escape(title)}</a><span class="date">{date}</span></li>'
        for url, title, date in items
    )
    html = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{heading}</title></head><body>
<div class="header"><a href="/{site}/">首页</a> <a href="{href(1)}">{heading}</a></div>
<div class="list"><h2>{heading}</h2><ul>
{rows}
</ul>
<div class="pages">{" ".join(links)} 共{pages}页</div></div>
<div class="footer">版权所有 © 2024</div>
</body></html>"""
    return Page("text/html; charset=utf-8", html.encode("utf-8"))


def home_page(site: str, heading: str, list_url: str) -> Page:
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{heading}</title></head>
<body><h1>{heading}</h1><p><a href="{list_url}">新闻列表</a></p><div class="footer">版权所有</div></body></html>"""
    return Page("text/html; charset=utf-8", html.encode("utf-8"))
