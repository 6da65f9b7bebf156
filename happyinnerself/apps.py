from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project's own cross-cutting parts: deployment checks, the admin login form."""

    name = "happyinnerself"
    verbose_name = "Happy Inner Self"

    def ready(self) -> None:
        from django.contrib import admin
        from django.core.checks import Tags, register

        from . import auth, checks

        # Deployment checks: `manage.py check --deploy` (and so every deployment) runs them.
        register(checks.secret_key_check, Tags.security, deploy=True)
        register(checks.admin_url_check, Tags.security, deploy=True)
        # Signals count failed logins; the admin's form refuses a throttled account.
        admin.site.login_form = auth.ThrottledAdminLoginForm
