"""app.py imports only what the request path needs (cold start on Lambda)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_app_does_not_import_heavy_modules():
    heavy = ("PIL", "moto", "websockets", "jwt", "segno", "jinja2", "markdown_it")
    code = f"import sys, app; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    env = {**os.environ, "MARQUEE_JWT_SECRET": "x" * 40}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_route_table_is_built_without_the_layers_below_http():
    """The api modules import their use cases, store and views on a view's first call: none of
    them, nor PynamoDB's models, is imported by ``import app`` (bench/import_bench.py)."""
    below = ("chalicelib.services", "chalicelib.views", "chalicelib.store.models", "chalicelib.realtime")
    found = f"sorted(m for m in sys.modules if m.startswith({below!r}) or m == 'pynamodb.models')"
    code = f"import sys, app; print(','.join({found}))"
    env = {**os.environ, "MARQUEE_JWT_SECRET": "x" * 40}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
