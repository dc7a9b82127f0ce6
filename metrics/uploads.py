"""
Uploads stopped while they stream in, at the limit of the view that receives them.

`LimitedUploadHandler` is the first of `FILE_UPLOAD_HANDLERS`, so it sees every upload of the site before
Django keeps any of it in memory or on disk. It counts the bytes of the uploaded files and stops the upload
as soon as they pass the receiving view's limit: nothing past the limit is kept, and what was received is
deleted with the request. A view declares its limit with `@upload_limit(...)` (on a view function, an admin
view method, a DRF view class or one action of a viewset); a view that declares none takes no more than
Django's own limit on a request's other data, DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), so that a new upload field
cannot forget it.

When an upload is stopped, `refusal(request)` is the message to show (it names the limit) and the file is
missing from the request's files: the view answers with that message (a 400 in the API, a form error on a
page). Two ways of stopping:
- an API view (one exempt from Django's CSRF middleware: its token, if any, comes in a header) is refused
  before a byte of the body is read when the request declares a length beyond the limit, and an upload
  that passes the limit on the way is cut off there;
- a page's form carries its CSRF token in the body, so its upload is read up to the limit and the rest is
  read and dropped (neither kept in memory nor written anywhere), so that the page can say why.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

# Room for the multipart envelope around the file (boundaries, part headers); the form's other fields are
# bounded by DATA_UPLOAD_MAX_MEMORY_SIZE on top of it.
ENVELOPE_BYTES = 64 * 1024
DJANGO_DEFAULT_DATA_BYTES = 2_621_440


@dataclass(frozen=True)
class UploadLimit:
    most: Callable[[], int]  # bytes, read for each request, so that a changed setting applies at once
    message: str  # the refusal; `{limit:,}` is the limit in bytes


def upload_limit(most: Callable[[], int], message: str):
    """Declares the largest upload a view receives: `most()` bytes of files, refused with `message`."""
    limit = UploadLimit(most, message)

    def declare(view):
        view.upload_limit = limit
        return view

    return declare


def _data_bytes() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or DJANGO_DEFAULT_DATA_BYTES


UNDECLARED = UploadLimit(_data_bytes, "This page takes no file larger than {limit:,} bytes.")


def refusal(request) -> str:
    """Why the request's upload was stopped ("" when it was not)."""
    return getattr(request, "upload_refused", "")


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        view = getattr(getattr(request, "resolver_match", None), "func", None)
        self.limit = _declared(view, getattr(request, "method", "") or "")
        self.most = self.limit.most()
        self.api = bool(getattr(view, "csrf_exempt", False))
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self.api and content_length > self.most + _data_bytes() + ENVELOPE_BYTES:
            self._refuse()
            return QueryDict(encoding=encoding), MultiValueDict()  # the body is never read
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.most:
            self._refuse()
            raise StopUpload(connection_reset=self.api)
        return raw_data

    def file_complete(self, file_size):
        return None  # the handlers after this one keep the file

    def _refuse(self) -> None:
        if self.request is not None:
            self.request.upload_refused = self.limit.message.format(limit=self.most)


def _declared(view, method: str) -> UploadLimit:
    viewset = getattr(view, "cls", None)
    # A viewset's route maps each HTTP method to one of its actions: the action's own limit comes first.
    action = (getattr(view, "actions", None) or {}).get(method.lower())
    handler = getattr(viewset, action, None) if action else None
    for holder in (view, handler, viewset, getattr(view, "view_class", None)):
        limit = getattr(holder, "upload_limit", None)
        if isinstance(limit, UploadLimit):
            return limit
    return UNDECLARED
