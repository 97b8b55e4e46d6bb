"""Generated pairs for the reprint benchmark: copies of one story, and different stories that look alike.

Stories are procuratorate news written from sentence templates with random places, people, dates
and figures (plus the real 2021-08-13 sample and the demo sites' stories). Seeded: every run
produces the same pairs. Over 300 lines: most of it is sentence templates and phrase lists (data),
kept beside the generators that use them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import cache

import opencc

from crawler.demo.articles import LINFEN, SXRB
from crawler.demo.sample import original

PLACES = ("临汾市", "太原市", "大同市", "长治市", "晋城市", "朔州市", "晋中市", "运城市", "忻州市", "吕梁市",
          "阳泉市", "洪洞县", "襄汾县", "曲沃县", "翼城县", "浮山县", "吉县", "乡宁县", "霍州市", "侯马市",
          "尧都区", "小店区", "迎泽区", "平遥县", "介休市", "孝义市", "汾阳市", "武乡县", "沁源县", "屯留区")  # fmt: skip
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰晓红建国志宏海燕文斌俊峰晨鑫瑞雪佳琳浩宇"
TOPICS = ("司法救助", "公益诉讼", "扫黑除恶", "未成年人检察", "检察听证", "支持起诉", "民事检察", "行政检察")
CASES = ("故意伤害", "交通肇事", "盗窃", "电信诈骗", "非法采矿", "污染环境", "寻衅滋事", "拒不支付劳动报酬")

SENTENCES = (
    "{d}，{p}人民检察院{topic}工作取得新进展。",
    "{d}，{p}人民检察院对一起{case}案件依法提起公诉，{n}名被告人被依法追究刑事责任。",
    "今年以来，{p}检察院共受理{topic}案件{n}件{m}人，发放救助金{x}万元。",
    "承办检察官{name}在审查起诉过程中了解到，被害人家庭生活困难，随即启动{topic}程序。",
    "该院邀请人大代表、政协委员、人民监督员{n}人担任听证员，就案件处理召开公开听证会。",
    "经审查查明，{n}名犯罪嫌疑人自{y}年以来多次实施{case}等违法犯罪活动，涉案金额{x}万元。",
    "检察官{name}深入{p}{n}个乡镇走访调研，收集问题线索{m}条。",
    "针对案件暴露出的监管漏洞，该院向有关部门制发检察建议{n}份，督促依法履职。",
    "收到检察建议后，相关部门迅速整改，清理{thing}{x}余吨，恢复{thing2}{n}亩。",
    "“没想到检察院会主动上门，这笔钱解了我们家的燃眉之急。”{name}激动地说。",
    "{p}检察院检察长{name}表示，将持续深化{topic}，以高质效检察履职服务大局。",
    "据了解，{p}检察院已连续{n}年开展{topic}专项活动，累计办理案件{m}件。",
    "活动中，检察官们围绕{case}等问题以案释法，发放宣传资料{m}份，解答群众咨询{n}人次。",
    "{y}年{n}月，{p}检察院与{p2}公安局联合出台工作意见，建立信息共享机制。",
    "经过{n}个多小时的沟通，双方当事人当场达成和解，申请人{name}表示息诉罢访。",
    "案件办理过程中，该院提前介入引导侦查，依法追缴涉案财产{x}万元。",
    "{p}检察院{topic}部门负责人{name}介绍，全市将在年底前实现机制县域全覆盖。",
    "法院经审理，采纳了检察机关全部量刑建议，判处被告人{name}有期徒刑{n}年。",
    "该院先后走访企业{n}家，帮助解决融资、用工等实际困难{m}个。",
    "截至目前，{p}检察院共办理{case}类案件{n}件，追回损失{x}万元。",
)
THINGS = ("建筑垃圾", "工业固废", "生活垃圾", "淤泥", "煤矸石")
THINGS2 = ("耕地", "林地", "河道", "草地")
# Press-release formulae that wrap many different releases of one procuratorate: an opening made of
# a lead, one or two aims and a stance, middle paragraphs about how the work was organised, and a
# closing pledge — recombined, so two releases share whole paragraphs and every release shares phrases.
OPEN_LEADS = (
    "为深入贯彻落实习近平法治思想", "为认真学习贯彻党的二十大精神", "为全面贯彻落实全国检察长会议精神",
    "为扎实开展学习贯彻主题教育", "近年来", "今年以来", "为深入践行以人民为中心的发展思想",
)  # fmt: skip
OPEN_AIMS = (
    "进一步提升法律监督质效", "切实把为民办实事落到实处", "持续优化法治化营商环境",
    "更好服务保障经济社会高质量发展", "切实维护人民群众合法权益", "推动各项检察工作提质增效",
    "认真落实上级检察院工作部署",
)  # fmt: skip
OPEN_STANCES = (
    "坚持以人民为中心的发展思想，扎实推进各项检察工作",
    "始终坚持讲政治、顾大局、谋发展、重自身，围绕中心、服务大局",
    "以高质效办好每一个案件为基本价值追求，不断推动新时代检察工作高质量发展",
    "立足检察职能，综合运用多种方式，积极回应群众关切",
    "坚持能动履职、主动作为，取得了良好的政治效果、法律效果和社会效果",
)
MIDDLES = (
    "该院高度重视，第一时间成立以检察长为组长的工作领导小组，制定工作方案，明确责任分工，确保各项工作落到实处。",
    "活动期间，该院坚持问题导向，聚焦群众急难愁盼问题，通过走访座谈、以案释法等方式，不断拓宽服务群众渠道。",
    "在办案过程中，该院坚持双赢多赢共赢理念，加强与相关职能部门的沟通协作，形成工作合力。",
    "为确保工作取得实效，该院建立健全工作台账，实行清单化管理、项目化推进，定期通报工作进展。",
    "该院党组高度重视此项工作，多次召开党组会专题研究部署，检察长亲自抓、分管领导具体抓。",
    "同时，该院充分利用“两微一端”等新媒体平台，广泛宣传典型案例，营造了良好的法治氛围。",
)
CLOSINGS = (
    "下一步，{p}人民检察院将继续坚持以人民为中心的发展思想，立足检察职能，强化法律监督，"
    "以更加务实的举措、更加有力的担当，为建设更高水平的平安{c}、法治{c}贡献检察力量。",
    "该院相关负责人表示，将以此次活动为契机，持续深化能动履职，做实做优各项检察业务，"
    "努力让人民群众在每一个司法案件中感受到公平正义。",
    "下一步，该院将进一步总结经验做法，健全长效工作机制，推动{topic}工作走深走实，为{c}经济社会高质量发展提供有力司法保障。",
    "{p}人民检察院将以此为新的起点，坚持稳进、落实、提升，持续擦亮{c}检察工作品牌。",
    "今后，{p}人民检察院将继续加强与有关部门的协作配合，凝聚工作合力，切实以检察履职守护群众美好生活。",
    "该院负责人表示，将始终坚持司法为民理念，用心用情办好群众身边的每一件“小案”，不断增强人民群众获得感、幸福感、安全感。",
)
HOUSE_FRAMES = 3  # frames per procuratorate
# A province-wide campaign: the notice paragraph every county's release quotes word for word.
CAMPAIGNS = ("检护民生", "护航民营经济", "守护黄河", "根治欠薪", "检察为民办实事", "未成年人保护")
CAMPAIGN_NOTICE = (
    "{d}，山西省人民检察院印发《关于开展“{name}”专项监督活动的通知》，要求全省检察机关聚焦群众反映强烈的突出问题，"
    "充分发挥四大检察职能作用，以专项监督推动解决一批难点堵点问题，活动持续至{y}年底。"
)
MEETING = (
    "{d}，{p}人民检察院召开{y}年全市检察工作会议，传达学习全省检察长会议精神，总结{y0}年工作，部署{y}年任务。",
    "会议指出，{y0}年全市检察机关共批准逮捕各类犯罪嫌疑人{n}人，提起公诉{m}人，办理公益诉讼案件{k}件。",
    "会议强调，全市检察机关要坚持稳中求进工作总基调，全面履行法律监督职责，以检察工作现代化服务保障中国式现代化{c}实践。",
    "会议要求，要聚焦主责主业，做优刑事检察、做强民事检察、做实行政检察、做好公益诉讼检察，推动四大检察全面协调充分发展。",
    "{p}检察院党组书记、检察长{name}出席会议并讲话，班子成员、各县（市、区）检察院检察长参加会议。",
)
EDIT_CHARS = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出以会家可也"


@dataclass
class Story:
    title: str
    paragraphs: list[str]
    source: str = "山西日报"
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _slots(rng: random.Random, place: str) -> dict[str, object]:
    return {
        "p": place, "p2": rng.choice(PLACES), "c": place[:2], "topic": rng.choice(TOPICS),
        "case": rng.choice(CASES), "name": _name(rng), "n": rng.randint(2, 99), "m": rng.randint(100, 999),
        "k": rng.randint(100, 999), "x": f"{rng.randint(1, 500)}.{rng.randint(1, 9)}",
        "y": rng.randint(2019, 2024), "y0": 2023, "thing": rng.choice(THINGS), "thing2": rng.choice(THINGS2),
        "d": f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
    }  # fmt: skip


def synthetic_story(rng: random.Random, place: str | None = None) -> Story:
    """A news story of 4–5 paragraphs of 2–3 sentences about one procuratorate's work; two
    stories share about half their sentence templates, filled differently."""
    place = place or rng.choice(PLACES)
    templates = rng.sample(SENTENCES, 12)
    paragraphs = []
    for at in range(0, 12, 3):
        size = rng.randint(2, 3)
        paragraphs.append("".join(s.format(**_slots(rng, place)) for s in templates[at : at + size]))
    topic = rng.choice(TOPICS)
    return Story(f"{place}检察院扎实推进{topic}工作", paragraphs, meta={"place": place})


def real_stories() -> list[Story]:
    stories = [Story(a.title, list(a.paragraphs), a.source) for a in (*LINFEN, *SXRB)]
    sample = original()
    stories.append(Story(sample.title, list(sample.paragraphs)))
    return [s for s in stories if len(s.body) >= 150]


_S2T = opencc.OpenCC("s2t")
_TONED = ("fā", "shù", "yǎng", "yè", "qū", "xiāng", "tài", "chuàng", "tǒng", "xiàn", "jīng")


def reprint(story: Story, rng: random.Random, kinds: set[str], edit_rate: float) -> Story:
    """A copy of ``story`` as another outlet prints it, with the named transformations."""
    paragraphs = list(story.paragraphs)
    if "drop" in kinds and len(paragraphs) >= 4:
        del paragraphs[rng.randrange(1, len(paragraphs))]
    if "edits" in kinds:
        paragraphs = [_edit(p, rng, edit_rate) for p in paragraphs]
    if "byline" in kinds:
        paragraphs.insert(0, f"本报讯（记者 {_name(rng)} 通讯员 {_name(rng)}）")
        paragraphs += [f"责任编辑：{_name(rng)}", "版权声明：凡本网刊载的各类稿件，未经书面授权，不得转载。"]
    title = f"【{rng.choice(TOPICS)}】" + story.title[2:] + "纪实" if "title" in kinds else story.title
    if "figures" in kinds:
        paragraphs = _change_figures(paragraphs, rng)
    if "script" in kinds:
        paragraphs = [_S2T.convert(p) for p in paragraphs]
        title = _S2T.convert(title)
        if rng.random() < 0.5:  # the broken conversion of the sample: pinyin after some characters
            paragraphs = [_pinyin(p, rng) for p in paragraphs]
    return Story(title, paragraphs, source=story.source)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _change_figures(paragraphs: list[str], rng: random.Random) -> list[str]:
    """One or two of the reported figures corrected or updated (not years): 253 → 261, 12.5 → 12.8."""
    spots = [
        (i, m)
        for i, p in enumerate(paragraphs)
        for m in _NUMBER.finditer(p)
        if not (len(m.group(0)) == 4 and m.group(0).startswith("20"))
    ]
    changed = [list(p) for p in paragraphs]
    for i, m in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 2))), key=lambda s: -s[1].start()):
        value = float(m.group(0))
        new = value + rng.choice((-1, 1)) * max(1.0, round(value * rng.uniform(0.02, 0.2)))
        text = f"{max(new, 1.0):.1f}" if "." in m.group(0) else str(int(max(new, 1.0)))
        if text == m.group(0):
            text = str(int(value) + 1) if "." not in m.group(0) else f"{value + 0.1:.1f}"
        changed[i][m.start() : m.end()] = list(text)
    return ["".join(p) for p in changed]


def _edit(text: str, rng: random.Random, rate: float) -> str:
    chars = list(text)
    han = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    for i in rng.sample(han, int(len(han) * rate)):
        chars[i] = rng.choice(EDIT_CHARS)
    return "".join(chars)


def _pinyin(text: str, rng: random.Random) -> str:
    chars = list(text)
    for i in sorted(rng.sample(range(len(chars)), min(3, len(chars))), reverse=True):
        if "\u4e00" <= chars[i] <= "\u9fff":
            chars.insert(i + 1, f"({rng.choice(_TONED)})")
    return "".join(chars)


KINDS = ("script", "byline", "drop", "edits", "title", "figures")


def same_story_pairs(rng: random.Random, n: int) -> list[tuple[Story, Story, str]]:
    """``n`` (original, copy, kinds) pairs; every copy has at least one transformation. The originals:
    a quarter real (demo sites, the sample), a quarter press releases in a formulaic frame, an eighth
    meetings, an eighth releases quoting a provincial notice, a quarter template-written news."""
    bases = real_stories()
    pairs = []
    for i in range(n):
        place = rng.choice(PLACES)
        if i % 4 == 0:
            story = bases[i // 4 % len(bases)]
        elif i % 4 == 1:
            # Two or three paragraphs of news: dropping one never leaves the frame alone.
            story = release(rng, place, rng.choice(house_frames(place)), rng.randint(2, 3))
        elif i % 8 == 2:
            slots = {**_slots(rng, place), "y": 2024}
            story = Story(f"{place}检察院召开全市检察工作会议", [s.format(**slots) for s in MEETING])
        elif i % 8 == 6:
            story = campaign_release(rng, place, campaign_notice(rng.choice(CAMPAIGNS)))
        else:
            story = synthetic_story(rng, place)
        kinds = {k for k in KINDS if rng.random() < 0.5} or {rng.choice(KINDS)}
        if i % 10 == 0:
            kinds = set(KINDS)  # the hardest: everything at once
        copy = reprint(story, rng, kinds, rng.uniform(0.05, 0.10))
        pairs.append((story, copy, "+".join(sorted(kinds))))
    return pairs


@dataclass(frozen=True)
class Frame:
    """The formulaic frame of a procuratorate's press releases."""

    opening: str
    middles: tuple[str, ...]
    closing: str


def press_frame(rng: random.Random, place: str) -> Frame:
    """An opening (lead, one or two aims, stance), 0–2 middle paragraphs and a closing pledge."""
    aims = "，".join(rng.sample(OPEN_AIMS, rng.randint(1, 2)))
    slots = {"p": place, "c": place[:2], "topic": rng.choice(TOPICS)}
    return Frame(
        opening=f"{rng.choice(OPEN_LEADS)}，{aims}，{place}人民检察院{rng.choice(OPEN_STANCES)}。",
        middles=tuple(rng.sample(MIDDLES, rng.randint(0, 2))),
        closing=rng.choice(CLOSINGS).format(**slots),
    )


@cache
def house_frames(place: str) -> tuple[Frame, ...]:
    """The frames one procuratorate's press office wraps its releases in (the same every run)."""
    rng = random.Random(f"frames of {place}")
    return tuple(press_frame(rng, place) for _ in range(HOUSE_FRAMES))


def release(rng: random.Random, place: str, frame: Frame, core: int) -> Story:
    """A press release: ``frame`` around ``core`` paragraphs of its own news."""
    story = synthetic_story(rng, place)
    story.paragraphs[:] = [frame.opening, *frame.middles, *story.paragraphs[:core], frame.closing]
    return story


def campaign_notice(name: str) -> str:
    """The notice of one campaign, as every county quotes it."""
    at = CAMPAIGNS.index(name)
    return CAMPAIGN_NOTICE.format(d=f"{at + 2}月{at * 4 + 3}日", name=name, y=2024)


def campaign_release(rng: random.Random, place: str, notice: str) -> Story:
    """A county's release about a provincial campaign: the notice, then 2–3 paragraphs of its own."""
    story = synthetic_story(rng, place)
    del story.paragraphs[rng.randint(2, 3) :]
    story.paragraphs.insert(0, notice)
    return story


LOOK_ALIKES = ("boilerplate", "meeting", "same-topic", "campaign")


def look_alike_pairs(rng: random.Random, n: int) -> list[tuple[Story, Story, str]]:
    """``n`` pairs of different stories: two releases of one procuratorate in the same formulaic
    frame (1–3 paragraphs of news each, so the frame may be most of the text), one meeting in two
    cities, the same topic in the same place, and two counties quoting the same provincial notice."""
    pairs = []
    for i in range(n):
        place = rng.choice(PLACES)
        kind = LOOK_ALIKES[i % len(LOOK_ALIKES)]
        if kind == "boilerplate":
            frame = rng.choice(house_frames(place))
            a, b = (release(rng, place, frame, rng.randint(1, 3)) for _ in range(2))
            pairs.append((a, b, kind))
        elif kind == "meeting":
            other = rng.choice([p for p in PLACES if p != place and p.endswith("市")])
            date = f"{rng.randint(1, 3)}月{rng.randint(1, 28)}日"
            stories = []
            for city in (place, other):
                slots = {**_slots(rng, city), "d": date, "y": 2024}
                stories.append(
                    Story(f"{city}检察院召开全市检察工作会议", [s.format(**slots) for s in MEETING])
                )
            pairs.append((stories[0], stories[1], kind))
        elif kind == "same-topic":
            a, b = synthetic_story(rng, place), synthetic_story(rng, place)
            pairs.append((a, b, kind))
        else:
            other = rng.choice([p for p in PLACES if p != place])
            notice = campaign_notice(rng.choice(CAMPAIGNS))
            pairs.append((campaign_release(rng, place, notice), campaign_release(rng, other, notice), kind))
    return pairs


def background(rng: random.Random, n: int) -> list[Story]:
    """``n`` other stories of every kind above (none of the pairs'): what a store has seen before."""
    stories: list[Story] = []
    while len(stories) < n:
        place = rng.choice(PLACES)
        kind = rng.choice(LOOK_ALIKES)
        if kind == "boilerplate":
            frame = rng.choice(house_frames(place)) if rng.random() < 0.8 else press_frame(rng, place)
            stories.append(release(rng, place, frame, rng.randint(1, 3)))
        elif kind == "meeting":
            slots = {**_slots(rng, place), "y": 2024}
            stories.append(Story(f"{place}检察院召开全市检察工作会议", [s.format(**slots) for s in MEETING]))
        elif kind == "same-topic":
            stories.append(synthetic_story(rng, place))
        else:
            stories.append(campaign_release(rng, place, campaign_notice(rng.choice(CAMPAIGNS))))
    return stories
