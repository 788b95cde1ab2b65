"""``covermap serve``: the dashboard, a FastAPI app over results kept in the store.

:func:`create_app` builds the app; pages and their JSON endpoints render the result
tables the analyses computed once per (store contents, plan) and saved in the store's
``serve_cache`` schema (:mod:`covermap.serve.cache`).
"""

from __future__ import annotations




