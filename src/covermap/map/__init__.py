"""The customer coverage map (``covermap map``): which customers buy which products through
which channel, placed on the 3x3 grid of product complexity x customer value.

The package has the shape of every analysis: ``model`` (its plan section), ``place``
(where each won revenue line goes), ``measure`` (the result tables) and ``priority``
(which cells to act on first, and why).
"""

# The plan model imports covermap.map.model, which takes Frozen from the plan package:
# load the plan first, whichever is imported.
import covermap.plan  # noqa: F401
