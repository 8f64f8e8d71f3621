from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from sahel.explorer.views import for_people
from sahel.read import citing


@require_GET
def healthz(request):
    """Liveness and readiness: the process answers and the database does too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        response = JsonResponse(
            {"status": "unavailable", "database": type(exc).__name__}, status=503
        )
        response["Retry-After"] = str(settings.SAHEL_RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok"})


@require_GET
@for_people  # a browser gets the explorer's home page
def index(request):
    return JsonResponse(
        {
            "name": "Sahel actor database",
            "description": "Curated, sourced, fully versioned actors of the conflict in Mali "
            "and the Sahel.",
            "licence": citing.licence(),  # null while the maintainers have not set it
            "how_to_cite": citing.how_to_cite(request.build_absolute_uri("/")),
            "links": {
                "api": request.build_absolute_uri("/api/v1/"),
                "graphql": request.build_absolute_uri("/graphql/"),
                "admin": request.build_absolute_uri("/admin/"),
                "health": request.build_absolute_uri("/healthz/"),
            },
        }
    )
