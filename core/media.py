from django.conf import settings
from django.http import Http404
from django.views.static import serve


def media(request, path: str):
    """Uploaded files, in development and browser tests only (production uses a proxy)."""
    if not (settings.DEBUG or settings.SERVE_MEDIA):
        raise Http404("Media are served by the web server.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)
