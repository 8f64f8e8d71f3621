"""The editors' workbench: admin machinery shared by every app, written once.

Each app's admin.py declares only its own columns, filters and inlines on top of these:

- `TrackedAdmin` (every tracked model): every save, delete, revert and restore goes
  through `sahel.core.services` inside one change set (`sahel.core.history.change_set`) carrying
  the editor and the change reason typed on the form; a stale save (someone else saved
  in between) is refused on the form itself, which keeps the editor's input and shows
  what changed; history pages show who, when, why and a readable diff; any revision can
  be reverted to (with the claim's citations); deleted objects can be restored.
- `CitedAdmin` adds the one generic citations inline to every citable model.
- `ClaimAdmin` adds the review workflow: only users with the `publish_<model>` permission
  (the "reviewer" group) publish and withdraw, on the form or in bulk; editors work on
  drafts and cannot delete what is public.
- `TrackedInline` / `CitationInline`: inlines whose rows are written through the same
  services, with the same stale-edit check, and that render their autocomplete widgets
  without one query per row.
"""
