"""Reading pages the way a browser does: the values a form would submit, and the attributes of its
fields, from the HTML the server sent."""
import re
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.depth = 0  # > 0 while inside the wanted form
        self.values: dict[str, list[str]] = {}
        self.attrs: dict[str, dict[str, str]] = {}
        self._textarea = None
        self._select = None
        self._template = 0  # inside <template>: inert content a browser never submits

    def _add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "template":
            self._template += 1
            return
        if self._template:
            return
        if tag == "form":
            if self.depth:
                self.depth += 1
            elif attrs.get("id") == self.form_id:
                self.depth = 1
            return
        if not self.depth:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            self.attrs.setdefault(name, attrs)
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file", "reset"):
                self._add(name, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.attrs.setdefault(name, attrs)
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self.attrs.setdefault(name, attrs)
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "template":
            self._template -= 1
        elif self._template:
            return
        elif tag == "form" and self.depth:
            self.depth -= 1
        elif tag == "textarea" and self._textarea:
            name, text = self._textarea
            # Browsers drop one newline right after <textarea>.
            self._add(name, text[1:] if text.startswith("\n") else text)
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def read_form(html: str, form_id: str):
    """(values, attrs) of the form with id `form_id`: values maps each name to the list of values
    a browser would submit; attrs maps each name to the attributes of its (first) field."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    return reader.values, reader.attrs


def form_values(html: str, form_id: str) -> dict[str, str | list[str]]:
    """The values a browser would submit, single values unwrapped (lists kept for multi-valued names)."""
    values, _attrs = read_form(html, form_id)
    return {name: found[0] if len(found) == 1 else found for name, found in values.items()}


class _TextReader(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, element_id):
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.depth = 0
        self.found = False
        self.text = ""

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.element_id and not self.found:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text += data


def text_of(html: str, element_id: str) -> str | None:
    """The text inside the element with id `element_id` (blanks collapsed), None when there is none."""
    reader = _TextReader(element_id)
    reader.feed(html)
    reader.close()
    return " ".join(reader.text.split()) if reader.found else None


def section_badges(html: str) -> dict[str, str]:
    """Each section's completeness badge on the edit page: {"people": "已完成", ...}."""
    return dict(re.findall(r'data-section-state="(\w+)">([^<]*)<', html))


def descriptions(html: str, field_attrs: dict[str, str]) -> list[str | None]:
    """The texts a screen reader reads with a field: one per id in its aria-describedby (None for
    an id that names no element on the page)."""
    return [text_of(html, element_id) for element_id in field_attrs.get("aria-describedby", "").split()]
