"""Checking an H5P package (.h5p, a zip) before anything of it is written.

What is refused, and why (each with a message the uploader can act on):
- entry names that could escape the package's folder or mean something else on another system:
  absolute paths, ``..`` parts, backslashes, drive letters, NUL; symbolic links;
- a zip bomb: caps on the number of entries, each file's size, the total uncompressed size and
  the compression ratio — counted on the bytes actually inflated while streaming, never on the
  sizes the zip's directory claims;
- files H5P core would not accept: content may only hold media and data files (H5P core's
  content whitelist, without Flash); ``js`` and ``css`` are allowed only inside library folders,
  and only an administrator may bring libraries the platform does not have yet;
- a package whose ``h5p.json`` or ``content/content.json`` is missing or invalid, or whose
  dependencies (from ``h5p.json`` and from every library's ``library.json``) cannot be
  resolved from the package or from the libraries already installed.

``inspect`` reads the package without writing anything and returns what to install; the caller
writes only a package that passed.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

#: H5P core's default content whitelist (h5p.classes.php), without "swf" (Flash).
CONTENT_EXTENSIONS = frozenset(
    "json png jpg jpeg gif bmp tif tiff svg eot ttf woff woff2 otf webm mp4 ogg mp3 m4a wav "
    "txt pdf rtf doc docx xls xlsx ppt pptx odt ods odp xml csv diff patch md textile vtt "
    "webvtt gltf glb".split()
)
#: Libraries may also hold their code.
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css"}
ROOT_FILES = {"h5p.json"}
LIBRARY_DIR_RE = re.compile(r"^([A-Za-z0-9._-]+)-(\d+)\.(\d+)$")
MACHINE_NAME_RE = re.compile(r"^[\w.-]{1,255}$")
CHUNK = 64 * 1024


class PackageError(ValueError):
    """The package is refused; the message says why."""


@dataclass(frozen=True)
class LibraryRef:
    machine_name: str
    major: int
    minor: int

    @property
    def folder(self) -> str:
        return f"{self.machine_name}-{self.major}.{self.minor}"

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}"


@dataclass
class Library:
    ref: LibraryRef
    patch: int
    title: str
    data: dict
    files: list[str] = field(default_factory=list)  # paths inside the package


@dataclass
class Package:
    title: str
    main_library: LibraryRef
    h5p: dict
    content: dict
    content_files: list[str]  # paths inside the package under content/
    libraries: dict[LibraryRef, Library]  # brought by the package
    needs: set[LibraryRef]  # every library the content uses, directly or not


def _limits() -> dict[str, int]:
    return {
        "entries": getattr(settings, "H5P_MAX_ENTRIES", 2000),
        "file": getattr(settings, "H5P_MAX_FILE_BYTES", 64 * 1024 * 1024),
        "total": getattr(settings, "H5P_MAX_TOTAL_BYTES", 256 * 1024 * 1024),
        "ratio": getattr(settings, "H5P_MAX_RATIO", 100),
    }


def _check_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if "\\" in name or "\x00" in name:
        raise PackageError(_("“%(name)s”: backslashes are not allowed in names.") % {"name": name})
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise PackageError(_("“%(name)s”: absolute paths are not allowed.") % {"name": name})
    parts = PurePosixPath(name).parts
    if any(p in ("..", ".") for p in parts):
        raise PackageError(_("“%(name)s”: “..” is not allowed in paths.") % {"name": name})
    mode = (info.external_attr >> 16) & 0o170000
    if mode == 0o120000:
        raise PackageError(_("“%(name)s”: links are not allowed.") % {"name": name})
    return name


def _ext(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def _read_all(zf: zipfile.ZipFile, infos: Iterable[zipfile.ZipInfo]) -> dict[str, bytes]:
    """Inflate every file, counting real bytes against the caps; returns the JSON files' bytes
    (the only ones needed to decide)."""
    limits = _limits()
    total = 0
    keep: dict[str, bytes] = {}
    for info in infos:
        size = 0
        chunks = []
        with zf.open(info) as fh:
            while True:
                block = fh.read(CHUNK)
                if not block:
                    break
                size += len(block)
                total += len(block)
                if size > limits["file"]:
                    raise PackageError(
                        _("“%(name)s” is larger than %(mb)s MB.")
                        % {"name": info.filename, "mb": limits["file"] // (1024 * 1024)}
                    )
                if total > limits["total"]:
                    raise PackageError(
                        _("The package unpacks to more than %(mb)s MB.")
                        % {"mb": limits["total"] // (1024 * 1024)}
                    )
                if size > 1024 * 1024 and size > limits["ratio"] * max(info.compress_size, 1):
                    raise PackageError(
                        _(
                            "“%(name)s” is compressed more than %(ratio)s times: refused as a "
                            "possible zip bomb."
                        )
                        % {"name": info.filename, "ratio": limits["ratio"]}
                    )
                if info.filename.endswith(".json"):
                    chunks.append(block)
        if info.filename.endswith(".json"):
            keep[info.filename] = b"".join(chunks)
    return keep


def _json(data: dict[str, bytes], name: str) -> dict:
    if name not in data:
        raise PackageError(_("The package has no %(name)s.") % {"name": name})
    try:
        value = json.loads(data[name].decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(
            _("%(name)s is not valid JSON: %(error)s") % {"name": name, "error": exc}
        ) from None
    if not isinstance(value, dict):
        raise PackageError(_("%(name)s must hold a JSON object.") % {"name": name})
    return value


def _refs(items: object, where: str) -> list[LibraryRef]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise PackageError(_("%(where)s: dependencies must be a list.") % {"where": where})
    refs = []
    for item in items:
        try:
            name = item["machineName"]
            major, minor = int(item["majorVersion"]), int(item["minorVersion"])
        except (TypeError, KeyError, ValueError):
            raise PackageError(
                _("%(where)s: a dependency lacks machineName, majorVersion or minorVersion.")
                % {"where": where}
            ) from None
        if not isinstance(name, str) or not MACHINE_NAME_RE.match(name):
            raise PackageError(_("%(where)s: invalid library name.") % {"where": where})
        refs.append(LibraryRef(name, major, minor))
    return refs


def inspect(fileobj: IO[bytes], installed: set[LibraryRef], may_add_libraries: bool) -> Package:
    """Check the whole package without writing anything; raise PackageError with the reason."""
    limits = _limits()
    try:
        zf = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError):
        raise PackageError(_("The file is not an H5P package (not a zip archive).")) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits["entries"]:
            raise PackageError(
                _("The package has more than %(n)s files.") % {"n": limits["entries"]}
            )
        files = []
        for info in infos:
            name = _check_name(info)
            if info.is_dir():
                continue
            files.append(info)
        content_files, library_files = [], {}
        for info in files:
            name = info.filename
            top = name.split("/", 1)[0]
            if name in ROOT_FILES:
                continue
            if top == "content":
                if _ext(name) not in CONTENT_EXTENSIONS:
                    raise PackageError(
                        _("“%(name)s”: files of this type are not allowed in content.")
                        % {"name": name}
                    )
                content_files.append(name)
            elif LIBRARY_DIR_RE.match(top) and "/" in name:
                if _ext(name) not in LIBRARY_EXTENSIONS:
                    raise PackageError(
                        _("“%(name)s”: files of this type are not allowed in a library.")
                        % {"name": name}
                    )
                library_files.setdefault(top, []).append(name)
            else:
                raise PackageError(
                    _("“%(name)s” is outside content/ and the library folders.") % {"name": name}
                )
        data = _read_all(zf, files)
    h5p = _json(data, "h5p.json")
    content = _json(data, "content/content.json")
    title = h5p.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PackageError(_("h5p.json has no title."))
    main_name = h5p.get("mainLibrary")
    direct = _refs(h5p.get("preloadedDependencies"), "h5p.json")
    main = next((r for r in direct if r.machine_name == main_name), None)
    if main is None:
        raise PackageError(_("h5p.json: the main library is not among its dependencies."))

    libraries: dict[LibraryRef, Library] = {}
    for folder, names in library_files.items():
        where = f"{folder}/library.json"
        meta = _json(data, where)
        try:
            ref = LibraryRef(
                meta["machineName"], int(meta["majorVersion"]), int(meta["minorVersion"])
            )
            patch = int(meta.get("patchVersion", 0))
        except (KeyError, TypeError, ValueError):
            raise PackageError(
                _("%(where)s lacks machineName, majorVersion or minorVersion.") % {"where": where}
            ) from None
        if ref.folder != folder:
            raise PackageError(
                _("%(where)s describes %(library)s, not the folder it is in.")
                % {"where": where, "library": ref}
            )
        for key in ("preloadedJs", "preloadedCss"):
            for item in meta.get(key) or []:
                path = f"{folder}/{(item or {}).get('path', '')}"
                if path not in names:
                    raise PackageError(
                        _("%(where)s names %(path)s, which is not in the package.")
                        % {"where": where, "path": path}
                    )
        libraries[ref] = Library(
            ref=ref, patch=patch, title=str(meta.get("title", ref)), data=meta, files=names
        )
    new = [ref for ref in libraries if ref not in installed]
    if new and not may_add_libraries:
        raise PackageError(
            _(
                "The package brings libraries the platform does not have (%(libs)s); only an "
                "administrator may add libraries."
            )
            % {"libs": ", ".join(sorted(str(r) for r in new))}
        )

    # Every dependency, followed through the libraries, must be in the package or installed.
    needs: set[LibraryRef] = set()
    queue = list(direct)
    while queue:
        ref = queue.pop()
        if ref in needs:
            continue
        needs.add(ref)
        if ref in libraries:
            meta = libraries[ref].data
            queue += _refs(meta.get("preloadedDependencies"), f"{ref.folder}/library.json")
            queue += _refs(meta.get("dynamicDependencies"), f"{ref.folder}/library.json")
        elif ref not in installed:
            raise PackageError(
                _("Missing dependency: %(library)s is neither in the package nor installed.")
                % {"library": ref}
            )
    return Package(
        title=title.strip(),
        main_library=main,
        h5p=h5p,
        content=content,
        content_files=content_files,
        libraries=libraries,
        needs=needs,
    )
