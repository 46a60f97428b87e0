"""External link check: identifiers through their registries, other URLs directly.

DOIs go to the DOI resolver's handle API, PMIDs to PubMed's E-utilities, NCT
numbers to ClinicalTrials.gov's API: registries answer reliably where publisher
landing pages often refuse robots. Successes are cached (only successes, so a
failure is always re-checked); 429 and server errors are retried with back-off,
honouring Retry-After; each host has a minimum interval between requests; and a
host may accept extra status codes, with the reason written beside them.

A definite failure (not found, redirect loop, refused status) fails the run. A
registry that is down or rate-limits us is reported as "unavailable" and does not
fail a pull request.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .corpus import Corpus, Record

# Hosts that may be private (a test's own server): named in the environment, never in a file
# a pull request can change. Everything else must be a public address reached over http(s).
ALLOW_ENV = "ATLAS_LINKCHECK_ALLOW"


class Refused(Exception):
    """A URL the checker will not request: its scheme or its address."""


def check_destination(url: str) -> None:
    """Refused unless url is http(s) to a host whose every address is public (not private,
    loopback, link-local, multicast or reserved). Called before every request and every
    redirect: data URLs come from pull requests, and so do the places they redirect to."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(f"refused: only http and https addresses are checked, not {parts.scheme or 'this'}:")
    host = parts.hostname or ""
    allowed = {h.strip() for h in os.environ.get(ALLOW_ENV, "").split(",") if h.strip()}
    if host in allowed:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        return  # an unknown host fails at the request, as unavailable or broken
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise Refused(f"refused: {host} is a private, loopback or link-local address ({address}); "
                          "only public addresses are checked")


USER_AGENT = "t1d-evidence-atlas-linkcheck/1 (+https://github.com/t1d-evidence-atlas/atlas)"


@dataclass
class Target:
    kind: str  # doi | pmid | nct | url
    value: str
    source: str  # data file
    line: int
    col: int

    def problem_text(self, outcome: Outcome) -> str:
        return f"{self.source}:{self.line}:{self.col}: link-{outcome.state}: {self.kind} {self.value}: {outcome.detail}"


@dataclass
class Outcome:
    state: str  # ok | broken | unavailable
    detail: str
    url: str = ""
    cached: bool = False
    body: bytes | None = field(default=None, repr=False)  # the registry's answer, judged after


@dataclass
class Config:
    registries: dict[str, str]
    cache: Path
    max_age_days: float = 30
    retries: int = 3
    backoff_seconds: float = 1.0
    max_retry_after_seconds: float = 60
    timeout_seconds: float = 20
    max_redirects: int = 10
    hosts: dict[str, dict] = field(default_factory=dict)
    deadline_seconds: float = 60  # all attempts, redirects and waits for one URL together

    @classmethod
    def load(cls, path: Path, root: Path) -> Config:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        cache = root / raw["cache"]
        # the cache file is written: a path out of the project (../, a link) would write elsewhere
        if any(p.is_symlink() for p in (cache, *cache.parents) if p.is_relative_to(root)) \
                or not cache.resolve().is_relative_to(root.resolve()):
            print(f"atlas: {path.name}: cache '{raw['cache']}' must be a path inside the project", file=sys.stderr)
            raise SystemExit(2)
        raw["cache"] = cache
        return cls(**raw)


def targets(corpus: Corpus, only_files: set[str] | None = None) -> list[Target]:
    """Every identifier and URL in the corpus, with the file and line it is written on."""
    out = []

    def add(kind: str, r: Record, fieldname: str) -> None:
        value = r.get(fieldname)
        if isinstance(value, str) and (only_files is None or r.relpath in only_files):
            line, col = r.where((fieldname,), value=True)
            out.append(Target(kind, value, r.relpath, line, col))

    for r in corpus.references_by_number:
        add("doi", r, "doi")
        add("pmid", r, "pmid")
        if not r.get("doi"):
            add("url", r, "url")
    for t in corpus.all("trial"):
        if t.get("registry") == "clinicaltrials.gov":  # other registries have no API to ask
            add("nct", t, "identifier")  # a malformed printed identifier is never checked or linked
    return out


def changed_files(root: Path, base: str) -> set[str]:
    """Data files changed since base (e.g. origin/main), for a pull request's check."""
    result = subprocess.run(["git", "diff", "--name-only", f"{base}...HEAD", "--", "data"],
                            capture_output=True, text=True, cwd=root, check=True)
    return {line.strip() for line in result.stdout.splitlines() if line.strip()}


class Checker:
    def __init__(self, config: Config, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.config = config
        self.sleep = sleep
        self.clock = clock
        self.cache = self._load_cache()
        self.requests = 0  # real requests sent, for reports and tests
        self._last: dict[str, float] = {}

    # -- cache: successes only --------------------------------------------------------
    def _load_cache(self) -> dict[str, dict]:
        if _tracked(self.config.cache):  # a cache a pull request committed would skip its own links
            return {}
        try:
            data = json.loads(self.config.cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        now = dt.datetime.now(dt.UTC)
        keep = {}
        for url, entry in data.items():
            try:
                age = now - dt.datetime.fromisoformat(entry["checked"])
            except (KeyError, ValueError, TypeError):
                continue
            if age.total_seconds() < self.config.max_age_days * 86400:
                keep[url] = entry
        return keep

    def save_cache(self) -> None:
        path = self.config.cache
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".linkcache-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.cache, f, indent=1, sort_keys=True)
        os.replace(tmp, path)

    # -- checking ---------------------------------------------------------------------
    def url_for(self, target: Target) -> str:
        if target.kind == "url":
            return target.value
        return self.config.registries[target.kind].format(id=urllib.parse.quote(target.value, safe="/()"))

    def check(self, target: Target) -> Outcome:
        url = self.url_for(target)
        if url in self.cache:
            return Outcome("ok", "cached success", url, cached=True)
        outcome = self._fetch_with_retries(url)
        if outcome.state == "ok":
            outcome = self._judge(target, outcome)
        if outcome.state == "ok":
            self.cache[url] = {"checked": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        return outcome

    def _host_rules(self, url: str) -> dict:
        return self.config.hosts.get(urllib.parse.urlsplit(url).hostname or "", {})

    def _wait_turn(self, url: str) -> None:
        host = urllib.parse.urlsplit(url).netloc
        interval = float(self._host_rules(url).get("min_interval_seconds", 0))
        last = self._last.get(host)
        if last is not None and interval:
            wait = interval - (self.clock() - last)
            if wait > 0:
                self.sleep(wait)
        self._last[host] = self.clock()

    def _fetch_with_retries(self, url: str) -> Outcome:
        accept = {int(s) for s in self._host_rules(url).get("accept", [])}
        delay = self.config.backoff_seconds
        last = Outcome("unavailable", "no answer", url)
        deadline = time.monotonic() + self.config.deadline_seconds  # the real clock: a hostile server cannot stretch it
        for attempt in range(self.config.retries + 1):
            self._wait_turn(url)
            status, body, headers, error = self._fetch(url, deadline)
            self.requests += 1
            if error and error.startswith("refused"):
                return Outcome("broken", error, url)
            if error == "deadline" or time.monotonic() > deadline:
                return Outcome("unavailable", f"no complete answer within the deadline of "
                                              f"{self.config.deadline_seconds:g} s", url)
            if error == "redirect-loop":
                return Outcome("broken", f"redirect loop or more than {self.config.max_redirects} redirects", url)
            if status is not None and (200 <= status < 300 or status in accept):
                return Outcome("ok", f"HTTP {status}", url, body=body)
            if status in (404, 410):
                return Outcome("broken", f"not found (HTTP {status})", url)
            if status == 429:
                retry_after = _retry_after(headers)
                last = Outcome("unavailable", f"rate-limited (HTTP 429) after {attempt + 1} attempt(s)", url)
                if attempt < self.config.retries:
                    self.sleep(min(retry_after if retry_after is not None else delay, self.config.max_retry_after_seconds))
                    delay *= 2
                continue
            if status is not None and status >= 500 or error in ("timeout", "connection"):
                what = f"HTTP {status}" if status else error
                last = Outcome("unavailable", f"{what} after {attempt + 1} attempt(s)", url)
                if attempt < self.config.retries:
                    self.sleep(delay)
                    delay *= 2
                continue
            return Outcome("broken", f"HTTP {status}" if status else str(error), url)
        return last

    def _fetch(self, url: str, deadline: float | None = None):
        max_redirects = self.config.max_redirects
        deadline = deadline if deadline is not None else time.monotonic() + self.config.deadline_seconds

        class Redirects(urllib.request.HTTPRedirectHandler):
            max_repeats = 2
            max_redirections = max_redirects

            def http_error_302(self, req, fp, code, msg, headers):
                location = headers.get("location") or headers.get("uri")
                if location:  # every hop, before it is followed (and before urllib judges its scheme)
                    check_destination(urllib.parse.urljoin(req.full_url, location))
                return super().http_error_302(req, fp, code, msg, headers)

            http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

        try:
            check_destination(url)
        except Refused as e:
            return None, None, None, str(e)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, None, None, "deadline"
        opener = urllib.request.build_opener(Redirects)
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json, */*"})
        try:
            with opener.open(request, timeout=min(self.config.timeout_seconds, remaining)) as response:
                return response.status, _read_until(response, deadline), response.headers, None
        except Refused as e:
            return None, None, None, str(e)
        except _Deadline:
            return None, None, None, "deadline"
        except urllib.error.HTTPError as e:
            if 300 <= e.code < 400:
                return None, None, None, "redirect-loop"
            try:
                body = e.read(200_000)
            except Exception:  # noqa: BLE001 - the status is what matters
                body = None
            return e.code, body, e.headers, None
        except TimeoutError:
            return None, None, None, "timeout"
        except urllib.error.URLError as e:
            if isinstance(e.reason, Refused):
                return None, None, None, str(e.reason)
            if isinstance(e.reason, TimeoutError) or "timed out" in str(e.reason):
                return None, None, None, "timeout"
            return None, None, None, "connection"
        except OSError:
            return None, None, None, "connection"

    def _judge(self, target: Target, outcome: Outcome) -> Outcome:
        """Registries answer 200 with a body that may still say 'no such identifier'."""
        body = outcome.body
        if target.kind not in ("doi", "pmid") or body is None:
            return outcome
        try:
            data = json.loads(body)
        except ValueError:
            return Outcome("unavailable", "the registry's answer was not JSON", outcome.url)
        if target.kind == "doi" and data.get("responseCode") not in (1, None):
            return Outcome("broken", f"the DOI resolver does not know this DOI (responseCode {data.get('responseCode')})",
                           outcome.url)
        if target.kind == "pmid":
            entry = data.get("result", {}).get(target.value, {})
            if not entry or "error" in entry:
                return Outcome("broken", f"PubMed has no record {target.value}", outcome.url)
        return outcome


def _tracked(path: Path) -> bool:
    """Whether git tracks path (or stages it): a cache is never part of a change."""
    try:
        result = subprocess.run(["git", "ls-files", "--error-unmatch", "--", path.name], cwd=path.parent,
                                capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


class _Deadline(Exception):
    pass


def _read_until(response, deadline: float, limit: int = 200_000) -> bytes:
    """The body, read in pieces: a server trickling one byte at a time never lets a single
    read time out, so the deadline is checked between pieces."""
    chunks, size = [], 0
    while size < limit:
        if time.monotonic() > deadline:
            raise _Deadline()
        chunk = response.read1(min(16_384, limit - size)) if hasattr(response, "read1") else response.read(16_384)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _retry_after(headers) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = dt.datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=dt.UTC)
            return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
        except ValueError:
            return None


def run(corpus: Corpus, config: Config, only_files: set[str] | None = None,
        report: Path | None = None) -> tuple[list[tuple[Target, Outcome]], Checker]:
    checker = Checker(config)
    results = [(t, checker.check(t)) for t in targets(corpus, only_files)]
    checker.save_cache()
    if report is not None:
        report.write_text(markdown_report(results, checker), encoding="utf-8")
    return results, checker


def markdown_report(results: list[tuple[Target, Outcome]], checker: Checker) -> str:
    """The body of the tracking issue: what is broken, what could not be checked."""
    broken = [(t, o) for t, o in results if o.state == "broken"]
    unavailable = [(t, o) for t, o in results if o.state == "unavailable"]
    cached = sum(1 for _, o in results if o.cached)
    lines = ["# External link check", "",
             f"Checked {len(results)} identifiers and links: {len(broken)} broken, {len(unavailable)} could not "
             f"be checked, {cached} answered from the cache of earlier successes ({checker.requests} requests sent).", ""]
    if broken:
        lines += ["## Broken", "", "| Where | What | Why |", "|---|---|---|"]
        lines += [f"| `{t.source}:{t.line}` | {t.kind} `{t.value}` | {o.detail} |" for t, o in broken]
        lines.append("")
    if unavailable:
        lines += ["## Could not be checked (registry down or rate-limiting; retried next run)", "",
                  "| Where | What | Why |", "|---|---|---|"]
        lines += [f"| `{t.source}:{t.line}` | {t.kind} `{t.value}` | {o.detail} |" for t, o in unavailable]
        lines.append("")
    if not broken and not unavailable:
        lines.append("Everything resolved.")
    return "\n".join(lines) + "\n"
