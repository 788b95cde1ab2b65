"""Coverage standard and measurement (``covermap coverage``, ``covermap worklist``): which
accounts are contacted as often, by whom and how, as their state requires; breadth, depth,
the worklist of what to do next, and what followed each compliance band.

The package has the shape of every analysis: ``model`` (its plan sections), ``checks`` (the
standard's checks per account and period), ``measure`` (the result tables), ``worklist``
and ``outcomes``. Window, buckets, facts, states and touches are shared, in
``covermap.engine``.
"""

# The plan model imports covermap.coverage.model, which takes Frozen from the plan package:
# load the plan first, whichever is imported.
import covermap.plan  # noqa: F401
