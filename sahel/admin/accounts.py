"""Editor accounts."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

# -- accounts ----------------------------------------------------------------------------------


def wrote_history(user_ids) -> set:
    """Ids among `user_ids` of users who authored revisions (their names are the record)."""
    from sahel.core.models import tracked_models

    authors = set()
    for model in tracked_models():
        authors |= set(
            model.history.filter(history_user_id__in=user_ids)
            .values_list("history_user_id", flat=True)
            .distinct()
        )
    return authors


class AccountAdmin(UserAdmin):
    """Users who wrote history cannot be deleted (the history names them): deactivate them.
    The delete page and the bulk action say so instead of failing."""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and wrote_history([obj.pk]):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        authors = wrote_history(list(queryset.values_list("pk", flat=True)))
        if authors:
            names = ", ".join(sorted(str(u) for u in queryset.model.objects.filter(pk__in=authors)))
            self.message_user(
                request,
                f"Not deleted: {names} wrote revisions, which name them. Deactivate them "
                "instead (untick “Active”).",
                messages.ERROR,
            )
        super().delete_queryset(request, queryset.exclude(pk__in=authors))


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AccountAdmin)
