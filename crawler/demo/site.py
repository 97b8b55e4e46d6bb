"""The URL space of the demo news sites: every path the demo server answers, built once from the stories."""

from __future__ import annotations

from crawler.demo import sample
from crawler.demo.articles import LINFEN, SXRB, DemoArticle
from crawler.demo.render import Page, Story, home_page, linfen_article, list_page, sxrb_article

LINFEN_SAMPLE_URL = "/linfen/news/202108/t20210813_1001.html"
SXRB_SAMPLE_URL = "/sxrb/fazhi/2001.shtml"
LINFEN_PER_PAGE = 6
SXRB_PER_PAGE = 5
ROBOTS = b"User-agent: *\nDisallow: /linfen/admin/\nDisallow: /sxrb/search\nAllow: /\n"
# The smallest valid GIF (1x1, transparent): stands in for logos and photos.
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
LINFEN_COPYRIGHT = (
    "版权声明:凡临汾日报、临汾新闻网刊载及发布的各类稿件,未经书面授权,任何媒体、网站或自媒不得转载发布。"
    "若有违者将依法追究侵权责任。"
)


def article_path(article: DemoArticle) -> str:
    if article.site == "linfen":
        day = (article.published or "2020-01-01")[:10].replace("-", "")
        return f"/linfen/news/{day[:6]}/t{day}_{article.ident}.html"
    return f"/sxrb/fazhi/{article.ident}.shtml"


def _names(byline: str) -> str:
    return " ".join(w for w in byline.split() if w not in ("记者", "通讯员", "本报记者"))


def _related(idents: tuple[int, ...]) -> tuple[tuple[str, str, str], ...]:
    by_id = {a.ident: a for a in LINFEN + SXRB}
    return tuple((article_path(by_id[i]), by_id[i].title, (by_id[i].published or "")[:10]) for i in idents)


def _story(article: DemoArticle) -> Story:
    title = f"【{article.column}】{article.title}" if article.column else article.title
    if article.site == "linfen":
        return Story(
            url=article_path(article),
            title=title,
            subtitle=article.subtitle,
            date_text=article.published,
            meta_date=None,
            source_text=f"来源:{article.source}",
            views_label="浏览次数:",
            paragraphs=article.paragraphs,
            byline=article.authors or None,
            author_info=None,
            editor_line=f"责任编辑: {article.editor}",
            copyright=LINFEN_COPYRIGHT,
            image=article.image,
            related=_related(article.related),
            encoding=article.encoding,
        )
    published = article.published
    visible = (
        f"{published[:4]}年{published[5:7]}月{published[8:10]}日 {published[11:16]}" if published else None
    )
    return Story(
        url=article_path(article),
        title=title,
        subtitle=article.subtitle,
        date_text=visible,
        # Not every page of this CMS writes the <meta>; 2203 shows only the visible date.
        meta_date=published if article.ident != 2203 else None,
        source_text=f"来源:{article.source}",
        views_label="",
        paragraphs=article.paragraphs,
        byline=None,
        author_info=f"作者:{_names(article.authors)}" if article.authors else None,
        editor_line=f"责任编辑:{article.editor}",
        copyright="",
        image=article.image,
        related=_related(article.related),
        encoding=article.encoding,
    )


def _sample_stories() -> tuple[Story, Story]:
    page = sample.republished()
    # "2021-08-13 09:36:16 來源:山西日報   瀏覽次數(shù):"
    day, time, source, views = page.dateline.split()
    linfen = Story(
        url=LINFEN_SAMPLE_URL,
        title=f"【{page.column}】{page.title}",
        subtitle=page.subtitle,
        date_text=f"{day} {time}",
        meta_date=None,
        source_text=source,
        views_label=views,
        paragraphs=page.paragraphs,
        byline=page.byline,
        author_info=None,
        editor_line=page.editor_line,
        copyright=page.copyright,
        image=None,
        related=_related((1101, 1103, 1105)),
    )
    clean = sample.original()
    sxrb = Story(
        url=SXRB_SAMPLE_URL,
        title=f"【{clean.column}】{clean.title}",
        subtitle=clean.subtitle,
        date_text="2021年08月13日 09:36",
        meta_date=sample.PUBLISHED,
        source_text="来源:山西日报",
        views_label="",
        paragraphs=clean.paragraphs,
        byline=None,
        author_info="作者:邓伟强",
        editor_line="责任编辑:吉政",
        copyright="",
        image=None,
        related=_related((2201, 2205)),
    )
    return linfen, sxrb


def _listing(site: str, stories: list[tuple[str, str, str]], per_page: int, heading: str) -> dict[str, Page]:
    stories = sorted(stories, key=lambda s: s[2], reverse=True)
    chunks = [stories[i : i + per_page] for i in range(0, len(stories), per_page)]
    base, ext = ("/linfen/news/index", ".html") if site == "linfen" else ("/sxrb/fazhi/index", ".shtml")
    pages = {}
    for number, chunk in enumerate(chunks, start=1):
        path = f"{base}{ext}" if number == 1 else f"{base}_{number}{ext}"
        pages[path] = list_page(site, heading, chunk, number, len(chunks))
    return pages


def build_pages() -> dict[str, Page]:
    """Every page of both demo sites, by path."""
    pages: dict[str, Page] = {"/robots.txt": Page("text/plain; charset=utf-8", ROBOTS)}
    linfen_sample, sxrb_sample = _sample_stories()
    linfen_rows = [(LINFEN_SAMPLE_URL, linfen_sample.title, "2021-08-13")]
    hot = tuple((article_path(a), a.title, (a.published or "")[:10]) for a in LINFEN[-3:])
    pages[LINFEN_SAMPLE_URL] = linfen_article(linfen_sample, hot)
    for article in LINFEN:
        story = _story(article)
        pages[story.url] = linfen_article(story, hot)
        linfen_rows.append((story.url, story.title, (article.published or "")[:10]))
    sxrb_rows = [(SXRB_SAMPLE_URL, sxrb_sample.title, "2021-08-13")]
    pages[SXRB_SAMPLE_URL] = sxrb_article(sxrb_sample)
    for article in SXRB:
        story = _story(article)
        pages[story.url] = sxrb_article(story)
        sxrb_rows.append((story.url, story.title, (article.published or "")[:10]))
    pages.update(_listing("linfen", linfen_rows, LINFEN_PER_PAGE, "临汾新闻"))
    pages.update(_listing("sxrb", sxrb_rows, SXRB_PER_PAGE, "法治"))
    pages["/linfen/"] = home_page("linfen", "临汾新闻网", "/linfen/news/index.html")
    pages["/sxrb/"] = home_page("sxrb", "山西日报 山西新闻网", "/sxrb/fazhi/index.shtml")
    pages["/"] = Page(
        "text/html; charset=utf-8",
        '<html><body><a href="/linfen/">临汾新闻网</a> <a href="/sxrb/">山西日报</a></body></html>'.encode(),
    )
    for prefix in ("/linfen/static/", "/sxrb/static/"):
        pages[prefix + "style.css"] = pages[prefix + "main.css"] = Page("text/css", b"body{font-size:14px}")
        for name in ("logo.gif", "fenhe.jpg", "kaifangri.jpg", "luogu.jpg", "yizhanshi.jpg"):
            pages[prefix + name] = Page("image/gif", GIF)
    return pages
