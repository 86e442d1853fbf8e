"""Steps the browser tests share, done the way a person does them: through the pages."""
import re

from django.core import mail

from tests.conftest import PASSWORD, PLAN_SENTENCE, PLAN_NAME, pdf_bytes, png_bytes

# Some requests render PDFs while the page waits (the application, the 推荐汇总表 on forwarding, a
# ZIP of PDFs): on a busy machine (CI, two xdist workers, other jobs) one step can take far longer
# than the 15 s the quicker browser tests allow.
PATIENCE_MS = 120_000


def be_patient(page):
    page.set_default_timeout(PATIENCE_MS // 2)
    page.set_default_navigation_timeout(PATIENCE_MS)


TEAM = [
    ("王晓燕", "副院长", "校领导", "13800000001", "总负责"),
    ("何晓东", "讲师", "继续教育学院", "13700000001", "项目对接"),
    ("刘芳", "副教授", "社区教育中心", "13600000001", "课程开发"),
]


def open_menu(page):
    """On a phone the navigation sits behind the menu button."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        page.locator("#nav.show").wait_for()


def log_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def log_out(page):
    open_menu(page)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^退出")).click()


def confirmation_link(address: str) -> str:
    """The activation link of the last confirmation mail sent to `address`."""
    for message in reversed(mail.outbox):
        if address in message.to:
            found = re.search(r"https?://\S+/accounts/activate/\S+/", message.body)
            if found:
                return found.group(0)
    raise AssertionError(f"no confirmation mail to {address} in {[m.to for m in mail.outbox]}")


def fill_application(page, *, lead_name="王晓燕"):
    """Fill in every section of the edit page (the school's profile gives the rest)."""
    page.locator("#id_lead_name").fill(lead_name)
    page.locator("#id_lead_title").fill("副院长")
    page.locator("#id_lead_mobile").fill("13800000001")
    page.locator("#id_liaison_name").fill("何晓东")
    page.locator("#id_liaison_title").fill("办公室主任")
    page.locator("#id_liaison_mobile").fill("13700000001")
    for index, row in enumerate(TEAM):
        for name, value in zip(("name", "title", "department", "mobile", "duty"), row):
            page.locator(f"#id_team-{index}-{name}").fill(value)
    page.get_by_label("老年教育赋能提质").check()
    page.get_by_label("职业教育助力乡村振兴").check()
    page.locator("#id_plan_name").fill(PLAN_NAME)
    for name in ("plan_content", "plan_steps", "plan_goals", "plan_features"):
        page.locator(f"#id_{name}").fill(PLAN_SENTENCE * 15)
    page.locator("#id_pledge_signatory").fill(lead_name)
    page.locator("#id_pledge_accept").check()
    page.locator("#id_unit_opinion").fill("同意申报。")
    page.locator("#id_supervisor_name").fill("浙江省教育厅职业教育与成人教育处")


def save_draft(page):
    # An autosave may be under way: the page sends the form once it is back (static/js/autosave.js).
    with page.expect_navigation():
        page.locator(".save-bar").get_by_role("button", name="保存草稿").click()
    assert "草稿已保存" in page.locator(".messages").inner_text()


def scan_files(tmp_path):
    """A PNG and a PDF 'scan' on disk, as a phone or a scanner would leave them."""
    png = tmp_path / "盖章扫描件.png"
    png.write_bytes(png_bytes())
    pdf = tmp_path / "盖章扫描件.pdf"
    pdf.write_bytes(pdf_bytes())
    return png, pdf


def download_pdf(page, audit) -> bytes:
    data = audit.download(page.get_by_role("link", name="下载申请表 PDF"))
    assert data.startswith(b"%PDF"), data[:20]
    return data


def upload_scan(page, path):
    page.get_by_label("签字盖章后的申请表扫描件").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="上传扫描件").click()
    assert "扫描件已上传" in page.locator(".messages").inner_text()


def submit_application(page):
    with page.expect_navigation():
        page.get_by_role("link", name="检查并提交").click()
    return page


def assert_error_next_to(page, field, text: str):
    """`field` is marked invalid and its message, containing `text`, is tied to it for screen
    readers (aria-describedby) and shown right under it."""
    assert field.get_attribute("aria-invalid") == "true", field
    ids = (field.get_attribute("aria-describedby") or "").split()
    shown = [page.locator(f"[id='{i}']") for i in ids]
    shown = [m for m in shown if m.count() == 1 and m.is_visible() and text in m.inner_text()]
    assert shown, f"no visible message “{text}” among aria-describedby={ids}"
    # In page coordinates (the page may still be scrolling to the section).
    field_bottom = field.evaluate("e => e.getBoundingClientRect().bottom + scrollY")
    message_top = shown[0].evaluate("e => e.getBoundingClientRect().top + scrollY")
    assert 0 <= message_top - field_bottom < 40, (field_bottom, message_top)


# What has the keyboard focus, and whether a sighted keyboard user can see it: on screen, not
# covered by anything (a sticky bar), with an outline or a shadow that marks it.
FOCUSED = """async () => {
  // What a person sees once the page has stopped scrolling (Bootstrap scrolls smoothly).
  const frame = () => new Promise(done => requestAnimationFrame(done));
  for (let still = 0, last = -1, n = 0; still < 8 && n < 120; n++) {
    await frame();
    still = scrollY === last ? still + 1 : 0;
    last = scrollY;
  }
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {
    id: el.id, tag: el.tagName.toLowerCase(), type: el.type || "",
    name: (el.getAttribute("aria-label") || el.innerText || el.value || "").trim().slice(0, 30),
    marked: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none",
    onScreen: r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth,
    covered: !(top && (top === el || el.contains(top) || (top.tagName === "LABEL" && top.control === el))),
    box: [Math.round(r.top), Math.round(r.bottom)], viewport: innerHeight,
    coveredBy: top ? top.tagName.toLowerCase() + "." + String(top.className).trim().split(/\\s+/).join(".") : "",
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def assert_focus_visible(page) -> dict:
    info = focused(page)
    assert info is not None, "nothing has the focus"
    assert info["marked"], f"no focus indicator on {info}"
    assert info["onScreen"] and not info["covered"], f"the focused element is not visible: {info}"
    return info


def tab_to(page, element_id: str, *, limit: int = 80) -> list[dict]:
    """Press Tab until `element_id` has the focus, checking every stop on the way is visible."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = assert_focus_visible(page)
        stops.append(info)
        if info["id"] == element_id:
            return stops
    raise AssertionError(f"#{element_id} not reached by Tab; stops: {[s['id'] or s['name'] for s in stops]}")
