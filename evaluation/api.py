"""The feed API: a system (the case-management information system) sends indicator values.

``POST /api/v1/indicator-values/`` with ``Authorization: Bearer <token>`` (a FeedToken) and a
JSON body ``{"values": [{"indicator_code": …, "org_unit_code": …, "period": "2025-03",
"value": …, "numerator": …, "denominator": …, "source": …}, …]}``. All values are checked
first; any bad one answers 400 with every problem (``line`` is the position in the list,
from 1) and nothing is written. Values outside the token's scope are refused."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .models import FeedToken


class FeedTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Bearer <token>”."))
        token = FeedToken.authenticate(header[1].decode("latin-1"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked token."))
        return (None, token)

    def authenticate_header(self, request):
        return 'Bearer realm="malaka"'


class FeedTokenScheme(OpenApiAuthenticationExtension):
    """Documents the bearer token in the OpenAPI schema."""

    target_class = "evaluation.api.FeedTokenAuthentication"
    name = "feedToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A feed token issued with `manage.py create_feed_token`.",
        }


class HasFeedToken(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, FeedToken)


class IndicatorValuesView(APIView):
    authentication_classes = [FeedTokenAuthentication]
    permission_classes = [HasFeedToken]

    @extend_schema(
        operation_id="indicator_values_feed",
        summary="Send indicator values (all or nothing)",
        request=inline_serializer(
            "IndicatorValuesFeed",
            {
                "values": serializers.ListField(
                    child=serializers.DictField(), help_text="Rows in long format."
                )
            },
        ),
        responses={
            201: inline_serializer(
                "IndicatorValuesResult",
                {"created": serializers.IntegerField(), "updated": serializers.IntegerField()},
            ),
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="Nothing was written: `errors` lists every bad row (line, message).",
            ),
        },
    )
    def post(self, request):
        payload = request.data
        values = payload.get("values") if isinstance(payload, dict) else None
        if not isinstance(values, list) or not values:
            return Response(
                {"detail": _("Send a JSON object with a non-empty list “values”.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if len(values) > settings.INDICATOR_FEED_MAX_ROWS:
            return Response(
                {
                    "detail": _("Send at most %(n)s values per request.")
                    % {"n": settings.INDICATOR_FEED_MAX_ROWS}
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not all(isinstance(v, dict) for v in values):
            return Response(
                {"detail": _("Every item of “values” must be an object.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token: FeedToken = request.auth
        created, updated, errors = services.feed_values(values, token.scope, source=token.name)
        if errors:
            return Response(
                {
                    "detail": _("Nothing was written: %(n)s problem(s) found.")
                    % {"n": len(errors)},
                    "errors": [e.as_dict() for e in errors],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"created": created, "updated": updated}, status=status.HTTP_201_CREATED)
