"""Starts a real `workhub` server (the binary named by WORKHUB_BIN) on a temporary data folder
with one company, for tests that drive it with real WeCom client libraries."""
import json
import os
import subprocess
import tempfile

import pytest


def _run(*args):
    out = subprocess.run([os.environ["WORKHUB_BIN"], *args], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def workhub():
    if "WORKHUB_BIN" not in os.environ:
        pytest.skip("set WORKHUB_BIN to the workhub binary to run the WeCom client tests")
    data = tempfile.mkdtemp(prefix="workhub-wecom-")
    corp = json.loads(_run("corp", "create", "--data-dir", data, "--name", "示例科技",
                           "--admin-userid", "admin", "--admin-password", "Admin-Passw0rd!"))
    proc = subprocess.Popen([os.environ["WORKHUB_BIN"], "serve", "--data-dir", data, "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    assert line.startswith("listening on "), line
    base = line.strip().removeprefix("listening on ")
    yield {"base": base, "corpid": corp["corpid"], "secret": corp["contacts_secret"], "data": data}
    proc.terminate()
    proc.wait(timeout=10)
