"""Awkward but valid input: encodings, delimiters, formats, date/number/boolean forms,
CRM column names, plan mappings, extra account columns, upserts and line numbers."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from covermap.importing import import_paths
from covermap.importing.sniff import detect_encoding, sniff_delimiter
from covermap.plan import parse_plan

INPUTS = Path(__file__).parent / "data" / "inputs"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def rows(store, sql: str) -> list[tuple]:
    return store.duckdb.execute(sql).fetchall()


def extra_rows(store, *columns: str) -> list[tuple]:
    """The accounts' ``columns`` (extra columns included), by account_id."""
    t = store.accounts(columns).order_by("account_id").select(*columns)
    return [tuple(r.values()) for r in t.to_pyarrow().to_pylist()]


@pytest.fixture
def with_account(store, tmp_path):
    write(tmp_path / "accounts.csv", "account_id,name\nA1,Acme\n")
    import_paths(store, [tmp_path / "accounts.csv"])
    (tmp_path / "accounts.csv").unlink()
    return store


# -- encodings ---------------------------------------------------------------------------

def test_cp932_round_trips_exactly(store):
    """CP932 is detected (not UTF-8, no BOM) and decoded as cp932, never shift_jis:
    ①, ㈱, 髙, half-width kana and the wave dash come back exactly."""
    f = INPUTS / "cp932-accounts.csv"
    assert detect_encoding(f) == "cp932"
    report = import_paths(store, [f])
    assert (report.files[0].encoding, report.loaded) == ("cp932", 4)
    expected = f.read_bytes().decode("cp932").splitlines()[1:]
    got = rows(store, "SELECT account_id, name, industry FROM accounts ORDER BY 1")
    assert [",".join(r) for r in got] == [",".join(line.split(",")[:3]) for line in expected]
    assert got[1][1] == "㈱髙橋商事" and got[2][1] == "ｶﾌﾞｼｷｶﾞｲｼｬ ﾔﾏﾀﾞ"
    assert got[3][1] == "～波ダッシュ－全角"  # U+FF5E, U+FF0D under cp932 (shift_jis differs)


def test_japanese_and_era_dates(store):
    import_paths(store, [INPUTS / "cp932-accounts.csv"])
    assert rows(store, "SELECT account_id, created_at FROM accounts ORDER BY 1") == [
        ("JP001", dt.datetime(2024, 1, 15)), ("JP002", dt.datetime(2024, 2, 1)),
        ("JP003", dt.datetime(2019, 4, 30)), ("JP004", dt.datetime(2019, 5, 1))]


def test_utf8_with_bom(store):
    f = INPUTS / "utf8-bom-accounts.csv"
    report = import_paths(store, [f])
    assert report.files[0].encoding == "utf-8-sig"
    assert rows(store, "SELECT account_id, name FROM accounts ORDER BY 1") == [
        ("B1", "Müller GmbH"), ("B2", "Café Crème")]


def test_utf8_without_bom_is_not_mistaken_for_cp932(store, tmp_path):
    f = tmp_path / "accounts.csv"
    f.write_bytes("account_id,name\nK1,株式会社ケー\nK2,髙島屋\n".encode("utf-8"))
    assert detect_encoding(f) == "utf-8"
    import_paths(store, [f])
    assert rows(store, "SELECT name FROM accounts ORDER BY 1") == [("株式会社ケー",), ("髙島屋",)]


def test_utf16_tab_separated(store):
    report = import_paths(store, [INPUTS / "utf16-accounts.tsv"])
    assert report.files[0].encoding == "utf-16"
    assert rows(store, "SELECT account_id, name, country FROM accounts ORDER BY 1") == [
        ("U1", "株式会社ユニ", "JP"), ("U2", "Ångström AB", "SE")]


def test_plan_encoding_override(store, tmp_path):
    f = tmp_path / "accounts.csv"
    f.write_bytes("account_id,name\nL1,Zürich AG\n".encode("latin-1"))
    plan = parse_plan("sources:\n  - {file: accounts.csv, table: accounts, encoding: latin-1}\n")
    report = import_paths(store, [f], plan=plan)
    assert report.files[0].encoding == "latin-1"
    assert rows(store, "SELECT name FROM accounts") == [("Zürich AG",)]


def test_undecodable_file_names_the_candidates_and_the_plan_key(store, tmp_path):
    """0x81 0x20 is neither UTF-8, CP932, EUC-JP nor cp1252: the error says so, shows the
    line and names the plan key that settles it; nothing is imported."""
    from covermap.errors import ImportProblem

    f = tmp_path / "accounts.csv"
    f.write_bytes(b"account_id,name\nL1,Z\x81\x20rich\n")
    with pytest.raises(ImportProblem) as e:
        import_paths(store, [f])
    assert str(e.value) == (
        f"{f}, line 2: cannot tell this file's encoding: it is not UTF-8, CP932, EUC-JP or "
        "cp1252 (line 2 reads 'L1,Z\\x81 rich' in Latin-1). Name it in a plan passed with "
        '--plan: sources: [{file: "accounts.csv", table: accounts, encoding: latin-1}] (one of '
        "utf-8, cp932, euc_jp, cp1252, latin-1, utf-16)")
    assert rows(store, "SELECT count(*) FROM accounts") == [(0,)]


def test_cp1252_is_not_read_as_cp932(store):
    """Western Windows text was decoded as CP932 with exit 0 (Renée -> Ren馥)."""
    f = INPUTS / "cp1252-accounts.csv"
    assert detect_encoding(f) == "cp1252"
    report = import_paths(store, [f])
    assert (report.files[0].encoding, report.loaded, report.quarantined) == ("cp1252", 4, 0)
    assert rows(store, "SELECT account_id, name FROM accounts ORDER BY 1") == [
        ("W1", "Renée Dupont"), ("W2", "Jürgen Groß KG"), ("W3", "Ærø Skibsværft"),
        ("W4", "“Smart” Café – Niño")]


def test_one_cp1252_row_in_a_utf8_file(store):
    """Every UTF-8 row keeps its accents; the one cp1252 row is quarantined with its line."""
    report = import_paths(store, [INPUTS / "utf8-one-cp1252-row-accounts.csv"])
    assert (report.files[0].encoding, report.loaded, report.quarantined) == ("utf-8", 4, 1)
    assert rows(store, "SELECT account_id, name FROM accounts ORDER BY 1") == [
        ("V1", "Renée Dupont"), ("V2", "Jürgen Groß"), ("V4", "Ærø Ålborg"), ("V5", "Plain Name")]
    assert rows(store, 'SELECT line, "column", reason, record FROM quarantine') == [
        (4, "name", "bytes that are not UTF-8 (0xEB 0xFC in column name; the rest of the file "
                    "is UTF-8: fix this row in the source, or name the file's encoding in the "
                    "plan's sources)", '"V3,Zo\\\\xeb M\\\\xfcller"')]
    assert report.files[0].reasons == (("bytes that are not UTF-8", 1),)


def test_euc_jp(store):
    f = INPUTS / "eucjp-accounts.csv"
    assert detect_encoding(f) == "euc_jp"
    import_paths(store, [f])
    assert rows(store, "SELECT account_id, name, industry FROM accounts ORDER BY 1") == [
        ("E1", "株式会社テスト", "製造業"), ("E2", "高橋商事株式会社", "小売"),
        ("E3", "ｶﾌﾞｼｷｶﾞｲｼｬ ﾔﾏﾀﾞ", "サービス")]


def test_utf16_without_a_byte_order_mark(store, tmp_path):
    f = tmp_path / "accounts.tsv"
    f.write_bytes("account_id\tname\nU1\t株式会社ユニ\nU2\tÅngström AB\n".encode("utf-16-le"))
    report = import_paths(store, [f])
    assert report.files[0].encoding == "utf-16-le"
    assert rows(store, "SELECT account_id, name FROM accounts ORDER BY 1") == [
        ("U1", "株式会社ユニ"), ("U2", "Ångström AB")]


def test_the_detector_weighs_non_ascii_lines_anywhere_in_the_file(tmp_path):
    """The one accented name is 500 KB into an otherwise ASCII file."""
    f = tmp_path / "accounts.csv"
    f.write_bytes(("account_id,name\n" + "".join(f"A{i},Plain {i}\n" for i in range(30000))
                   ).encode() + "A9,Renée\n".encode("cp1252"))
    assert detect_encoding(f) == "cp1252"


def test_an_unclear_encoding_names_the_candidates_and_the_plan_key(store, tmp_path):
    """One line of half-width katakana reads as CP932, EUC-JP or cp1252: covermap stops,
    shows the line in each, and a plan's encoding settles it."""
    from covermap.importing.charsets import EncodingUnclear

    f = tmp_path / "accounts.csv"
    f.write_bytes("account_id,name\nK1,ｶﾌﾞｼｷｶﾞｲｼｬ\n".encode("cp932"))
    with pytest.raises(EncodingUnclear) as e:
        import_paths(store, [f])
    assert str(e.value) == (
        f"{f}, line 2: cannot tell this file's encoding: it could be CP932 (Japanese Windows, "
        "'Shift_JIS'): 'K1,ｶﾌﾞｼｷｶﾞｲｼｬ'; EUC-JP (Japanese Unix): 'K1,玉渕袈涓蒔'; cp1252 "
        "(Western European, Latin-1): 'K1,¶ÌÞ¼·¶Þ²¼¬'. Name it in a plan passed with --plan: "
        'sources: [{file: "accounts.csv", table: accounts, encoding: cp932}] (one of utf-8, '
        "cp932, euc_jp, cp1252, latin-1, utf-16)")
    plan = parse_plan("sources:\n  - {file: accounts.csv, table: accounts, encoding: cp932}\n")
    import_paths(store, [f], plan=plan)
    assert rows(store, "SELECT name FROM accounts") == [("ｶﾌﾞｼｷｶﾞｲｼｬ",)]


def test_a_cp932_file_with_a_stray_byte_keeps_its_other_rows(store, tmp_path):
    f = tmp_path / "accounts.csv"
    f.write_bytes("account_id,name\nJ1,株式会社テスト\nJ2,高橋商事\n".encode("cp932")
                  + b"J3,\x81\x20bad\n" + "J4,山田\n".encode("cp932"))
    report = import_paths(store, [f])
    assert (report.files[0].encoding, report.loaded, report.quarantined) == ("cp932", 3, 1)
    assert rows(store, 'SELECT line, "column" FROM quarantine') == [(4, "name")]


# -- delimiters, numbers, dates, booleans ------------------------------------------------

def test_delimiter_sniffing():
    assert sniff_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert sniff_delimiter("a|b\n1|2\n") == "|"
    assert sniff_delimiter("single\nx\n") == ","


def test_decimal_comma_and_day_first_dates_when_the_plan_says_so(with_account):
    plan = parse_plan('sources:\n  - {file: semicolon-deals.csv, table: deals, decimal: ",", '
                      'date_format: "%d/%m/%Y"}\n')
    report = import_paths(with_account, [INPUTS / "semicolon-deals.csv"], plan=plan)
    assert report.quarantined == 0
    assert rows(with_account, "SELECT deal_id, amount, close_date FROM deals ORDER BY 1") == [
        ("D1", Decimal("1234.50"), dt.date(2024, 1, 31)),
        ("D2", Decimal("99.90"), dt.date(2024, 2, 29))]


def test_decimal_comma_is_never_guessed(with_account):
    import_paths(with_account, [INPUTS / "semicolon-deals.csv"])
    assert rows(with_account, 'SELECT line, "column", value, reason FROM quarantine '
                              "WHERE reason LIKE 'amount%' ORDER BY line") == [
        (2, "amount", "1.234,50", "amount is not a number"),
        (3, "amount", "99,90", "amount is not a number")]


def test_currency_and_separators(with_account, tmp_path):
    f = write(tmp_path / "deals.csv", """
        deal_id,account_id,amount
        D1,A1,"$1,234.50"
        D2,A1,"¥1,000"
        D3,A1,1000円
        D4,A1, 7 
        D5,A1,1e3
    """)
    import_paths(with_account, [f])
    assert rows(with_account, "SELECT deal_id, amount FROM deals ORDER BY 1") == [
        ("D1", Decimal("1234.50")), ("D2", Decimal("1000.00")), ("D3", Decimal("1000.00")),
        ("D4", Decimal("7.00")), ("D5", Decimal("1000.00"))]


def test_timestamps_with_offsets_become_utc(with_account, tmp_path):
    f = write(tmp_path / "activities.csv", """
        activity_id,account_id,kind,occurred_at
        T1,A1,call,2024-03-01T09:00:00Z
        T2,A1,call,2024-03-01T09:00:00+09:00
        T3,A1,call,2024-03-01 09:00 -0500
        T4,A1,call,2024/03/01 09:00
        T5,A1,call,令和6年3月1日 9時30分
        T6,A1,call,2024-03-01
    """)
    import_paths(with_account, [f], plan=parse_plan("as_of: 2024-12-31\n"))
    assert rows(with_account, "SELECT activity_id, occurred_at FROM activities ORDER BY 1") == [
        ("T1", dt.datetime(2024, 3, 1, 9)), ("T2", dt.datetime(2024, 3, 1, 0)),
        ("T3", dt.datetime(2024, 3, 1, 14)), ("T4", dt.datetime(2024, 3, 1, 9)),
        ("T5", dt.datetime(2024, 3, 1, 9, 30)), ("T6", dt.datetime(2024, 3, 1))]


def test_us_dates_with_date_format(with_account, tmp_path):
    f = write(tmp_path / "deals.csv", "deal_id,account_id,close_date\nD1,A1,03/04/2024\n")
    import_paths(with_account, [f], plan=parse_plan(
        'sources:\n  - {file: deals.csv, table: deals, date_format: "%m/%d/%Y"}\n'))
    assert rows(with_account, "SELECT close_date FROM deals") == [(dt.date(2024, 3, 4),)]


def test_booleans_and_value_maps(with_account, tmp_path):
    f = write(tmp_path / "deals.csv", """
        deal_id,account_id,Stage,closed
        D1,A1,Won,yes
        D2,A1,Lost,1
        D3,A1,Open,FALSE
        D4,A1,Weird,no
    """)
    plan = parse_plan(textwrap.dedent("""
        sources:
          - file: deals.csv
            table: deals
            columns: {stage: Stage, is_won: Stage, is_closed: closed}
            values: {is_won: {Won: true, Lost: false, Open: false}}
    """))
    report = import_paths(with_account, [f], plan=plan)
    assert rows(with_account, "SELECT deal_id, stage, is_won, is_closed FROM deals ORDER BY 1"
                ) == [("D1", "Won", True, True), ("D2", "Lost", False, True),
                      ("D3", "Open", False, False)]
    assert report.files[0].reasons == (("is_won is not true/false", 1),)


# -- formats -----------------------------------------------------------------------------

def test_xlsx_sheet_with_row_numbers_as_lines(with_account, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    ws = wb.create_sheet("Deals")
    ws.append(["Opportunity ID", "Account ID", "Amount", "Close Date", "Won"])
    ws.append(["D1", "A1", 1500.5, dt.datetime(2024, 5, 1), True])
    ws.append([None, None, None, None, None])
    ws.append(["D2", "A1", -3, dt.date(2024, 5, 2), False])
    f = tmp_path / "pipeline.xlsx"
    wb.save(f)
    plan = parse_plan('sources:\n  - {file: pipeline.xlsx, table: deals, sheet: Deals, '
                      'columns: {is_won: Won}}\n')
    report = import_paths(with_account, [f], plan=plan)
    assert report.files[0].encoding == "xlsx:Deals"
    assert rows(with_account, "SELECT deal_id, amount, close_date, is_won FROM deals") == [
        ("D1", Decimal("1500.50"), dt.date(2024, 5, 1), True)]
    assert rows(with_account, 'SELECT line, "column", reason FROM quarantine') == [
        (4, "Amount", "amount is negative")]


def test_xlsx_unknown_sheet(with_account, tmp_path):
    from covermap.errors import ImportProblem

    wb = openpyxl.Workbook()
    f = tmp_path / "deals.xlsx"
    wb.save(f)
    plan = parse_plan("sources:\n  - {file: deals.xlsx, table: deals, sheet: Pipeline}\n")
    with pytest.raises(ImportProblem, match=r"deals\.xlsx: no sheet 'Pipeline'; sheets are: "
                                            r"Sheet$"):
        import_paths(with_account, [f], plan=plan)


def test_parquet_and_json_lines(with_account, tmp_path):
    duckdb.execute(f"COPY (SELECT 'P' || i AS activity_id, 'A1' AS account_id, 'call' AS kind, "
                   f"TIMESTAMP '2024-01-01' + INTERVAL (i) HOUR AS occurred_at, i * 1.5 AS "
                   f"duration_minutes FROM range(3) t(i)) TO '{tmp_path / 'activities.parquet'}'")
    (tmp_path / "activities.jsonl").write_text(
        '{"activity_id": "J1", "account_id": "A1", "kind": "email", "occurred_at": '
        '"2024-02-01T10:00:00Z", "subject": {"nested": true}}\n'
        '{"activity_id": "J2", "account_id": "A1", "kind": "email", "occurred_at": "bad"}\n')
    report = import_paths(with_account, [tmp_path / "activities.parquet",
                                         tmp_path / "activities.jsonl"],
                          plan=parse_plan("as_of: 2024-12-31\n"))
    assert [(f.loaded, f.quarantined) for f in report.files] == [(3, 0), (1, 1)]
    assert rows(with_account, "SELECT activity_id, occurred_at, duration_minutes, subject FROM "
                              "activities ORDER BY 1") == [
        ("J1", dt.datetime(2024, 2, 1, 10), None, '{"nested":true}'),
        ("P0", dt.datetime(2024, 1, 1, 0), 0.0, None),
        ("P1", dt.datetime(2024, 1, 1, 1), 1.5, None),
        ("P2", dt.datetime(2024, 1, 1, 2), 3.0, None)]
    assert rows(with_account, 'SELECT line, value, reason FROM quarantine') == [
        (2, "bad", "occurred_at is not a date/time")]


def test_salesforce_tree_json_references(store, tmp_path):
    (tmp_path / "Accounts.json").write_text(json.dumps({"records": [
        {"attributes": {"type": "Account", "referenceId": "AccountRef1"}, "Name": "Acme",
         "NumberOfEmployees": 12}]}))
    (tmp_path / "Opps.json").write_text(json.dumps({"records": [
        {"attributes": {"type": "Opportunity", "referenceId": "OppRef1"},
         "AccountId": "@AccountRef1", "Name": "Big deal", "Amount": 99.5,
         "CloseDate": "2024-05-01", "StageName": "Prospecting"}]}))
    report = import_paths(store, [tmp_path])
    assert [(f.table, f.loaded) for f in report.files] == [("accounts", 1), ("deals", 1)]
    assert rows(store, "SELECT account_id, name, employees FROM accounts") == [
        ("AccountRef1", "Acme", 12)]
    assert rows(store, "SELECT deal_id, account_id, name, amount, stage FROM deals") == [
        ("OppRef1", "AccountRef1", "Big deal", Decimal("99.50"), "Prospecting")]


# -- recognition -------------------------------------------------------------------------

def test_hubspot_export_labels(with_account):
    f = INPUTS / "hubspot-crm-exports-all-deals-2024-03-01.csv"
    report = import_paths(with_account, [f])
    assert report.files[0].table == "deals"
    assert rows(with_account, "SELECT deal_id, account_id, name, stage, amount, close_date, "
                              "is_won FROM deals ORDER BY 1") == [
        ("9001", "A1", "Renewal 2024", "closedwon", Decimal("1234.50"), dt.date(2024, 1, 31),
         True),
        ("9002", "A1", "Expansion", "appointmentscheduled", Decimal("12000.00"),
         dt.date(2024, 2, 15), False)]


def test_salesforce_api_names_case_insensitive(with_account, tmp_path):
    write(tmp_path / "Products.csv", "Id,Name,Family\n01t1,Widget,Hardware\n")
    f = write(tmp_path / "OpportunityLineItem.csv", """
        ID,OPPORTUNITYID,product2id,Quantity,TotalPrice
        L1,D1,01t1,2,300
    """)
    write(tmp_path / "Opportunity.csv", """
        Id,AccountId,OwnerId,StageName,CloseDate,IsWon,IsClosed,Amount
        D1,A1,005X,Closed Won,2024-04-30,true,true,300
    """)
    report = import_paths(with_account, [tmp_path])
    assert [(x.table, x.loaded) for x in report.files] == [
        ("products", 1), ("deals", 1), ("deal_lines", 1)]
    assert report.files[1].unresolved == {"owner_id": 1}
    assert rows(with_account, "SELECT line_id, deal_id, product_id, quantity, amount FROM "
                              "deal_lines") == [("L1", "D1", "01t1", 2.0, Decimal("300.00"))]
    assert f.exists()


def test_salesforce_task_kind_dates_and_durations(with_account, tmp_path):
    write(tmp_path / "sf_task_data.csv", """
        id,account_id,task_subtype,activity_date,completed_date_time,call_duration_in_seconds,who_id
        T1,A1,Call,2024-01-05,2024-01-04T15:00:00.000Z,90,003X
        T2,A1,Email,2024-01-06,,,
    """)
    import_paths(with_account, [tmp_path], plan=parse_plan("as_of: 2024-12-31\n"))
    assert rows(with_account, "SELECT activity_id, kind, occurred_at, duration_minutes, "
                              "contact_id FROM activities ORDER BY 1") == [
        ("T1", "call", dt.datetime(2024, 1, 4, 15), 1.5, "003X"),
        ("T2", "email", dt.datetime(2024, 1, 6), None, None)]


def test_plan_mapping_wins_and_one_file_feeds_two_tables(with_account, tmp_path):
    write(tmp_path / "pipeline.csv", "opp,client,product,value\nO1,A1,P1,10\nO2,A1,P2,20\n")
    plan = parse_plan(textwrap.dedent("""
        sources:
          - file: pipeline.csv
            table: deals
            columns: {deal_id: opp, account_id: client, amount: value}
          - file: pipeline.csv
            table: deal_lines
            columns: {line_id: opp, deal_id: opp, product_id: product, amount: value}
            constants: {quantity: 1}
    """))
    report = import_paths(with_account, [tmp_path / "pipeline.csv"], plan=plan)
    assert [(f.table, f.loaded, f.unresolved) for f in report.files] == [
        ("deals", 2, {}), ("deal_lines", 2, {"product_id": 2})]
    assert report.files[1].ignored_columns == ("client",)
    assert rows(with_account, "SELECT line_id, deal_id, quantity FROM deal_lines ORDER BY 1") == [
        ("O1", "O1", 1.0), ("O2", "O2", 1.0)]


def test_accounts_keep_extra_columns_typed(store, tmp_path):
    f = write(tmp_path / "accounts.csv", """
        account_id,name,Tier Score,founded,signed_on,zip,notes,_fivetran_synced
        A1,Acme,3,1999,2024-01-02,02134,hello,x
        A2,Beta,4.5,,2024-02-03,10001,,y
    """)
    report = import_paths(store, [f])
    assert report.files[0].extra_columns == {
        "tier_score": "DOUBLE", "founded": "BIGINT", "signed_on": "DATE", "zip": "VARCHAR",
        "notes": "VARCHAR"}
    assert report.files[0].ignored_columns == ("_fivetran_synced",)
    assert extra_rows(store, "tier_score", "founded", "signed_on", "zip") == [
        (3.0, 1999, dt.date(2024, 1, 2), "02134"), (4.5, None, dt.date(2024, 2, 3), "10001")]
    # kept beside the accounts table, one row per value (blank ones have none)
    assert rows(store, "SELECT count(*) FROM account_extras") == [(8,)]
    # a later file whose values no longer fit widens the column to text
    write(tmp_path / "accounts.csv", "account_id,name,founded\nA3,Gamma,long ago\n")
    import_paths(store, [f])
    assert store.columns("accounts")["founded"] == "VARCHAR"
    assert extra_rows(store, "founded") == [("1999",), (None,), ("long ago",)]


def test_reimported_and_duplicated_accounts_keep_only_their_own_extra_values(store, tmp_path):
    f = write(tmp_path / "accounts.csv", """
        account_id,name,tier,notes
        A1,Acme,1,first
        A2,Beta,2,
        A2,Beta again,3,copy
    """)
    import_paths(store, [f])  # A2 twice: the first row stays, the second is quarantined
    assert extra_rows(store, "tier", "notes") == [(1, "first"), (2, None)]
    write(tmp_path / "accounts.csv", "account_id,name,tier\nA1,Acme,5\n")
    import_paths(store, [f])  # a file bringing A1 again replaces its whole row
    assert extra_rows(store, "tier", "notes") == [(5, None), (2, None)]


def test_other_tables_report_ignored_columns(with_account, tmp_path):
    f = write(tmp_path / "deals.csv", "deal_id,account_id,Forecast Category\nD1,A1,Pipeline\n")
    report = import_paths(with_account, [f])
    assert report.files[0].ignored_columns == ("Forecast Category",)


# -- upserts -----------------------------------------------------------------------------

def test_reimport_is_idempotent_and_upserts_by_key(with_account, tmp_path):
    f = write(tmp_path / "deals.csv", "deal_id,account_id,amount\nD1,A1,1\nD2,A1,2\nD2,A1,3\n")
    import_paths(with_account, [f])
    first = rows(with_account, "SELECT * FROM deals ORDER BY 1")
    q1 = rows(with_account, "SELECT line, reason FROM quarantine")
    report = import_paths(with_account, [f])
    assert (report.loaded, report.quarantined) == (2, 1)
    assert rows(with_account, "SELECT * FROM deals ORDER BY 1") == first
    assert rows(with_account, "SELECT line, reason FROM quarantine") == q1  # replaced, not added
    write(tmp_path / "deals.csv", "deal_id,account_id,amount\nD2,A1,20\nD3,A1,-1\n")
    import_paths(with_account, [f])
    assert rows(with_account, "SELECT deal_id, amount FROM deals ORDER BY 1") == [
        ("D1", Decimal("1.00")), ("D2", Decimal("20.00"))]
    assert rows(with_account, "SELECT line, reason FROM quarantine") == [
        (3, "amount is negative")]
    assert rows(with_account, "SELECT count(DISTINCT import_id) FROM imports") == [(4,)]


def test_hubspot_associations_fill_account_and_kind(store, tmp_path):
    write(tmp_path / "company.csv", "id,property_name\n501,Acme\n")
    write(tmp_path / "engagement_call.csv", """
        engagement_id,property_hs_timestamp,property_hubspot_owner_id
        E1,2024-01-02 10:00:00,77
        E2,2024-01-03 10:00:00,77
    """)
    write(tmp_path / "engagement_company.csv", "company_id,engagement_id\n501,E1\n")
    write(tmp_path / "engagement.csv", "id,type\nE1,CALL\nE2,CALL\n")
    report = import_paths(store, [tmp_path], plan=parse_plan("as_of: 2024-12-31\n"))
    assert [(f.table, f.loaded, f.quarantined) for f in report.files] == [
        ("accounts", 1, 0), ("activities", 1, 1)]
    assert rows(store, "SELECT activity_id, account_id, kind, user_id FROM activities") == [
        ("E1", "501", "call", "77")]
    assert report.files[1].reasons == (("account_id is required", 1),)
    assert sorted(Path(f).name for f, _ in report.associations) == [
        "engagement.csv", "engagement_company.csv"]
