"""The files of installed H5P packages and libraries, for the h5p-standalone player in lessons.

The player is given two folders (see content/templates/content/blocks/h5p.html):
- ``h5pJsonPath`` = ``/h5p/packages/<key>``: it reads ``h5p.json`` there (kept in the
  package's row; the import stores no file for it) and ``content/content.json`` and the media
  the content refers to under ``content/`` (stored under ``h5p/content/<key>/``, without the
  ``content/`` prefix);
- ``librariesPath`` = ``/h5p/libraries``: it reads ``<Machine.Name>-<major>.<minor>/library.json``
  and the files that lists (stored under ``h5p/libraries/<folder>/``). h5p-standalone probes the
  first dependency's folder with its version to decide the naming; ours always carry it.

Only signed-in people get them. A path is answered only if it names a file under the package's
or an installed library's own folder: no ``..``, no absolute or empty parts, no backslash, only
the file types the import accepts. Every answer says its type exactly, with nosniff, and may be
kept by the browser (a package's files never change; a library folder is never rewritten), not
by shared caches.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

from . import h5p
from .h5p_services import CONTENT_ROOT, LIBRARY_ROOT
from .models import H5PLibrary, H5PPackage

CACHE_SECONDS = 24 * 60 * 60
#: Types the player loads; anything else the import allowed is offered as a download.
INLINE_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "json": "application/json",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "svg": "image/svg+xml",
    "eot": "application/vnd.ms-fontobject",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "webm": "video/webm",
    "mp4": "video/mp4",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "vtt": "text/vtt; charset=utf-8",
    "webvtt": "text/vtt; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "pdf": "application/pdf",
    "gltf": "model/gltf+json",
    "glb": "model/gltf-binary",
}


def _headers(response: HttpResponse, *, cache: bool = True) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Opened on its own (an SVG, say), a file runs nothing in the site's origin.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = f"private, max-age={CACHE_SECONDS}" if cache else "no-store"
    return response


def _refuse(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return _headers(response, cache=False)


def _safe_relative(value: str, allowed: frozenset[str]) -> str | None:
    """The path if it names a file inside its folder with an allowed type, else None."""
    if not value or "\\" in value or "\x00" in value or value.startswith("/"):
        return None
    parts = value.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    if PurePosixPath(value).suffix.lower().lstrip(".") not in allowed:
        return None
    return value


def _signed_in(view):
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _refuse(403, _("Sign in to use this activity."))
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return _refuse(404, _("No such file."))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return require_safe(wrapper)


def _serve(request: HttpRequest, name: str) -> HttpResponse:
    if not default_storage.exists(name):
        raise Http404
    modified = default_storage.get_modified_time(name)
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), modified.timestamp()):
        return _headers(HttpResponse(status=304))
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    content_type = INLINE_TYPES.get(extension)
    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
        as_attachment=content_type is None,
        filename=PurePosixPath(name).name if content_type is None else "",
    )
    response["Last-Modified"] = http_date(modified.timestamp())
    return _headers(response)


@_signed_in
def not_a_file(request: HttpRequest, **kwargs) -> HttpResponse:
    """The folders themselves (their URLs are what the player is given)."""
    raise Http404


@_signed_in
def package_h5p_json(request: HttpRequest, key) -> HttpResponse:
    package = H5PPackage.objects.filter(key=key).only("h5p", "created_at").first()
    if package is None:
        raise Http404
    modified = package.created_at.timestamp()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), modified):
        return _headers(HttpResponse(status=304))
    response = JsonResponse(package.h5p)
    response["Last-Modified"] = http_date(modified)
    return _headers(response)


@_signed_in
def package_file(request: HttpRequest, key, path: str) -> HttpResponse:
    relative = _safe_relative(path, h5p.CONTENT_EXTENSIONS)
    if relative is None or not H5PPackage.objects.filter(key=key).exists():
        raise Http404
    return _serve(request, f"{CONTENT_ROOT}/{key}/{relative}")


@_signed_in
def library_file(request: HttpRequest, folder: str, path: str) -> HttpResponse:
    match = h5p.LIBRARY_DIR_RE.match(folder)
    relative = _safe_relative(path, h5p.LIBRARY_EXTENSIONS)
    if match is None or relative is None:
        raise Http404
    machine_name, major, minor = match.group(1), int(match.group(2)), int(match.group(3))
    if not H5PLibrary.objects.filter(machine_name=machine_name, major=major, minor=minor).exists():
        raise Http404
    return _serve(request, f"{LIBRARY_ROOT}/{folder}/{relative}")


app_name = "h5p"
urlpatterns = [
    path("packages/<uuid:key>", not_a_file, name="package"),
    path("packages/<uuid:key>/h5p.json", package_h5p_json, name="package_h5p_json"),
    path("packages/<uuid:key>/content/<path:path>", package_file, name="package_file"),
    path("libraries", not_a_file, name="libraries"),
    path("libraries/<str:folder>/<path:path>", library_file, name="library_file"),
]
