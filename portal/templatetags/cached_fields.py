"""`{{ form.x|as_cached_crispy_field }}`: crispy-forms' `as_crispy_field`, remembered.

The application form's page renders twenty fields through crispy-forms' templates, about a
millisecond each, on every page load; on deadline night that page comes back after every 保存草稿.
Between two loads a school changes one or two fields, so each field's HTML is remembered (in this
process, the most recent first out when the total passes FRAGMENT_CHARS_LIMIT) under a digest of
everything that shapes it: the form and field, the field's value as shown, its errors, label, help
text, required/disabled, the widget's state and the choices offered. Any of these changing gives
another key, so a remembered fragment is only ever the one crispy-forms would render; a value
without a stable representation simply misses the cache and is rendered afresh.
"""
import hashlib
import threading
from collections import OrderedDict

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template

register = template.Library()

FRAGMENT_CHARS_LIMIT = 4_000_000  # characters of HTML kept (a few MB a process)

_fragments: "OrderedDict[str, str]" = OrderedDict()
_kept_chars = 0
_lock = threading.Lock()


def fragment_key(bound_field) -> str:
    """A digest of everything `as_crispy_field` reads from `bound_field`."""
    field, widget = bound_field.field, bound_field.field.widget
    widget_state = sorted((name, value) for name, value in vars(widget).items() if name not in ("choices", "_choices"))
    choices = [(str(value), str(label)) for value, label in field.choices] if hasattr(field, "choices") else None
    parts = (
        type(bound_field.form).__module__, type(bound_field.form).__qualname__, bound_field.html_name, bound_field.auto_id,
        type(field).__qualname__, type(widget).__module__, type(widget).__qualname__, widget_state,
        field.required, field.disabled, field.show_hidden_initial, str(bound_field.label), str(field.help_text),
        bound_field.form.label_suffix, choices, [str(error) for error in bound_field.errors], bound_field.value(),
    )  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def forget_fragments() -> None:
    global _kept_chars
    with _lock:
        _fragments.clear()
        _kept_chars = 0


@register.filter
def as_cached_crispy_field(bound_field):
    """The field as `as_crispy_field` renders it (bootstrap5, no extra classes), from the cache
    when the same field in the same state was rendered before in this process."""
    global _kept_chars
    key = fragment_key(bound_field)
    with _lock:
        html = _fragments.get(key)
        if html is not None:
            _fragments.move_to_end(key)
            return html
    html = as_crispy_field(bound_field)
    with _lock:
        if key not in _fragments:
            _fragments[key] = html
            _kept_chars += len(html)
            while _kept_chars > FRAGMENT_CHARS_LIMIT and _fragments:
                _old_key, old = _fragments.popitem(last=False)
                _kept_chars -= len(old)
    return html
