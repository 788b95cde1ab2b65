"""How CRMs and ELT tools name our tables and columns (reference/crm-data-sources.md §1.3).

Names are compared by ``name_key``: case, spaces and punctuation do not matter,
so ``AccountId`` (Salesforce API), ``account_id`` (Fivetran, dlt), ``Account ID``
(report exports) and ``accountId`` are one name; ``Product2Id``, ``product_2_id``
and ``product2_id`` too. HubSpot's ``property_`` / ``properties_`` prefixes
(Fivetran, Airbyte) are tried off as well, and a Salesforce report export's
``Contact: Email`` is ``Email`` in a contacts file.

Each alias list is in order of preference: when a file has several candidate
columns (a Salesforce Task has both ``ActivityDate`` and ``CompletedDateTime``),
the first listed wins. A plan's ``sources:`` mapping always wins over these.
"""

from __future__ import annotations

import re

_PUNCT = re.compile(r"[\s_\-./:()?#'\"]+")


def name_key(name: str) -> str:
    """The comparison key of a table or column name.

    >>> name_key("Product2Id") == name_key("product_2_id") == name_key("Product 2 ID")
    True
    """
    return _PUNCT.sub("", name.strip().lstrip("\ufeff").lower())


#: Table names in file names: canonical, schema aliases, Salesforce objects (also
#: as Fivetran ``sf_<object>`` seeds), HubSpot objects, Airbyte/dlt streams.
TABLE_NAMES: dict[str, tuple[str, ...]] = {
    "accounts": ("account", "companies", "company", "organization", "organizations",
                 "customers", "取引先"),
    "contacts": ("contact", "people", "person", "lead", "leads", "取引先責任者"),
    "users": ("user", "owner", "owners", "sales_teams", "sales_team", "sales_reps", "reps",
              "sf_user"),
    "account_team": ("account_team_member", "account_team_members", "accountteammember"),
    "products": ("product", "product_2", "product2"),
    "deals": ("deal", "opportunity", "opportunities", "sales_pipeline", "商談"),
    "deal_lines": ("deal_line", "line_item", "line_items", "opportunity_line_item",
                   "opportunity_line_items", "opportunitylineitem"),
    "activities": ("activity", "engagement", "engagements", "task", "tasks", "event", "events",
                   "engagement_call", "engagement_email", "engagement_meeting",
                   "engagement_note", "engagement_task", "engagements_calls",
                   "engagements_emails", "engagements_meetings", "engagements_notes",
                   "engagements_tasks", "calls", "emails", "meetings", "notes", "活動"),
    "deal_contacts": ("deal_contact", "opportunity_contact_role", "opportunity_contact_roles",
                      "opportunitycontactrole"),
}

#: Words in export file names that say nothing about the table
#: (``hubspot-crm-exports-all-deals-2024-01-31.csv`` is deals).
NOISE_WORDS = frozenset({
    "hubspot", "hs", "crm", "export", "exports", "exported", "all", "data", "sf", "salesforce",
    "fivetran", "airbyte", "dlt", "report", "list", "view", "dump", "sample", "my", "raw", "stg",
    "seed", "seeds", "extract", "file", "table", "backup", "copy", "final", "latest", "new",
})

#: The activity kind a file's name implies (HubSpot/Airbyte engagement objects,
#: Salesforce Events); used when the file has no kind column or leaves it blank.
FILE_KINDS: dict[str, str] = {
    "engagement_call": "call", "engagement_email": "email", "engagement_meeting": "meeting",
    "engagement_note": "note", "engagement_task": "task", "engagements_calls": "call",
    "engagements_emails": "email", "engagements_meetings": "meeting",
    "engagements_notes": "note", "engagements_tasks": "task", "calls": "call",
    "emails": "email", "meetings": "meeting", "notes": "note", "event": "meeting",
    "events": "meeting",
}

#: Salesforce/HubSpot activity type names -> the plan's kinds (reference §1.4).
#: Applied when the plan gives no value map for ``kind``; other values pass unchanged.
DEFAULT_KIND_VALUES: dict[str, str] = {
    "Call": "call", "CALL": "call", "Email": "email", "EMAIL": "email",
    "INCOMING_EMAIL": "email", "FORWARDED_EMAIL": "email", "Meeting": "meeting",
    "MEETING": "meeting", "Event": "meeting", "Note": "note", "NOTE": "note", "Task": "task",
    "TASK": "task", "TODO": "task", "ListEmail": "marketing_email",
    "List Email": "marketing_email", "Visit": "visit", "Webinar": "webinar",
}

_ID = ("id", "record_id", "hs_object_id", "レコードid",
       # Salesforce tree JSON records without an Id: their referenceId is the key
       "attributes.referenceId")

#: canonical table -> canonical column -> source names, most preferred first.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "accounts": {
        "account_id": ("account_id", *_ID, "company_id", "取引先id"),
        # Maven keys accounts by name: `account` is the name (and, lacking an id, the id)
        "name": ("name", "account_name", "company_name", "company", "account", "取引先名",
                 "会社名"),
        "domain": ("domain", "company_domain_name", "website", "website_url", "ドメイン"),
        "industry": ("industry", "sector", "業種"),
        "country": ("country", "country_region", "billing_country", "office_location", "国",
                    "国地域"),
        "region": ("region", "territory", "地域"),
        "employees": ("employees", "number_of_employees", "numberofemployees", "employee_count",
                      "従業員数"),
        "annual_revenue": ("annual_revenue", "annualrevenue", "年間売上"),
        "arr": ("arr", "hs_arr", "annual_recurring_revenue"),
        "lifecycle_stage": ("lifecycle_stage", "lifecyclestage", "ライフサイクルステージ"),
        "owner_id": ("owner_id", "hubspot_owner_id", "company_owner", "account_owner",
                     "取引先所有者", "所有者"),
        "parent_account_id": ("parent_account_id", "parent_id", "hs_parent_company_id",
                              "parent_company", "subsidiary_of"),
        "is_target": ("is_target", "target", "target_account", "hs_is_target_account"),
        "created_at": ("created_at", "created_date", "createdate", "create_date", "作成日"),
        "churned_at": ("churned_at", "churn_date"),
        "segment": ("segment", "hs_ideal_customer_profile", "ideal_customer_profile_tier"),
    },
    "contacts": {
        "contact_id": ("contact_id", *_ID, "取引先責任者id"),
        "account_id": ("account_id", "associatedcompanyid", "primary_associated_company_id",
                       "associated_company_id", "company_id", "取引先id", "account_name",
                       "account"),
        "name": ("name", "full_name", "contact_name", "氏名", "名前"),
        "email": ("email", "email_address", "メール", "eメール", "メールアドレス"),
        "title": ("title", "jobtitle", "job_title", "役職"),
        "persona": ("persona",),
        "buying_role": ("buying_role", "hs_buying_role"),
        "lifecycle_stage": ("lifecycle_stage", "lifecyclestage"),
        "lead_status": ("lead_status", "hs_lead_status", "status"),
        "lead_score": ("lead_score", "hubspotscore", "hubspot_score", "score"),
        "created_at": ("created_at", "created_date", "createdate", "create_date", "作成日"),
    },
    "users": {
        "user_id": ("user_id", "owner_id", *_ID),
        "name": ("name", "full_name", "owner_name", "sales_agent", "氏名", "名前"),
        "email": ("email", "email_address", "メール"),
        "role": ("role", "user_role", "job_role"),
        # Maven names each team by its manager
        "team": ("team", "team_name", "department", "manager"),
        "region": ("region", "regional_office", "office"),
        "hours_per_week": ("hours_per_week", "weekly_hours"),
        "active": ("active", "is_active", "archived_false"),
    },
    "account_team": {
        "account_id": ("account_id", "company_id"),
        "user_id": ("user_id", "owner_id"),
        "role": ("role", "team_member_role", "team_role"),
        "start_date": ("start_date", "created_date"),
        "end_date": ("end_date",),
    },
    "products": {
        "product_id": ("product_id", *_ID, "product_2_id", "product2id"),
        "name": ("name", "product_name", "product"),
        "family": ("family", "product_family", "series", "hs_product_type"),
        "complexity": ("complexity",),
        "list_price": ("list_price", "price", "unit_price", "sales_price"),
    },
    "deals": {
        "deal_id": ("deal_id", "opportunity_id", *_ID),
        "account_id": ("account_id", "company_id", "associated_company_id",
                       "associated_company_ids", "associated_company_ids_primary", "取引先id",
                       "account_name", "account"),
        "name": ("name", "deal_name", "dealname", "opportunity_name", "商談名", "取引名"),
        "stage": ("stage", "stage_name", "dealstage", "deal_stage", "deal_pipeline_stage_id",
                  "フェーズ", "取引ステージ"),
        "is_closed": ("is_closed", "hs_is_closed", "is_deal_closed", "closed"),
        "is_won": ("is_won", "hs_is_closed_won", "is_closed_won", "won"),
        "amount": ("amount", "deal_amount", "close_value", "金額"),
        "currency": ("currency", "currency_iso_code", "deal_currency_code", "通貨"),
        "created_at": ("created_at", "created_date", "createdate", "create_date", "engage_date",
                       "作成日"),
        "close_date": ("close_date", "closedate", "完了予定日", "クローズ日"),
        "owner_id": ("owner_id", "hubspot_owner_id", "deal_owner", "opportunity_owner",
                     "sales_agent", "所有者"),
        "channel": ("channel", "sales_channel"),
        "deal_type": ("deal_type", "dealtype", "opportunity_type", "type", "種別"),
    },
    "deal_lines": {
        "line_id": ("line_id", "line_item_id", "opportunity_line_item_id", *_ID),
        "deal_id": ("deal_id", "opportunity_id", "hs_deal_id"),
        "product_id": ("product_id", "product_2_id", "product2id", "hs_product_id", "product",
                       "product_name"),
        "quantity": ("quantity", "数量"),
        "amount": ("amount", "total_price", "totalprice", "line_amount", "close_value", "金額"),
    },
    "activities": {
        "activity_id": ("activity_id", "engagement_id", *_ID, "活動id"),
        "account_id": ("account_id", "company_id", "associated_company_id", "取引先id"),
        "kind": ("kind", "activity_type", "task_subtype", "type", "engagement_type",
                 "hs_activity_type", "event_subtype", "種別", "活動の種類"),
        "occurred_at": ("occurred_at", "hs_timestamp", "completed_date_time", "start_date_time",
                        "activity_date_time", "start_time", "hs_meeting_start_time",
                        "activity_date", "timestamp", "date", "日付", "活動日"),
        "contact_id": ("contact_id", "who_id", "associated_contact_id"),
        "deal_id": ("deal_id", "opportunity_id", "associated_deal_id"),
        "user_id": ("user_id", "owner_id", "hubspot_owner_id", "activity_assigned_to",
                    "assigned_to", "所有者"),
        "direction": ("direction", "call_type", "hs_call_direction", "hs_email_direction",
                      "call_direction"),
        "outcome": ("outcome", "call_disposition", "hs_call_disposition", "hs_call_status",
                    "meeting_outcome", "hs_meeting_outcome", "call_outcome"),
        "duration_minutes": ("duration_minutes", "duration_in_minutes", "duration"),
        "content_stage": ("content_stage",),
        "subject": ("subject", "title", "hs_call_title", "hs_email_subject", "hs_meeting_title",
                    "hs_task_subject", "件名"),
    },
    "deal_contacts": {
        "deal_id": ("deal_id", "opportunity_id"),
        "contact_id": ("contact_id",),
        "role": ("role", "buying_role"),
        "is_primary": ("is_primary", "primary"),
    },
}

#: Canonical columns filled from the first non-blank of every alias column present
#: (a Salesforce Task's CompletedDateTime when it is closed, else its ActivityDate).
COALESCED: dict[str, tuple[str, ...]] = {"activities": ("occurred_at",)}

#: Durations in seconds (Salesforce Task.CallDurationInSeconds): become duration_minutes.
DURATION_SECONDS = ("call_duration_in_seconds", "duration_seconds", "duration_in_seconds")

#: First/last-name columns that make ``name`` when the file has no full-name column.
FIRST_NAMES = ("first_name", "firstname", "first", "given_name", "名")
LAST_NAMES = ("last_name", "lastname", "last", "family_name", "surname", "姓")

#: Salesforce report-export prefixes (``Contact: Email``) by table.
REPORT_OBJECTS: dict[str, tuple[str, ...]] = {
    "accounts": ("account",), "contacts": ("contact", "lead"), "users": ("user", "owner"),
    "products": ("product",), "deals": ("opportunity", "deal"),
    "deal_lines": ("opportunity product", "line item"),
    "activities": ("activity", "task", "event"), "deal_contacts": ("contact role",),
    "account_team": ("account team",),
}

#: Tables whose records a data set may key by name alone (Maven's accounts, agents and
#: products): a file with a name column and no id column uses the name as the id.
NAME_KEYED = ("accounts", "users", "products")

#: First cells of a report's total rows (Salesforce "Grand Total"; Japanese 合計/総計/小計)
TOTAL_ROWS = ("Grand Total", "GRAND TOTAL", "Total", "TOTAL", "Subtotal", "Sum", "合計", "総計",
              "小計")

#: The columns of a deals file that name its one product: such a file (Maven's
#: sales_pipeline.csv) also gives one deal line per deal, unless a plan maps it.
DEAL_PRODUCT = ("product_id", "product_2_id", "product2id", "product", "product_name")

#: Prefixes that ELT tools put on property names (Fivetran HubSpot, Airbyte HubSpot).
PROPERTY_PREFIXES = ("property_", "properties_")
