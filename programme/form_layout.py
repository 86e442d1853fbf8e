"""Forms a page repeats once a row (a decision for each leave request, each school in the exit
queue, each submission of the 优质校评估's ranking), laid out by crispy once a page and given each
row's ids: the blank forms of a page's rows differ in nothing else, and crispy takes 2–3 ms a form
(hundreds of rows made a page of seconds at 1,000 实验校)."""
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.utils.safestring import mark_safe


def blank_form_html(cache: dict, form_class, key: int, *, ids: str = "", prefix: str = "") -> str:
    """A blank `form_class` as crispy lays it out for the row `key`: its ids f"{ids}{key}_<field>"
    (an auto_id pattern), or its field names f"{prefix}{key}-<field>" (a form prefix, the ids
    following). Laid out once into `cache` (one dict a page) for row 0, then given the row's."""
    if form_class not in cache:
        cache[form_class] = str(as_crispy_form(form_class(auto_id=f"{ids}0_%s") if ids else form_class(prefix=f"{prefix}0")))
    if ids:
        return mark_safe(cache[form_class].replace(f"{ids}0_", f"{ids}{key}_"))
    return mark_safe(cache[form_class].replace(f"id_{prefix}0-", f"id_{prefix}{key}-").replace(f'name="{prefix}0-', f'name="{prefix}{key}-'))
