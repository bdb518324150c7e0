"""The Django admin is for platform operators (superusers) only: they create agencies and an
agency's first admin. Agency users never get the Django admin; they manage their agency in the
portal, where every page goes through the scoping layer. Employee files are not in the admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Agency, AuditEvent, Phase, User


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "default_language", "phase_set", "created_at"]
    inlines = [PhaseInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.agency_defaults_apply(agency=obj)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["agency", "role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Tenant"), {"fields": ["agency", "role"]}),
        (_("Platform"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "password1", "password2", "agency", "role"]}),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_email", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "agency"]
    search_fields = ["actor_email", "object_repr"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
