"""The account coverage model (``covermap team``): who is responsible for each account at
each journey stage, and where the data shows gaps, duplicates, silence and hand-offs.

The package has the shape of every analysis: ``model`` (its plan sections), ``checks``
(plan checks), ``queries`` (findings over the store), ``handoffs`` and ``phases`` (entries
into states and stages over time), ``tables`` (the result tables) and ``render``.
"""

# The plan model imports covermap.team.model for its journey/raci/handoffs fields, and
# team.model takes Label from the plan model: load the plan first, whichever is imported.
import covermap.plan  # noqa: F401
