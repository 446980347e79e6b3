import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations(django_db_blocker):
    """The interface catalogues (.mo) are built at setup; build them here too so a bare
    `pytest` works. Django only treats uz-cyrl as a language once its catalogue exists."""
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)


@pytest.fixture(autouse=True)
def _english(request):
    """Tests read messages in English unless they ask for another language: code called
    directly runs under English, and the test client asks for English like a browser would
    (a URL with a language prefix still wins, as it does for a real visitor)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    from django.test import Client

    return Client(headers={"accept-language": "en"})
