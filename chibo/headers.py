"""Security headers Django 5.2 does not set itself: Content-Security-Policy and Permissions-Policy.

The policies are settings (CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY). Pages keep to them: no inline
scripts (they live in static/js/, data for them in `json_script` blocks), no CDN.
"""

from django.conf import settings


def content_security_policy(directives):
    """{"default-src": ["'self'"], …} → "default-src 'self'; …"."""
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def permissions_policy(features):
    """{"camera": [], "fullscreen": ["self"]} → "camera=(), fullscreen=(self)"."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in features.items())


class SecurityHeadersMiddleware:
    """Adds both headers to every response, static files and error pages included; a view that sets its own
    keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": content_security_policy(settings.CONTENT_SECURITY_POLICY),
            "Permissions-Policy": permissions_policy(settings.PERMISSIONS_POLICY),
        }

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response
