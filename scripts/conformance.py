#!/usr/bin/env python3
"""The running server against its contract: schemathesis over every operation of openapi.yaml,
public, registrar (with a supervisor's token) and partner routes, on a fresh database with the
demo offices and a few residents. Fails on any 5xx or any response that does not match the
spec (status, content type, headers, schema).

  python3 scripts/conformance.py target/debug/hunyin sqlite [MAX_EXAMPLES] [limits]
  python3 scripts/conformance.py target/debug/hunyin postgres://postgres:postgres@127.0.0.1:5432/postgres

With `limits` as the fourth argument the server runs with the shipped rate-limit defaults
(`[rate_limit]` of config/default.toml, shared on PostgreSQL) instead of with limits off: the
generated requests then meet 429 answers, which the spec must document like any other.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def id_number(body17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights)) % 11]
    return body17 + check


def call(base, method, path, body=None, token=None, headers=None):
    h = {"content-type": "application/json", **(headers or {})}
    if token:
        h["authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, headers=h, method=method)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def party(n, male):
    return {"id_number": id_number(f"3205081990{n:02d}15{'017' if male else '026'}"),
            "name": "王强" if male else "李娜", "hukou_division_code": "320508"}


def seed(binary, env, base, token, tmp):
    """A booking, a checked-in walk-in and a registered one: identifiers for the operations
    that need existing resources, so the generated requests reach past 404."""
    rows = ["id_number,name,sex,birth_date,hukou_division_code,marital_status"]
    for n in range(1, 4):
        for male in (True, False):
            p = party(n, male)
            rows.append(f"{p['id_number']},{p['name']},{'male' if male else 'female'},1990-{n:02d}-15,320508,unmarried")
    csv_path = os.path.join(tmp, "residents.csv")
    open(csv_path, "w").write("\n".join(rows) + "\n")
    as_of = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
    subprocess.run([binary, "household", "import", csv_path, "--as-of", as_of], env=env, check=True, capture_output=True)
    slots = call(base, "GET", "/v1/offices/sz-gusu/slots")["slots"]
    booked = call(base, "POST", "/v1/appointments", {
        "office_id": "sz-gusu", "slot_id": slots[-1]["id"], "parties": [party(1, True), party(1, False)],
        "contact": {"emails": ["he@example.com", "she@example.com"], "phone": "138 0000 0000"}})
    walk = lambda n: call(base, "POST", "/v1/registrar/offices/sz-gusu/walk-ins",
                          {"parties": [party(n, True), party(n, False)]}, token)["reference"]
    open_ref, done_ref = walk(2), walk(3)
    call(base, "POST", f"/v1/registrar/applications/{done_ref}/household-checks", {}, token)
    for p in (0, 1):
        call(base, "POST", f"/v1/registrar/applications/{done_ref}/declarations",
             {"party": p, "no_spouse": True, "no_prohibited_kinship": True, "voluntary": True}, token)
    number = call(base, "POST", f"/v1/registrar/applications/{done_ref}/registration",
                  {"both_parties_present": True}, token)["certificate_number"]
    config = f"""
[parameters]
"office_id" = "sz-gusu"

[[operations]]
include-path-regex = "^/v1/appointments/"
parameters = {{ "reference" = "{booked['reference']}", "X-Manage-Token" = "{booked['manage_token']}" }}

[[operations]]
include-path-regex = "^/v1/registrar/applications/"
parameters = {{ "reference" = "{open_ref}" }}

[[operations]]
include-path-regex = "^/v1/registrar/certificates/"
parameters = {{ "number" = "{number}" }}
"""
    path = os.path.join(tmp, "schemathesis.toml")
    open(path, "w").write(config)
    return path


def main():
    binary, engine = sys.argv[1], sys.argv[2]
    examples = sys.argv[3] if len(sys.argv) > 3 else "25"
    limits = len(sys.argv) > 4 and sys.argv[4] == "limits"
    tmp = tempfile.mkdtemp(prefix="hunyin-conformance-")
    db_name = None
    if engine == "sqlite":
        url = f"sqlite://{tmp}/conformance.db"
    else:
        db_name = f"hunyin_conformance_{os.getpid()}"
        subprocess.run(["psql", "-q", engine, "-c", f"CREATE DATABASE {db_name}"], check=True)
        url = engine.rsplit("/", 1)[0] + "/" + db_name
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "APP__DATABASE__URL": url,
        "APP__SERVER__PORT": str(port),
        "APP__MAIL__FILE_DIR": os.path.join(tmp, "mail"),
        "APP__RATE_LIMIT__ENABLED": "true" if limits else "false",
        "APP__LOG__FILTER": "warn",
        "APP__LOG__FORMAT": "json",
    }
    server = None
    try:
        subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
        add = subprocess.run(
            [binary, "staff", "add", "--office", "sz-gusu", "--role", "supervisor",
             "--username", "conformance", "--name", "契约测试"],
            env=env, input="conformance-password\n", text=True, capture_output=True,
        )
        if add.returncode != 0:
            sys.exit(add.stderr)
        log = open(os.path.join(tmp, "server.log"), "w")
        server = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.05)
        req = urllib.request.Request(
            base + "/v1/registrar/sessions",
            data=json.dumps({"username": "conformance", "password": "conformance-password"}).encode(),
            headers={"content-type": "application/json"},
        )
        token = json.load(urllib.request.urlopen(req))["token"]
        config = seed(binary, env, base, token, tmp)
        started = time.time()
        cmd = [
            "schemathesis", "--config-file", config, "run", os.path.join(ROOT, "openapi.yaml"),
            "--url", base,
            "-H", f"Authorization: Bearer {token}",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                        "response_headers_conformance,response_schema_conformance",
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", examples,
            # One worker: with two, CPython 3.11's ast.parse, which hypothesis calls from each
            # worker thread to describe a filter, raced and crashed schemathesis itself once
            # ("SystemError: AST constructor recursion depth mismatch"), a tool error, not ours.
            "--workers", "1",
            "--seed", "20260520",
            "--suppress-health-check", "all",
            # Signing out would end the token the rest of the run uses.
            "--exclude-operation-id", "signOut",
            "--request-timeout", "10",
        ]
        run = subprocess.run(cmd, env=dict(os.environ, SCHEMATHESIS_HOOKS=""), text=True, capture_output=True)
        out = run.stdout + run.stderr
        print(out[-6000:])
        cases = re.findall(r"(\d+) generated", out)
        print(f"engine {engine.split(':')[0]}, rate limits {'on' if limits else 'off'}: "
              f"schemathesis exit {run.returncode}, "
              f"test cases {cases[-1] if cases else '?'}, {time.time() - started:.0f} s")
        # Errors of the service itself (the HTTP library also logs malformed requests, which it
        # answers with 400, at error level: those are the generator's doing).
        server_errors = []
        for line in open(os.path.join(tmp, "server.log")):
            try:
                entry = json.loads(line)
            except ValueError:
                server_errors.append(line)
                continue
            if entry.get("level") == "ERROR" and entry.get("target", "").startswith("hunyin"):
                server_errors.append(line)
        if server_errors:
            print("server logged errors:\n" + "".join(server_errors[:20]))
        sys.exit(run.returncode or (1 if server_errors else 0))
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
        if db_name:
            subprocess.run(["psql", "-q", engine, "-c", f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"])


if __name__ == "__main__":
    main()
