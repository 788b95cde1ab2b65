"""Capacity (``covermap capacity``) and assignment (``covermap assign``): segments by rule,
journey touchpoints, how many people each segment and role needs (bottom-up from the
journey, top-down from a benchmark, and implied by the coverage standard) against the people
in place, what-if scenarios, and who covers which account (solved with HiGHS).

The package has the shape of every analysis: ``model`` (its plan sections), ``checks``
(plan checks with file and line), ``segments`` and ``queries`` (Ibis over the store),
``tables`` (the result tables), ``scenarios``, ``assign`` and ``render``.
"""

# The plan model imports covermap.capacity.model, which takes Label from the plan model:
# load the plan first, whichever is imported.
import covermap.plan  # noqa: F401
