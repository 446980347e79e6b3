"""Installing a checked H5P package: rows and files together, or nothing."""

from __future__ import annotations

import logging
import zipfile
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from . import h5p
from .models import H5PLibrary, H5PPackage

logger = logging.getLogger(__name__)
LIBRARY_ROOT = "h5p/libraries"
CONTENT_ROOT = "h5p/content"


def installed_libraries() -> dict[h5p.LibraryRef, H5PLibrary]:
    return {
        h5p.LibraryRef(lib.machine_name, lib.major, lib.minor): lib
        for lib in H5PLibrary.objects.all()
    }


def import_package(
    fileobj: IO[bytes], filename: str, *, user=None, may_add_libraries: bool = False
) -> H5PPackage:
    """Check the package whole (h5p.inspect), then write its new libraries and its content.
    A refused package raises h5p.PackageError and leaves no row and no file behind; so does a
    failure while writing (what was written is removed)."""
    installed = installed_libraries()
    package = h5p.inspect(fileobj, set(installed), may_add_libraries)
    written: list[str] = []
    try:
        with transaction.atomic():
            libraries = dict(installed)
            new = [ref for ref in package.libraries if ref not in installed]
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as zf:
                for ref in new:
                    lib = package.libraries[ref]
                    libraries[ref] = H5PLibrary.objects.create(
                        machine_name=ref.machine_name,
                        major=ref.major,
                        minor=ref.minor,
                        patch=lib.patch,
                        title=lib.title[:255],
                        metadata=lib.data,
                    )
                    for name in lib.files:
                        written.append(
                            default_storage.save(
                                f"{LIBRARY_ROOT}/{name}", ContentFile(zf.read(name))
                            )
                        )
                row = H5PPackage.objects.create(
                    title=package.title[:255],
                    main_library=libraries[package.main_library],
                    h5p=package.h5p,
                    content=package.content,
                    original_name=filename[:255],
                    uploaded_by=user,
                )
                row.libraries.set([libraries[ref] for ref in package.needs])
                for name in package.content_files:
                    relative = name.split("/", 1)[1]
                    written.append(
                        default_storage.save(
                            f"{CONTENT_ROOT}/{row.key}/{relative}", ContentFile(zf.read(name))
                        )
                    )
    except Exception:
        for path in written:
            try:
                default_storage.delete(path)
            except OSError:  # pragma: no cover - best effort
                logger.warning("Could not remove %s after a failed H5P import", path)
        raise
    return row
