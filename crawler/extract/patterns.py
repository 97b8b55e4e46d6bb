"""Crawler extraction: the text patterns of Chinese news pages (dates, 来源, bylines, editors, boilerplate).

Pure functions over strings, in simplified and traditional script.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.boilerplate import PAGE_FURNITURE
from pipeline.names import SURNAMES

SHANGHAI = ZoneInfo("Asia/Shanghai")

_DATE = re.compile(
    r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：时時点點]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
)
_MONTH = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")
_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})/(\d{2})/"),
    re.compile(r"[/_t]((?:19|20)\d{2})(\d{2})(\d{2})[/_]"),
)
# <meta> names that CMSs use for the publication time, most specific first.
DATE_META_NAMES = (
    "article:published_time",
    "publishdate",
    "pubdate",
    "publish_time",
    "publishtime",
    "firstpublishedtime",
    "og:release_date",
    "datepublished",
    "dc.date.issued",
    "dc.date",
)
SOURCE_LABEL = r"(?:文章来源|稿件来源|来源|來源|稿源|出处|出處)"
_SOURCE = re.compile(SOURCE_LABEL + r"\s*[:：]\s*[\[【［]?\s*([^\s\u3000|｜\[\]【】［］]+)")
# Where a source value runs into the next label when the page has no space between them.
_SOURCE_STOP = re.compile(r"(?:作者|记者|記者|浏览|瀏覽|编辑|編輯|发布|發布|时间|時間|点击|點擊|字号|字號)")
# A label may be followed by a colon or a vertical bar (作者︱春春, 作者｜…); 采写 = reported and written by.
_AUTHOR_LABEL = re.compile(
    r"(?:本报记者|本報記者|见习记者|見習記者|记者|記者|通讯员|通訊員|作者|撰稿|撰文|采写|採寫|执笔人|執筆人|"
    r"评论员|評論員|(?:文|图|圖)\s*[·・]?\s*(?:图|圖|文)?\s*[/／])\s*[:：︱｜丨|]?\s*"
)
# An outlet glued to 记者 qualifies it (采写：南都记者 余毅菁): the word before is not a name.
_OUTLET_BEFORE_REPORTER = re.compile(r"[\u4e00-\u9fff·]+$")
# A line that is a byline: an optional outlet (光明日报, 新京报 …) then the label.
# 文/ and the photo-and-text credits: 文 图/, 文图/, 文·图/, 图/文, 图文/.
_TEXT_PHOTO = r"(?:文|图|圖)\s*[·・]?\s*(?:图|圖|文)?\s*[/／]"
# Papers set a bullet before the byline (□记者 张三, ■ 本报记者 李四, ◎ 文/王五).
_BULLETS = r"[□■◎●○◆◇▲△▼★☆▪▫◉]*"
_BYLINE = re.compile(
    rf"^{_BULLETS}\s*[（(【\[]?\s*(?:[\u4e00-\u9fff· ]{{0,12}}?)"
    rf"(?:见习记者|見習記者|记者|記者|通讯员|通訊員|作者|撰稿|撰文|采写|採寫|执笔人|執筆人|{_TEXT_PHOTO})"
)
# A bare 编辑 needs a colon or a space before the name: "给编辑写信" is a mailto link, not a credit.
_EDITOR = re.compile(
    r"(?:(?:责任编辑|責任編輯|责编|責編)\s*[:：]?|(?:编辑|編輯)\s*[:：\s])\s*"
    r"([\u4e00-\u9fff·]{2,5}(?:[ 、，,][\u4e00-\u9fff·]{2,5})*)"
)
_EDITOR_LINE = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|責任編輯|责编|責編|编辑|編輯|审核|審核|校对|校對)\s*[:：]?"
)
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")
# Lines that belong to the page, not the article (``pipeline.boilerplate``), and the 原标题 line of a
# republished story (the title is extracted on its own).
_ORIGINAL_TITLE = re.compile(r"^原标题|^原標題")
# A pager left in the text of one page of a split article: 上一页 1 2 3 下一页, 共3页, 第2页.
_PAGER_LINE = re.compile(
    r"^(?=.*[页頁])(?:共\s*\d+\s*[页頁]|(?:当前)?第\s*\d+\s*[页頁]|[上下]一?[页頁]|[首尾末][页頁]|\d{1,3}|"
    r"[\s\[\]【】|｜<>«»/:：,，])+$"
)
SUBTITLE = re.compile(r"^[—－-]{1,2}\s*\S")
# A bracketed pinyin syllable after a character, left behind by a broken traditional conversion: 發(fā)展.
PINYIN_DAMAGE = re.compile(r"[\u4e00-\u9fff]\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")
# Mojibake from UTF-8 read as GBK: question marks and private-use characters next to CJK.
MOJIBAKE = re.compile(r"[\ue000-\uf8ff\ufffd]|\?[!！]?[\u4e00-\u9fff]{1,3}[\ue000-\uf8ff]?\?")


def parse_datetime(text: str, allow_month: bool = False) -> datetime | None:
    """The first date(-time) in ``text``, timezone-aware: Beijing time when the text names no offset or
    names UTC, else the offset it names.

    With ``allow_month`` a lone ``2003年5月`` counts too (as the 1st of the month): reports and
    e-papers often give no more.
    """
    candidate = text.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}T", candidate):
        try:
            parsed = datetime.fromisoformat(candidate.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            # A page shows Beijing time: an instant its metadata gives in UTC is put back at +08:00
            # (02:30Z is the 10:30 the page prints); another offset the page gives is kept.
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=SHANGHAI)
            return parsed.astimezone(SHANGHAI) if parsed.utcoffset() == timedelta(0) else parsed
    match = _DATE.search(text)
    if match is None:
        month = _MONTH.search(text) if allow_month else None
        return _aware(int(month.group(1)), int(month.group(2)), 1) if month else None
    year, month_, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    return _aware(year, month_, day, hour, minute, second)


def _aware(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except ValueError:
        return None


def date_in_url(url: str) -> datetime | None:
    """The date many CMSs put in article paths: /2020-02/19/, /202108/t20210813_, /20050311/n…"""
    path = url.split("?")[0]
    for pattern in _URL_DATES:
        if match := pattern.search(path):
            return _aware(*(int(g) for g in match.groups()))
    return None


def find_source(text: str) -> str | None:
    match = _SOURCE.search(text)
    if match is None:
        return None
    value = _SOURCE_STOP.split(match.group(1))[0].strip("　 ,，;；)）】")
    return value or None


def is_byline(line: str) -> bool:
    # Prose that starts with "记者近日从…获悉，" is not a byline: bylines carry no sentence punctuation.
    return len(line) <= 60 and bool(_BYLINE.match(line)) and not re.search(r"[，。！？；]", line)


def has_author_label(text: str) -> bool:
    return _AUTHOR_LABEL.search(text) is not None


def strip_author_labels(text: str) -> str:
    return _AUTHOR_LABEL.sub(" ", text)


def authors_in(text: str) -> list[str]:
    """Names after 记者/通讯员/作者 labels: ``记者 王磊 通讯员 张晓燕`` -> [王磊, 张晓燕]."""
    if not _AUTHOR_LABEL.search(text):
        return []
    names: list[str] = []
    labels = list(_AUTHOR_LABEL.finditer(text))
    for label, following in zip(labels, [*labels[1:], None], strict=True):
        chunk = text[label.end() : following.start() if following else len(text)]
        if following is not None and following.group().startswith(("记者", "記者")):
            chunk = _OUTLET_BEFORE_REPORTER.sub("", chunk)
        chunk = re.split(r"\s{2,}|\u3000|" + SOURCE_LABEL + "|" + _SOURCE_STOP.pattern, chunk)[0]
        # 記者林宸誼／台北報導: the place after the slash is where the report was filed, not a name;
        # 作者：林晓（北京市人民检察院）: the bracket gives the author's office, not another name.
        for token in re.split(r"[\s、，,/／（()）]+", chunk.strip("（()）【】[]〔〕 ")):
            if is_name(token) and token not in names:
                names.append(token)
    return names


# Words that end an outlet, an office or a place, not a person: 新华社, 人民网, 上海报道 …
_NOT_A_NAME = re.compile(
    r"(?:社|网|網|报|報|台|站|局|院|部|委|会|會|厅|廳|处|處|办|辦|中心|新闻|新聞|频道|頻道|报道|報道|报导|報導|"
    r"摄|攝|电|電|讯|訊|供图|供圖)$"
)


# Words that follow a byline label on real pages but are page furniture or roles, not names.
_NOT_NAMES = frozenset(
    "打印 关闭 關閉 责任 責任 编辑 編輯 来源 來源 发布 發布 时间 時間 浏览 瀏覽 字号 字號 分享 收藏 评论 評論 "
    "整合 综合 綜合 报道 報道 摄影 攝影 供图 供圖 本报 本報 实习 實習 见习 見習 匿名 佚名 未知".split()
)


def is_name(token: str) -> bool:
    """A personal name as bylines print it (2–5 characters, not an outlet, an office or a dateline)."""
    return bool(_NAME.match(token)) and not _NOT_A_NAME.search(token) and token not in _NOT_NAMES


def is_personal_name(value: str) -> bool:
    """A value that can only be a person's name: two or three characters under a common surname."""
    return 2 <= len(value) <= 3 and value[0] in SURNAMES and is_name(value)


def find_editor(text: str) -> str | None:
    match = _EDITOR.search(text)
    return match.group(1) if match else None


def is_editor_line(line: str) -> bool:
    return len(line) <= 60 and bool(_EDITOR_LINE.match(line))


def is_source_line(line: str) -> bool:
    return len(line) <= 60 and bool(re.match(r"^[（(]?" + SOURCE_LABEL + r"\s*[:：]", line))


def is_boilerplate(line: str) -> bool:
    return bool(PAGE_FURNITURE.search(line) or _ORIGINAL_TITLE.search(line)) or is_pager_line(line)


def is_pager_line(line: str) -> bool:
    return bool(_PAGER_LINE.match(line))


def split_column(title: str) -> tuple[str | None, str]:
    """``【专栏】标题`` -> (专栏, 标题)."""
    match = re.match(r"^\s*【([^】]{1,80})】\s*(.+)$", title)
    return (match.group(1).strip(), match.group(2).strip()) if match else (None, title.strip())


def clean_space(text: str) -> str:
    return re.sub(r"[ \t\r\f\v\u3000\xa0]+", " ", text).strip()
