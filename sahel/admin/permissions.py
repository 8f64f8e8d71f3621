"""Who may publish: reviewers hold `<app>.publish_<model>` (the groups migration)."""


def publish_codename(model) -> str:
    return f"publish_{model._meta.model_name}"


def can_publish(user, model) -> bool:
    """Reviewers (and superusers) hold `<app>.publish_<model>`, made by the groups migration."""
    return user.has_perm(f"{model._meta.app_label}.{publish_codename(model)}")
