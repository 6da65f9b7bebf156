"""The admin site's name, and the people in it: staff accounts under the roles that
`manage.py setup_roles` defines."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

# Neutral: editors, site owners and their statistics all live under this header.
admin.site.site_header = "Happy Inner Self admin"
admin.site.site_title = "Happy Inner Self admin"
admin.site.index_title = "Articles, tags and people"

# Site owners manage users (see `manage.py setup_roles`), but must not be able to make
# anyone, themselves included, a superuser or hand out single permissions past the groups,
# nor take over a superuser's account.
User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PeopleAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)
