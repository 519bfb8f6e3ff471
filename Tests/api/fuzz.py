#!/usr/bin/env python3
"""Runs schemathesis (v4) against a running `chm serve`, with every check, and fails on any
failure: a 5xx, a response that does not match its schema, an undocumented status code or
content type, a wrong answer to invalid data, a write that ignores its key.

    CHM_API_KEY=KEY python3 Tests/api/fuzz.py http://127.0.0.1:PORT [--max-examples N] [extra schemathesis options]

The document is the checkout's (Sources/ClearingHouseServer/Resources/openapi.json, or the file
$CHM_OPENAPI names), so that a server built from another checkout is held to this one's
contract; Tests/api/run.sh checks separately that the server serves that document.
Tests/api/schemathesis.toml holds the key (from $CHM_API_KEY) and the few
justified expected-status settings. Deterministic (a fixed seed) so that a failure reproduces.
"""
import os
import pathlib
import shutil
import subprocess
import sys

here = pathlib.Path(__file__).resolve().parent
if len(sys.argv) < 2:
    sys.exit("usage: fuzz.py BASE_URL [--max-examples N] [schemathesis options]")
base = sys.argv[1].rstrip("/")
extra = sys.argv[2:]
if "CHM_API_KEY" not in os.environ:
    sys.exit("fuzz.py: set CHM_API_KEY to a key of the server's --api-key-file (the write endpoints need it)")

# The schemathesis next to this Python (a virtual environment's bin/), else the one on PATH.
candidate = pathlib.Path(sys.executable).parent / "schemathesis"
executable = str(candidate) if candidate.exists() else shutil.which("schemathesis")
if not executable:
    sys.exit("fuzz.py: schemathesis is not installed (python3 -m pip install schemathesis)")

spec = os.environ.get("CHM_OPENAPI", str(here.parent.parent / "Sources/ClearingHouseServer/Resources/openapi.json"))
report = os.environ.get("CHM_API_REPORT_DIR", str(here.parent.parent / ".build" / "api-report"))
command = [
    executable, "--config-file", str(here / "schemathesis.toml"), "--no-color",
    "run", spec, "--url", base,
    "--checks", "all",
    "--phases", "examples,coverage,fuzzing",
    "--max-examples", "25",
    "--seed", "15",
    "--workers", "1",  # (2 workers trip a CPython 3.11 ast race inside hypothesis: "AST constructor recursion depth mismatch")
    "--request-timeout", "30",
    "--report", "junit", "--report-dir", report,
    *extra,
]
print("+", " ".join(command), flush=True)
environment = {**os.environ, "SCHEMATHESIS_HOOKS": str(here / "hooks.py")}
sys.exit(subprocess.run(command, env=environment).returncode)
