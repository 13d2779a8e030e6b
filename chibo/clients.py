"""Who a request comes from, for lockouts and throttles (django-axes, password resets)."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The client's IP address. Behind the TLS proxy (BEHIND_TLS_PROXY) REMOTE_ADDR is the proxy for everyone:
    the client is the last address of X-Forwarded-For, the one the proxy added (nginx's
    `$proxy_add_x_forwarded_for`); the earlier ones come from the client and prove nothing."""
    remote = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_TLS_PROXY:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return remote
