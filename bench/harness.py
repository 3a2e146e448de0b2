#!/usr/bin/env python3
"""Helpers of bench/run: GraphQL calls, the wrk scripts, one measured run, the report.

Standard library only. Every subcommand prints what the shell needs on stdout and explains a
failure on stderr with a non-zero exit code.
"""

import argparse
import base64
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
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

# The operations: key, label, which ID they need, trapeze's document and PostGraphile's (None:
# trapeze only). The PostGraphile documents are those of ../shared/peers/postgraphile/README.md:
# they ask for the same rows in the same order (trapeze's default order is created_at, id; archived
# rows left out; participants primary first), under PostGraphile's names.
OPERATIONS = [
    {
        "key": "a",
        "label": "point read",
        "needs": "opportunity",
        "query": "query($id: ID!) { opportunity(id: $id) { id name stage amount { amount currency } } }",
        "peer": "query($id: UUID!) { opportunityByRowId(rowId: $id) { rowId name stage amountMinor currency } }",

        "concurrencies": [1, 32],
    },
    {
        "key": "b",
        "label": "page of 50 + account + owner",
        "needs": None,
        "query": "{ opportunities(first: 50) { nodes { id name stage amount { amount currency } "
        "account { id name } owner { id displayName } } } }",
        "peer": "{ allOpportunities(first: 50, orderBy: [CREATED_AT_ASC, ROW_ID_ASC], "
        "filter: { archivedAt: { isNull: true } }) { nodes { rowId name stage amountMinor currency "
        "accountByAccountId { rowId name } appUserByOwnerId { rowId displayName } } } }",

        "concurrencies": [1, 32],
    },
    {
        "key": "c",
        "label": "deal room",
        "needs": "account",
        "query": "query($id: ID!) { account(id: $id) { id name stakeholders(first: 5) { nodes { id fullName title } } "
        "opportunities(first: 5) { nodes { id name stage participants { id role isPrimary buyingStage "
        "stakeholder { id fullName } } } } } }",
        "peer": "query($id: UUID!) { accountByRowId(rowId: $id) { rowId name "
        "stakeholdersByAccountId(first: 5, orderBy: [CREATED_AT_ASC, ROW_ID_ASC], "
        "filter: { archivedAt: { isNull: true } }) { nodes { rowId firstName lastName title } } "
        "opportunitiesByAccountId(first: 5, orderBy: [CREATED_AT_ASC, ROW_ID_ASC], "
        "filter: { archivedAt: { isNull: true } }) { nodes { rowId name stage "
        "dealParticipantsByOpportunityId(orderBy: [IS_PRIMARY_DESC, CREATED_AT_ASC, ROW_ID_ASC]) "
        "{ nodes { rowId role isPrimary buyingStage stakeholderByStakeholderId { rowId firstName lastName } } } } } } }",

        "concurrencies": [1, 32],
    },
    {
        "key": "d",
        "label": "filtered search + totalCount",
        "needs": None,
        "query": "{ opportunities(first: 20, filter: { stages: [PROPOSAL, NEGOTIATION] }) { totalCount nodes { id name } } }",
        "peer": "{ allOpportunities(first: 20, orderBy: [CREATED_AT_ASC, ROW_ID_ASC], "
        'filter: { stage: { in: ["PROPOSAL", "NEGOTIATION"] }, archivedAt: { isNull: true } }) '
        "{ totalCount nodes { rowId name } } }",

        "concurrencies": [1, 32],
    },
    {
        "key": "e",
        "label": "20 accounts, 4 levels",
        "needs": None,
        "query": "{ accounts(first: 20) { nodes { id name stakeholders(first: 5) { nodes { id fullName title } } "
        "opportunities(first: 5) { nodes { id name stage participants { id role isPrimary buyingStage "
        "stakeholder { id fullName } } } } } } }",
        "peer": "{ allAccounts(first: 20, orderBy: [CREATED_AT_ASC, ROW_ID_ASC], filter: { archivedAt: { isNull: true } }) "
        "{ nodes { rowId name stakeholdersByAccountId(first: 5, orderBy: [CREATED_AT_ASC, ROW_ID_ASC], "
        "filter: { archivedAt: { isNull: true } }) { nodes { rowId firstName lastName title } } "
        "opportunitiesByAccountId(first: 5, orderBy: [CREATED_AT_ASC, ROW_ID_ASC], "
        "filter: { archivedAt: { isNull: true } }) { nodes { rowId name stage "
        "dealParticipantsByOpportunityId(orderBy: [IS_PRIMARY_DESC, CREATED_AT_ASC, ROW_ID_ASC]) "
        "{ nodes { rowId role isPrimary buyingStage stakeholderByStakeholderId { rowId firstName lastName } } } } } } } }",

        "concurrencies": [1, 32],
    },
    {
        "key": "f",
        "label": "updateOpportunity mutation",
        "needs": "update_opportunity",
        "query": 'mutation($id: ID!) { updateOpportunity(input: { id: $id, name: "Bench deal" }) '
        "{ opportunity { id version } userErrors { code } } }",
        "peer": None,
        "concurrencies": [1, 32],
    },
    # g to m: deal intelligence and analytics (issues 10 and 11), trapeze only. The analytics ones
    # take a period ("period": its name in the IDs file, see periods()) as $from and $to.
    {
        "key": "g",
        "label": "deal room with intelligence",
        "needs": "intelligence_opportunity",
        "query": "query($id: ID!) { opportunity(id: $id) { id name stage "
        "participants { role buyingStage stakeholder { fullName } } "
        "coverage { missingRoles unengagedRoles coveredShare roles { role engaged } } "
        "recommendations(first: 10) { score reasons stakeholder { id } content { id title } } } }",
        "peer": None,
        "concurrencies": [1, 32],
    },
    {
        "key": "h",
        "label": "contentInfluence, last 365 days, first 20",
        "needs": None,
        "period": "year",
        "query": "query($from: DateTime!, $to: DateTime!) { contentInfluence(input: { from: $from, to: $to, first: 20 }) "
        "{ content { id title } touches stakeholdersReached opportunitiesInfluenced opportunitiesWon "
        "influencedAmount { amount currency } wonAmount { amount currency } } }",
        "peer": None,
        "concurrencies": [1, 8],
    },
    {
        "key": "i",
        "label": "leadFunnel, last quarter, by LEAD_SOURCE",
        "needs": None,
        "period": "quarter",
        "query": "query($from: DateTime!, $to: DateTime!) { leadFunnel(input: { from: $from, to: $to, "
        "groupBy: LEAD_SOURCE }) { from to asOf unit groups { key label stages { stage entered inStageAtEnd } "
        "steps { from to entered converted rate medianHours averageHours } rejected recycled disqualified "
        "reasons { reasonCode count } } } }",
        "peer": None,
        "concurrencies": [1, 8],
    },
    {
        "key": "j",
        "label": "leadFunnel, last quarter, unit ACCOUNT",
        "needs": None,
        "period": "quarter",
        "query": "query($from: DateTime!, $to: DateTime!) { leadFunnel(input: { from: $from, to: $to, "
        "unit: ACCOUNT, groupBy: NONE }) { from to asOf unit groups { key label stages { stage entered inStageAtEnd } "
        "steps { from to entered converted rate medianHours averageHours } rejected recycled disqualified "
        "reasons { reasonCode count } } } }",
        "peer": None,
        "concurrencies": [1, 8],
    },
    {
        "key": "k",
        "label": "dealFunnel, last 365 days",
        "needs": None,
        "period": "year",
        "query": "query($from: DateTime!, $to: DateTime!) { dealFunnel(input: { from: $from, to: $to }) "
        "{ from to asOf groups { key label stages { stage entered inStageAtEnd amountAtEnd { amount currency } "
        "weightedAmountAtEnd { amount currency } medianHoursInStage } created won lost winRate "
        "wonAmount { amount currency } averageWonAmount { amount currency } medianCycleDays "
        "lostReasons { reasonCode count } } } }",
        "peer": None,
        "concurrencies": [1, 8],
    },
    {
        "key": "l",
        "label": "leadSourceQuality, last 365 days",
        "needs": None,
        "period": "year",
        "query": "query($from: DateTime!, $to: DateTime!) { leadSourceQuality(input: { from: $from, to: $to }) "
        "{ leadSource leads mqls accepted rejected acceptanceRate opportunities customers "
        "rejectionReasons { reasonCode count } feedback { good fair poor } wonAmount { amount currency } } }",
        "peer": None,
        "concurrencies": [1, 8],
    },
    {
        "key": "m",
        "label": "handoffPerformance, last quarter",
        "needs": None,
        "period": "quarter",
        "query": "query($from: DateTime!, $to: DateTime!) { handoffPerformance(input: { from: $from, to: $to }) "
        "{ key label handedOff acceptedInSla acceptedLate rejected open openOverdue medianHoursToDecision } }",
        "peer": None,
        "concurrencies": [1, 8],
    },
]
OPERATION_BY_KEY = {o["key"]: o for o in OPERATIONS}
OPERATION_LABELS = {o["key"]: o["label"] for o in OPERATIONS}
OPERATION_LABELS["ceiling"] = "a. point read, fixed bytes (examples/ceiling.rs)"
PEER = "postgraphile"  # the store name of PostGraphile's rows


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


def rfc3339(day):
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def periods(today=None):
    """The analytics periods, on the seed's clock: `trapeze seed` dates everything before 00:00 UTC
    of the day it ran (today). "year": the 365 days before today; "quarter": the last full
    calendar quarter before today. Half-open [from, to), RFC 3339 UTC."""
    today = today or datetime.now(timezone.utc).date()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    month = quarter_start.month - 3
    previous = date(quarter_start.year - (month < 1), month + 12 * (month < 1), 1)
    return {
        "year": {"from": rfc3339(today - timedelta(days=365)), "to": rfc3339(today)},
        "quarter": {"from": rfc3339(previous), "to": rfc3339(quarter_start)},
    }


def cmd_ops(args):
    """The operation keys to run, in order: BENCH_OPS (comma-separated; empty: all) checked against
    OPERATIONS; with --peer only those PostGraphile has a document for."""
    wanted = [k.strip() for k in (args.selection or "").split(",") if k.strip()]
    unknown = [k for k in wanted if k not in OPERATION_BY_KEY]
    if unknown:
        fail(f"BENCH_OPS names unknown operation(s) {', '.join(unknown)}; known: {','.join(OPERATION_BY_KEY)}")
    keys = [o["key"] for o in OPERATIONS if not wanted or o["key"] in wanted]
    if args.peer:
        keys = [k for k in keys if OPERATION_BY_KEY[k]["peer"]]
    print(" ".join(keys))


def cmd_concurrencies(args):
    """The concurrencies (wrk -c) an operation runs at, in order."""
    operation = OPERATION_BY_KEY.get(args.op)
    if operation is None:
        fail(f"unknown operation {args.op}")
    print(" ".join(str(c) for c in operation["concurrencies"]))


def cmd_pick_ids(args):
    """Finds an opportunity, an account with stakeholders and opportunities (with participants), an
    open opportunity with many participants (the deal room with intelligence), and the periods of
    the analytics operations."""
    ids = {"opportunity": None, "update_opportunity": None, "account": None, "account_shape": None,
           "intelligence_opportunity": None, "intelligence_shape": None, "periods": periods()}
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

    # The deal room with intelligence: an open deal with 10 or more participants (coverage and
    # recommendations matter while a deal is open); else one with 10 or more; else the open deal
    # with the most participants; else any deal with the most.
    query = (
        "query($after: String) { opportunities(first: 50, after: $after) { pageInfo { hasNextPage endCursor } "
        "nodes { id stage participants { id } } } }"
    )
    after, best_score = None, None
    for _ in range(40):
        data, errors = graphql(args.base, query, {"after": after} if after else None, args.token)
        if errors:
            problems.append(f"scanning opportunities for participants: {short(errors)}")
            break
        connection = (data or {}).get("opportunities") or {}
        for opportunity in connection.get("nodes") or []:
            count = len(opportunity.get("participants") or [])
            is_open = opportunity.get("stage") not in ("CLOSED_WON", "CLOSED_LOST")
            score = (count >= 10, is_open, count)
            if count and (best_score is None or score > best_score):
                best_score = score
                ids["intelligence_opportunity"] = opportunity["id"]
                ids["intelligence_shape"] = {"participants": count, "stage": opportunity.get("stage")}
        if best_score is not None and best_score[0] and best_score[1]:
            break
        info = connection.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            break
        after = info.get("endCursor")
    if ids["intelligence_opportunity"] is None:
        problems.append("found no opportunity with participants (operation g)")
    elif ids["intelligence_shape"]["participants"] < 10:
        shape = ids["intelligence_shape"]
        print(f"bench: note: operation g uses a {shape['stage']} deal with {shape['participants']} "
              f"participants (none with 10 or more found)", file=sys.stderr)
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


def uuid_of(global_id):
    """trapeze's global ID is base64url (no padding) of `Kind:uuid`; PostGraphile's rowId is the uuid."""
    try:
        text = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return global_id
    kind, sep, rest = text.partition(":")
    return rest.lower() if sep and kind.isalpha() else global_id


def cmd_prepare_op(args):
    """Writes OUT.json (the request body) and OUT.lua (the wrk script) for one operation, with
    trapeze's document, or with PostGraphile's (--peer: the uuid instead of the global ID)."""
    operation = OPERATION_BY_KEY.get(args.op)
    if operation is None:
        fail(f"unknown operation {args.op}")
    query = operation["peer"] if args.peer else operation["query"]
    if query is None:
        fail(f"operation {args.op} has no PostGraphile document")
    body = {"query": query}
    needs = operation["needs"]
    if needs:
        with open(args.ids) as f:
            ids = json.load(f)
        if not ids.get(needs):
            print(
                f"operation {args.op} ({operation['label']}) needs an ID of kind {needs}, and none was found",
                file=sys.stderr,
            )
            sys.exit(1)
        body["variables"] = {"id": uuid_of(ids[needs]) if args.peer else ids[needs]}
    if operation.get("period"):
        with open(args.ids) as f:
            period = (json.load(f).get("periods") or periods())[operation["period"]]
        body["variables"] = {"from": period["from"], "to": period["to"]}
    text = json.dumps(body, separators=(",", ":"))
    with open(f"{args.out}.json", "w") as f:
        f.write(text)
    write_lua(f"{args.out}.lua", text, args.token or None)


# --- the equivalence check: the same rows from trapeze and from PostGraphile ---------------------

# PostGraphile's names for trapeze's fields (root fields, relations, connections).
PEER_NAMES = {
    "rowId": "id",
    "opportunityByRowId": "opportunity",
    "accountByRowId": "account",
    "allOpportunities": "opportunities",
    "allAccounts": "accounts",
    "accountByAccountId": "account",
    "appUserByOwnerId": "owner",
    "stakeholdersByAccountId": "stakeholders",
    "opportunitiesByAccountId": "opportunities",
    "dealParticipantsByOpportunityId": "participants",
    "stakeholderByStakeholderId": "stakeholder",
}


def decimal_text(value):
    """A decimal in one spelling: "12500.00", "12500" and 12500 all become "12500"."""
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return f"not a decimal: {value!r}"
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def connection(value, normalise):
    """A connection with only `nodes` becomes the list of its nodes; one with totalCount keeps it."""
    if isinstance(value, dict) and "nodes" in value and set(value) <= {"nodes", "totalCount"}:
        nodes = [normalise(n) for n in value["nodes"] or []]
        return nodes if set(value) == {"nodes"} else {"totalCount": value["totalCount"], "nodes": nodes}
    return normalise(value)


def normalise_trapeze(value):
    if isinstance(value, list):
        return [normalise_trapeze(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "id":
            out["id"] = uuid_of(item) if isinstance(item, str) else item
        elif key == "amount" and (item is None or isinstance(item, dict)):
            # Money { amount currency }, null when the deal has no amount
            out["amount"] = decimal_text(item["amount"]) if item else None
            out["currency"] = item["currency"] if item else None
        else:
            out[key] = connection(item, normalise_trapeze)
    return out


def normalise_peer(value):
    if isinstance(value, list):
        return [normalise_peer(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        key = PEER_NAMES.get(key, key)
        if key == "id":
            out["id"] = item.lower() if isinstance(item, str) else item
        elif key == "amountMinor":
            # the stored cents (a BigInt, sent as a string): the amount is a hundredth of it
            out["amount"] = None if item is None else decimal_text(Decimal(str(item)) / 100)
        elif key in ("firstName", "lastName") and "firstName" in value and "lastName" in value:
            out["fullName"] = f"{value['firstName']} {value['lastName']}"  # trapeze's fullName
        else:
            out[key] = connection(item, normalise_peer)
    if "amount" in out and out["amount"] is None:
        out["currency"] = None  # trapeze has no Money without an amount
    return out


def first_difference(left, right, path="data"):
    """The path and the two values where two normalised answers first differ, or None."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in list(left) + [k for k in right if k not in left]:
            if key not in left or key not in right:
                return f"{path}.{key}: {'missing' if key not in left else json.dumps(left[key])[:120]} (trapeze) vs " \
                       f"{'missing' if key not in right else json.dumps(right[key])[:120]} (PostGraphile)"
            found = first_difference(left[key], right[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        for i, (a, b) in enumerate(zip(left, right)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        if len(left) != len(right):
            return f"{path}: {len(left)} items (trapeze) vs {len(right)} (PostGraphile)"
        return None
    if left != right:
        return f"{path}: {json.dumps(left)[:120]} (trapeze) vs {json.dumps(right)[:120]} (PostGraphile)"
    return None


def count_records(value, counts=None):
    """How many records of each field an answer holds (a record is an object with an id)."""
    counts = {} if counts is None else counts

    def walk(item, name):
        if isinstance(item, list):
            for element in item:
                walk(element, name)
        elif isinstance(item, dict):
            if "id" in item:
                counts[name] = counts.get(name, 0) + 1
            for key, child in item.items():
                walk(child, key)

    walk(value, "data")
    return counts


def fetch_answer(base, body_path, token):
    """(normalisable data, problem) of one request as wrk will send it."""
    with open(body_path, "rb") as f:
        body = f.read()
    problem, raw = check_sample(base, body, token)
    if problem:
        return None, problem
    return json.loads(raw)["data"], None


def cmd_compare(args):
    """Sends each operation once to trapeze and once to PostGraphile, normalises both answers
    (global ID -> uuid, fullName <- firstName + lastName, Money -> amount + currency, one decimal
    spelling, PostGraphile's field names -> trapeze's) and compares them. Records one row per
    operation; prints the keys of the operations whose answers differ."""
    differing = []
    for op in args.ops.split(","):
        row = {"kind": "compare", "op": op}
        mine, problem = fetch_answer(args.trapeze, f"{args.trapeze_prefix}{op}.json", args.token)
        theirs, peer_problem = fetch_answer(args.peer, f"{args.peer_prefix}{op}.json", None)
        if problem or peer_problem:
            row["same"] = False
            row["detail"] = "; ".join(
                p for p in (problem and f"trapeze: {problem}", peer_problem and f"PostGraphile: {peer_problem}") if p
            )
        else:
            left, right = normalise_trapeze(mine), normalise_peer(theirs)
            for name, value in (("trapeze.raw", mine), ("postgraphile.raw", theirs), ("trapeze", left),
                                ("postgraphile", right)):
                with open(os.path.join(args.out_dir, f"compare-{op}-{name}.json"), "w") as f:
                    json.dump(value, f, indent=1, sort_keys=True)
            difference = first_difference(left, right)
            counts = count_records(left)
            row["records"] = counts
            if difference:
                row["same"] = False
                row["detail"] = difference
            elif not counts:
                row["same"] = False
                row["detail"] = "both answers hold no record: nothing was compared"
            else:
                row["same"] = True
        with open(args.results, "a") as f:
            f.write(json.dumps(row) + "\n")
        what = ", ".join(f"{n} {k}" for k, n in (row.get("records") or {}).items())
        if row["same"]:
            print(f"  {op}: same rows from trapeze and PostGraphile ({what})", file=sys.stderr)
        else:
            print(f"  !!! FAILED {op}: trapeze and PostGraphile answer differently: {row['detail']}", file=sys.stderr)
            differing.append(op)
    print(" ".join(differing))


def pg_reader(url):
    """A psql session that reads the database's committed-transaction counter on demand. It stays
    in one transaction (stats_fetch_consistency = none reads the shared counters afresh each
    time), so its own reads commit nothing."""
    session = subprocess.Popen(
        ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    session.stdin.write("BEGIN READ ONLY;\nSET LOCAL stats_fetch_consistency = none;\n")

    def read():
        session.stdin.write(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database();\n"
        )
        session.stdin.flush()
        line = session.stdout.readline()
        if not line:
            fail("the psql session reading pg_stat_database ended")
        return int(line.strip())

    def close():
        try:
            session.stdin.write("ROLLBACK;\n")
            session.stdin.close()
        except OSError:
            pass
        session.wait(timeout=10)

    return read, close


def cmd_xacts(args):
    """Transactions per request, each request sent alone: the growth of pg_stat_database's
    xact_commit + xact_rollback around it. A backend publishes its counters when it goes idle, at
    most once a second (else 10 s later): so the counter is first left to settle, and requests are
    sent 1.1 s apart. Without explicit transactions (PostGraphile without pgSettings, trapeze's
    reads) every statement is its own transaction, so this counts SQL statements."""
    read, close = pg_reader(args.pg_url)
    try:
        last, still_since, deadline = read(), time.monotonic(), time.monotonic() + 40
        while time.monotonic() - still_since < args.settle and time.monotonic() < deadline:
            time.sleep(0.5)
            now = read()
            if now != last:
                last, still_since = now, time.monotonic()
        for target in args.targets:
            name, base, prefix = target.split("=", 2)
            token = args.token if name != PEER else None
            for op in args.ops.split(","):
                deltas = []
                for _ in range(args.repeat):
                    with open(f"{prefix}{op}.json", "rb") as f:
                        body = f.read()
                    before = read()
                    sent = time.monotonic()
                    problem, _ = check_sample(base, body, token)
                    time.sleep(0.15)
                    after = read()
                    if problem:
                        deltas = None
                        print(f"  !!! {name} {op}: {problem}", file=sys.stderr)
                        break
                    deltas.append(after - before)
                    time.sleep(max(0.0, 1.1 - (time.monotonic() - sent)))
                if not deltas:
                    continue
                deltas.sort()
                median = deltas[len(deltas) // 2]
                row = {"kind": "xacts", "store": name, "op": op, "xacts_alone": median, "samples": deltas}
                with open(args.results, "a") as f:
                    f.write(json.dumps(row) + "\n")
                print(f"  {name:12} {op}: {median} transactions per request alone (samples {deltas})", file=sys.stderr)
    finally:
        close()


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
    no_metrics = is_ceiling or args.no_metrics  # the ceiling and PostGraphile have no /metrics

    # One request alone first: its answer is checked, and its statements are the exact count of
    # the operation's shape, with nothing in flight beside it.
    alone_before = None if no_metrics else metrics(args.base)
    problem, _ = check_sample(args.base, body, args.token)
    if problem:
        row["failures"].append(f"sample response before the run: {problem}")
    log_offset = os.path.getsize(args.server_log) if args.server_log else 0
    counters_before = None if no_metrics else metrics(args.base)
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
    if no_metrics:
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
        if args.log_format == "json":
            errors = [line.strip() for line in lines if '"level":"ERROR"' in line]
            warnings = [line.strip() for line in lines if '"level":"WARN"' in line]
        else:  # PostGraphile: whatever it writes during a run is worth a look, not a failure
            errors = []
            warnings = [line.strip() for line in lines if line.strip()]
        if errors:
            row["failures"].append(f"the server logged {len(errors)} error line(s), e.g. {errors[0][:300]}")
        if warnings:
            row["warnings"] = warnings[:5]
            row["warning_count"] = len(warnings)

    with open(args.results, "a") as f:
        f.write(json.dumps(row) + "\n")

    label = f"{args.store:12} {args.op:7} c={args.connections:<3}"
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


def cmd_profile_report(args):
    """The top frames by self time of a `perf record`, printed and kept in the results."""
    command = ["perf", "report", "-i", args.data, "--no-children", "--stdio", "-g", "none"]
    done = subprocess.run(command, capture_output=True, text=True)
    lines = [line.rstrip() for line in done.stdout.splitlines() if line.strip() and not line.startswith("#")]
    lines = lines[: args.top]
    if done.returncode != 0 or not lines:
        lines = [f"perf report failed (exit {done.returncode}): {done.stderr.strip()[-300:]}"]
    with open(args.results, "a") as f:
        f.write(json.dumps({"kind": "profile", "store": args.store, "op": args.op,
                            "connections": args.connections, "lines": lines}) + "\n")
    print(f"  top {args.top} frames of the {args.store} server during {args.op} at c={args.connections} "
          f"(perf report --no-children):", file=sys.stderr)
    for line in lines:
        print(f"    {line}", file=sys.stderr)


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


def ratio(mine, theirs):
    return mine / theirs if mine and theirs else None


def cmd_report(args):
    rows = []
    with open(args.results) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    stores = [r for r in rows if r.get("kind") == "store"]
    runs = [r for r in rows if r.get("kind") == "run"]
    notes = [r for r in rows if r.get("kind") == "note"]  # problems: the run fails
    infos = [r for r in rows if r.get("kind") == "info"]  # worth saying, not a failure
    compares = [r for r in rows if r.get("kind") == "compare"]
    profiles = [r for r in rows if r.get("kind") == "profile"]
    xacts = {(r["store"], r["op"]): r["xacts_alone"] for r in rows if r.get("kind") == "xacts"}
    hwm = {r["store"]: (r.get("memory") or {}).get("peak_rss_kib") for r in stores}
    ceiling = {r["connections"]: r.get("rps") for r in runs if r["op"] == "ceiling"}
    peer = {(r["op"], r["connections"]): r for r in runs if r["store"] == PEER and not r["failures"]}

    out = ["# trapeze benchmark", ""]
    for key, value in machine().items():
        out.append(f"- **{key}**: {value}")
    out.append(
        f"- **dataset**: `trapeze seed --size {args.size} --seed 1` (PostgreSQL then `ANALYZE`d); "
        f"each run {args.duration} of wrk, "
        + ", ".join(f"concurrency {c} = `-t{t} -c{c}`" for c, t in
                    sorted({(r["connections"], r["threads"]) for r in runs if r.get("threads")}))
    )
    for store in stores:
        if store["store"] == "ceiling":
            continue
        counts = ", ".join(f"{v:,} {k}" for k, v in (store.get("row_counts") or {}).items())
        counts = f": {counts}" if counts else ""
        seed = f"; seeded in {store['seed_seconds']:.1f} s" if store.get("seed_seconds") is not None else ""
        rss = (store.get("memory") or {}).get("rss_kib")
        rss = f"; server RSS after the runs {rss / 1024:.0f} MiB" if rss else ""
        out.append(f"- **{store['store']}** ({store.get('version', '')}){counts}{seed}{rss}")
    out.append("")
    out.append(
        "| store | operation | conc. | req/s | × PostGraphile | p50 ms | p99 ms | SQL alone | SQL/req | CPU s/1k req "
        "| peak RSS MiB | % of ceiling | status |"
    )
    out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    order = {o["key"]: i for i, o in enumerate(OPERATIONS)}
    order["ceiling"] = -1
    store_order = {s["store"]: i for i, s in enumerate(stores)}
    runs.sort(key=lambda r: (r["store"] == "ceiling", store_order.get(r["store"], 99), order.get(r["op"], 99),
                             r["connections"]))
    failed = 0
    warnings = {}
    for r in runs:
        share = None
        if r["op"] in ("a", "ceiling") and r["store"] != PEER and r.get("rps") and ceiling.get(r["connections"]):
            share = 100 * r["rps"] / ceiling[r["connections"]]
        versus = None
        if r["store"] not in (PEER, "ceiling"):
            versus = ratio(r.get("rps"), (peer.get((r["op"], r["connections"])) or {}).get("rps"))
        alone = r.get("stmts_alone")
        if r["store"] == PEER:
            alone = xacts.get((PEER, r["op"]))
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
            f"| {fmt(r.get('rps'), 0)} | {fmt(versus, 2)} | {fmt(r.get('p50_ms'), 2)} | {fmt(r.get('p99_ms'), 2)} "
            f"| {fmt(alone, 0)} | {fmt(r.get('stmts_per_req'), 2)} | {fmt(r.get('cpu_s_per_1k'), 3)} "
            f"| {fmt(rss / 1024 if rss else None, 0)} | {fmt(share, 1)} | {status} |"
        )
    out.append("")

    mismatches = [c for c in compares if not c.get("same")]
    peer_ops = [o["key"] for o in OPERATIONS if o["peer"]]
    trapeze_stores = [s["store"] for s in stores if s["store"] not in (PEER, "ceiling")]
    by_key = {(r["store"], r["op"], r["connections"]): r for r in runs if not r["failures"]}
    if any(r["store"] == PEER for r in runs):
        out.append("## trapeze vs PostGraphile (same run, same database, same rows)")
        out.append("")
        out.append(
            "× is trapeze's req/s divided by PostGraphile's at the same operation and concurrency (above 1: "
            "trapeze serves more). PostGraphile always runs on PostgreSQL, interleaved with trapeze on "
            "PostgreSQL (trapeze a, PostGraphile a, trapeze b, ...); trapeze on SQLite ran in its own part of the "
            "same run. SQL alone: statements of one request sent alone (trapeze's own counter; "
            "for PostGraphile, transactions in `pg_stat_database`, see bench/README.md)."
        )
        out.append("")
        head = ["operation", "conc.", "PostGraphile req/s"]
        for s in trapeze_stores:
            head += [f"{s} req/s", f"{s} ×"]
        head += ["p99 ms PostGraphile"] + [f"p99 ms {s}" for s in trapeze_stores]
        head += ["SQL alone: " + " / ".join(trapeze_stores + ["PostGraphile"])]
        out.append("| " + " | ".join(head) + " |")
        out.append("|---|--:|" + "--:|" * (len(head) - 2))
        for op in peer_ops:
            for c in sorted({r["connections"] for r in runs if r["op"] == op}):
                theirs = by_key.get((PEER, op, c)) or {}
                cells = [op_label(op), str(c), fmt(theirs.get("rps"), 0)]
                for s in trapeze_stores:
                    mine = by_key.get((s, op, c)) or {}
                    cells += [fmt(mine.get("rps"), 0), fmt(ratio(mine.get("rps"), theirs.get("rps")), 2)]
                cells += [fmt(theirs.get("p99_ms"), 2)] + [
                    fmt((by_key.get((s, op, c)) or {}).get("p99_ms"), 2) for s in trapeze_stores
                ]
                cells.append(
                    " / ".join(fmt((by_key.get((s, op, c)) or {}).get("stmts_alone"), 0) for s in trapeze_stores)
                    + " / " + fmt(xacts.get((PEER, op)), 0)
                )
                out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if compares:
        out.append("## Same rows (checked once before timing)")
        out.append("")
        for c in compares:
            what = ", ".join(f"{n} {k}" for k, n in (c.get("records") or {}).items())
            if c.get("same"):
                out.append(f"- {op_label(c['op'])}: same rows from trapeze and PostGraphile ({what})")
            else:
                out.append(f"- {op_label(c['op'])}: **DIFFERENT**: {c.get('detail', '?')}")
        out.append("")
    if infos:
        out.append("## Notes")
        out.append("")
        for info in infos:
            out.append(f"- {info['store']}: {info['message']}")
        out.append("")
    if notes or failed or mismatches:
        out.append("## Problems")
        out.append("")
        for note in notes:
            out.append(f"- {note['store']}: {note['message']}")
        for c in mismatches:
            out.append(f"- {c['op']}: trapeze and PostGraphile answer differently (see Same rows)")
        if failed:
            out.append(f"- {failed} run(s) failed; see the status column.")
        out.append("")
    if warnings:
        out.append("## Server warnings (logged during a run, not counted as failures)")
        out.append("")
        for message, where in warnings.items():
            out.append(f"- `{message[:300]}` ({', '.join(sorted(set(where)))})")
        out.append("")
    if profiles:
        out.append("## Profiles (BENCH_PROFILE=1)")
        out.append("")
        for p in profiles:
            out.append(
                f"{p['store']} {op_label(p['op'])}, c={p['connections']}, "
                f"`perf record -e cpu-clock -g` of the server during a separate run of the same length "
                f"(not in the table); top frames by self time (`perf report --no-children`):"
            )
            out.append("")
            out.append("```")
            out.extend(p.get("lines") or ["(no samples)"])
            out.append("```")
            out.append("")
    out.append("Columns are explained in bench/README.md.")
    text = "\n".join(out) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    if failed or notes or mismatches:
        sys.exit(3)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("freeport")
    p.set_defaults(run=cmd_freeport)

    p = sub.add_parser("ops")
    p.add_argument("selection", nargs="?", default="", help="BENCH_OPS: comma-separated keys, empty for all")
    p.add_argument("--peer", action="store_true", help="only those with a PostGraphile document")
    p.set_defaults(run=cmd_ops)

    p = sub.add_parser("concurrencies")
    p.add_argument("op")
    p.set_defaults(run=cmd_concurrencies)

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
    p.add_argument("--peer", action="store_true", help="PostGraphile's document (no token needed)")
    p.set_defaults(run=cmd_prepare_op)

    p = sub.add_parser("compare")
    for name in ("--ops", "--trapeze", "--token", "--peer", "--trapeze-prefix", "--peer-prefix", "--out-dir", "--results"):
        p.add_argument(name, required=True)
    p.set_defaults(run=cmd_compare)

    p = sub.add_parser("xacts")
    p.add_argument("--pg-url", required=True, help="the benchmark database")
    p.add_argument("--ops", required=True)
    p.add_argument("--token", default=None, help="trapeze's access token")
    p.add_argument("--results", required=True)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--settle", type=float, default=11.0, help="seconds the counter must stand still first")
    p.add_argument("targets", nargs="+", help="NAME=BASE=BODY_PREFIX (NAME postgraphile: no token)")
    p.set_defaults(run=cmd_xacts)

    p = sub.add_parser("measure")
    for name in ("--store", "--op", "--base", "--body", "--lua", "--duration", "--results", "--wrk-log"):
        p.add_argument(name, required=True)
    p.add_argument("--token", default=None)
    p.add_argument("--server-log", default=None)
    p.add_argument("--log-format", choices=("json", "plain"), default="json")
    p.add_argument("--no-metrics", action="store_true", help="the server has no GET /metrics (PostGraphile)")
    p.add_argument("--timeout", default="30s", help="wrk --timeout: slower responses count as timeouts")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--clk-tck", type=int, default=os.sysconf("SC_CLK_TCK"))
    p.set_defaults(run=cmd_measure)

    p = sub.add_parser("profile-report")
    p.add_argument("data")
    for name in ("--store", "--op", "--results"):
        p.add_argument(name, required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--top", type=int, default=15)
    p.set_defaults(run=cmd_profile_report)

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
