"""Views every deployment needs: the health check and JSON answers for Django's own errors."""

from django.db import connection
from django.http import JsonResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

HealthSerializer = inline_serializer(
    "Health", {"status": serializers.CharField(), "database": serializers.CharField()}
)


class HealthView(APIView):
    """Say whether the server is up and its database answers (for load balancers and probes)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: HealthSerializer, 503: OpenApiResponse(HealthSerializer)},
        tags=["operations"],
    )
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:  # any failure to reach the database means "not ready"
            return Response(
                {"status": "unavailable", "database": "unreachable"},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"status": "ok", "database": "ok"})


def bad_request(request, exception=None):
    return JsonResponse({"detail": "Bad request."}, status=400)


def permission_denied(request, exception=None):
    return JsonResponse(
        {"detail": "You do not have permission to perform this action."}, status=403
    )


def page_not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request):
    return JsonResponse({"detail": "Internal server error."}, status=500)


def csrf_failure(request, reason=""):
    return JsonResponse({"detail": f"CSRF verification failed: {reason}"}, status=403)
