"""Writes a schemathesis.toml for tests/fuzz/run: a dictionary of the real IDs of the database
under test (read through the API with the admin's token), bound to every argument and input
field of type ID, so that mutations reach their business rules instead of stopping at NOT_FOUND.

Usage: ids.py URL TOKEN SCHEMA.graphql OUT.toml
"""

import json
import sys
import urllib.request

import graphql

url, token, schema_path, out_path = sys.argv[1:5]
schema = graphql.build_schema(open(schema_path).read())


def post(query):
    req = urllib.request.Request(
        url,
        data=json.dumps({"query": query}).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(req, timeout=60) as res:
        return json.load(res)


def collect_ids(value, into):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "id" and isinstance(v, str):
                into.append(v)
            else:
                collect_ids(v, into)
    elif isinstance(value, list):
        for v in value:
            collect_ids(v, into)


ids = []
for name, field in schema.query_type.fields.items():
    if "first" not in field.args:
        continue
    extra = " participants { id } risks { id }" if name == "opportunities" else ""
    body = post(f"{{ {name}(first: 20) {{ nodes {{ id{extra} }} }} }}")
    collect_ids(body.get("data"), ids)
ids = sorted(set(ids))


def id_paths(args_or_fields, prefix, depth, seen):
    """Argument paths (`id`, `input.accountId`, `ids[*]`) of type ID, descending into inputs."""
    for name, arg in args_or_fields.items():
        t = graphql.get_nullable_type(arg.type)
        path = prefix + name
        if isinstance(t, graphql.GraphQLList):
            t = graphql.get_named_type(t)
            path += "[*]"
        t = graphql.get_named_type(t)
        if t.name == "ID":
            yield path
        elif isinstance(t, graphql.GraphQLInputObjectType) and depth < 3 and t.name not in seen:
            yield from id_paths(t.fields, path + ".", depth + 1, seen | {t.name})


paths = set()
for type_ in schema.type_map.values():
    if isinstance(type_, graphql.GraphQLObjectType) and not type_.name.startswith("__"):
        for field in type_.fields.values():
            paths.update(id_paths(field.args, "", 0, frozenset()))

with open(out_path, "w") as out:
    if ids:
        out.write("[dictionaries.ids]\nvalues = " + json.dumps(ids) + "\n\n[parameters]\n")
        for path in sorted(paths):
            out.write(f'"*.*.{path}" = {{ dictionary = "ids", probability = 0.8 }}\n')
print(f"{len(ids)} ids for {len(paths)} argument paths")
