"""The plan: YAML in, immutable typed models out, with a safe rule language."""

from covermap.plan.load import default_plan, load_plan, parse_plan, template_text
from covermap.plan.model import Plan, Source, StandardEntry, State

__all__ = ["Plan", "Source", "StandardEntry", "State", "default_plan", "load_plan",
           "parse_plan", "template_text"]
