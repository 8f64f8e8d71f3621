"""The data's licence and how to cite it, from the settings (SAHEL_DATA_LICENCE,
SAHEL_CITATION, SAHEL_DATA_AUTHORS, SAHEL_DATA_TITLE): one reading for the API root, the
explorer and the releases."""

from django.conf import settings


def licence() -> dict | None:
    """{"name", "url"} of the data licence; None while it is not set. The setting is a
    name (an SPDX id) or a dict with `name` (or `id`) and `url`."""
    value = getattr(settings, "SAHEL_DATA_LICENCE", None)
    if not value:
        return None
    if isinstance(value, dict):
        return {"name": value.get("name") or value.get("id") or "", "url": value.get("url") or ""}
    return {"name": str(value), "url": ""}


def authors() -> list[str]:
    return list(getattr(settings, "SAHEL_DATA_AUTHORS", None) or ["Sahel actor database curators"])


def title() -> str:
    return getattr(settings, "SAHEL_DATA_TITLE", None) or "Sahel actor database"


def how_to_cite(site: str, version: str | None = None, as_of: str | None = None) -> str:
    """SAHEL_CITATION when set; else "<authors>. <title>. <site>", with the release's
    version and instant when given. A citation names the instant it read (`as_of`), so
    others can read the same."""
    configured = getattr(settings, "SAHEL_CITATION", None)
    text = configured or f"{', '.join(authors())}. {title()}. {site}"
    if version:
        text = f"{text.rstrip('.')}, release {version}"
    if as_of:
        text += f" (as of {as_of})"
    return text.strip() + ("" if text.rstrip().endswith(".") else ".")
