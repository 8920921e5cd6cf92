"""The HTML report in a real headless Chromium: the flagged items are in the DOM and
the page makes no network request (checked in Chromium's net log, with a control
page that does make requests, so the check is known to see them). Skipped where
Chromium is not installed (`apt-get install -y chromium`)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from spacy_dynclean.report import write_report

from . import SCRIPT, build_inputs

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Chromium (/usr/bin/chromium): apt-get install -y chromium",
)
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
BROWSER_ITSELF = "not an origin"  # the initiator of Chromium's own background requests (updates, accounts)


def load(url: str, tmp_path: Path) -> tuple[str, list[tuple[str, str]]]:
    """The DOM after load, and the (url, initiator) of every http(s) request in the net log."""
    profile, net_log = tmp_path / "profile", tmp_path / "net.json"
    shutil.rmtree(profile, ignore_errors=True)
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # never reach a real host, even if something asks
        f"--log-net-log={net_log}",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    log = json.loads(net_log.read_text(encoding="utf8"))
    names = {code: name for name, code in log["constants"]["logEventTypes"].items()}
    requests = [
        (e["params"]["url"], e["params"].get("initiator", ""))
        for e in log["events"]
        if names.get(e["type"]) == "URL_REQUEST_START_JOB"
        and str(e.get("params", {}).get("url", "")).startswith(("http://", "https://"))
    ]
    return done.stdout, requests


def page_requests(requests: list[tuple[str, str]]) -> list[str]:
    return [url for url, initiator in requests if initiator != BROWSER_ITSELF]


def test_flagged_items_render_without_network(tmp_path):
    inputs = build_inputs(tmp_path)
    out = tmp_path / "report"
    write_report(
        inputs.scores,
        inputs.audit,
        inputs.data,
        out,
        gold_path=inputs.gold,
        max_items=2,
        page_size=1,
    )
    for page in out.glob("*.html"):
        assert not REMOTE.search(page.read_text(encoding="utf8")), page

    dom, requests = load((out / "index.html").as_uri(), tmp_path)
    assert (
        'id="train:1"' in dom
        and "LOC removed" in dom
        and "today" in dom
        and "AUM -1.50 &lt; 0.50" in dom
    )
    assert dom.count("<img") == 5 and "Pages:" in dom
    assert page_requests(requests) == []

    dom, requests = load((out / "page-2.html").as_uri(), tmp_path)
    assert (
        'id="train:2"' in dom
        and "PER removed" in dom
        and "1 more flagged sentences not shown" in dom
    )
    assert SCRIPT not in dom and page_requests(requests) == []


def test_the_net_log_check_sees_page_requests(tmp_path):
    """Control: a page with remote images shows up as page requests."""
    control = tmp_path / "control.html"
    control.write_text(
        '<html><body><img src="http://127.0.0.1:9/a.png"><img src="https://example.invalid/b.png">'
        "</body></html>"
    )
    _, requests = load(control.as_uri(), tmp_path)
    assert sorted(page_requests(requests)) == [
        "http://127.0.0.1:9/a.png",
        "https://example.invalid/b.png",
    ]
