"""What static/js/autosave.js posts: the page's form as JSON, read as the form's own POST would be.

autosave.js sends the form's fields as one JSON object, {"name": ["value", ...]} (each name with
all its values, in the page's order), with the CSRF token in its X-CSRFToken header. Hundreds of
schools autosave every few seconds on deadline night, and Django's multipart parser, written in
Python, costs about 3 ms for a form with a long plan where json.loads costs a tenth of that.

A page opened before this format existed still posts the form itself (multipart): that is read
as before, so nobody's typing is lost across a deployment.
"""
import json

from django.conf import settings
from django.core.exceptions import BadRequest, TooManyFieldsSent
from django.http import QueryDict

JSON_CONTENT_TYPE = "application/json"


def autosave_data(request) -> QueryDict:
    """The posted form: the JSON body autosave.js sends, or the form body (request.POST).

    Raises BadRequest (a 400) for a JSON body that is not an object of names to strings or lists
    of strings, and TooManyFieldsSent past DATA_UPLOAD_MAX_NUMBER_FIELDS values, as Django does
    for a form body. The body's size is held to DATA_UPLOAD_MAX_MEMORY_SIZE by request.body."""
    if request.content_type != JSON_CONTENT_TYPE:
        return request.POST
    try:
        posted = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("自动保存的内容无法读取。") from None
    if not isinstance(posted, dict):
        raise BadRequest("自动保存的内容无法读取。")
    data = QueryDict(mutable=True)
    count, limit = 0, settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    for name, values in posted.items():
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise BadRequest("自动保存的内容无法读取。")
        count += len(values)
        if limit is not None and count > limit:
            raise TooManyFieldsSent("The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.")
        data.setlist(name, values)
    data._mutable = False
    return data
