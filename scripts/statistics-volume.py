#!/usr/bin/env python3
"""How long the pilot statistics take over one year of a busy region.

Fills a fresh database with N registrations spread over 2025-06-01 … 2026-05-31 at 100 offices
(each an appointment with two parties, 20 % of them cross-province, 1 % refusals, partner checks
for the cross-province ones), then times `hunyin statistics` over that year for each grouping,
against the same command over an empty day (process start, connection, migrations check: the
baseline of the same run). The fill writes the facts with SQL, so their days are logged for
the daily rollup like any write; the first report builds the rollup of every day that is over
(timed on its own line, "catch-up"), and the timed reports then add up days. Prints a table; no
figure is asserted anywhere.

  python3 scripts/statistics-volume.py target/release/hunyin sqlite 1000000
  python3 scripts/statistics-volume.py target/release/hunyin postgres://postgres:postgres@127.0.0.1:5432/postgres 1000000
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(binary, url, args):
    env = {"PATH": os.environ.get("PATH", ""), "APP__DATABASE__URL": url, "APP__LOG__FILTER": "warn"}
    out = subprocess.run([binary, *args], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)}: {out.stderr}")
    return out.stdout


def fill_sqlite(path, n):
    import sqlite3

    db = sqlite3.connect(path)
    db.executescript(
        f"""
        PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
        WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 99)
        INSERT INTO offices (id, name, division_code, address, phone, created_at)
        SELECT 'bench-' || i, 'bench office ' || i, '320508', '-', '-', '2025-01-01 00:00:00' FROM k;
        INSERT INTO staff (id, office_id, username, display_name, role, password_hash, created_at)
        VALUES (1, 'bench-0', 'bench', 'bench', 'registrar', 'x', '2025-01-01 00:00:00');
        WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n})
        INSERT INTO appointments (id, reference, manage_token_hash, office_id, slot_id, status,
                                  contact_email, sequence, created_at, updated_at)
        SELECT i, 'AP-B' || i, 'x', 'bench-' || (i % 100), NULL,
               CASE WHEN i % 100 = 0 THEN 'refused' ELSE 'registered' END, '', 0,
               datetime('2025-06-01', '+' || (i % 365) || ' days', '+' || (i % 36000) || ' seconds'),
               datetime('2025-06-01', '+' || (i % 365) || ' days', '+' || (i % 36000 + 3600) || ' seconds')
        FROM k;
        INSERT INTO appointment_parties (appointment_id, idx, id_number, name, hukou_division_code, active)
        SELECT id, 0, 'M' || id, '王强', '320508', 0 FROM appointments;
        INSERT INTO appointment_parties (appointment_id, idx, id_number, name, hukou_division_code, active)
        SELECT id, 1, 'F' || id, '李娜', CASE WHEN id % 5 = 0 THEN '410105' ELSE '320102' END, 0 FROM appointments;
        INSERT INTO registration_facts (appointment_id, office_id, registered_at, wait_seconds, basis, category, other_region)
        SELECT id, office_id, updated_at, 3600, 'hukou',
               CASE WHEN id % 5 = 0 THEN 'cross_province' ELSE 'local' END,
               CASE WHEN id % 5 = 0 THEN '41' END
        FROM appointments WHERE status = 'registered';
        INSERT INTO refusals (appointment_id, reason_code, note, refused_by, refused_at)
        SELECT id, 'under_age', '-', 1, updated_at FROM appointments WHERE status = 'refused';
        INSERT INTO household_checks (appointment_id, party_idx, source, outcome, checked_by, checked_at)
        SELECT id, 1, 'partner', CASE WHEN id % 50 = 0 THEN 'unavailable' ELSE 'passed' END, 1, created_at
        FROM appointments WHERE id % 5 = 0;
        ANALYZE;
        """
    )
    db.commit()
    db.close()


def fill_postgres(url, n):
    sql = f"""
        INSERT INTO offices (id, name, division_code, address, phone, created_at)
        SELECT 'bench-' || i, 'bench office ' || i, '320508', '-', '-', '2025-01-01' FROM generate_series(0, 99) i;
        INSERT INTO staff (id, office_id, username, display_name, role, password_hash, created_at)
        VALUES (1, 'bench-0', 'bench', 'bench', 'registrar', 'x', '2025-01-01');
        INSERT INTO appointments (id, reference, manage_token_hash, office_id, slot_id, status,
                                  contact_email, sequence, created_at, updated_at)
        SELECT i, 'AP-B' || i, 'x', 'bench-' || (i % 100), NULL,
               CASE WHEN i % 100 = 0 THEN 'refused' ELSE 'registered' END, '', 0,
               timestamptz '2025-06-01 00:00:00+00' + (i % 365) * interval '1 day' + (i % 36000) * interval '1 second',
               timestamptz '2025-06-01 00:00:00+00' + (i % 365) * interval '1 day' + (i % 36000 + 3600) * interval '1 second'
        FROM generate_series(1, {n}) i;
        SELECT setval(pg_get_serial_sequence('appointments', 'id'), {n});
        INSERT INTO appointment_parties (appointment_id, idx, id_number, name, hukou_division_code, active)
        SELECT id, 0, 'M' || id, '王强', '320508', false FROM appointments;
        INSERT INTO appointment_parties (appointment_id, idx, id_number, name, hukou_division_code, active)
        SELECT id, 1, 'F' || id, '李娜', CASE WHEN id % 5 = 0 THEN '410105' ELSE '320102' END, false FROM appointments;
        INSERT INTO registration_facts (appointment_id, office_id, registered_at, wait_seconds, basis, category, other_region)
        SELECT id, office_id, updated_at, 3600, 'hukou',
               CASE WHEN id % 5 = 0 THEN 'cross_province' ELSE 'local' END,
               CASE WHEN id % 5 = 0 THEN '41' END
        FROM appointments WHERE status = 'registered';
        INSERT INTO refusals (appointment_id, reason_code, note, refused_by, refused_at)
        SELECT id, 'under_age', '-', 1, updated_at FROM appointments WHERE status = 'refused';
        INSERT INTO household_checks (appointment_id, party_idx, source, outcome, checked_by, checked_at)
        SELECT id, 1, 'partner', CASE WHEN id % 50 = 0 THEN 'unavailable' ELSE 'passed' END, 1, created_at
        FROM appointments WHERE id % 5 = 0;
        ANALYZE;
    """
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url], input=sql, text=True, check=True)


def median_seconds(binary, url, args, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run(binary, url, args)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    binary, engine, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    repeat = 5
    tmp = tempfile.mkdtemp(prefix="hunyin-stats-")
    try:
        if engine == "sqlite":
            path = os.path.join(tmp, "stats.db")
            url = f"sqlite://{path}"
        else:
            admin = engine
            name = f"hunyin_stats_{os.getpid()}"
            subprocess.run(["psql", "-q", admin, "-c", f"CREATE DATABASE {name}"], check=True)
            url = admin.rsplit("/", 1)[0] + "/" + name
        run(binary, url, ["migrate"])
        t = time.perf_counter()
        fill_sqlite(path, n) if engine == "sqlite" else fill_postgres(url, n)
        fill = time.perf_counter() - t
        year = ["--from", "2025-06-01", "--to", "2026-05-31"]
        t = time.perf_counter()
        run(binary, url, ["statistics", "--from", "2024-01-01", "--to", "2024-01-01"])
        catch_up = time.perf_counter() - t
        base = median_seconds(binary, url, ["statistics", "--from", "2024-01-01", "--to", "2024-01-01"], repeat)
        print(f"engine {engine.split(':')[0]}, {n} registrations over one year, filled in {fill:.1f} s; "
              f"median of {repeat} runs of `hunyin statistics`")
        print(f"{'query':<34} {'seconds':>8} {'x baseline':>11}")
        print(f"{'catch-up: the rollup of 365 days':<34} {catch_up:8.3f} {catch_up / base:11.1f}")
        print(f"{'baseline: an empty day':<34} {base:8.3f} {1.0:11.1f}")
        for by in ["office", "day", "partner_region", "basis"]:
            t = median_seconds(binary, url, ["statistics", *year, "--group-by", by], repeat)
            print(f"{'one year, group_by=' + by:<34} {t:8.3f} {t / base:11.1f}")
        out = run(binary, url, ["statistics", *year, "--group-by", "basis"])
        line = next(l for l in out.splitlines() if l.startswith("登记 registrations"))
        print("check:", " ".join(line.split()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if engine != "sqlite":
            subprocess.run(["psql", "-q", engine, "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


if __name__ == "__main__":
    main()
