"""Customer value maps (``covermap value``): what each key player at a customer values,
what we say to them, and whether the CRM shows we reach them.

The package has the shape of every analysis: ``model`` (value map files) and
``content_plan`` (the plan's content per state), ``load`` (reading and checking value
maps), ``matching`` (contacts to personas), ``reach`` and ``content`` (queries over the
store), ``tables`` (the result tables), ``tools`` and ``documents`` (the generated sales
tools) and ``render``.

This module imports nothing: covermap.plan.model imports ``content_plan``.
"""
