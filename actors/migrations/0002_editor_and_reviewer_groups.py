"""Groups of the review workflow (see sahel/admin.py):

- "editor": view, add, change and delete every curated model (claims, names, identifiers,
  citations, sources, places, vocabularies); the admin lets editors delete drafts only.
- "reviewer": all of the editor's permissions, plus `publish_<model>` on every claim model
  (actor, name, affiliation, event, participation): publish and withdraw.

Permissions are normally created after all migrations run; they are created here first so
that the groups get them on a fresh database too.
"""

from django.db import migrations

CURATED_APPS = ["sources", "places", "actors", "affiliations", "events"]
CLAIM_MODELS = [
    ("actors", "actor"),
    ("actors", "name"),
    ("affiliations", "affiliation"),
    ("events", "event"),
    ("events", "participation"),
]


def _ensure_default_permissions(apps):
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    for label in CURATED_APPS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_contenttypes(app_config, apps=apps, verbosity=0)
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    _ensure_default_permissions(apps)

    curated = [
        model
        for label in CURATED_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    ]
    editing = []
    for model in curated:
        content_type = ContentType.objects.get(
            app_label=model._meta.app_label, model=model._meta.model_name
        )
        for action in ("view", "add", "change", "delete"):
            editing.append(
                Permission.objects.get(
                    content_type=content_type, codename=f"{action}_{model._meta.model_name}"
                )
            )
    publishing = []
    for app_label, model_name in CLAIM_MODELS:
        content_type = ContentType.objects.get(app_label=app_label, model=model_name)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"publish_{model_name}",
            defaults={"name": f"Can publish and withdraw {model_name}"},
        )
        publishing.append(permission)

    editor, _ = Group.objects.get_or_create(name="editor")
    editor.permissions.set(editing)
    reviewer, _ = Group.objects.get_or_create(name="reviewer")
    reviewer.permissions.set(editing + publishing)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["editor", "reviewer"]).delete()
    apps.get_model("auth", "Permission").objects.filter(codename__startswith="publish_").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("actors", "0001_initial"),
        ("affiliations", "0001_initial"),
        ("events", "0001_initial"),
        ("places", "0001_initial"),
        ("sources", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
