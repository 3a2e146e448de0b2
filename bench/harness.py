#!/usr/bin/env python3
"""Helpers of bench/run: GraphQL calls, the wrk scripts, one measured run, the report.

Standard library only. Every subcommand prints what the shell needs on stdout and explains a
failure on stderr with a non-zero exit code.
"""

import argparse
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

# The five operations: key, label, whether they need an ID and which, the GraphQL document.
OPERATIONS = [
    (
        "a",
        "point read by ID",
        "opportunity",
        "query($id: ID!) { opportunity(id: $id) { id name stage amount { amount currency } } }",
    ),
    (
        "b",
        "page of 50 opportunities + account + owner",
        None,
        "{ opportunities(first: 50) { nodes { id name stage amount { amount currency } "
        "account { id name } owner { id displayName } } } }",
    ),
    (
        "c",
        "account + 5 stakeholders + 5 opportunities + participants",
        "account",
        "query($id: ID!) { account(id: $id) { id name stakeholders(first: 5) { nodes { id fullName title } } "
        "opportunities(first: 5) { nodes { id name stage participants { id role isPrimary buyingStage "
        "stakeholder { id fullName } } } } } }",
    ),
    (
        "d",
        "filtered search + totalCount",
        None,
        "{ opportunities(first: 20, filter: { stages: [PROPOSAL, NEGOTIATION] }) { totalCount nodes { id name } } }",
    ),
    (
        "e",
        "updateOpportunity mutation",
        "update_opportunity",
        'mutation($id: ID!) { updateOpportunity(input: { id: $id, name: "Bench deal" }) '
        "{ opportunity { id version } userErrors { code } } }",
    ),
]
OPERATION_LABELS = {key: label for key, label, _, _ in OPERATIONS}
OPERATION_LABELS["ceiling"] = "a. point read, fixed bytes (examples/ceiling.rs)"


def fail(message):
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(1)


# --- HTTP and GraphQL --------------------------------------------------------------------------


def post(url, body, token=None, timeout=30):
    """POSTs bytes as application/json; returns (status, response bytes)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, OSError) as e:
        fail(f"cannot reach {url}: {e}")


def graphql(base, query, variables=None, token=None):
    """Runs one operation; returns (data, errors) and fails on a non-JSON answer."""
    body = {"query": query}
    if variables:
        body["variables"] = variables
    status, raw = post(f"{base}/graphql", json.dumps(body).encode(), token)
    try:
        answer = json.loads(raw)
    except ValueError:
        fail(f"{base}/graphql answered HTTP {status} with a body that is not JSON: {raw[:300]!r}")
    if not isinstance(answer, dict):
        fail(f"{base}/graphql answered HTTP {status} with {raw[:300]!r}")
    return answer.get("data"), answer.get("errors")


def short(errors):
    """One line naming GraphQL errors: message and code."""
    parts = []
    for error in errors or []:
        code = (error.get("extensions") or {}).get("code", "")
        parts.append(f"{error.get('message', '?')}" + (f" [{code}]" if code else ""))
    return "; ".join(parts)[:400]


def metrics(base):
    """The counters of GET /metrics: SQL statements and GraphQL requests (all operation types)."""
    try:
        with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
            text = response.read().decode()
    except (urllib.error.URLError, OSError) as e:
        fail(f"cannot read {base}/metrics: {e}")
    statements, requests = None, None
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 2:
            continue
        if fields[0] == "trapeze_db_statements_total":
            statements = float(fields[1])
        elif fields[0].startswith("trapeze_graphql_requests_total{"):
            requests = (requests or 0) + float(fields[1])
    if statements is None:
        fail(f"{base}/metrics has no trapeze_db_statements_total")
    return statements, requests


def wait_quiet(base, limit=60.0):
    """Waits until the statement counter stops moving: requests still in flight when wrk stopped
    have finished. Returns the counters."""
    deadline = time.monotonic() + limit
    last = metrics(base)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = metrics(base)
        if now == last:
            return now
        last = now
    print(f"bench: WARNING the server was still busy {limit:.0f} s after wrk stopped", file=sys.stderr)
    return last


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
    except OSError:
        fail(f"process {pid} is gone: did the server crash? (its log is in the scratch directory)")
    # rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    return int(rest[11]) + int(rest[12])


def vm_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return None


# --- subcommands -------------------------------------------------------------------------------


def cmd_freeport(_args):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def cmd_login(args):
    query = (
        "mutation { login(input: { email: %s, password: %s }) { accessToken userErrors { code message } } }"
        % (json.dumps(args.email), json.dumps(args.password))
    )
    data, errors = graphql(args.base, query)
    if errors:
        fail(f"login as {args.email} failed: {short(errors)}")
    payload = (data or {}).get("login") or {}
    if payload.get("userErrors"):
        fail(f"login as {args.email} was refused: {payload['userErrors']} (did the seed create this user?)")
    token = payload.get("accessToken")
    if not token:
        fail(f"login as {args.email} returned no access token: {data}")
    print(token)


def cmd_pick_ids(args):
    """Finds an opportunity and an account with stakeholders and opportunities (with participants)."""
    ids = {"opportunity": None, "update_opportunity": None, "account": None, "account_shape": None}
    problems = []

    data, errors = graphql(args.base, "{ opportunities(first: 2) { nodes { id } } }", token=args.token)
    nodes = ((data or {}).get("opportunities") or {}).get("nodes") or []
    if errors:
        problems.append(f"listing opportunities: {short(errors)}")
    elif not nodes:
        problems.append("the database has no opportunity")
    else:
        ids["opportunity"] = nodes[0]["id"]
        ids["update_opportunity"] = nodes[-1]["id"]

    full = (
        "query($after: String) { accounts(first: 20, after: $after) { pageInfo { hasNextPage endCursor } "
        "nodes { id stakeholders(first: 5) { nodes { id } } opportunities(first: 5) { nodes { id %s } } } } }"
    )
    best, best_score = None, -1
    for shape in ("participants { id }", ""):
        after, pages, ok = None, 0, True
        while pages < 25:
            data, errors = graphql(args.base, full % shape, {"after": after} if after else None, args.token)
            if errors:
                problems.append(f"scanning accounts{' with participants' if shape else ''}: {short(errors)}")
                ok = False
                break
            connection = (data or {}).get("accounts") or {}
            for account in connection.get("nodes") or []:
                stakeholders = len(((account.get("stakeholders") or {}).get("nodes")) or [])
                opportunities = ((account.get("opportunities") or {}).get("nodes")) or []
                with_participants = sum(1 for o in opportunities if o.get("participants"))
                if stakeholders == 0 or not opportunities:
                    continue
                score = min(stakeholders, 5) + min(len(opportunities), 5) + with_participants
                if score > best_score:
                    best, best_score = account, score
                    ids["account_shape"] = {
                        "stakeholders": stakeholders,
                        "opportunities": len(opportunities),
                        "opportunities_with_participants": with_participants if shape else None,
                    }
            if best_score >= 15:
                break
            info = connection.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                break
            after, pages = info.get("endCursor"), pages + 1
        if ok:
            break
    if best is None:
        problems.append("found no account with both stakeholders and opportunities")
    else:
        ids["account"] = best["id"]
    ids["problems"] = problems
    with open(args.out, "w") as f:
        json.dump(ids, f, indent=2)
    for problem in problems:
        print(f"bench: WARNING picking IDs: {problem}", file=sys.stderr)


def cmd_mini_seed(args):
    """Harness testing only (BENCH_NO_SEED=1): a few rows through the API instead of `trapeze seed`."""

    def mutate(name, field, fields):
        query = "mutation($input: %s!) { %s(input: $input) { %s { id } userErrors { code message } } }" % (
            name[0].upper() + name[1:] + "Input",
            name,
            field,
        )
        data, errors = graphql(args.base, query, {"input": fields}, args.token)
        payload = (data or {}).get(name) or {}
        if errors or payload.get("userErrors") or not payload.get(field):
            fail(f"mini-seed {name}: {short(errors) or payload}")
        return payload[field]["id"]

    for a in range(3):
        account = mutate("createAccount", "account", {"name": f"Bench account {a}"})
        people = [
            mutate(
                "createStakeholder",
                "stakeholder",
                {"accountId": account, "firstName": f"P{i}", "lastName": f"A{a}", "title": "VP"},
            )
            for i in range(6)
        ]
        for o in range(6):
            opportunity = mutate(
                "createOpportunity",
                "opportunity",
                {"accountId": account, "name": f"Deal {a}.{o}", "amount": {"amount": "1000.00", "currency": "EUR"}},
            )
            for person in people[o % 3 : o % 3 + 2]:
                mutate("addDealParticipant", "participant", {"opportunityId": opportunity, "stakeholderId": person})


def cmd_row_counts(args):
    """Row counts of the dataset via totalCount; a connection that does not answer is left out."""
    counts = {}
    for name in ("accounts", "stakeholders", "opportunities", "contents", "engagements", "users"):
        data, errors = graphql(args.base, "{ %s(first: 1) { totalCount } }" % name, token=args.token)
        if not errors and data and data.get(name):
            counts[name] = data[name]["totalCount"]
    print(json.dumps(counts))


def lua_long_string(text):
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def write_lua(path, body, token):
    """A wrk script: the POST, its headers and a done() that prints the exact figures as JSON."""
    lines = [
        'wrk.method = "POST"',
        f"wrk.body = {lua_long_string(body)}",
        'wrk.headers["Content-Type"] = "application/json"',
        'wrk.headers["Accept"] = "application/json"',
    ]
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    lines.append(
        r"""
-- Every response is checked: a GraphQL error or a user error counts as a failed request.
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args)
  bench_errors = 0
  bench_user_errors = 0
  bench_sample = ""
end
response = function(status, headers, body)
  if string.find(body, '"errors"', 1, true) then
    bench_errors = bench_errors + 1
    if bench_sample == "" then bench_sample = string.sub(body, 1, 400) end
  elseif string.find(body, '"userErrors":[{', 1, true) then
    bench_user_errors = bench_user_errors + 1
    if bench_sample == "" then bench_sample = string.sub(body, 1, 400) end
  end
end
done = function(summary, latency, requests)
  local errors, user_errors, sample = 0, 0, ""
  for _, thread in ipairs(threads) do
    errors = errors + (thread:get("bench_errors") or 0)
    user_errors = user_errors + (thread:get("bench_user_errors") or 0)
    if sample == "" then sample = thread:get("bench_sample") or "" end
  end
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_RESULT {"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,"connect":%.0f,"read":%.0f,'
    .. '"write":%.0f,"status":%.0f,"timeout":%.0f,"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,'
    .. '"mean_us":%.1f,"max_us":%.0f,"graphql_errors":%.0f,"user_errors":%.0f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, errors, user_errors))
  io.write("BENCH_ERROR_SAMPLE " .. string.gsub(sample, "[\r\n]", " ") .. "\n")
end
"""
    )
    with open(path, "w") as f:
        f.write("\n".join(lines))


def cmd_prepare_op(args):
    """Writes OUT.json (the request body) and OUT.lua (the wrk script) for one operation."""
    operation = next((o for o in OPERATIONS if o[0] == args.op), None)
    if operation is None:
        fail(f"unknown operation {args.op}")
    _, label, needs, query = operation
    body = {"query": query}
    if needs:
        with open(args.ids) as f:
            ids = json.load(f)
        if not ids.get(needs):
            print(f"operation {args.op} ({label}) needs an ID of kind {needs}, and none was found", file=sys.stderr)
            sys.exit(1)
        body["variables"] = {"id": ids[needs]}
    text = json.dumps(body, separators=(",", ":"))
    with open(f"{args.out}.json", "w") as f:
        f.write(text)
    write_lua(f"{args.out}.lua", text, args.token)


def check_sample(base, body, token):
    """One request as wrk sends it; returns (problem or None, raw response)."""
    status, raw = post(f"{base}/graphql", body, token)
    if status != 200:
        return f"HTTP {status}: {raw[:300]!r}", raw
    try:
        answer = json.loads(raw)
    except ValueError:
        return f"a body that is not JSON: {raw[:300]!r}", raw
    if "errors" in answer:
        return f"GraphQL errors: {short(answer['errors'])}", raw
    if not answer.get("data"):
        return f"no data: {raw[:300]!r}", raw
    for value in answer["data"].values():
        if value is None:
            return f"a null root field: {raw[:300]!r}", raw
        if isinstance(value, dict) and value.get("userErrors"):
            return f"user errors: {value['userErrors']}", raw
    return None, raw


def parse_wrk(text):
    result = None
    for line in text.splitlines():
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line[len("BENCH_RESULT ") :])
        elif line.startswith("BENCH_ERROR_SAMPLE ") and result is not None:
            result["error_sample"] = line[len("BENCH_ERROR_SAMPLE ") :].strip()
    if result is None:
        return None
    match = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    result["non_2xx"] = int(match.group(1)) if match else 0
    match = re.search(r"Latency Distribution\s+50%\s+(\S+)", text)
    result["p50_text"] = match.group(1) if match else None
    match = re.search(r"\s99%\s+(\S+)", text)
    result["p99_text"] = match.group(1) if match else None
    return result


def cmd_measure(args):
    """One wrk run with the counters around it; appends one JSON line to the results."""
    with open(args.body, "rb") as f:
        body = f.read()
    row = {
        "kind": "run",
        "store": args.store,
        "op": args.op,
        "connections": args.connections,
        "threads": args.threads,
        "failures": [],
    }
    is_ceiling = args.op == "ceiling"

    # One request alone first: its answer is checked, and its statements are the exact count of
    # the operation's shape, with nothing in flight beside it.
    alone_before = None if is_ceiling else metrics(args.base)
    problem, _ = check_sample(args.base, body, args.token)
    if problem:
        row["failures"].append(f"sample response before the run: {problem}")
    log_offset = os.path.getsize(args.server_log) if args.server_log else 0
    counters_before = None if is_ceiling else metrics(args.base)
    if counters_before is not None and counters_before[1] is not None and alone_before[1] is not None:
        if counters_before[1] - alone_before[1] == 1:
            row["stmts_alone"] = counters_before[0] - alone_before[0]
    ticks_before = cpu_ticks(args.pid)

    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}",
        "--latency",
        "--timeout",
        args.timeout,
        "-s",
        args.lua,
        f"{args.base}/graphql",
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if is_ceiling:
        time.sleep(0.3)
        counters_after = None
    else:
        counters_after = wait_quiet(args.base)
    ticks_after = cpu_ticks(args.pid)
    with open(args.wrk_log, "w") as f:
        f.write(" ".join(command) + "\n" + done.stdout + done.stderr)

    wrk = parse_wrk(done.stdout)
    if done.returncode != 0 or wrk is None:
        row["failures"].append(f"wrk failed (exit {done.returncode}): {(done.stderr or done.stdout)[-300:]}")
    else:
        row["wrk"] = wrk
        requests = wrk["requests"]
        seconds = wrk["duration_us"] / 1e6
        row["requests"] = requests
        row["rps"] = requests / seconds if seconds else 0.0
        row["p50_ms"] = wrk["p50_us"] / 1000
        row["p99_ms"] = wrk["p99_us"] / 1000
        row["non_2xx"] = wrk["non_2xx"]
        socket_errors = wrk["connect"] + wrk["read"] + wrk["write"] + wrk["timeout"]
        row["socket_errors"] = socket_errors
        if requests == 0:
            row["failures"].append("wrk completed no request")
        if wrk["graphql_errors"]:
            row["failures"].append(
                f"{wrk['graphql_errors']} of {requests} responses had GraphQL errors, e.g. {wrk.get('error_sample', '')[:300]}"
            )
        if wrk["user_errors"]:
            row["failures"].append(
                f"{wrk['user_errors']} of {requests} responses had user errors, e.g. {wrk.get('error_sample', '')[:300]}"
            )
        if wrk["non_2xx"]:
            row["failures"].append(f"{wrk['non_2xx']} responses were not 2xx")
        if socket_errors:
            row["failures"].append(
                f"socket errors: connect {wrk['connect']}, read {wrk['read']}, write {wrk['write']}, "
                f"timeout {wrk['timeout']}"
            )
        if requests:
            ticks = ticks_after - ticks_before
            row["cpu_s_per_1k"] = ticks / args.clk_tck / requests * 1000
            if counters_before is not None:
                statements = counters_after[0] - counters_before[0]
                row["statements"] = statements
                # As the brief defines it: per request wrk completed. Requests in flight when wrk
                # stopped are served and counted by the server but not by wrk.
                row["stmts_per_wrk_req"] = statements / requests
                served = (counters_after[1] or 0) - (counters_before[1] or 0)
                row["server_requests"] = served
                row["stmts_per_req"] = statements / served if served else statements / requests

    problem, _ = check_sample(args.base, body, args.token)
    if problem:
        row["failures"].append(f"sample response after the run: {problem}")

    if args.server_log:
        with open(args.server_log, errors="replace") as f:
            f.seek(log_offset)
            lines = f.readlines()
        errors = [line.strip() for line in lines if '"level":"ERROR"' in line]
        warnings = [line.strip() for line in lines if '"level":"WARN"' in line]
        if errors:
            row["failures"].append(f"the server logged {len(errors)} error line(s), e.g. {errors[0][:300]}")
        if warnings:
            row["warnings"] = warnings[:5]
            row["warning_count"] = len(warnings)

    with open(args.results, "a") as f:
        f.write(json.dumps(row) + "\n")

    label = f"{args.store:8} {args.op:7} c={args.connections:<3}"
    if "rps" in row:
        stmts = f"{row['stmts_per_req']:.2f} SQL/req" if "stmts_per_req" in row else ""
        if "stmts_alone" in row:
            stmts += f" ({row['stmts_alone']:.0f} alone)"
        print(
            f"  {label} {row['rps']:10.1f} req/s  p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms  {stmts}",
            file=sys.stderr,
        )
    for failure in row["failures"]:
        print(f"  !!! FAILED {label}: {failure}", file=sys.stderr)
    if row.get("warning_count"):
        print(f"  (the server logged {row['warning_count']} warning(s) during {label})", file=sys.stderr)


def cmd_record(args):
    """Appends one JSON object (given as key=value pairs, values parsed as JSON when they are)."""
    row = {}
    for pair in args.pairs:
        key, _, value = pair.partition("=")
        try:
            row[key] = json.loads(value)
        except ValueError:
            row[key] = value
    with open(args.results, "a") as f:
        f.write(json.dumps(row) + "\n")


def cmd_memory(args):
    """VmHWM (peak resident set) and VmRSS (resident now) of a process, in KiB, as JSON."""
    print(json.dumps({"peak_rss_kib": vm_kib(args.pid, "VmHWM"), "rss_kib": vm_kib(args.pid, "VmRSS")}))


def machine():
    def run(command):
        try:
            done = subprocess.run(command, capture_output=True, text=True)
            return (done.stdout or done.stderr).strip() or "unknown"
        except OSError:
            return "unknown"

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    os_name = platform.system()
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return {
        "CPUs (nproc)": run(["nproc"]),
        "CPU model": cpu,
        "memory": memory,
        "OS": f"{os_name}, kernel {platform.release()}",
        "rustc": run(["rustc", "--version"]),
        "wrk": (run(["wrk", "--version"]).splitlines() or ["unknown"])[0].split(" Copyright")[0],
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def op_label(op):
    if op == "ceiling":
        return OPERATION_LABELS[op]
    return f"{op}. {OPERATION_LABELS.get(op, op)}"


def fmt(value, digits):
    return "—" if value is None else f"{value:,.{digits}f}"


def cmd_report(args):
    rows = []
    with open(args.results) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    stores = [r for r in rows if r.get("kind") == "store"]
    runs = [r for r in rows if r.get("kind") == "run"]
    notes = [r for r in rows if r.get("kind") == "note"]
    hwm = {r["store"]: (r.get("memory") or {}).get("peak_rss_kib") for r in stores}
    ceiling = {r["connections"]: r.get("rps") for r in runs if r["op"] == "ceiling"}

    out = ["# trapeze benchmark", ""]
    for key, value in machine().items():
        out.append(f"- **{key}**: {value}")
    out.append(
        f"- **dataset**: `trapeze seed --size {args.size} --seed 1` (PostgreSQL then `ANALYZE`d); "
        f"each run {args.duration} of wrk, concurrency 1 = `-t1 -c1`, 32 = `-t2 -c32`"
    )
    for store in stores:
        if store["store"] == "ceiling":
            continue
        counts = ", ".join(f"{v:,} {k}" for k, v in (store.get("row_counts") or {}).items()) or "unknown"
        seed = f"; seeded in {store['seed_seconds']:.1f} s" if store.get("seed_seconds") is not None else ""
        rss = (store.get("memory") or {}).get("rss_kib")
        rss = f"; server RSS after the runs {rss / 1024:.0f} MiB" if rss else ""
        out.append(f"- **{store['store']}** ({store.get('version', '')}): {counts}{seed}{rss}")
    out.append("")
    out.append(
        "| store | operation | conc. | req/s | p50 ms | p99 ms | SQL alone | SQL/req | CPU s/1k req "
        "| peak RSS MiB | % of ceiling | status |"
    )
    out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    order = {key: i for i, (key, _, _, _) in enumerate(OPERATIONS)}
    order["ceiling"] = -1
    store_order = {s["store"]: i for i, s in enumerate(stores)}
    runs.sort(key=lambda r: (r["store"] == "ceiling", store_order.get(r["store"], 99), order.get(r["op"], 99),
                             r["connections"]))
    failed = 0
    warnings = {}
    for r in runs:
        share = None
        if r["op"] in ("a", "ceiling") and r.get("rps") and ceiling.get(r["connections"]):
            share = 100 * r["rps"] / ceiling[r["connections"]]
        rss = hwm.get(r["store"])
        status = "ok" if not r["failures"] else "**FAIL**: " + "; ".join(r["failures"]).replace("|", "\\|")
        if r.get("warning_count"):
            status += f" ({r['warning_count']} server warning{'s' if r['warning_count'] > 1 else ''})"
            for line in r.get("warnings", []):
                try:
                    message = json.loads(line).get("message", line)
                except ValueError:
                    message = line
                warnings.setdefault(message, []).append(f"{r['store']} {r['op']} c={r['connections']}")
        failed += bool(r["failures"])
        out.append(
            f"| {r['store']} | {op_label(r['op'])} | {r['connections']} "
            f"| {fmt(r.get('rps'), 0)} | {fmt(r.get('p50_ms'), 2)} | {fmt(r.get('p99_ms'), 2)} "
            f"| {fmt(r.get('stmts_alone'), 0)} | {fmt(r.get('stmts_per_req'), 2)} | {fmt(r.get('cpu_s_per_1k'), 3)} "
            f"| {fmt(rss / 1024 if rss else None, 0)} | {fmt(share, 1)} | {status} |"
        )
    out.append("")
    if notes or failed:
        out.append("## Problems")
        out.append("")
        for note in notes:
            out.append(f"- {note['store']}: {note['message']}")
        if failed:
            out.append(f"- {failed} run(s) failed; see the status column.")
        out.append("")
    if warnings:
        out.append("## Server warnings (logged during a run, not counted as failures)")
        out.append("")
        for message, where in warnings.items():
            out.append(f"- `{message}` ({', '.join(sorted(set(where)))})")
        out.append("")
    out.append("Columns are explained in bench/README.md.")
    text = "\n".join(out) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    if failed or notes:
        sys.exit(3)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("freeport")
    p.set_defaults(run=cmd_freeport)

    p = sub.add_parser("login")
    p.add_argument("base")
    p.add_argument("email")
    p.add_argument("password")
    p.set_defaults(run=cmd_login)

    p = sub.add_parser("pick-ids")
    p.add_argument("base")
    p.add_argument("token")
    p.add_argument("out")
    p.set_defaults(run=cmd_pick_ids)

    p = sub.add_parser("mini-seed")
    p.add_argument("base")
    p.add_argument("token")
    p.set_defaults(run=cmd_mini_seed)

    p = sub.add_parser("row-counts")
    p.add_argument("base")
    p.add_argument("token")
    p.set_defaults(run=cmd_row_counts)

    p = sub.add_parser("prepare-op")
    p.add_argument("op")
    p.add_argument("ids")
    p.add_argument("token")
    p.add_argument("out", help="path without extension; OUT.json and OUT.lua are written")
    p.set_defaults(run=cmd_prepare_op)

    p = sub.add_parser("measure")
    for name in ("--store", "--op", "--base", "--body", "--lua", "--duration", "--results", "--wrk-log"):
        p.add_argument(name, required=True)
    p.add_argument("--token", default=None)
    p.add_argument("--server-log", default=None)
    p.add_argument("--timeout", default="30s", help="wrk --timeout: slower responses count as timeouts")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--clk-tck", type=int, default=os.sysconf("SC_CLK_TCK"))
    p.set_defaults(run=cmd_measure)

    p = sub.add_parser("record")
    p.add_argument("results")
    p.add_argument("pairs", nargs="*")
    p.set_defaults(run=cmd_record)

    p = sub.add_parser("memory")
    p.add_argument("pid", type=int)
    p.set_defaults(run=cmd_memory)

    p = sub.add_parser("report")
    p.add_argument("results")
    p.add_argument("out")
    p.add_argument("--size", required=True)
    p.add_argument("--duration", required=True)
    p.set_defaults(run=cmd_report)

    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
