"""``covermap value``: customer value maps, the sales tools generated from them, and the reach
of key players measured from the CRM.

``value`` calls :func:`covermap.value.tables.measure_value` and formats what it returns;
``table``, ``playbook`` and ``players`` render :mod:`covermap.value.tools` documents;
``match`` lists titles that match no persona or several; ``check`` validates value maps;
``example`` prints the built-in value map.
"""

from __future__ import annotations

import enum
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from covermap.cli.coverage import DEFAULT_MEMORY, MemoryOption
from covermap.cli.options import (
    DEFAULT_STORE,
    AsOfOption,
    ForceOption,
    PlanOption,
    StoreOption,
    WindowOption,
    analysis_store,
    console,
    literal,
    plan_in_use,
    resolve_plan,
)
from covermap.errors import OutputError

value_app = typer.Typer(invoke_without_command=True)


class By(enum.StrEnum):
    all = "all"
    segment = "segment"
    cell = "cell"


class Format(enum.StrEnum):
    terminal = "terminal"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


class Lang(enum.StrEnum):
    en = "en"
    ja = "ja"


MapOption = Annotated[list[Path] | None, typer.Option(
    "--map", metavar="FILE", help="A value map YAML file (repeat for several). Default: the built-in "
                  "example (`covermap value example`).", show_default=False)]
FormatOption = Annotated[Format, typer.Option("--format", help="Output format.")]
OutOption = Annotated[Path | None, typer.Option(
    "--out", help="Write to this file (required for xlsx; markdown and html print when "
                  "it is not given).", show_default=False)]
LangOption = Annotated[Lang, typer.Option("--lang", help="Language of the texts.")]
OptionalStore = Annotated[str | None, typer.Option(
    "--store", help="Also check the value maps' product catalog names against this store.",
    show_default=False)]
EXPORTS = ("value_accounts.csv, value_summary.csv, value_touches.csv, value_content.csv, "
           "value_content_stages.csv and value_persona_stages.csv")


def _maps(paths: list[Path] | None, store=None):
    from covermap.errors import PlanInvalid
    from covermap.value.load import catalog_problems, load_value_maps

    maps = load_value_maps(paths)
    if store is not None:
        problems = catalog_problems(maps, store)
        if problems:
            raise PlanInvalid(problems)
    return maps


def _emit(doc, fmt: Format, out: Path | None, lang: Lang, force: bool) -> None:
    from covermap.reports.targets import Targets, replace_atomically
    from covermap.value import documents as d

    if fmt == Format.terminal:
        if out is not None:
            raise OutputError("--out writes markdown, html or xlsx; add --format html (or "
                              "markdown, xlsx)")
        console.print(d.to_terminal(doc))
        return
    if out is None:
        if fmt == Format.xlsx:
            raise OutputError("--format xlsx needs --out FILE.xlsx")
        typer.echo(d.to_markdown(doc) if fmt == Format.markdown else d.to_html(doc, lang))
        return
    Targets.of("--out", force=force).file(out)
    if fmt == Format.xlsx:
        replace_atomically(out, lambda tmp: d.write_xlsx(doc, tmp))
    else:
        text = d.to_markdown(doc) if fmt == Format.markdown else d.to_html(doc, lang)
        replace_atomically(out, lambda tmp: tmp.write_text(text, "utf-8"))
    console.print(f"Wrote {literal(out)}", highlight=False)


def _with_store(store: str | None):
    if store is None:
        return None
    from covermap.store.connect import open_store

    return open_store(store, read_only=True)


@value_app.callback()
def value(
    ctx: typer.Context,
    by: Annotated[By, typer.Option("--by", help="Rows of the reach table.")] = By.all,
    maps: MapOption = None,
    export: Annotated[Path | None, typer.Option(
        "--export", help=f"Write {EXPORTS} to this folder.", show_default=False)] = None,
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    store: StoreOption = DEFAULT_STORE,
    plan: PlanOption = None,
    force: ForceOption = False,
    memory_limit: MemoryOption = DEFAULT_MEMORY,
) -> None:
    """Which key players (personas of the value maps) each account has among its contacts,
    which we reached with a human touch in the window, how many human touches went to
    people who are no key player, and the content stages delivered per state against the
    plan's content.

    --export replaces the CSV files an earlier export wrote there; any other file of the
    same name only with --force.

    Example: covermap value --by segment --map value-map.yaml --export value-out
    """
    if ctx.invoked_subcommand is not None:
        return
    from covermap.cli.data import print_data_warnings
    from covermap.render import Formats, user_names
    from covermap.reports.export import export_tables
    from covermap.reports.targets import Targets
    from covermap.store.arrow import to_pylist
    from covermap.store.health import data_warnings
    from covermap.value.render import content_view, persona_stage_view, reach_view, touches_line
    from covermap.value.tables import measure_value, value_tables

    p = resolve_plan(plan)
    with analysis_store(store, memory_limit) as s:
        vm = _maps(maps, s)
        targets = Targets.of("--export", force=force, store=s, plan=plan_in_use(plan))
        if export is not None:
            targets.folder(export)
        result = measure_value(s, p, vm, as_of=as_of, window_months=window_months)
        w = result.window
        console.print(f"[bold]{literal(p.name)}[/bold] — key players as of {w.as_of}, window "
                      f"{w.start} to {w.end}", highlight=False)
        print_data_warnings(data_warnings(s, p))
        if by == By.cell and p.coverage_map is None:
            console.print("[yellow]Warning:[/yellow] the plan has no coverage_map, so no "
                          "account has a cell", highlight=False)
        formats = Formats.for_plan(p, user_names(s))
        console.print(reach_view(to_pylist(result.summary), by.value, vm,
                                 formats))
        console.print(literal(touches_line(to_pylist(result.touches), formats)),
                      highlight=False)
        content = to_pylist(result.content)
        console.print(content_view(content, formats))
        bare = [formats.states.get(r["state"], r["state"]) for r in content
                if r["no_stage_at_all"]]
        if bare:
            console.print(f"[yellow]States whose touches carry no content stage at all:"
                          f"[/yellow] {literal(', '.join(bare))}", highlight=False)
        console.print(persona_stage_view(to_pylist(result.persona_stages), vm,
                                         formats))
        if export is not None:
            paths = export_tables(value_tables(result), export, targets=targets)
            console.print(f"Wrote {len(paths)} files to {literal(export)}", highlight=False)


@value_app.command("table")
def table(maps: MapOption = None, fmt: FormatOption = Format.terminal, out: OutOption = None,
          lang: LangOption = Lang.en, store: OptionalStore = None,
          force: ForceOption = False) -> None:
    """The value-proposition table: each key player's impact statements, ranked by the
    hierarchy of value (persona priority, then impact priority).

    Example: covermap value table --format xlsx --out value-propositions.xlsx
    """
    from covermap.value.tools import proposition_document

    with _with_store(store) or nullcontext() as s:
        doc = proposition_document(_maps(maps, s), lang.value)
    _emit(doc, fmt, out, lang, force)


@value_app.command("playbook")
def playbook(persona: Annotated[str, typer.Option("--persona", help="The persona's id.")],
             maps: MapOption = None, fmt: FormatOption = Format.terminal,
             out: OutOption = None, lang: LangOption = Lang.en,
             store: OptionalStore = None, force: ForceOption = False) -> None:
    """One key player's playbook: who they are, what they care about, what we say, the
    questions to ask and which of our products.

    Example: covermap value playbook --persona production_manager --format html --out pm.html
    """
    from covermap.value.tools import playbook_document

    with _with_store(store) or nullcontext() as s:
        doc = playbook_document(_maps(maps, s), persona, lang.value)
    _emit(doc, fmt, out, lang, force)


@value_app.command("players")
def players(segment: Annotated[str, typer.Option("--segment", help="The segment.")],
            maps: MapOption = None, fmt: FormatOption = Format.terminal,
            out: OutOption = None, lang: LangOption = Lang.en,
            store: Annotated[str | None, typer.Option(
                "--store", help="Also show each player's reach in the segment from this "
                                "store.", show_default=False)] = None,
            plan: PlanOption = None, force: ForceOption = False) -> None:
    """The key-players list of a segment, in the hierarchy of value; with --store, how many
    of the segment's accounts have each player and how many we reached in the window.

    Example: covermap value players --segment enterprise --store covermap.duckdb
    """
    from covermap.store.arrow import to_pylist
    from covermap.value.tools import players_document

    reach = None
    with _with_store(store) or nullcontext() as s:
        vm = _maps(maps, s)
        if s is not None:
            from covermap.value.tables import measure_value

            r = measure_value(s, resolve_plan(plan), vm).summary
            rows = r.filter((r["group"] == "segment") & (r.key.strip().lower()
                                                        == segment.strip().lower()))
            reach = {x["persona"]: x for x in to_pylist(rows)}
    doc = players_document(vm, segment, lang.value, reach, compact=fmt == Format.terminal)
    _emit(doc, fmt, out, lang, force)


@value_app.command("match")
def match(maps: MapOption = None, limit: Annotated[int, typer.Option(
        "--limit", min=1, help="Titles to list in each table.")] = 20,
          store: StoreOption = DEFAULT_STORE) -> None:
    """The most common contact titles that match no persona, and titles that match more
    than one (such a contact counts for each), so you can refine the title patterns.

    Example: covermap value match --map value-map.yaml --limit 30
    """
    from covermap.store.arrow import to_pylist
    from covermap.store.connect import open_store
    from covermap.value.matching import title_report
    from covermap.value.render import match_views

    with open_store(store, read_only=True) as s:
        vm = _maps(maps, s)
        t = title_report(s, vm)
        none = t.filter(t.personas == 0).order_by([t.contacts.desc(), t.title]).limit(limit)
        many = t.filter(t.personas > 1).order_by([t.contacts.desc(), t.title]).limit(limit)
        totals = t.aggregate(titles=t.count(), contacts=t.contacts.sum(),
                             unmatched=t.contacts.sum(where=t.personas == 0))
        for view in match_views(to_pylist(none),
                                to_pylist(many),
                                to_pylist(totals)[0], vm):
            console.print(view, highlight=False)


@value_app.command("check")
def check(maps: MapOption = None, store: OptionalStore = None) -> None:
    """Check value map files: keys and types, ids, impacts naming known personas, products
    and items, title patterns (RE2); with --store, products' catalog names. Every problem
    names the file and line; exit 1 when there is one.

    Example: covermap value check --map value-map.yaml --store covermap.duckdb
    """
    with _with_store(store) or nullcontext() as s:
        vm = _maps(maps, s)
    names = ", ".join(vm.files)
    console.print(f"{literal(names)}: {len(vm.personas)} personas, {len(vm.products)} "
                  f"products, {len(vm.impacts)} impacts; no problem found", highlight=False)


@value_app.command("example")
def example() -> None:
    """Print the built-in example value map (YAML) to start your own from.

    Example: covermap value example > value-map.yaml
    """
    from covermap.value.load import built_in_text

    typer.echo(built_in_text(), nl=False)


def register(app: typer.Typer) -> None:
    app.add_typer(value_app, name="value")
