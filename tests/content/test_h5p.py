"""H5P packages are checked whole before anything is written: crafted bad packages are refused
with their reason and leave no row and no file. The tests build their own minimal library and
content; no third-party H5P content is used."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from content import h5p, h5p_services
from content.models import H5PLibrary, H5PPackage

pytestmark = pytest.mark.django_db

LIBRARY = "H5P.MalakaChoice-1.0"


def library_json(deps=None) -> dict:
    return {
        "title": "Malaka choice",
        "machineName": "H5P.MalakaChoice",
        "majorVersion": 1,
        "minorVersion": 0,
        "patchVersion": 3,
        "runnable": 1,
        "preloadedJs": [{"path": "choice.js"}],
        "preloadedCss": [{"path": "choice.css"}],
        "preloadedDependencies": deps or [],
    }


def h5p_json(deps=None) -> dict:
    return {
        "title": "Xavfni baholash: bitta savol",
        "language": "uz",
        "mainLibrary": "H5P.MalakaChoice",
        "embedTypes": ["div"],
        "preloadedDependencies": deps
        or [{"machineName": "H5P.MalakaChoice", "majorVersion": 1, "minorVersion": 0}],
    }


def build(entries: dict[str, bytes | str | dict], *, links=(), level=zipfile.ZIP_DEFLATED):
    """An .h5p file (bytes) from {name: content}; dicts become JSON; `links` are symlinks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=level) as zf:
        for name, data in entries.items():
            if isinstance(data, dict):
                data = json.dumps(data)
            if isinstance(data, str):
                data = data.encode()
            zf.writestr(name, data)
        for name, target in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            zf.writestr(info, target)
    buffer.seek(0)
    return buffer


def good_entries(**extra) -> dict:
    return {
        "h5p.json": h5p_json(),
        "content/content.json": {"question": "Qaysi holat xavfli?", "answers": ["A", "B"]},
        "content/images/oila.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        f"{LIBRARY}/library.json": library_json(),
        f"{LIBRARY}/choice.js": "H5P.MalakaChoice = function () {};",
        f"{LIBRARY}/choice.css": ".h5p-malaka-choice { color: #000 }",
        **extra,
    }


@pytest.fixture
def storage_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_good_package_is_installed_with_its_library_and_content(storage_root):
    package = h5p_services.import_package(
        build(good_entries()), "choice.h5p", may_add_libraries=True
    )
    assert package.title == "Xavfni baholash: bitta savol"
    assert str(package.main_library) == "H5P.MalakaChoice 1.0.3"
    assert package.content["question"] == "Qaysi holat xavfli?"
    files = stored_files(storage_root)
    assert f"h5p/libraries/{LIBRARY}/choice.js" in files
    assert f"h5p/content/{package.key}/images/oila.png" in files
    assert f"h5p/content/{package.key}/content.json" in files


def test_a_second_package_reuses_an_installed_library_without_admin_rights(storage_root):
    h5p_services.import_package(build(good_entries()), "one.h5p", may_add_libraries=True)
    entries = {
        "h5p.json": h5p_json(),
        "content/content.json": {"question": "Ikkinchi savol"},
    }
    second = h5p_services.import_package(build(entries), "two.h5p", may_add_libraries=False)
    assert H5PLibrary.objects.count() == 1
    assert second.main_library.folder == LIBRARY


BAD = {
    "zip slip": (
        lambda: build(good_entries(**{"content/../../evil.json": "{}"})),
        "“..” is not allowed",
    ),
    "absolute path": (lambda: build(good_entries(**{"/etc/evil.json": "{}"})), "absolute paths"),
    "backslash": (
        lambda: build(good_entries(**{"content\\evil.json": "{}"})),
        "backslashes",
    ),
    "link": (
        lambda: build(good_entries(), links=[("content/passwd.txt", "/etc/passwd")]),
        "links are not allowed",
    ),
    "script in content": (
        lambda: build(good_entries(**{"content/steal.js": "fetch('/')"})),
        "not allowed in content",
    ),
    "script at the root": (
        lambda: build(good_entries(**{"boot.js": "alert(1)"})),
        "outside content/ and the library folders",
    ),
    "executable in a library": (
        lambda: build(good_entries(**{f"{LIBRARY}/tool.exe": b"MZ"})),
        "not allowed in a library",
    ),
    "missing dependency": (
        lambda: build(
            good_entries(
                **{
                    f"{LIBRARY}/library.json": library_json(
                        deps=[{"machineName": "H5P.Question", "majorVersion": 1, "minorVersion": 5}]
                    )
                }
            )
        ),
        "Missing dependency: H5P.Question 1.5",
    ),
    "no content.json": (
        lambda: build({k: v for k, v in good_entries().items() if k != "content/content.json"}),
        "no content/content.json",
    ),
    "invalid h5p.json": (
        lambda: build(good_entries(**{"h5p.json": "{not json"})),
        "h5p.json is not valid JSON",
    ),
    "library in the wrong folder": (
        lambda: build(
            {
                **{k: v for k, v in good_entries().items() if not k.startswith(LIBRARY)},
                "H5P.Other-2.0/library.json": library_json(),
            }
        ),
        "not the folder it is in",
    ),
    "not a zip": (lambda: io.BytesIO(b"this is not a zip"), "not a zip archive"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_crafted_bad_package_is_refused_with_its_reason_and_writes_nothing(storage_root, case):
    make, reason = BAD[case]
    with pytest.raises(h5p.PackageError, match=reason):
        h5p_services.import_package(make(), f"{case}.h5p", may_add_libraries=True)
    assert not H5PPackage.objects.exists()
    assert not H5PLibrary.objects.exists()
    assert stored_files(storage_root) == []


def test_a_zip_bomb_is_stopped_by_the_bytes_actually_inflated(storage_root):
    bomb = build(good_entries(**{"content/huge.txt": b"\x00" * (30 * 1024 * 1024)}))
    assert len(bomb.getvalue()) < 200_000  # tiny on disk
    with pytest.raises(h5p.PackageError, match="possible zip bomb"):
        h5p_services.import_package(bomb, "bomb.h5p", may_add_libraries=True)
    assert stored_files(storage_root) == [] and not H5PPackage.objects.exists()


def test_the_caps_on_size_and_entries_are_counted_while_reading(storage_root, settings):
    settings.H5P_MAX_TOTAL_BYTES = 100 * 1024
    payload = bytes(range(256)) * 600  # ~150 KB, incompressible enough to pass the ratio
    with pytest.raises(h5p.PackageError, match="unpacks to more than"):
        h5p_services.import_package(
            build(good_entries(**{"content/data.csv": payload})),
            "big.h5p",
            may_add_libraries=True,
        )
    settings.H5P_MAX_TOTAL_BYTES = 256 * 1024 * 1024
    settings.H5P_MAX_ENTRIES = 5
    with pytest.raises(h5p.PackageError, match="more than 5 files"):
        h5p_services.import_package(build(good_entries()), "many.h5p", may_add_libraries=True)
    assert stored_files(storage_root) == []


def test_only_an_administrator_may_bring_new_libraries(storage_root):
    with pytest.raises(h5p.PackageError, match="only an administrator may add libraries"):
        h5p_services.import_package(build(good_entries()), "c.h5p", may_add_libraries=False)
    assert stored_files(storage_root) == [] and not H5PLibrary.objects.exists()


def test_the_command_imports_a_package_and_refuses_a_bad_one_with_the_reason(
    storage_root, tmp_path
):
    good = tmp_path / "choice.h5p"
    good.write_bytes(build(good_entries()).getvalue())
    out = io.StringIO()
    call_command("import_h5p", str(good), stdout=out)
    assert "Imported “Xavfni baholash: bitta savol”" in out.getvalue()

    bad = tmp_path / "slip.h5p"
    bad.write_bytes(build(good_entries(**{"content/../../x.json": "{}"})).getvalue())
    with pytest.raises(CommandError, match="slip.h5p refused: .*“..” is not allowed"):
        call_command("import_h5p", str(bad))
    assert H5PPackage.objects.count() == 1


def _upload(name: str, data: io.BytesIO):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data.getvalue(), content_type="application/zip")


def test_in_the_admin_an_editor_uploads_content_but_only_an_administrator_adds_libraries(
    client, storage_root
):
    from django.contrib.auth.models import Group

    from lms.people.seeding import load_groups
    from tests.factories import UserFactory

    load_groups()
    editor = UserFactory(username="editor-h5p")
    editor.groups.add(Group.objects.get(name="Editors"))
    admin = UserFactory(username="admin-h5p", is_superuser=True, is_staff=True)

    client.force_login(editor)
    refused = client.post("/admin/h5p/upload/", {"file": _upload("c.h5p", build(good_entries()))})
    assert refused.status_code == 200
    assert "only an administrator may add libraries" in refused.content.decode()
    assert stored_files(storage_root) == [] and not H5PPackage.objects.exists()

    client.force_login(admin)
    done = client.post("/admin/h5p/upload/", {"file": _upload("c.h5p", build(good_entries()))})
    assert done.status_code == 302

    client.force_login(editor)
    entries = {"h5p.json": h5p_json(), "content/content.json": {"question": "Yana bir savol"}}
    again = client.post("/admin/h5p/upload/", {"file": _upload("d.h5p", build(entries))})
    assert again.status_code == 302
    listing = client.get("/admin/h5p/")
    assert listing.content.decode().count("<td>Xavfni baholash: bitta savol</td>") == 2

    slip = build(good_entries(**{"content/../../x.json": "{}"}))
    bad = client.post("/admin/h5p/upload/", {"file": _upload("slip.h5p", slip)})
    assert bad.status_code == 200 and "is not allowed in paths" in bad.content.decode()
    assert H5PPackage.objects.count() == 2


def test_people_without_the_permission_cannot_open_the_h5p_admin(client):
    from tests.factories import UserFactory

    learner = UserFactory(username="learner-h5p")
    client.force_login(learner)
    assert client.get("/admin/h5p/upload/").status_code in (302, 403)
