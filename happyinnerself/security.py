"""Response headers Django has no setting for."""

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


class AdminStylePolicyMiddleware:
    """Lets the admin's editor widgets set inline styles; public pages keep style-src 'self'.

    ProseMirror and select2 position and size elements with style attributes. Scripts stay
    strict everywhere: this touches style-src only, and only under ADMIN_URL. Listed after
    django-csp's middleware so it marks the response before the policy is built.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.prefix = f"/{settings.ADMIN_URL}"

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix):
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return response
