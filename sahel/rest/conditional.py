"""Conditional GET for the public API: ETag and 304 when the client's copy is current.

The ETag is a hash of the rendered public response itself. A validator derived from the
revision history (a version counter, a latest timestamp) would change when editors touch
drafts, and so let anyone poll for hidden work; a hash of what the public sees changes
exactly when that does. For the same reason no Last-Modified header is sent: any date
taken from the history would time hidden edits. The response is still computed, but a
current client downloads nothing.
"""

import hashlib

from django.utils.cache import get_conditional_response, patch_vary_headers


class ConditionalGetMixin:
    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        digest = hashlib.sha256(response.get("Content-Type", "").encode())
        digest.update(response.content)
        etag = f'"{digest.hexdigest()[:32]}"'
        patch_vary_headers(response, ["Accept"])
        not_modified = get_conditional_response(request, etag=etag, response=response)
        if not_modified is not response:
            return not_modified
        response["ETag"] = etag
        return response
