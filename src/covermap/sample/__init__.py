"""The sample company: a realistic, deterministic B2B company in the canonical schema.

Tests, the demo and users share it::

    from covermap.sample import generate_company
    generate_company(Path("sample"), accounts=5000, seed=42)
"""

from covermap.sample.company import generate_company

__all__ = ["generate_company"]
