"""Where the browser tests leave their screenshots and page copies: one folder per test run,
`test-artifacts/browser-<YYYYmmdd-HHMMSS>/`, named on the terminal at the end of the run.

The hooks are imported by tests/conftest.py (loaded by the xdist controller as well as by its
workers; this folder's own conftest is not): the controller names the folder once, in the
environment its workers inherit, so a parallel run writes to one folder.
"""
import os
import shutil
from datetime import datetime
from pathlib import Path

ARTIFACTS_ROOT = Path(__file__).resolve().parents[2] / "test-artifacts"
RUN_ENV = "PORTAL_BROWSER_RUN_DIR"
KEEP_RUNS = 5  # older run folders are removed


def run_dir() -> Path:
    """This run's folder (created on first use)."""
    path = Path(os.environ.get(RUN_ENV) or ARTIFACTS_ROOT / "browser")
    path.mkdir(parents=True, exist_ok=True)
    return path


def pytest_configure(config):
    if hasattr(config, "workerinput") or os.environ.get(RUN_ENV):
        return
    os.environ[RUN_ENV] = str(ARTIFACTS_ROOT / f"browser-{datetime.now():%Y%m%d-%H%M%S}")
    if ARTIFACTS_ROOT.is_dir():
        old_runs = sorted(ARTIFACTS_ROOT.glob("browser-*"))[: -(KEEP_RUNS - 1) or None]
        for old in old_runs:
            shutil.rmtree(old, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput"):
        return
    path = Path(os.environ.get(RUN_ENV, ""))
    if os.environ.get(RUN_ENV) and path.is_dir():
        terminalreporter.write_sep("-", "browser tests")
        terminalreporter.write_line(f"Screenshots: {path}")
