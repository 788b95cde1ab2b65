"""``covermap serve``: the dashboard; ``covermap serve hash-password``: a users-file hash.

The command checks its inputs (store, plan, value maps, users file, address) and runs the
app of :func:`covermap.serve.create_app` under uvicorn; FastAPI is imported only here.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from covermap.cli.options import DEFAULT_STORE, PlanOption, StoreOption, console, literal
from covermap.errors import CovermapError

serve_app = typer.Typer(invoke_without_command=True)


class AddressError(CovermapError):
    """A dashboard bound beyond this machine without sign-in."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.0/8, ::1, localhost).

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@serve_app.callback()
def serve(
    ctx: typer.Context,
    store: StoreOption = DEFAULT_STORE,
    plan: PlanOption = None,
    maps: Annotated[list[Path] | None, typer.Option(
        "--map", metavar="FILE", help="Value map YAML files for the key-players page (repeat "
                                      "for several). Default: the built-in example.",
        show_default=False)] = None,
    host: Annotated[str, typer.Option(
        help="Address to listen on. Any address other than the loopback needs --users.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8050,
    users: Annotated[Path | None, typer.Option(
        "--users", help="Users file (TOML or YAML: role, argon2 password_hash, user_id, "
                        "token_sha256 per user); with it every page needs signing in.",
        show_default=False)] = None,
    secure_cookies: Annotated[bool, typer.Option(
        "--secure-cookies", help="Send the session cookie over HTTPS only (behind a TLS "
                                 "proxy).")] = False,
    trusted_proxy: Annotated[list[str] | None, typer.Option(
        "--trusted-proxy", metavar="ADDRESS",
        help="Address of a TLS proxy in front (repeat for several): its X-Forwarded-Proto "
             "and X-Forwarded-For are believed, so the session cookie is Secure over HTTPS "
             "and sign-in limits count the real client. Default: no proxy is believed.",
        show_default=False)] = None,
    max_upload_mb: Annotated[int, typer.Option(
        min=1, help="Largest import upload (all files of one request) in MiB; other "
                    "requests may carry 1 MiB.")] = 1024,
) -> None:
    """The dashboard: every analysis as pages and JSON (schema at /openapi.json), computed once per
    store and plan and kept in the store; pages show progress while that runs.

    Bound to 127.0.0.1 it needs no sign-in unless --users is given; any other address needs
    --users. Sessions are signed with $COVERMAP_SECRET (default: a new secret each start).

    Example: covermap serve --store covermap.duckdb --plan plan.yaml --port 8050
    """
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from covermap.cli.options import plan_in_use
    from covermap.serve.app import create_app
    from covermap.serve.cache import connect
    from covermap.serve.service import Service
    from covermap.serve.users import load_users
    from covermap.store import capabilities
    from covermap.store.connect import store_path

    capabilities.require_at(store, capabilities.SNAPSHOT_FILE)
    path = store_path(store)
    if not Path(path).is_file():
        raise CovermapError(f"{path}: no store here yet; run `covermap import FILES --store "
                            f"{path}` (or `covermap demo`) first")
    connect(path).close()  # fails now, with the reason, when it cannot be read
    if not is_loopback(host) and users is None:
        raise AddressError(f"--host {host} listens beyond this machine, so it needs sign-in: "
                           f"pass --users FILE (see `covermap serve hash-password`), or keep "
                           f"--host 127.0.0.1")
    people = load_users(users) if users is not None else None
    service = Service(path, plan_in_use(plan), maps)
    service.inputs()  # a bad plan or value map fails before the server starts
    if people is not None:
        from covermap.serve.visibility import check_territories

        check_territories(people, service.inputs()[1], str(users))
    # without sign-in only this machine's own names are answered (no DNS rebinding)
    hosts = None if people is not None else tuple({"127.0.0.1", "localhost", "::1", host})
    app = create_app(service, users=people, secret=os.environ.get("COVERMAP_SECRET"),
                     https_only=secure_cookies, hosts=hosts,
                     max_upload=max_upload_mb * 1024 * 1024)
    sign_in = "sign-in required" if people is not None else "no sign-in (this machine only)"
    console.print(f"covermap dashboard on [bold]http://{literal(host)}:{port}/[/bold] "
                  f"({sign_in}); Ctrl+C stops it", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning",
                proxy_headers=bool(trusted_proxy),
                forwarded_allow_ips=",".join(trusted_proxy) if trusted_proxy else None)


@serve_app.command("hash-password")
def hash_password(password: Annotated[str, typer.Option(
        prompt=True, hide_input=True, confirmation_prompt=True,
        help="The password (asked for when not given).")]) -> None:
    """Print the argon2 hash of a password for the users file's password_hash.

    Example: covermap serve hash-password
    """
    from covermap.serve.users import hash_password as make

    typer.echo(make(password))


def register(app: typer.Typer) -> None:
    app.add_typer(serve_app, name="serve")
