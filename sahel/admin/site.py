"""The workbench's admin site: Django's, with the review queue at /admin/review/ and an
index that leads to it. Installed in place of `django.contrib.admin` (settings.py names
`sahel.admin.site.WorkbenchAdminConfig`), so `admin.site` and `@admin.register` are this
site's (Django's documented way to add views to the site itself)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import path


class WorkbenchSite(admin.AdminSite):
    site_header = "Sahel actor database — editors' workbench"
    site_title = "Sahel actor database"
    index_title = "Curation"
    index_template = "sahel/admin/index.html"

    def get_urls(self):
        from sahel.admin.review import review_view  # reads the models: after start-up

        return [path("review/", self.admin_view(review_view), name="review"), *super().get_urls()]


class WorkbenchAdminConfig(AdminConfig):
    default_site = "sahel.admin.site.WorkbenchSite"
