"""The topic step: the 17 work areas from config/topics.yaml, relevance, and critical tone."""

from __future__ import annotations

from pathlib import Path

from pipeline.model import Article
from processors.topics import TOPICS_FILE, classify, load_taxonomy
from tests.processors.nlp_resources import annotated, taxonomy

TOPIC_IDS = {
    "criminal_prosecution", "civil_prosecution", "administrative_prosecution", "public_interest_litigation",
    "juvenile", "judicial_aid", "petitions", "hearings", "anti_organized_crime", "business_environment",
    "duty_crime", "corrections_supervision", "team_building", "publicity", "misconduct", "ecology",
    "digital_procuratorate",
}  # fmt: skip


def test_the_taxonomy_has_exactly_the_agreed_ids() -> None:
    topics = load_taxonomy(TOPICS_FILE).topics
    assert {t.id for t in topics} == TOPIC_IDS and len(topics) == 17
    assert all(t.label and t.cues for t in topics)


def test_multi_label_with_scores_and_evidence() -> None:
    article = annotated(
        "浮山县检察院举行司法救助公开听证",
        "浮山县人民检察院近日对一起司法救助案件举行公开听证，3名听证员一致同意给予救助，该院当场发放救助金3万元。",
    )
    result = classify(article, taxonomy())
    found = {t.id: t for t in result.topics}
    assert set(found) == {"judicial_aid", "hearings"}
    assert "司法救助" in found["judicial_aid"].evidence and 0.5 <= found["judicial_aid"].score <= 1
    assert result.relevant is True and result.tone == "neutral"


def test_court_and_police_news_are_not_relevant() -> None:
    court = annotated(
        "大同法院一审宣判一起非法集资案",
        "大同市中级人民法院日前公开宣判一起非法吸收公众存款案。公诉机关指控被告人赵某吸收资金2800万元。法院判处赵某有期徒刑6年。",
    )
    police = annotated(
        "太原警方打掉一个盗窃团伙",
        "太原市公安局小店分局近日打掉一个盗窃团伙，抓获犯罪嫌疑人5名。民警介绍，该案已移送小店区检察院审查起诉。",
    )
    for article in (court, police):
        result = classify(article, taxonomy())
        assert result.relevant is False and result.topics == []
        assert result.relevance is not None and result.relevance < 0.5


def test_criticism_of_a_procuratorate_is_flagged_critical() -> None:
    article = annotated(
        "网友质疑某区检察院不起诉决定 检察机关回应",
        "近日，有网友发帖，质疑某区检察院对一起交通肇事案作出不起诉决定不公。长沙市人民检察院回应称将复查。",
    )
    result = classify(article, taxonomy())
    assert result.tone == "critical" and "misconduct" in {t.id for t in result.topics}


def test_prosecuting_corruption_is_not_criticism_of_the_procuratorate() -> None:
    article = annotated(
        "忻州市检察院对一起受贿案提起公诉",
        "忻州市人民检察院日前对监察委员会移送的郭某受贿案提起公诉。经审查，郭某收受财物460万元。",
    )
    result = classify(article, taxonomy())
    assert result.tone == "neutral" and {"duty_crime", "criminal_prosecution"} <= {
        t.id for t in result.topics
    }


def test_analysts_change_topics_by_editing_the_yaml(tmp_path: Path) -> None:
    text = TOPICS_FILE.read_text(encoding="utf-8").replace("数字检察: 2,", "数字检察: 2, 智能语音: 3,")
    edited = tmp_path / "topics.yaml"
    edited.write_text(text, encoding="utf-8")
    article = annotated("检察院推广智能语音", "某县人民检察院检察官在检察工作中推广智能语音，检察机关受益。")
    assert "digital_procuratorate" not in {t.id for t in classify(article, taxonomy()).topics}
    assert "digital_procuratorate" in {t.id for t in classify(article, load_taxonomy(edited)).topics}


def test_work_areas_named_in_passing_do_not_count() -> None:
    # An enumeration (培训围绕刑事检察、公益诉讼等业务) and one sentence of a longer article are passing mentions.
    training = annotated(
        "晋中市检察院举办青年检察干警业务培训班",
        "晋中市人民检察院举办青年检察干警业务培训班，110名干警参加培训。培训围绕刑事检察、公益诉讼等业务开展专题授课。",
    )
    aid = annotated(
        "渝北检察为受害儿童发放救助金",
        "重庆市渝北区人民检察院近日办理一起性侵未成年人案件。犯罪嫌疑人已被依法批准逮捕。被害人家庭十分困难。"
        "该院为其申请司法救助金5万元。该院还协调教育部门帮助其转学。",
    )
    assert {t.id for t in classify(training, taxonomy()).topics} == {"team_building"}
    assert {t.id for t in classify(aid, taxonomy()).topics} == {"juvenile", "judicial_aid"}


def test_the_own_staffs_bribery_is_misconduct_not_duty_crime_prosecution() -> None:
    article = annotated(
        "某区检察院一检察官助理涉嫌受贿被查",
        "据纪委监委消息，哈尔滨市某区人民检察院原检察官助理孙某涉嫌严重违纪违法，正接受纪律审查和监察调查。",
    )
    result = classify(article, taxonomy())
    assert {t.id for t in result.topics} == {"misconduct"} and result.tone == "critical"


def test_investigating_someone_elses_crime_is_not_criticism() -> None:
    article = annotated(
        "临汾市检察院立案侦查一起司法工作人员徇私枉法案",
        "临汾市人民检察院对某县公安局原民警郝某涉嫌徇私枉法一案立案侦查。今年以来，该院立案侦查司法工作人员职务犯罪案件9件。",
    )
    result = classify(article, taxonomy())
    assert result.relevant is True and result.tone == "neutral"
    assert {t.id for t in result.topics} == {"duty_crime"}


def test_a_headline_and_lead_naming_the_procuratorate_outweigh_the_courts_it_works_with() -> None:
    article = annotated(
        "南山区检察院开展行政非诉执行监督",
        "深圳市南山区人民检察院比对法院执行数据，发现法院裁定不予受理等问题线索67条，向区人民法院制发检察建议18份。",
    )
    result = classify(article, taxonomy())
    assert result.relevant is True and "administrative_prosecution" in {t.id for t in result.topics}


def test_prosecuting_crimes_by_or_against_minors_is_juvenile_work() -> None:
    # The juvenile description names 未成年人犯罪与被害人保护; a gang or duty-crime indictment keeps both labels.
    juvenile = annotated(
        "最高检发布未成年人检察白皮书",
        "白皮书显示，全国检察机关共受理审查起诉未成年人犯罪3.2万人，起诉侵害未成年人犯罪5.1万人。"
        "检察机关落实强制报告制度，开展法治进校园活动1.2万场。",
    )
    assert topic_ids(juvenile) == {"juvenile"}
    gang = annotated(
        "某市检察院依法起诉一起涉黑案件",
        "某市人民检察院近日依法对以刘某为首的黑社会性质组织犯罪案件提起公诉，被告人17名。",
    )
    assert {"anti_organized_crime", "criminal_prosecution"} <= topic_ids(gang)


def test_a_press_conference_is_the_occasion_not_the_subject() -> None:
    body = (
        "温州市人民检察院日前召开新闻发布会，通报知识产权检察工作情况。去年以来，该院办理侵犯知识产权犯罪案件86件，"
        "走访民营企业120家，帮助企业完善商业秘密保护制度。发布会上通报的一起典型案例中，检察机关提前介入，"
        "引导公安机关固定电子证据。该院将持续优化法治化营商环境。"
    )
    assert "publicity" not in topic_ids(annotated("温州检察护航民营企业创新", body))
    assert "publicity" in topic_ids(annotated("温州市检察院召开新闻发布会通报知识产权保护", body))


def test_cooperation_with_the_supervisory_commission_is_not_criticism() -> None:
    result = classify(
        annotated(
            "最高检：依法惩治职务犯罪",
            "全国检察机关共受理监委移送职务犯罪1.2万人，已起诉9800余人。最高检要求，各级检察机关要把监察调查与"
            "刑事司法衔接做实做细。",
        ),
        taxonomy(),
    )
    assert result.tone == "neutral" and "duty_crime" in {t.id for t in result.topics}


def test_a_prosecutor_finding_a_guards_bribe_is_duty_crime_work() -> None:
    article = annotated(
        "某区检察院查办一起徇私舞弊减刑案",
        "检察官在日常检察中发现，看守所民警李某受贿8万元，为罪犯虚构立功表现。该院依法对李某涉嫌徇私舞弊减刑罪立案侦查。",
    )
    result = classify(article, taxonomy())
    assert "duty_crime" in {t.id for t in result.topics} and result.tone == "neutral"


def topic_ids(article: Article) -> set[str]:
    return {t.id for t in classify(article, taxonomy()).topics}


def test_a_prosecutors_case_story_full_of_court_words_is_relevant() -> None:
    # Told in the procuratorate's own words (公诉科, 主诉检察官, 公诉人) although the court, the trial and
    # the judgment fill most sentences.
    story = annotated(
        "",
        "庭审结束后，临海市检察院公诉科副科长、该案的主诉检察官向笔者讲述了办案经过。法院一审判处被告人有期徒刑七年。"
        "庭审中被告人当庭翻供。作为公诉人，她出示了全部证据，法院审理认为证据确实充分。",
    )
    assert classify(story, taxonomy()).relevant is True


def test_a_congress_presidium_meeting_is_not_about_the_procuratorate() -> None:
    meeting = annotated(
        "",
        "2月9日下午，市人大一次会议主席团举行第二次会议。会议听取了大会秘书处关于代表审议情况的汇报，"
        "代市长代表市政府作表态发言。市检察院检察长、市法院院长出席会议。会议听取了检察院工作报告的审议情况。"
        "主席团常务主席主持会议。",
    )
    assert classify(meeting, taxonomy()).relevant is False
    plenary = annotated(
        "",
        "十四届全国人大一次会议在人民大会堂举行第二次全体会议，听取最高人民法院院长关于最高人民法院工作的报告，"
        "听取最高人民检察院检察长关于最高人民检察院工作的报告，听取国务院机构改革方案的说明。",
    )
    assert classify(plenary, taxonomy()).relevant is False


def test_a_commentary_criticising_a_procuratorate_is_relevant_and_critical() -> None:
    # Criticism of the procuratorate counts as coverage of it, although courts are named more often.
    commentary = annotated(
        "",
        "检察机关当年起诉的一起错案终于得到纠正，当事人被法院改判无罪。当年办案的检察院向当事人公开道歉。"
        "法院的再审判决、庭审的拖延同样值得反思，一审法院也难辞其咎。",
    )
    result = classify(commentary, taxonomy())
    assert result.relevant is True and result.tone == "critical"
