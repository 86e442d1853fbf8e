"""Checks every page a browser test passes through, as the role that sees it:

- a screenshot of each step (desktop, and the phone width), in this run's artifacts folder;
- axe-core (node_modules/axe-core) in the page at 1280 px and at 390 px: no violation of impact
  serious or critical;
- at 390 px nothing wider than the screen (no sideways scrolling of the page);
- the HTML the server sent, kept for the Nu HTML Checker (node_modules/vnu-jar, run once per test
  over all its pages by `finish`): no error; and the portal's Content-Security-Policy rule: no
  inline script, no <style> element, no style= attribute;
- no console error, no uncaught exception, no failed request and no response of status 400 or more
  except those a step expects;
- no template syntax ({# #}, {% %}, {{ }}) in the page's visible text: a Django comment left open
  over two lines, or a tag the engine did not see, shows up there as text.

Problems are collected, not raised one by one, so one run reports everything; `finish` fails the
test listing them all, and writes `<folder>/audit.json` with what was checked.
"""
import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")

# axe.run in the page: the violations, with where they are.
AXE_RUN = """async () => {
  const result = await window.axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: (n.failureSummary || "").split("\\n").slice(0, 3).join(" ")})),
  }));
}"""


def _axe_source() -> str:
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: run `npm ci` (bin/setup does)")
    return AXE_JS.read_text(encoding="utf-8")


@dataclass
class Audit:
    page: object
    folder: Path
    step: int = 0
    problems: list[str] = field(default_factory=list)
    checked: list[dict] = field(default_factory=list)
    html_files: dict[str, str] = field(default_factory=dict)  # file → step label
    _events: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) since the last check
    _downloads: set[str] = field(default_factory=set)
    _document = None  # the main frame's last document response

    def __post_init__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "html").mkdir(exist_ok=True)
        self.attach(self.page)

    # --- events --------------------------------------------------------------------------------
    def attach(self, page):
        """Listen to `page` (the audit's page, or a popup) for errors and failed requests."""
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self._events.append(("uncaught exception", str(error))))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message):
        if message.type != "error":
            return
        # Chromium's own line for a 4xx/5xx response: the response check below judges those.
        if message.text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self._events.append(("console error", message.text))

    def _on_request_failed(self, request):
        # A link that turns into a download is "aborted" as a navigation: that is the download.
        if request.url in self._downloads or "download=1" in request.url:
            return
        # A favicon or an image still loading when the test (faster than a person) leaves the page
        # is cancelled; a cancelled fetch (an autosave cut short) is a problem and is reported.
        if request.failure == "net::ERR_ABORTED" and request.resource_type not in ("fetch", "xhr", "document", "script", "stylesheet"):
            return
        self._events.append(("failed request", f"{request.method} {request.url}: {request.failure}"))

    def _on_response(self, response):
        request = response.request
        if request.resource_type == "document" and request.frame == self.page.main_frame:
            self._document = response
        if response.status >= 400:
            self._events.append((f"status {response.status}", f"{request.method} {response.url}"))

    # --- one step ------------------------------------------------------------------------------
    def check(self, name: str, *, status: int = 200):
        """Check the page on screen now as step `name`, at desktop and at phone width. `status`:
        what the page's own response is expected to be (a form shown again with errors: 400)."""
        page = self.page
        started = time.perf_counter()
        page.wait_for_load_state("load")
        self.step += 1
        label = f"{self.step:02d}-{name}"
        self._take_events(label, expected_status=status)
        self._keep_html(label)
        self.problems.extend(f"[{label}] {problem}" for problem in template_syntax_problems(page.inner_text("body")))
        record = {"step": label, "url": page.url, "widths": [], "timing": {}}
        original = page.viewport_size
        try:
            for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
                if page.viewport_size != size:
                    page.set_viewport_size(size)
                if width == "phone":
                    self._overflow(label)
                lap = time.perf_counter()
                self._axe(label, width, record)
                record["timing"][f"axe-{width}"] = round(time.perf_counter() - lap, 2)
                lap = time.perf_counter()
                suffix = "" if width == "desktop" else "-phone"
                page.screenshot(path=str(self.folder / f"{label}{suffix}.png"), full_page=True)
                record["timing"][f"screenshot-{width}"] = round(time.perf_counter() - lap, 2)
        finally:
            if page.viewport_size != original:
                page.set_viewport_size(original)
        record["seconds"] = round(time.perf_counter() - started, 2)
        self.checked.append(record)
        # Events raised by the checks themselves (none expected) count for this step too.
        self._take_events(label, expected_status=status)

    def _overflow(self, label):
        """At phone width nothing may make the page scroll sideways."""
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"] + 1:
            wide = self.page.evaluate(WIDEST_ELEMENTS, PHONE["width"])
            self.problems.append(f"[{label}] 390 px: the page is {width} px wide; too wide: {wide}")

    def _take_events(self, label, *, expected_status):
        events, self._events = self._events, []
        for kind, text in events:
            if kind == f"status {expected_status}" and self._document is not None and text.endswith(self._document.url):
                continue
            self.problems.append(f"[{label}] {kind}: {text}")

    def _keep_html(self, label):
        """The HTML as the server sent it (the DOM after scripts is not what is validated)."""
        html = None
        if self._document is not None and self._document.url == self.page.url.split("#")[0]:
            try:
                html = self._document.text()
            except Exception:  # noqa: BLE001 — the body may be gone; fall back to the DOM
                html = None
        if html is None:
            html = self.page.content()
        path = self.folder / "html" / f"{label}.html"
        path.write_text(html, encoding="utf-8")
        self.html_files[str(path)] = label
        self.problems.extend(f"[{label}] {problem}" for problem in csp_problems(html))

    def _axe(self, label, width, record):
        page = self.page
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy (no
        # inline script) does not apply to; a <script> tag would be refused.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(_axe_source() + "\n;0")
        violations = page.evaluate(AXE_RUN)
        record["widths"].append(width)
        for violation in violations:
            record.setdefault("violations", []).append({"width": width, **violation})
            if violation["impact"] in BLOCKING_IMPACTS:
                targets = "; ".join(f"{n['target']} ({n['summary']})" for n in violation["nodes"][:6])
                self.problems.append(
                    f"[{label}] axe {width}: {violation['id']} ({violation['impact']}) {violation['help']} — {targets}"
                )

    # --- downloads -----------------------------------------------------------------------------
    def download(self, locator) -> bytes:
        """Click `locator`, which downloads a file; return its bytes."""
        href = locator.get_attribute("href")
        if href:
            self._downloads.add(urljoin(self.page.url, href))
        # A PDF is rendered on request; on a busy two-core machine that can take a while.
        # What the browser did meanwhile is kept: should no download come, the failure says
        # whether the link was answered (and how), failed, or the page asked to stay (an
        # unsaved-changes prompt, which Playwright dismisses).
        seen = []
        listeners = {
            "response": lambda response: seen.append(f"response {response.status} {response.url}"),
            "requestfailed": lambda request: seen.append(f"failed {request.url}: {request.failure}"),
            "dialog": lambda dialog: (seen.append(f"dialog {dialog.type}: {dialog.message!r}"), dialog.dismiss()),
        }
        for event, listener in listeners.items():
            self.page.on(event, listener)
        try:
            with self.page.expect_download(timeout=120_000) as info:
                locator.click()
            download = info.value
        except PlaywrightTimeoutError as error:
            raise AssertionError(f"no download from {href} within 120 s; the page is at {self.page.url}; seen: {seen}") from error
        finally:
            for event, listener in listeners.items():
                self.page.remove_listener(event, listener)
        self._downloads.add(download.url)
        return Path(download.path()).read_bytes()

    # --- the end -------------------------------------------------------------------------------
    def finish(self):
        """Validate every page's HTML with the Nu HTML Checker, then fail listing every problem."""
        self._take_events("after the last step", expected_status=200)
        self.problems.extend(validate_html(self.html_files))
        self.write_summary()
        assert not self.problems, f"{len(self.problems)} problem(s) on the pages:\n" + "\n".join(self.problems)


    def write_summary(self):
        """`<folder>/audit.json`: the pages checked, at which widths, and what was found."""
        summary = {"pages": len(self.checked), "checks": self.checked, "problems": self.problems}
        (self.folder / "audit.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")


def csp_problems(html: str) -> list[str]:
    """The portal's rule for its pages (the Content-Security-Policy allows no inline code): no
    inline <script>, no <style> element, no style= attribute."""
    problems = []
    for match in re.finditer(r"<script\b([^>]*)>", html, re.IGNORECASE):
        attributes = match.group(1)
        if "src=" not in attributes and "application/json" not in attributes:
            problems.append(f"CSP: inline script «{html[match.start():match.start() + 80]}»")
    if re.search(r"<style[\s>]", html, re.IGNORECASE):
        problems.append("CSP: a <style> element")
    for match in re.finditer(r"<[a-z][^>]*\sstyle\s*=", html, re.IGNORECASE):
        problems.append(f"CSP: a style attribute «{match.group(0)[:80]}»")
    return problems


TEMPLATE_SYNTAX = re.compile(r"\{#|#\}|\{%|%\}|\{\{|\}\}")


def template_syntax_problems(text: str) -> list[str]:
    """Template syntax in a page's visible text: one problem per line of text showing it."""
    return [
        f"template syntax shown as text: «{' '.join(line.split())[:160]}»"
        for line in text.splitlines()
        if TEMPLATE_SYNTAX.search(line)
    ]


# The elements that stick out beyond `width` (for the overflow message).
WIDEST_ELEMENTS = """(width) => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0) {
      let inScroller = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX === "auto" || s.overflowX === "scroll" || s.overflowX === "hidden") { inScroller = true; break; }
      }
      if (!inScroller) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") + " right=" + Math.round(r.right));
    }
    if (out.length >= 8) break;
  }
  return out.join(", ");
}"""


def validate_html(html_files: dict[str, str]) -> list[str]:
    """Run the Nu HTML Checker once over `html_files` (path → step label); its errors as lines."""
    if not html_files:
        return []
    if not VNU_JAR.exists():
        return [f"{VNU_JAR} is missing: run `npm ci` (bin/setup does)"]
    java = shutil.which("java")
    if java is None:
        return ["java is missing: the Nu HTML Checker needs a Java runtime (bin/setup --test installs one)"]
    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *html_files],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    try:
        messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    except (ValueError, KeyError):
        return [f"the Nu HTML Checker failed (exit {result.returncode}): {result.stderr[-2000:]}"]
    problems = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        path = re.sub(r"^file:", "", message.get("url", ""))
        label = html_files.get(path, Path(path).name)
        where = f"line {message.get('lastLine', '?')}"
        extract = (message.get("extract") or "").strip().replace("\n", " ")[:160]
        problems.append(f"[{label}] vnu {where}: {message.get('message')} «{extract}»")
    return problems
