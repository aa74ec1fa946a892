"""pytest set-up for the Python module's tests (ctest `python`, README "Python").

ctest sets PYTHONPATH to <build>/python (the module of the build tree), RTV_CLI (the rtv command-line tool, for
comparisons on the same files) and RTV_FIXTURE_DIR (data/fixtures). Run by hand:
    PYTHONPATH=build/python RTV_CLI=build/bin/rtv RTV_FIXTURE_DIR=data/fixtures /usr/bin/python3 -m pytest tests/python
"""
import json
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def fixture_dir():
    return os.environ.get("RTV_FIXTURE_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "data", "fixtures"))


@pytest.fixture(scope="session")
def cli():
    """Run the rtv command-line tool: cli(*args) -> (exit status, stdout, stderr)."""
    exe = os.environ.get("RTV_CLI", os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin", "rtv"))

    def run(*args):
        p = subprocess.run([exe, *map(str, args)], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    return run


@pytest.fixture(scope="session")
def cli_json(cli):
    """cli_json(*args) -> the parsed --json output (the command must succeed)."""

    def run(*args):
        rc, out, err = cli(*args, "--json")
        assert rc in (0, 1), err
        return json.loads(out)

    return run
