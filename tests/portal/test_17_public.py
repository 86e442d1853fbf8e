"""The public side (issue 17): the home page links to the published lists, the notice's text and
a blank 实验校资格申请表; /list/ searched by name and filtered by province and school type with a
plain GET form, and the same part of it as PDF; telephone numbers tap-to-call and e-mail
addresses mailto: wherever contacts are shown; a footer with who runs the site and, when set, its
ICP 备案号 linked to the MIIT's register."""
import hashlib
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from pypdf import PdfReader

from portal.models import SchoolType
from portal.pdf import missing_glyphs
from portal.templatetags.contact import phone_links
from review.decisions import decide
from review.rubric import rubric_ensure_default
from tests.conftest import aware
from tests.review.helpers import reload
from tests.review.national_helpers import BEIJING, GOOD, GUANGDONG, HUBEI, SICHUAN, assign, file_and_publish, in_review, make_expert, pdf_text, submit_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

# The notice as the repo's source of truth holds it (../shared/notice/notice-2023-010.txt), by content.
NOTICE_SHA256 = "e0220b7ed861ff01400c2d716ab4b92803d5200e728eeee33b67d787a192a6d3"


@pytest.fixture
def published(batch, staff_user):
    """Three 实验校 published on 2023-06-28: a Sichuan college, a Hubei 职教中心, a Guangdong
    secondary school."""
    rubric_ensure_default(batch)
    expert = make_expert("expert-public", BEIJING, "北京终身教育研究院")
    made = {}
    for key, name, province, kind in [
        ("sichuan", "四川公开职业技术学院", SICHUAN, SchoolType.HIGHER_VOCATIONAL),
        ("hubei", "武汉公开职业教育中心", HUBEI, SchoolType.VOCATIONAL_CENTER),
        ("guangdong", "广东公开职业学校", GUANGDONG, SchoolType.SECONDARY_VOCATIONAL),
    ]:
        application, _user = in_review(batch, name, staff_user, province, kind)
        submit_review(assign(application, expert, staff_user), GOOD)
        made[key] = decide(application=reload(application), actor=staff_user, selected=True, opinion="经专家评审作出决定。")
    file_and_publish(batch, staff_user, now=aware(2023, 6, 28, 9, 0))
    return made


def page(client, url, data=None) -> str:
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


def listed(html: str) -> list[str]:
    """The school names the public list shows, in order."""
    return re.findall(r'<li class="list-inline-item me-3">([^<]+)</li>', html)


def embedded_fonts(data: bytes) -> set[str]:
    fonts = set()
    for pdf_page in PdfReader(io.BytesIO(data)).pages:
        fonts |= {str(font.get_object().get("/BaseFont")) for font in pdf_page["/Resources"]["/Font"].values()}
    return fonts


# ---- The home page's links -------------------------------------------------------------------------


def test_the_home_page_links_to_each_published_list(client, batch, published):
    html = page(client, reverse("home"))
    assert "实验校名单与下载" in html
    assert f'<a href="{reverse("public_list_batch", args=[batch.pk])}">第二批实验校名单</a>' in html
    assert "（中成协〔2023〕010号，2023年6月28日公布；可按省份、学校类型查询，可下载 PDF）" in html


def test_before_any_list_is_published_the_home_page_says_so(client, batch):
    html = page(client, reverse("home"))
    assert "已公布的实验校名单" in html and "名单尚未公布。" in html


def test_the_home_page_offers_the_notice_text_and_the_blank_form(client, batch):
    html = page(client, reverse("home"))
    notice = re.search(r'<a href="([^"]+)" download="([^"]+)">下载通知全文</a>', html)
    assert notice, html
    assert notice[1] == "/static/downloads/notice-2023-010.txt"
    assert notice[2] == "关于申报“职业院校服务全民终身学习项目”第二批实验校的通知.txt"
    assert f'<a href="{reverse("blank_form")}">下载空白《实验校资格申请表》</a>' in html


def test_the_notice_download_is_the_notice_unchanged():
    shipped = Path(finders.find("downloads/notice-2023-010.txt")).read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == NOTICE_SHA256
    text = shipped.decode("utf-8")
    for words in ("浙成职协〔2023〕6号", "中成协〔2023〕010号", "九、联系方式", "联系电话：010-81299751 18611285756", "实验校资格申请表"):
        assert words in text


def test_a_batch_whose_notice_the_portal_does_not_ship_offers_no_notice_link(client, batch):
    batch.document_number = "中成协〔2025〕001号"
    batch.save()
    html = page(client, reverse("home"))
    assert "下载通知全文" not in html
    assert "下载空白《实验校资格申请表》" in html


# ---- The blank form ----------------------------------------------------------------------------------


def test_the_blank_form_is_the_application_pdf_with_nothing_filled_in(client, batch):
    response = client.get(reverse("blank_form"))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert "attachment" in response["Content-Disposition"]
    assert "实验校资格申请表（空白）-第二批实验校.pdf" in unquote(response["Content-Disposition"])
    text = pdf_text(response.content)
    # Every page's running header names the batch's 文号 and says that applying is online.
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert text.count("中成协〔2023〕010号·空白申请表申报请在平台在线填写，生成带申请编号的申请表") == len(pages)
    for words in ("实验校资格申请表学校名称负责人姓名职务手机项目对接人职务手机单位地址项目小组成员序号姓名职务/职称部门手机分工",
                  "职业教育融入社区（乡村）治理", "进城务工人员及新市民的素质提升培训", "其它＿＿＿＿",
                  "实验方案：（含名称、内容、步骤、目标、特色等，至少2000字）一、名称二、内容三、步骤", "四、目标五、特色",
                  "单位承诺书：", "我单位自愿参加“职业院校服务全民终身学习”项目", "单位意见（公章）", "上级主管部门意见：", "项目组意见："):
        assert words in text, words
    # Nothing of a filled-in application: no number, version code, 草稿 mark, 字数 or 未填写.
    for absent in ("申请编号20", "版本码", "草稿", "本方案共", "未填写", "√"):
        assert absent not in text, absent
    assert missing_glyphs(text) == set()
    assert any(re.match(r"^/[A-Z]{6}\+Noto-Serif-CJK-SC$", font) for font in embedded_fonts(response.content))


def test_the_blank_form_follows_the_current_batch(client, batch):
    first = pdf_text(client.get(reverse("blank_form")).content)
    batch.document_number = "中成协〔2025〕001号"
    batch.save()
    second = pdf_text(client.get(reverse("blank_form")).content)
    assert "中成协〔2023〕010号·空白申请表" in first and "中成协〔2025〕001号·空白申请表" in second
    assert "中成协〔2023〕010号" not in second


def test_without_any_batch_there_is_no_blank_form(client, db):
    assert client.get(reverse("blank_form")).status_code == 404


# ---- /list/: search, filters, PDF ----------------------------------------------------------------------


def test_the_list_shows_every_school_with_a_search_form_and_its_pdf(client, batch, published):
    html = page(client, reverse("public_list"))
    assert listed(html) == ["武汉公开职业教育中心", "广东公开职业学校", "四川公开职业技术学院"]  # provinces in code order: 42, 44, 51
    assert f'<form method="get" action="{reverse("public_list_batch", args=[batch.pk])}"' in html
    for label in ('>学校名称</label>', '>省份</label>', '>学校类型</label>', '<button type="submit" class="btn btn-primary w-100">查询</button>'):
        assert label in html
    assert "共 3 所" in html
    assert f'<a href="{reverse("public_list_batch_pdf", args=[batch.pk])}">下载名单 PDF</a>' in html


@pytest.mark.parametrize(("query", "expected", "words"), [
    ({"province": HUBEI}, ["武汉公开职业教育中心"], "筛选：湖北省"),
    ({"school_type": SchoolType.HIGHER_VOCATIONAL}, ["四川公开职业技术学院"], "筛选：高等职业院校"),
    ({"q": "广东"}, ["广东公开职业学校"], "筛选：校名含“广东”"),
    ({"q": "公开职业", "school_type": SchoolType.SECONDARY_VOCATIONAL}, ["广东公开职业学校"], "筛选：中等职业学校、校名含“公开职业”"),
    ({"province": SICHUAN, "school_type": SchoolType.VOCATIONAL_CENTER}, [], "筛选：四川省、职教中心"),
])  # fmt: skip
def test_the_list_is_filtered_by_province_type_and_name(client, batch, published, query, expected, words):
    html = page(client, reverse("public_list_batch", args=[batch.pk]), query)
    assert listed(html) == expected
    assert f"{words}：共 {len(expected)} 所" in html
    assert f'<a href="{reverse("public_list_batch", args=[batch.pk])}">显示全部</a>' in html
    if not expected:
        assert "没有符合条件的学校。" in html


def test_the_form_keeps_what_was_chosen(client, batch, published):
    html = page(client, reverse("public_list"), {"province": HUBEI, "q": "武汉"})
    assert f'<option value="{HUBEI}" selected>湖北省</option>' in html
    assert 'value="武汉"' in html


def test_the_province_menu_offers_the_provinces_the_list_has(client, batch, published):
    html = page(client, reverse("public_list"))
    menu = html[html.index('<select name="province"'):html.index("</select>")]
    assert re.findall(r">([^<]+)</option>", menu) == ["全部省份", "湖北省", "广东省", "四川省"]


def test_a_filter_the_page_cannot_have_sent_is_ignored(client, batch, published):
    html = page(client, reverse("public_list"), {"province": "330000", "school_type": "university", "q": "九" * 51})  # 浙江: none listed
    assert len(listed(html)) == 3 and "共 3 所" in html and "显示全部" not in html


def test_the_pdf_is_the_filtered_list_in_cjk(client, batch, published):
    html = page(client, reverse("public_list"), {"province": HUBEI})
    link = re.search(r'<a href="([^"]+)">下载筛选结果 PDF</a>', html)[1].replace("&amp;", "&")
    assert link == f'{reverse("public_list_batch_pdf", args=[batch.pk])}?province={HUBEI}'
    response = client.get(link)
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert "第二批实验校名单.pdf" in unquote(response["Content-Disposition"])
    text = pdf_text(response.content)
    assert "“职业院校服务全民终身学习项目”第二批实验校名单2023年6月28日公布筛选：湖北省（名单的一部分）" in text
    assert "湖北省职教中心（1所）：武汉公开职业教育中心" in text
    assert "四川公开职业技术学院" not in text and "广东公开职业学校" not in text
    assert missing_glyphs(text) == set()
    assert any(re.match(r"^/[A-Z]{6}\+Noto-Serif-CJK-SC$", font) for font in embedded_fonts(response.content))


def test_the_whole_list_as_pdf_names_every_school_and_no_contact(client, batch, published):
    text = pdf_text(client.get(reverse("public_list_pdf")).content)
    for name in ("广东公开职业学校", "武汉公开职业教育中心", "四川公开职业技术学院"):
        assert name in text
    assert "名单的一部分" not in text
    for private in (published["sichuan"].number, published["sichuan"].lead_mobile):
        assert private not in text


def test_no_pdf_before_a_list_is_published(client, batch):
    assert client.get(reverse("public_list_pdf")).status_code == 404


# ---- tel: and mailto: ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "html"), [
    ("010-81299751 18611285756", '<a href="tel:01081299751">010-81299751</a> <a href="tel:18611285756">18611285756</a>'),
    ("0571-88031215", '<a href="tel:057188031215">0571-88031215</a>'),
    ("0571-88031215-8001", '<a href="tel:057188031215;ext=8001">0571-88031215-8001</a>'),
    ("周依依，0571-88031215", '周依依，<a href="tel:057188031215">0571-88031215</a>'),
    ("13800000000、13900000000", '<a href="tel:13800000000">13800000000</a>、<a href="tel:13900000000">13900000000</a>'),
    ("<b>13800000000</b>", "&lt;b&gt;13800000000&lt;/b&gt;"),  # typed markup is text, never a link or a tag
    ("", ""),
])  # fmt: skip
def test_phone_numbers_become_tap_to_call_links(typed, html):
    assert phone_links(typed) == html


def test_the_home_page_contacts_are_tap_to_call_and_mailto(client, batch, zhejiang_window):
    html = page(client, reverse("home"))
    assert '<dd class="col-sm-9"><a href="tel:01081299751">010-81299751</a> <a href="tel:18611285756">18611285756</a></dd>' in html
    assert '<a href="mailto:pengfang@enaea.edu.cn">pengfang@enaea.edu.cn</a>' in html
    assert '联系人：周依依，<a href="tel:057188031215">0571-88031215</a>，<a href="mailto:zj_czjxh@163.com">zj_czjxh@163.com</a>' in html


def test_a_reviewer_calls_the_lead_and_liaison_from_the_application_page(client, batch, published, staff_user):
    application = published["sichuan"]
    client.force_login(staff_user)
    html = page(client, reverse("review:national_application", args=[application.pk]))
    assert f'<a href="tel:{application.lead_mobile}">{application.lead_mobile}</a>' in html
    assert f'<a href="tel:{application.liaison_mobile}">{application.liaison_mobile}</a>' in html


# ---- The footer ----------------------------------------------------------------------------------------


def test_every_page_ends_with_the_operator_and_how_to_reach_them(client, db):
    for url in (reverse("home"), reverse("public_list"), reverse("login")):
        html = page(client, url)
        footer = html[html.index("<footer"):html.index("</footer>")]
        assert "主办：中国成人教育协会 · 职业院校服务全民终身学习项目组" in footer
        assert '联系电话：<a href="tel:01081299751">010-81299751</a> <a href="tel:18611285756">18611285756</a>' in footer
        assert '电子邮箱：<a href="mailto:pengfang@enaea.edu.cn">pengfang@enaea.edu.cn</a>' in footer
        assert "时间均为北京时间" in footer
        assert "地址：" not in footer and "ICP" not in footer and "beian.miit.gov.cn" not in footer


def test_the_operator_address_and_icp_number_show_when_set(client, db, settings):
    settings.SITE_OPERATOR_ADDRESS = "北京市西城区测试路 1 号"
    settings.SITE_OPERATOR_PHONES = "010-12345678"
    settings.ICP_NUMBER = "京ICP备12345678号-1"
    html = page(client, reverse("home"))
    footer = html[html.index("<footer"):html.index("</footer>")]
    assert "地址：北京市西城区测试路 1 号" in footer
    assert '联系电话：<a href="tel:01012345678">010-12345678</a>' in footer and "81299751" not in footer
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener" target="_blank">京ICP备12345678号-1</a>' in footer

