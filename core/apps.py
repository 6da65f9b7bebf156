from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting request machinery: client address, rate limits, login throttle, error
    pages, health, security headers, request ids and logs, the replica router, staff roles."""

    name = "core"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.contrib import admin
        from django.core.checks import Tags, register

        from . import checks, login

        # Deployment checks: `manage.py check --deploy` (and so every deployment) runs them.
        register(checks.secret_key_check, Tags.security, deploy=True)
        register(checks.admin_url_check, Tags.security, deploy=True)
        register(checks.shared_cache_for_workers, Tags.caches, deploy=True)
        # Signals count failed logins; the admin's form refuses a throttled account.
        admin.site.login_form = login.ThrottledAdminLoginForm
