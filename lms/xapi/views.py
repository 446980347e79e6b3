"""The xAPI resources served under /xapi/ (1.0.3 §7, 2.0 §4.1.6).

Views are thin: they authenticate, read the version header, parse the body and call `store`.
Every failure is an answer with a status and a message (400, 401, 403, 404, 409), never 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from . import attachments, documents, store
from .auth import known_credential
from .models import Credential, Document
from .validation import StatementInvalid, is_uuid, validate_statements
from .versions import HEADER, SUPPORTED, UnsupportedVersion, Version

MAX_BODY = 20 * 1024 * 1024


def _answer(status: int, message: str, version: Version | None = None) -> HttpResponse:
    response = JsonResponse({"error": {"status": status, "message": message}}, status=status)
    return _headers(response, version)


def _headers(response: HttpResponse, version: Version | None) -> HttpResponse:
    if version is None:
        version = Version.parse(settings.XAPI_DEFAULT_VERSION)
    response[HEADER] = version.number
    return response


def _credential(request: HttpRequest) -> Credential | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        key, _, secret = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    credential = known_credential(key)
    if credential is None or not credential.check_secret(secret):
        return None
    return credential


ALTERNATE_HEADERS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}


def _alternate_syntax(request: HttpRequest) -> None:
    """1.0.3 §7.8 Alternate Request Syntax (for clients that can only POST, e.g. across
    origins): POST ?method=PUT with the headers, parameters and `content` as form fields.
    The request is rewritten in place into the request it stands for."""
    method = request.GET["method"].upper()
    if set(request.GET) != {"method"}:
        raise store.XAPIError("with ?method=, every other parameter goes in the form body")
    if method not in ("GET", "PUT", "POST", "DELETE"):
        raise store.XAPIError(f"method {method!r} is not an xAPI method")
    # The body is a urlencoded form whatever Content-Type the client put on the POST itself:
    # the Content-Type that counts is the one among the form fields, JSON if none is given.
    try:
        form = QueryDict(request.body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise store.XAPIError("the alternate request syntax form is not UTF-8") from error
    request.META["CONTENT_TYPE"] = "application/json"
    params = QueryDict(mutable=True)
    for name, value in form.items():
        meta = ALTERNATE_HEADERS.get(name.lower())
        if meta:
            request.META[meta] = value
        elif name != "content":
            params[name] = value
    body = form.get("content", "").encode("utf-8")
    request.method = method
    request.GET = params
    request._body = body
    request.META["CONTENT_LENGTH"] = str(len(body))
    request._set_content_type_params(request.META)
    request.__dict__.pop("headers", None)


def _session(request: HttpRequest, allowed: tuple[str, ...]) -> str:
    """Same-origin content (H5P in a lesson) speaks with the learner's session and CSRF token;
    the statements' actor is then forced to the learner (XAPI_SESSION_ACTOR). Returns why the
    request is refused, or ''."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""  # not a session request: the caller answers 401
    if request.method not in allowed:
        return "signed-in browser content may only send statements and keep its state"
    if request.method not in ("GET", "HEAD"):
        rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if rejected is not None:
            return "the CSRF token is missing or incorrect"
    request.xapi_actor = import_string(settings.XAPI_SESSION_ACTOR)(user)
    return ""


def browser_credential() -> Credential:
    """The authority of statements sent by same-origin content with a learner's session."""
    credential = Credential.objects.filter(key=BROWSER_KEY).first()
    if credential is None:
        credential, _secret = Credential.issue(
            "Malaka lesson content", ["statements/write", "state"]
        )
        Credential.objects.filter(pk=credential.pk).update(key=BROWSER_KEY)
        credential.key = BROWSER_KEY
    return credential


BROWSER_KEY = "malaka-browser"


def xapi_view(
    *methods: str,
    scopes: dict[str, tuple[str, ...]],
    consistent: bool = False,
    session_methods: tuple[str, ...] = (),
):
    """Version header, authentication and scope checks shared by every resource but /about."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            alternate = request.method == "POST" and "method" in request.GET
            if alternate:
                try:
                    _alternate_syntax(request)
                except store.XAPIError as error:
                    return _answer(400, error.message)
            method = "GET" if request.method == "HEAD" else request.method
            if method not in methods:
                response = _answer(405, f"{request.method} is not allowed here")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                version = Version.parse(request.headers.get(HEADER))
            except UnsupportedVersion as error:
                return _answer(400, str(error))
            if alternate and version.is_2:
                return _answer(400, "xAPI 2.0 has no alternate request syntax (?method=)", version)
            credential = _credential(request)
            if credential is None and "HTTP_AUTHORIZATION" not in request.META:
                refused = _session(request, session_methods)
                if refused:
                    return _answer(403, refused, version)
                if getattr(request, "xapi_actor", None):
                    credential = browser_credential()
            if credential is None:
                response = _answer(
                    401, "authentication required (HTTP Basic key and secret)", version
                )
                response["WWW-Authenticate"] = 'Basic realm="Malaka LRS"'
                return response
            if not credential.has_scope(*scopes[method]):
                return _answer(403, "this credential's scopes do not allow this request", version)
            try:
                too_large = len(request.body) > MAX_BODY
            except RequestDataTooBig:
                too_large = True
            if too_large:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
                return _answer(413, f"the request body is larger than {limit} MB", version)
            try:
                response = view(request, version, credential, *args, **kwargs)
            except store.XAPIError as error:
                return _answer(error.status, error.message, version)
            except StatementInvalid as error:
                return _answer(400, error.message, version)
            if request.method == "HEAD":
                response.content = b""
            return _headers(response, version)

        @wraps(view)
        def outer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = wrapper(request, *args, **kwargs)
            if consistent and request.method in ("GET", "HEAD"):
                # 1.0.3 §7.2.3: on every GET of statements, whatever its status.
                _consistent_through(response)
            return response

        return csrf_exempt(outer)

    return decorate


def _json_body(request: HttpRequest):
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise store.XAPIError("the body must be application/json")
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise store.XAPIError(f"the body is not valid JSON: {error}") from error


def _statements_body(request: HttpRequest) -> tuple[object, dict]:
    """The statement(s) of a PUT or POST and the attachment parts sent with them."""
    if (request.content_type or "") == "multipart/mixed":
        parsed = attachments.parse(request.body, request.META.get("CONTENT_TYPE", ""))
        return parsed.body, parsed.parts
    return _json_body(request), {}


def _session_hook(name: str) -> Callable | None:
    """A platform function named by a setting (a dotted path): the LRS imports nothing of the
    platform."""
    dotted = getattr(settings, name, None)
    return import_string(dotted) if dotted else None


def _store(request, version, credential, statement_id=None) -> list[str]:
    body, parts = _statements_body(request)
    actor = getattr(request, "xapi_actor", None)
    if actor is not None:  # a learner's session speaks only for the learner
        items = body if isinstance(body, list) else [body]
        for item in items:
            if isinstance(item, dict):
                item["actor"] = actor
        # XAPI_SESSION_STATEMENTS(user, statements) may rewrite them in place (what the
        # platform decides, such as the registration) and refuses them with ValueError.
        check = _session_hook("XAPI_SESSION_STATEMENTS")
        if check is not None:
            try:
                check(request.user, items)
            except ValueError as error:
                raise store.XAPIError(str(error)) from error
    if statement_id is not None and isinstance(body, list):
        raise store.XAPIError("PUT stores one statement, not a list")
    statements = validate_statements(body, version)
    attachments.check(statements, parts)
    attachments.save_parts(parts)
    ids = store.save_statements(statements, credential, version, statement_id=statement_id)
    if actor is not None:
        # XAPI_SESSION_STORED(user, statements): the platform reads what was just stored.
        stored = _session_hook("XAPI_SESSION_STORED")
        if stored is not None:
            stored(request.user, statements)
    return ids


def _respond(body: dict, statements: list[dict], with_attachments: bool) -> HttpResponse:
    if with_attachments:
        content, content_type = attachments.multipart_response(body, statements)
        return HttpResponse(content, content_type=content_type)
    return JsonResponse(body)


def _params(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET[key] for key in request.GET}


def _languages(request: HttpRequest) -> list[str]:
    header = request.headers.get("Accept-Language", "")
    weighted = []
    for part in header.split(","):
        tag, _, quality = part.strip().partition(";q=")
        if tag and tag != "*":
            try:
                weighted.append((float(quality or 1), tag))
            except ValueError:
                continue
    return [tag for _q, tag in sorted(weighted, key=lambda item: -item[0])]


def _consistent_through(response: HttpResponse) -> HttpResponse:
    response["X-Experience-API-Consistent-Through"] = (
        timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
    return response


@xapi_view(
    "GET",
    "PUT",
    "POST",
    scopes={
        "GET": ("statements/read", "statements/read/mine", "all/read"),
        "PUT": ("statements/write",),
        "POST": ("statements/write",),
    },
    consistent=True,
    session_methods=("PUT", "POST"),
)
def statements(request: HttpRequest, version: Version, credential: Credential) -> HttpResponse:
    if request.method == "PUT":
        statement_id = request.GET.get("statementId")
        if not statement_id:
            raise store.XAPIError("PUT needs the statementId parameter")
        if not is_uuid(statement_id):
            raise store.XAPIError("statementId must be a UUID")
        unknown = sorted(set(request.GET) - {"statementId"})
        if unknown:
            raise store.XAPIError(f"unknown parameter {unknown[0]!r}")
        _store(request, version, credential, statement_id=statement_id)
        return HttpResponse(status=204)

    if request.method == "POST":
        if request.GET:
            raise store.XAPIError(f"unknown parameter {sorted(request.GET)[0]!r}")
        return JsonResponse(_store(request, version, credential), safe=False)

    params = _params(request)
    fmt = params.get("format", "exact")
    languages = _languages(request)
    if "statementId" in params or "voidedStatementId" in params:
        row = store.get_statement(params, version, credential)
        if fmt not in store.FORMATS:
            raise store.XAPIError(f"format must be one of {', '.join(store.FORMATS)}")
        statement = store.present(row.data, fmt, languages)
        with_attachments = request.GET.get("attachments", "false").lower() == "true"
        response = _respond(statement, [row.data], with_attachments)
        response["Last-Modified"] = http_date(row.stored.timestamp())
        return response
    page = store.query_statements(params, version, credential)
    body = {
        "statements": [store.present(s, page.format, languages) for s in page.statements],
        "more": f"{request.path}?more={page.more}" if page.more else "",
    }
    return _respond(body, page.statements, page.attachments)


@csrf_exempt
def about(request: HttpRequest) -> HttpResponse:
    """1.0.3 §7.7 About: no authentication, no version header needed."""
    if request.method not in ("GET", "HEAD"):
        return _answer(405, f"{request.method} is not allowed here")
    response = JsonResponse({"version": list(SUPPORTED)})
    if request.method == "HEAD":
        response.content = b""
    return _headers(response, None)


DOCUMENT_SCOPES = {
    Document.STATE: ("state",),
    Document.ACTIVITY_PROFILE: ("profile",),
    Document.AGENT_PROFILE: ("profile",),
}


def _document_view(kind: str, id_name: str):
    read = (*DOCUMENT_SCOPES[kind], "all/read")
    write = DOCUMENT_SCOPES[kind]

    @xapi_view(
        "GET", "PUT", "POST", "DELETE",
        scopes={"GET": read, "PUT": write, "POST": write, "DELETE": write},
        session_methods=("GET", "PUT", "POST", "DELETE") if kind == Document.STATE else (),
    )  # fmt: skip
    def view(request: HttpRequest, version: Version, credential: Credential) -> HttpResponse:
        params = _params(request)
        actor = getattr(request, "xapi_actor", None)
        if actor is not None:  # a learner's session keeps only the learner's own state
            params["agent"] = json.dumps(actor)
        where = documents.address(kind, params, version)
        document_id = params.get(id_name)
        if_match = request.headers.get("If-Match")
        if_none_match = request.headers.get("If-None-Match")
        if request.method in ("PUT", "POST"):
            if not document_id:
                raise store.XAPIError(f"the {id_name} parameter is required")
            if "since" in params:
                raise store.XAPIError("since is only used when listing documents")
            documents.put(
                where,
                document_id,
                request.body,
                request.content_type or "",
                merge=request.method == "POST",
                if_match=if_match,
                if_none_match=if_none_match,
                version=version,
            )
            return HttpResponse(status=204)
        if request.method == "DELETE":
            documents.delete(where, document_id, if_match, if_none_match)
            return HttpResponse(status=204)
        if document_id:
            if "since" in params:
                raise store.XAPIError(f"since cannot be used with {id_name}")
            document = documents.get(where, document_id)
            response = HttpResponse(bytes(document.content), content_type=document.content_type)
            response["ETag"] = f'"{document.etag}"'
            response["Last-Modified"] = http_date(document.updated.timestamp())
            return response
        response = JsonResponse(documents.ids(where, params.get("since"), version), safe=False)
        updated = documents.latest(where)
        if updated:
            response["Last-Modified"] = http_date(updated.timestamp())
        return response

    return view


state = _document_view(Document.STATE, "stateId")
activity_profile = _document_view(Document.ACTIVITY_PROFILE, "profileId")
agent_profile = _document_view(Document.AGENT_PROFILE, "profileId")


@xapi_view("GET", scopes={"GET": ("all/read", "statements/read", "profile", "define")})
def activities(request: HttpRequest, version: Version, credential: Credential) -> HttpResponse:
    params = _params(request)
    unknown = sorted(set(params) - {"activityId"})
    if unknown:
        raise store.XAPIError(f"unknown parameter {unknown[0]!r}")
    if "activityId" not in params:
        raise store.XAPIError("the activityId parameter is required")
    return JsonResponse(documents.activity(params["activityId"]))


@xapi_view("GET", scopes={"GET": ("all/read", "statements/read", "profile")})
def agents(request: HttpRequest, version: Version, credential: Credential) -> HttpResponse:
    params = _params(request)
    unknown = sorted(set(params) - {"agent"})
    if unknown:
        raise store.XAPIError(f"unknown parameter {unknown[0]!r}")
    if "agent" not in params:
        raise store.XAPIError("the agent parameter is required")
    return JsonResponse(documents.person(params["agent"], version))
