#!/usr/bin/env python3
"""The docs/performance.md table from one Benchmarks/run.sh run.

  python3 Benchmarks/summary.py bench-results 10000 100000
"""
import json
import os
import platform
import re
import statistics
import sys


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    out, sizes = sys.argv[1], [int(n) for n in sys.argv[2:]]
    cli = lines(os.path.join(out, "cli.jsonl"))
    stores = {r["n"]: r for r in lines(os.path.join(out, "store.jsonl"))}
    deflates = {r["n"]: r for r in lines(os.path.join(out, "deflate.jsonl"))}
    peers = lines(os.path.join(out, "crdt.jsonl"))
    rows = []
    for n in sizes:
        phases = {r["phase"]: r for r in lines(os.path.join(out, "puente-%d" % n, "results.jsonl"))}
        steps = {}
        for r in cli:
            if r["n"] == n:
                steps.setdefault(r["step"], []).append(r)
        peer = {p["peer"]: p for p in peers if p["n"] == n}

        def rate(phase):
            r = phases.get(phase)
            return r["operations"] / r["seconds"] if r and r["seconds"] > 0 else None

        def ms(step):
            runs = steps.get(step)
            return statistics.median(r["seconds"] for r in runs) * 1000 if runs else None

        def mib(step):
            runs = steps.get(step)
            return statistics.median(r["peak_kib"] for r in runs) / 1024 if runs else None

        def peer_rate(p):
            return p["edits_A"] / p["times_s"]["import_B<-A"] if p["times_s"].get("import_B<-A") else None

        def peer_bytes(p):
            return p["bytes"]["A->B_zlib6"] / p["edits_A"]

        export = phases.get("exportA")
        bytes_op = export["bytes"] / export["operations"] if export and export.get("bytes") and export["operations"] else None
        imp = steps.get("import", [{}])[0]
        loro = peer.get("loro")
        import_rate = rate("importB")
        import_ratio = import_rate / peer_rate(loro) if loro and import_rate and peer_rate(loro) else None
        bytes_ratio = bytes_op / peer_bytes(loro) if loro and bytes_op else None
        deflate = deflates.get(n)
        export_ratio = export["seconds"] / deflate["seconds"] if export and deflate and deflate["seconds"] > 0 else None
        store = stores.get(n)
        store_bytes = store["bytes"] / store["operations"] if store and store["operations"] else None
        rows.append((n, [
            ("local edits (A), operations/s", rate("editA"), None, None, ">"),
            ("export A→B, operations/s", rate("exportA"), None, None, ">"),
            ("export A→B, seconds (library)", export["seconds"] if export else None, None, None, "<"),
            ("deflating its `ops.jsonl` alone (zlib level 6, one core), seconds", deflate["seconds"] if deflate else None,
             None, None, "<"),
            ("export time / deflate alone", export_ratio, None, 1.25, "<"),
            ("bundle bytes/operation (A→B)", bytes_op, "bytes", None, "<"),
            ("bundle bytes/operation, Puente / Loro", bytes_ratio, None, 2.0, "<"),
            ("import at B, operations/s (library)", import_rate, "merge", None, ">"),
            ("import at B, Puente / Loro", import_ratio, None, 1.0 if n >= 100_000 else 0.5, ">"),
            ("store bytes per stored operation (B after the import, WAL checkpointed)", store_bytes, None,
             200 if n >= 100_000 else None, "<"),
            ("import at B, seconds (`puente sync import`)", imp.get("seconds"), None, None, "<"),
            ("import peak memory, MiB (`puente sync import`)", imp["peak_kib"] / 1024 if imp.get("peak_kib") else None,
             None, 200, "<"),
            ("import of a week's bundle (3 operations) on the merged store, ms", ms("import-week"), None, None, "<"),
            ("`list` (the first page of 100, and the count), ms", ms("list"), None, 50, "<"),
            ("`list --all` (every commitment printed), ms", ms("list-all"), None, None, "<"),
            ("`show` (one commitment), ms", ms("show"), None, 15, "<"),
            ("`review`, ms", ms("review"), None, 50, "<"),
            ("`review --since last-import` (after the import above), ms", ms("review-since"), None, None, "<"),
            ("`digest`, ms", ms("digest"), None, None, "<"),
            ("`log` (the latest 50 operations), ms", ms("log"), None, None, "<"),
            ("`--json review --since last-import` (every list whole), ms", ms("review-json"), None, None, "<"),
            ("`--json review --since last-import`, peak MiB", mib("review-json"), None, None, "<"),
            ("`--json list` (every commitment), ms", ms("list-json"), None, None, "<"),
            ("`--json list`, peak MiB", mib("list-json"), None, None, "<"),
            ("`report --format csv` (the whole record), ms", ms("report-csv"), None, None, "<"),
            ("`report --format csv`, peak MiB", mib("report-csv"), None, None, "<"),
        ], peer, peer_rate, peer_bytes))

    print("Machine: %s, %d cores, %s. Shared and noisy: figures move by ±30%%.\n"
          % (platform.platform(), os.cpu_count() or 0, platform.python_version() and "Python " + platform.python_version()))
    for n, metrics, peer, peer_rate, peer_bytes in rows:
        print("### N = %s commitments (%s edits on A)\n" % (format(n, ","), format(n * 10, ",")))
        print("| measure | Puente | target | met | Loro | Yrs | Puente / Loro | Puente / Yrs |")
        print("|---|---|---|---|---|---|---|---|")
        for name, value, kind, target, better in metrics:
            cells = [fmt(value), fmt(target) if target else "", met(value, target, better)]
            for p in ("loro", "yrs"):
                pv = None
                if p in peer and kind == "merge":
                    pv = peer_rate(peer[p])
                elif p in peer and kind == "bytes":
                    pv = peer_bytes(peer[p])
                cells.append(fmt(pv) if pv else "")
            for p in ("loro", "yrs"):
                pv = None
                if p in peer and kind == "merge":
                    pv = peer_rate(peer[p])
                elif p in peer and kind == "bytes":
                    pv = peer_bytes(peer[p])
                cells.append("%.2f" % (value / pv) if pv and value else "")
            print("| %s | %s |" % (name, " | ".join(cells)))
        print()
    limits(out, rows)


def fmt(value):
    if value is None:
        return "—"
    if value >= 100:
        return format(int(round(value)), ",")
    if value < 10:
        return "%.2f" % value
    return "%.1f" % value


def met(value, target, better):
    if value is None or target is None:
        return ""
    return "yes" if (value >= target if better == ">" else value <= target) else "**no**"


def limits(out, rows):
    print("Machine limits, same run:\n")
    sqlite_rate = sha_rate = log_rate = None
    path = os.path.join(out, "openssl.txt")
    if os.path.exists(path):
        text = open(path).read()
        m = re.search(r"EdDSA \(Ed25519\)\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)", text)
        if m:
            print("- Ed25519 (OpenSSL, one core): %s signs/s, %s verifies/s" % (fmt(float(m.group(1))), fmt(float(m.group(2)))))
        m = re.search(r"^sha256\s+(.*)$", text, re.M)
        if m:
            sha_rate = float(m.group(1).split()[-1].rstrip("k")) * 1000
            print("- SHA-256 (OpenSSL, one core, 16 KiB blocks): %s MB/s" % fmt(sha_rate / 1e6))
    path = os.path.join(out, "sqlite.txt")
    if os.path.exists(path):
        text = open(path).read().strip()
        for line in text.splitlines():
            print("- " + line)
        m = re.search(r"^sqlite .*= (\d+) rows/s", text, re.M)
        sqlite_rate = float(m.group(1)) if m else None
        m = re.search(r"^op log alone: .*= (\d+) rows/s", text, re.M)
        log_rate = float(m.group(1)) if m else None
    # Import against those limits: one row per operation at least, and a SHA-256 of its ~330
    # canonical bytes (Ed25519 is one verification per author segment, not per operation).
    for n, metrics, *_ in rows:
        rate = next((value for name, value, *_ in metrics if name.startswith("import at B, operations/s")), None)
        if not rate:
            continue
        parts = []
        if sqlite_rate:
            parts.append("%.1f%% of the SQLite insert rate" % (100 * rate / sqlite_rate))
        if log_rate:
            parts.append("%.1f%% of the rate of writing the op log alone" % (100 * rate / log_rate))
        if sha_rate:
            parts.append("%.2f%% of SHA-256 throughput over 330-byte operations" % (100 * rate * 330 / sha_rate))
        if parts:
            print("- import at N = %s runs at %s" % (format(n, ","), ", ".join(parts)))


if __name__ == "__main__":
    main()
