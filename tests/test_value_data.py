"""A small hand-made company for the value tests (``covermap value``), inserted into a real
store. as_of 2026-07-15, 3-month window 2026-04-01 .. 2026-06-30.

Value map: ``pm`` (priority 1, matters in segment ent), ``plant`` (2, everywhere), ``cfo``
(3, in segment smb and in cell simple/high; also CRM persona ``economic_buyer``).

Accounts: A (ent, won D1 on 05-10, created 04-01: in a deal until then; cell simple/high),
B (smb, won D2 on 04-20: a customer; cell customised/low), C (ent, a lead), D (no segment,
a target, no contact).

Contacts: A1 "Ｐｒｏｄｕｃｔｉｏｎ　Ｍａｎａｇｅｒ" (pm, full-width), A2 "Plant Manager / CFO"
(plant and cfo), A3 "Intern" (none), B1 "  plant   MANAGER " (plant), B2 "Finance" with
persona "Economic_Buyer" (cfo by the CRM column), C1 "製造部長" (pm), C2 "vp of production"
(pm by pattern), C3 "Assistant to VP of Production" (none: the pattern is anchored).

Activities (a = id): a1 A/A1 meeting 04-15 Solution (state deal); a2 A/A1 call connected
05-20 "relation" (customer); a3 A/A3 call 06-01 Selection; a4 A/A2 email_blast 06-02
Relation (digital); a5 A, no contact, meeting 06-03, no stage; a6 B/B1 call no_answer 05-01
(no touch); a7 B/B2 meeting 05-02 Education (customer); a8 B/B1 meeting 07-01 (after the
window); a9 C/C1 meeting 04-10 " Solution " (lead); a10 C/C3 call 04-11 "Webinar"; a11 C,
unknown contact ZZ, meeting 04-12, no stage; a12 D email_blast 05-05, no stage (target);
a13 A/A1 meeting 03-15 (before the window). Every expected value is worked out by hand in
tests/test_value_measures.py.
"""

from __future__ import annotations

from test_coverage_company import insert

from covermap.plan import parse_plan
from covermap.value.load import parse_value_maps

PLAN_YAML = """\
name: Value test
as_of: 2026-07-15
window_months: 3
timezone: UTC
activity_kinds:
  call: {channel: human, outcomes: [connected]}
  meeting: {channel: human}
  email_blast: {channel: digital}
states:
  - {id: customer, label: {en: Customer}, rule: is_customer,
     standard: [{channel: human, min: 1, per: month}],
     content: [{stage: Relation, channels: [human]}, {stage: Education, channels: [digital]}]}
  - {id: deal, label: {en: In a deal}, rule: open_deals > 0,
     content: [{stage: Selection, channels: [human]}, {stage: Solution}]}
  - {id: lead, label: {en: Lead}, rule: lead_count > 0}
  - {id: target, label: {en: Target}, rule: is_target}
coverage_map:
  value: {measure: annual_revenue, medium: 100, high: 1000}
  channels:
    simple: {low: online, medium: online, high: field_sales}
    bundled: {low: online, medium: inside_sales, high: field_sales}
    customised: {low: field_sales, medium: field_sales, high: field_sales}
"""

MAP_YAML = """\
name: Test map
personas:
  - id: pm
    label: {en: Production manager, ja: 製造部長}
    priority: 1
    titles:
      keywords: [production manager, 製造部長]
      patterns: ['^(vp|head) of production$']
    objectives: [{id: throughput, text: Throughput}]
    issues: [{id: downtime, text: {en: Unplanned downtime, ja: 突発停止}}]
    questions: [{id: cost, text: What does an hour of downtime cost?}]
    segments: [ent]
  - id: plant
    label: {en: Plant manager, ja: 工場長}
    priority: 2
    titles: {keywords: [plant manager, 工場長]}
    objectives: [{id: cost, text: Cost per unit}]
  - id: cfo
    label: {en: CFO}
    priority: 3
    titles: {keywords: [cfo]}
    crm: {persona: [economic_buyer]}
    objectives: [{id: payback, text: Payback}]
    segments: [smb]
    cells: [simple/high]
products:
  - {id: controls, label: {en: Electrical controls, ja: 電気制御機器}}
  - {id: energy, label: Energy monitoring}
impacts:
  - {persona: plant, product: energy, moves: {objectives: [cost]}, value: 10% less energy}
  - {persona: pm, product: controls, priority: 2, moves: {objectives: [throughput]},
     value: 5 OEE points}
  - {persona: pm, product: controls, priority: 1, moves: {issues: [downtime]},
     value: {en: 30% less downtime, ja: 突発停止を30%削減}}
  - {persona: cfo, product: controls, moves: {objectives: [payback]}, value: Payback in 14 months}
"""

ACCOUNTS = [  # account_id, segment, annual_revenue, is_target
    ("A", "ent", 2000.0, False), ("B", "smb", 50.0, False), ("C", "ent", None, False),
    ("D", None, None, True),
]
CONTACTS = [  # contact_id, account_id, title, persona
    ("A1", "A", "Ｐｒｏｄｕｃｔｉｏｎ　Ｍａｎａｇｅｒ", None),
    ("A2", "A", "Plant Manager / CFO", None), ("A3", "A", "Intern", None),
    ("B1", "B", "  plant   MANAGER ", None), ("B2", "B", "Finance", "Economic_Buyer"),
    ("C1", "C", "製造部長", None), ("C2", "C", "vp of production", None),
    ("C3", "C", "Assistant to VP of Production", None),
]
PRODUCTS = [("P1", "Controls", "simple"), ("P2", "Custom line", "customised")]
DEALS = [  # deal_id, account_id, is_closed, is_won, amount, created_at, close_date
    ("D1", "A", True, True, 100.0, "2026-04-01", "2026-05-10"),
    ("D2", "B", True, True, 100.0, "2026-03-01", "2026-04-20"),
]
LINES = [("L1", "D1", "P1", 100.0), ("L2", "D2", "P2", 100.0)]
ACTIVITIES = [  # activity_id, account_id, contact_id, kind, outcome, occurred_at, stage
    ("a1", "A", "A1", "meeting", None, "2026-04-15 10:00:00", "Solution"),
    ("a2", "A", "A1", "call", "connected", "2026-05-20 10:00:00", "relation"),
    ("a3", "A", "A3", "call", "connected", "2026-06-01 10:00:00", "Selection"),
    ("a4", "A", "A2", "email_blast", None, "2026-06-02 10:00:00", "Relation"),
    ("a5", "A", None, "meeting", None, "2026-06-03 10:00:00", None),
    ("a6", "B", "B1", "call", "no_answer", "2026-05-01 10:00:00", "Education"),
    ("a7", "B", "B2", "meeting", None, "2026-05-02 10:00:00", "Education"),
    ("a8", "B", "B1", "meeting", None, "2026-07-01 10:00:00", "Relation"),
    ("a9", "C", "C1", "meeting", None, "2026-04-10 10:00:00", " Solution "),
    ("a10", "C", "C3", "call", "connected", "2026-04-11 10:00:00", "Webinar"),
    ("a11", "C", "ZZ", "meeting", None, "2026-04-12 10:00:00", None),
    ("a12", "D", None, "email_blast", None, "2026-05-05 10:00:00", None),
    ("a13", "A", "A1", "meeting", None, "2026-03-15 10:00:00", "Solution"),
]


def plan():
    return parse_plan(PLAN_YAML, "plan.yaml")


def value_maps():
    return parse_value_maps([("value-map.yaml", MAP_YAML)])


def build(store) -> None:
    """Insert the whole company into an open, empty store."""
    insert(store, "accounts", "account_id, name, segment, annual_revenue, is_target",
           [(a, f"Account {a}", s, r, t) for a, s, r, t in ACCOUNTS])
    insert(store, "contacts", "contact_id, account_id, title, persona", CONTACTS)
    insert(store, "products", "product_id, name, complexity", PRODUCTS)
    insert(store, "deals", "deal_id, account_id, is_closed, is_won, amount, created_at, "
                           "close_date", DEALS)
    insert(store, "deal_lines", "line_id, deal_id, product_id, amount", LINES)
    insert(store, "activities", "activity_id, account_id, contact_id, kind, outcome, "
                                "occurred_at, content_stage", ACTIVITIES)
