"""What kind of account each row is, and how each kind behaves.

Every account is drawn as one archetype: the default plan's state it must be in as
of ``as_of`` (or ``unclassified``, which no state rule matches). The archetype
decides the facts that make the state (won deals and their dates, churn, open
deals, contacts and lead scores, the target flag) and how much and what kind of
attention the account gets. The other tables read these parameters by archetype
code (``arch``, 0-based), so one table here tunes the whole company.
"""

from __future__ import annotations

from covermap.sample.draws import bucket_of, cumulative, sql_list

ARCHETYPES = (
    "loyal", "active", "new", "churned", "in_deal",
    "hot_lead", "potential_lead", "lead", "target", "unclassified",
)
CUSTOMERS = ("loyal", "active", "new")
#: archetypes whose accounts have won at least once (current or former customers)
WON = (*CUSTOMERS, "churned")

# name: value per archetype, in ARCHETYPES order
PARAMS: dict[str, tuple[float, ...]] = {
    # share of accounts
    "share":        (0.12, 0.12, 0.06, 0.07, 0.07, 0.05, 0.10, 0.19, 0.12, 0.10),
    # first won deal, days before as_of: lowest and span (loyal >= 24 months,
    # active 6-24 months, new < 6 months; churned customers started 13+ months ago)
    "won_from":     (740, 190, 7, 400, 0, 0, 0, 0, 0, 0),
    "won_span":     (1080, 520, 168, 1400, 0, 0, 0, 0, 0, 0),
    # probability of one lost deal before the account bought (or before now)
    "lost_before":  (0.25, 0.25, 0.2, 0.15, 0.3, 0.2, 0.15, 0.1, 0.0, 0.0),
    # open deals: probability of one, and of a second one
    "open_one":     (0.25, 0.3, 0.1, 0.08, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    "open_two":     (0.05, 0.05, 0.0, 0.0, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0),
    # contacts: minimum and extra range (0 for accounts that must have no lead)
    "contacts_min": (4, 3, 2, 2, 2, 1, 1, 1, 0, 0),
    "contacts_add": (10, 8, 5, 6, 6, 4, 4, 3, 0, 0),
    # the best contact's lead score band [lo, hi] and the others' ceiling
    "score_lo":     (0, 0, 0, 0, 0, 80, 50, 0, 0, 0),
    "score_hi":     (100, 100, 100, 100, 100, 100, 79, 49, 0, 0),
    # activities: share of accounts with none, lognormal median of the rest
    "zero_acts":    (0.04, 0.07, 0.04, 0.2, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9),
    "acts_median":  (95, 62, 50, 22, 48, 22, 15, 8, 3, 2),
    # share of activities that are human touches (after churn it drops to 0.03)
    "human":        (0.62, 0.58, 0.75, 0.55, 0.75, 0.62, 0.42, 0.15, 0.85, 0.6),
    # who makes the human activities: csm, account_executive, inside_sales, executive
    "by_csm":       (0.55, 0.2, 0.5, 0.4, 0.03, 0.0, 0.0, 0.0, 0.0, 0.0),
    "by_ae":        (0.25, 0.5, 0.45, 0.4, 0.77, 0.15, 0.1, 0.1, 0.2, 0.3),
    "by_is":        (0.12, 0.3, 0.05, 0.2, 0.2, 0.85, 0.9, 0.9, 0.8, 0.7),
    "by_ex":        (0.08, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    # account team membership probability per role (csm, ae, inside sales, executive,
    # marketing)
    "team_csm":     (1.0, 0.6, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    "team_ae":      (1.0, 1.0, 1.0, 1.0, 1.0, 0.2, 0.2, 0.0, 0.0, 0.0),
    "team_is":      (0.0, 0.5, 0.0, 0.0, 0.5, 1.0, 1.0, 0.4, 0.2, 0.0),
    "team_ex":      (0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    "team_mk":      (0.0, 0.0, 0.0, 0.6, 0.0, 0.3, 0.6, 0.8, 0.7, 0.0),
    # probability that the account is flagged as a target
    "target":       (0.35, 0.3, 0.3, 0.2, 0.5, 0.35, 0.3, 0.25, 1.0, 0.0),
}


def code(name: str) -> int:
    """The archetype code of ``name``."""
    return ARCHETYPES.index(name)


def param(name: str, arch: str = "arch") -> str:
    """SQL for parameter ``name`` of the account's archetype (column ``arch``)."""
    return f"{sql_list(PARAMS[name])}[{arch} + 1]"


def draw_archetype(draw: str) -> str:
    """SQL for the archetype code a uniform ``draw`` selects."""
    return bucket_of(PARAMS["share"], draw)


def is_one_of(names: tuple[str, ...], arch: str = "arch") -> str:
    """SQL: the account's archetype is one of ``names``."""
    return f"{arch} IN ({', '.join(str(code(n)) for n in names)})"


def draw_team_role(draw: str, arch: str = "arch") -> str:
    """SQL: which team role (0 csm, 1 account executive, 2 inside sales, 3 executive) makes
    an account's human activity, by the archetype's ``by_*`` shares."""
    per_arch = [
        cumulative([PARAMS[p][a] for p in ("by_csm", "by_ae", "by_is", "by_ex")])
        for a in range(len(ARCHETYPES))
    ]
    return f"len(list_filter({per_arch}[{arch} + 1], b -> b <= {draw}))"
