#!/usr/bin/env python3
"""The largest requests the default limits admit, measured on a release server.

For each document family below, the largest size the limits admit is found first on a server
over an empty scratch SQLite file (the complexity limit does not depend on data, and an empty
database answers at once). Then each document runs on a fresh release server over the seeded
database: the wall time of each run, the response size, and the server's peak RSS (VmHWM in
/proc/<pid>/status) before and after. Production mode and default limits, except the
per-principal cost budget, which is turned off: it bounds a principal's rate, not one request.

    tests/probe/largest.py --binary target/release/trapeze \\
        --database-url 'sqlite:///tmp/medium.db?mode=rwc' [--runs 3]

Python 3 standard library only; loopback only; every loop is bounded.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SECRET = "probe-secret-of-at-least-thirty-two-bytes!"
EMAIL = "probe-admin@example.com"
PASSWORD = "probe admin password 123"

# name -> (description, document with {n}, needs 100 opportunity IDs)
DOCUMENTS = {
    "nested-pages": (
        "100 people, each with a page of n engagements and their content and deal",
        """{ stakeholders(first: 100) { nodes { id fullName leadStage leadScore
             engagements(first: {n}) { nodes { id kind occurredAt note durationSeconds
               content { id title kind } opportunity { id name stage } } } } } }""",
        False,
    ),
    "three-levels": (
        "100 accounts > n people > n engagements",
        """{ accounts(first: 100) { nodes { id name tier
             stakeholders(first: {n}) { nodes { id fullName
               engagements(first: {n}) { nodes { id kind occurredAt } } } } } } }""",
        False,
    ),
    "nodes-100": (
        "nodes(ids:) of 100 deals, each with its committee, risks and n stage changes",
        """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Opportunity { name stage
             amount { amount currency } participants { role isPrimary buyingStage
               stakeholder { id fullName } }
             risks { kind severity description } stageHistory(first: {n}) { nodes { changedAt } } } } }""",
        True,
    ),
    "plain-list-fan-out": (
        "n deals > committee > their deals > those committees (plain lists only)",
        """{ opportunities(first: {n}) { nodes { id participants { stakeholder { id deals {
             opportunity { id participants { role stakeholder { id fullName } } } } } } } } }""",
        False,
    ),
    "thirty-aliases": (
        "30 aliases, each a page of n engagements with person and content",
        "{ " + " ".join(
            f"a{i}: engagements(first: {{n}}) {{ nodes {{ id kind occurredAt note durationSeconds "
            f"stakeholder {{ id fullName title }} content {{ id title url }} }} }}"
            for i in range(30)
        ) + " }",
        False,
    ),
    "reports": (
        "two years of leadFunnel by owner, dealFunnel and contentInfluence (first: n) in one request",
        """{ leadFunnel(input: { from: "2024-12-01T00:00:00Z", to: "2026-12-01T00:00:00Z", groupBy: OWNER }) {
               groups { key stages { stage entered } steps { from to converted medianHours } } }
             dealFunnel(input: { from: "2024-12-01T00:00:00Z", to: "2026-12-01T00:00:00Z" }) {
               groups { stages { stage entered } wonAmount { amount currency } } }
             contentInfluence(input: { from: "2024-12-01T00:00:00Z", to: "2026-12-01T00:00:00Z", first: {n} }) {
               content { id title } influencedAmount { amount currency } } }""",
        False,
    ),
    "thirty-searches": (
        "30 aliases, each a search of all 20k accounts that matches none, counted, and n of them",
        "{ " + " ".join(
            f"a{i}: accounts(first: {{n}}, filter: {{ search: \"zq{i}x\" }}) {{ totalCount nodes {{ id }} }}"
            for i in range(30)
        ) + " }",
        False,
    ),
}


class Server:
    """A release server on `database_url`, on a free loopback port, until `stop`."""

    def __init__(self, binary, database_url, extra_env=None):
        self.log = tempfile.NamedTemporaryFile(prefix="trapeze-probe-", suffix=".log", delete=False)
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": database_url,
            "TRAPEZE_ADDR": "127.0.0.1:0",
            "TRAPEZE_ENV": "production",
            "TRAPEZE_LOG_FORMAT": "json",
            "TRAPEZE_JWT_SECRET": SECRET,
            "TRAPEZE_COST_RESTORE_RATE": "0",
            "TRAPEZE_RESCORE_INTERVAL_SECONDS": "0",
            "RUST_LOG": "warn,trapeze=info",
        })
        env.update(extra_env or {})
        self.process = subprocess.Popen([binary, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.addr = None
        for _ in range(600):  # up to a minute (migrations on a large file)
            with open(self.log.name, encoding="utf-8", errors="replace") as f:
                found = re.search(r'"addr":"([^"]+)"', f.read())
            if found:
                self.addr = found.group(1)
                break
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        if not self.addr:
            self.stop()
            with open(self.log.name, encoding="utf-8", errors="replace") as f:
                sys.exit("the server did not start:\n" + f.read()[-2000:])
        self.token = None

    def peak_rss_kib(self):
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return None

    def post(self, query, variables=None, timeout=60):
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = {"content-type": "application/json", "accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(f"http://{self.addr}/graphql", body, headers)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
        return time.monotonic() - started, raw

    def login(self):
        query = "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken } }"
        _, raw = self.post(query, {"e": EMAIL, "p": PASSWORD})
        token = json.loads(raw)["data"]["login"]["accessToken"]
        if not token:
            sys.exit(f"cannot sign in: {raw[:500]!r}")
        self.token = token

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        os.unlink(self.log.name)


def first_code(raw):
    try:
        errors = json.loads(raw).get("errors") or []
    except ValueError:
        return "NOT_JSON"
    return errors[0].get("extensions", {}).get("code", "?") if errors else None


def largest_admitted(server, document, ids):
    """The largest n in 1..100 whose document passes the limits (binary search, 7 requests)."""
    variables = {"ids": ids} if ids is not None else {}
    low, high = 0, 100
    while low < high:
        n = (low + high + 1) // 2
        _, raw = server.post(document.replace("{n}", str(n)), variables)
        code = first_code(raw)
        # BAD_USER_INPUT: past an argument's own bound (a `first` of at most 100).
        if code in ("MAX_COMPLEXITY_EXCEEDED", "MAX_DEPTH_EXCEEDED", "MAX_ALIASES_EXCEEDED", "BAD_USER_INPUT"):
            high = n - 1
        elif code is None:
            low = n
        else:
            sys.exit(f"unexpected {code}: {raw[:500]!r}")
    return low


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url", required=True, help="a seeded database (trapeze seed --size medium)")
    parser.add_argument("--runs", type=int, default=3, help="runs per document (1 to 10)")
    args = parser.parse_args()
    runs = max(1, min(args.runs, 10))

    # The admin of the seeded database (the seed's own users have random passwords).
    subprocess.run(
        [args.binary, "user", "create", "--email", EMAIL, "--role", "admin", "--name", "Probe"],
        input=PASSWORD.encode(), env={**os.environ, "DATABASE_URL": args.database_url},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )

    # 1. The largest admitted size of each document, on an empty scratch database.
    scratch = tempfile.mkdtemp(prefix="trapeze-probe-")
    empty = Server(args.binary, f"sqlite://{scratch}/empty.db?mode=rwc",
                   {"TRAPEZE_ADMIN_EMAIL": EMAIL, "TRAPEZE_ADMIN_PASSWORD": PASSWORD})
    try:
        empty.login()
        fake_ids = ["T3Bwb3J0dW5pdHk6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"] * 100
        sizes = {name: largest_admitted(empty, doc, fake_ids if needs_ids else None)
                 for name, (_, doc, needs_ids) in DOCUMENTS.items()}
    finally:
        empty.stop()
        for name in os.listdir(scratch):
            os.unlink(os.path.join(scratch, name))
        os.rmdir(scratch)

    # 2. Each at its largest size on a fresh server over the seeded database.
    print(f"{'document':<20} {'n':>3} {'status':<24} {'bytes':>10} {'max s':>7} "
          f"{'rss before MiB':>14} {'peak MiB':>9}")
    results = []
    for name, (description, doc, needs_ids) in DOCUMENTS.items():
        n = sizes[name]
        if n == 0:
            sys.exit(f"{name}: no size is admitted; make the document smaller")
        server = Server(args.binary, args.database_url)
        try:
            server.login()
            variables = {}
            if needs_ids:
                _, raw = server.post("{ opportunities(first: 100) { nodes { id } } }")
                variables = {"ids": [o["id"] for o in json.loads(raw)["data"]["opportunities"]["nodes"]]}
            before = server.peak_rss_kib()
            times, size, code = [], 0, None
            for _ in range(runs):
                seconds, raw = server.post(doc.replace("{n}", str(n)), variables)
                times.append(seconds)
                size, code = len(raw), first_code(raw)
            peak = server.peak_rss_kib()
        finally:
            server.stop()
        result = {
            "document": name, "description": description, "n": n, "runs": runs,
            "status": code or "ok", "response_bytes": size,
            "seconds": [round(t, 3) for t in times],
            "peak_rss_before_mib": round(before / 1024, 1), "peak_rss_mib": round(peak / 1024, 1),
        }
        results.append(result)
        print(f"{name:<20} {n:>3} {result['status']:<24} {size:>10} {max(times):>7.2f} "
              f"{result['peak_rss_before_mib']:>14} {result['peak_rss_mib']:>9}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
