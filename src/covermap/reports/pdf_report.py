"""The report as a PDF, printed from its HTML by headless Chromium (``--format pdf``).

Chromium is found on PATH (``chromium``, ``chromium-browser``, ``google-chrome``) or named by
``COVERMAP_CHROMIUM``. It runs offline (every host name resolves to nowhere, a throwaway
profile), lays the page out at A4 width so the charts are drawn at the width they print at,
and prints only once virtual time has let every chart render. The print styles
(``@media print`` in the template) hide the toolbar and navigation and start each section
on a new page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from covermap.errors import OutputError

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: A4 at 96 dpi, less the page margins (@page in the template): the width charts print at
WINDOW = "720,1000"
TIMEOUT_S = 300


def find_chromium() -> str | None:
    """The Chromium to print with, or None."""
    named = os.environ.get("COVERMAP_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((found for n in NAMES if (found := shutil.which(n))), None)


def require_chromium() -> str:
    """The Chromium to print with; an ``OutputError`` saying what to install when none."""
    chromium = find_chromium()
    if chromium is None:
        where = os.environ.get("COVERMAP_CHROMIUM")
        raise OutputError(
            (f"COVERMAP_CHROMIUM={where} is not a program on this machine" if where else
             "--format pdf prints the report with headless Chromium, and no chromium is on "
             "PATH") + "; install it (Debian or Ubuntu: apt-get install chromium), or set "
            "COVERMAP_CHROMIUM to its path, or write --format html and print it from a "
            "browser")
    return chromium


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print the HTML file ``html`` to ``pdf`` with headless Chromium."""
    chromium = require_chromium()
    with tempfile.TemporaryDirectory(prefix="covermap-chromium-") as profile:
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={profile}", f"--window-size={WINDOW}",
                "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000",
                "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired as e:
            raise OutputError(f"{pdf}: Chromium did not print the report within "
                              f"{TIMEOUT_S} s; write --format html and print it from a "
                              f"browser") from e
        except OSError as e:
            raise OutputError(f"{chromium}: cannot run it ({e.strerror}); install Chromium "
                              f"(apt-get install chromium) or set COVERMAP_CHROMIUM") from e
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        said = [line for line in (done.stderr or "").splitlines() if line.strip()]
        raise OutputError(f"{pdf}: Chromium could not print the report (exit "
                          f"{done.returncode}{': ' + said[-1] if said else ''}); write "
                          f"--format html and print it from a browser")
    return pdf
