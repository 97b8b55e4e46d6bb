"""Articles split over several pages, as the local CMS server (``cms_server.py``) serves them under /paged/:
a TRS government article whose pager is a ``createPageHTML(…)`` script (GBK), a news-portal article
(``602.shtml``, ``602_2.shtml`` …) whose pager shows a window of page numbers, a portal article whose last
page is gone (404), a one-page article, and a list page with its own pager (never an article).
"""

from __future__ import annotations

TRS_FIRST = "/paged/trs/202401/t20240115_501.html"
TRS_PAGES = [TRS_FIRST, "/paged/trs/202401/t20240115_501_1.html", "/paged/trs/202401/t20240115_501_2.html"]
PORTAL_FIRST = "/paged/portal/20240116/602.shtml"
PORTAL_PAGES = [PORTAL_FIRST, "/paged/portal/20240116/602_2.shtml", "/paged/portal/20240116/602_3.shtml"]
BROKEN_FIRST = "/paged/portal/20240117/603.shtml"
BROKEN_PAGES = [BROKEN_FIRST, "/paged/portal/20240117/603_2.shtml", "/paged/portal/20240117/603_3.shtml"]
SINGLE = "/paged/portal/20240110/590.shtml"
LIST = "/paged/index.html"

TRS_TITLE = "运城检察推进行政争议实质性化解"
PORTAL_TITLE = "检察官走进校园讲授未成年人保护法"
BROKEN_TITLE = "检察公益诉讼守护黄河岸线"

# What each page of each article says, in page order (the last paragraph of a page ends it).
TRS_TEXT = [
    [
        "今年以来，运城市人民检察院把行政争议实质性化解作为行政检察工作的重点，全年共化解行政争议四十余件。",
        "市检察院成立专门办案组，对每一件申请监督案件逐案梳理，找准当事人的真实诉求。",
    ],
    [
        "在一起土地征收补偿纠纷中，检察官多次走访当事人和行政机关，召开公开听证会，促成双方达成和解。",
        "听证员一致认为，检察机关的释法说理有理有据，当事人当场表示息诉罢访。",
    ],
    [
        "下一步，运城市检察机关将继续深化行政争议实质性化解工作，推动行政机关依法行政。",
        "（通讯员 张敏）",
    ],
]
PORTAL_TEXT = [
    ["近日，临汾市尧都区人民检察院的检察官走进城区一所中学，为全校师生讲授未成年人保护法。"],
    ["检察官结合真实案例，讲解了校园欺凌、网络沉迷等问题的危害，引导学生增强自我保护意识。"],
    ["活动结束后，检察院向学校赠送了普法读本，并与学校签订了法治副校长工作协议，约定每学期开展一次法治课。"],
]
BROKEN_TEXT = [
    ["河津市人民检察院针对黄河岸线违法占用问题，依法向相关行政机关发出检察建议，督促其依法履职。"],
    ["收到检察建议后，相关部门迅速开展专项整治，清理违法建筑和堆放物二十余处，恢复岸线原貌。"],
    ["检察院还将适时开展跟进监督，确保整改落实到位，这一页永远也不会被抓取到。"],
]

_TRS = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}_运城市人民检察院</title><meta name="PubDate" content="2024-01-15 09:00">
<script language="JavaScript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {{
  if (_nPageCount == null || _nPageCount <= 1) {{ return; }}
  document.write("共" + _nPageCount + "页 ");
}}
</script></head><body>
<table width="1000"><tr><td class="nav"><a href="/">首页</a> <a href="/paged/index.html">检察要闻</a></td></tr>
<tr><td><table><tr><td class="bt_title" align="center">{title}</td></tr>
<tr><td align="center">发布时间:2024-01-15 09:00 来源:运城市人民检察院 字号:[大 中 小]</td></tr>
<tr><td><div class="TRS_Editor">{paragraphs}</div>
<div class="page_nav" align="center"><script language="JavaScript">{pager}</script></div>
{editor}</td></tr></table></td></tr>
<tr><td class="footer">版权所有:运城市人民检察院 晋ICP备00000000号</td></tr></table></body></html>"""

_PORTAL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_黄河新闻网</title>
<meta name="publishdate" content="{date}"></head><body>
<div class="top-nav"><a href="/">首页</a> <a href="/paged/index.html">法治</a></div>
<div class="main"><h1>{title}</h1>
<div class="info">{date} 来源：黄河新闻网 记者 陈晨</div>
<div class="article">{paragraphs}
<p style="text-align:center"><img src="{image}" alt="{caption}"></p>
<div class="page" id="pageNav">{pager}</div></div>
<div class="related"><h3>相关新闻</h3><ul>
<li><a href="/paged/portal/20240110/590.shtml">尧都检察开展送法进社区活动</a></li></ul></div>
</div></body></html>"""

_LIST = """<html><head><meta charset="utf-8"><title>法治要闻</title></head><body><h1>法治要闻</h1><ul>
{items}</ul><div class="pages"><a href="index.html">1</a> <a href="index_1.html">2</a>
<a href="index_1.html">下一页</a></div>
<script>createPageHTML(2, 0, "index", "html");</script></body></html>"""


def _paragraphs(lines: list[str]) -> str:
    return "".join(f"<p>　　{line}</p>" for line in lines)


def _portal_pager(pages: list[str], current: int, window: int) -> str:
    """共N页 上一页 1 2 3 下一页, showing the page numbers within ``window`` of the current page."""
    name = [page.rsplit("/", 1)[1] for page in pages]
    parts = [f"<span>共{len(pages)}页</span>"]
    if current > 0:
        parts.append(f'<a href="{name[current - 1]}">上一页</a>')
    for number in range(len(pages)):
        if number == current:
            parts.append(f"<span class='cur'>{number + 1}</span>")
        elif abs(number - current) <= window:
            parts.append(f'<a href="{name[number]}">{number + 1}</a>')
    if current < len(pages) - 1:
        parts.append(f'<a href="{name[current + 1]}">下一页</a>')
    return " ".join(parts)


def trs_page(index: int) -> bytes:
    if index == 1:  # some templates pass variables, not literals
        pager = 'var currentPage = 1; var countPage = 3; createPageHTML(countPage, currentPage, "t20240115_501", "html");'
    else:
        pager = f'createPageHTML(3, {index}, "t20240115_501", "html");'
    editor = "<div class='editor'>责任编辑:刘洋</div>" if index == 2 else ""
    return _TRS.format(
        title=TRS_TITLE, paragraphs=_paragraphs(TRS_TEXT[index]), pager=pager, editor=editor
    ).encode("gbk")


def portal_page(pages: list[str], texts: list[list[str]], title: str, date: str, index: int) -> bytes:
    image = pages[0].rsplit(".", 1)[0].replace("/paged/", "/img/") + f"-{index + 1}.jpg"
    return _PORTAL.format(
        title=title,
        date=date,
        paragraphs=_paragraphs(texts[index]),
        image=image,
        caption=f"活动现场图{index + 1}",
        pager=_portal_pager(pages, index, window=1),
    ).encode()


def single_page() -> bytes:
    text = [
        "尧都区人民检察院组织干警走进社区，围绕养老诈骗、电信诈骗等群众关心的问题开展普法宣传，发放宣传资料三百余份。"
    ]
    return _PORTAL.format(
        title="尧都检察开展送法进社区活动",
        date="2024-01-10 10:00",
        paragraphs=_paragraphs(text),
        image="/img/590.jpg",
        caption="普法现场",
        pager="",
    ).encode()


def list_page(links: dict[str, str]) -> bytes:
    items = "".join(f'<li><a href="{path}">{text}</a></li>' for path, text in links.items())
    return _LIST.format(items=items).encode()


def pages() -> dict[str, bytes]:
    """Path -> page bytes of everything under /paged/ (the 404 page of the broken article is missing)."""
    served = {path: trs_page(i) for i, path in enumerate(TRS_PAGES)}
    for i, path in enumerate(PORTAL_PAGES):
        served[path] = portal_page(PORTAL_PAGES, PORTAL_TEXT, PORTAL_TITLE, "2024-01-16 08:30", i)
    for i, path in enumerate(BROKEN_PAGES[:2]):
        served[path] = portal_page(BROKEN_PAGES, BROKEN_TEXT, BROKEN_TITLE, "2024-01-17 11:00", i)
    served[SINGLE] = single_page()
    served[LIST] = list_page(
        {
            TRS_FIRST: TRS_TITLE,
            PORTAL_FIRST: PORTAL_TITLE,
            PORTAL_PAGES[1]: f"{PORTAL_TITLE}（第2页）",  # a link straight to a later page
            BROKEN_FIRST: BROKEN_TITLE,
        }
    )
    served["/paged/index_1.html"] = list_page({SINGLE: "尧都检察开展送法进社区活动"})
    return served
