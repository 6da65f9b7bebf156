"""Response headers Django has no setting for."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

# Nothing on this site needs these browser features; saying so stops embedded code using them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "usb",
        "screen-wake-lock",
        "xr-spatial-tracking",
        "interest-cohort",
        "browsing-topics",
    )
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, letting the admin's editor widgets set inline styles.

    ProseMirror and select2 position and size elements with style attributes. Public pages
    keep style-src 'self', and scripts stay strict everywhere: this touches style-src only,
    and only under ADMIN_URL (through get_policy_parts, django-csp's documented extension).
    """

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path.startswith(f"/{settings.ADMIN_URL}"):
            parts.update = {**(parts.update or {}), "style-src": ["'unsafe-inline'"]}
        return parts
