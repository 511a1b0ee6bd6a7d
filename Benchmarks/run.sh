#!/usr/bin/env bash
# Every figure of docs/performance.md, in one run on this machine:
#   1. Puente's benchmark (Benchmarks/, ordo-one/benchmark) on the shared workload, phase by phase;
#   2. the same import and the read commands through the release `puente` binary
#      (wall time and peak memory from /usr/bin/time);
#   3. the peer engines (Loro, Yrs) on the same workload, from ../shared/bench;
#   4. this machine's limits: Ed25519 and SHA-256 from `openssl speed`, SQLite inserts;
#   5. what an outsider's 2 GiB-inflating bundle costs (Benchmarks/outsider.sh).
#
#   Benchmarks/run.sh [N…]          default: 10000 100000
#
# Results go to bench-results/ (ignored by git): summary.md is the docs/performance.md table.
# PUENTE_SHARED names the shared folder (default ../shared); PUENTE_BENCH_PEERS=0 skips the peers.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
shared=${PUENTE_SHARED:-$root/../shared}
out=${PUENTE_BENCH_OUT:-$root/bench-results}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
mkdir -p "$out"
[ -f "$shared/bench/dump_workload.py" ] || { echo "The shared bench folder is missing: set PUENTE_SHARED" >&2; exit 1; }

# The release binary as `make release` builds it.
swift build -c release --static-swift-stdlib --product puente >&2
puente=$root/.build/release/puente

# Wall seconds (to the microsecond: /usr/bin/time rounds to 10 ms) and peak resident KiB of
# one command, appended to $out/cli.jsonl.
timed() {
    local label=$1 n=$2; shift 2
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f '%e %M' -o "$out/.time" "$@" > /dev/null
    end=$(date +%s%N)
    read -r _ kib < "$out/.time"
    seconds=$(( (end - start) / 1000 ))
    printf '{"n":%s,"step":"%s","seconds":%d.%06d,"peak_kib":%s}\n' "$n" "$label" $((seconds / 1000000)) $((seconds % 1000000)) "$kib" \
        >> "$out/cli.jsonl"
}

rm -f "$out/cli.jsonl" "$out/store.jsonl" "$out/deflate.jsonl"
for n in "${sizes[@]}"; do
    workload=$out/workload-$n
    [ -f "$workload/ops_b.jsonl" ] || python3 "$shared/bench/dump_workload.py" --n "$n" --out "$workload" >&2
    dir=$out/puente-$n
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd Benchmarks && PUENTE_WORKLOAD="$workload" PUENTE_BENCH_DIR="$dir" \
        swift package -c release --allow-writing-to-directory "$dir" benchmark --target PuenteSync) | tee "$out/benchmark-$n.txt"

    # The same import through the binary, on a copy of B as it was before the merge.
    rm -rf "$dir/b-cli"
    cp -r "$dir/b-before-merge" "$dir/b-cli"
    timed import "$n" "$puente" --store "$dir/b-cli" sync import "$dir/a-to-b.puente"
    # The store's size per stored operation, its WAL checkpointed into the file.
    python3 - "$dir/b-cli/store.sqlite" "$n" >> "$out/store.jsonl" <<'EOF'
import json, os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
operations = db.execute("SELECT count(*) FROM operation").fetchone()[0]
db.close()
print(json.dumps({"n": int(sys.argv[2]), "bytes": os.path.getsize(sys.argv[1]), "operations": operations}))
EOF
    # What deflating the A→B bundle's ops.jsonl alone takes on one core (zlib level 6, memory
    # level 8, as the export writes it): the export's floor. Median of three.
    unzip -p "$dir/a-to-b.puente" ops.jsonl > "$dir/a-to-b-ops.jsonl"
    python3 - "$dir/a-to-b-ops.jsonl" "$n" >> "$out/deflate.jsonl" <<'EOF'
import json, statistics, sys, time, zlib
data = open(sys.argv[1], "rb").read()
runs = []
for _ in range(3):
    start = time.perf_counter()
    stream = zlib.compressobj(6, zlib.DEFLATED, -15, 8)
    size = len(stream.compress(data)) + len(stream.flush())
    runs.append(time.perf_counter() - start)
print(json.dumps({"n": int(sys.argv[2]), "seconds": statistics.median(runs), "input": len(data), "output": size}))
EOF
    timed export "$n" "$puente" --store "$dir/b-cli" sync export --full --to "$dir/b-cli-full.puente"
    # Read commands on the merged store, each three times (docs/performance.md keeps the median).
    id=$("$puente" --store "$dir/b-cli" list --limit 1 --json | python3 -c 'import sys,json; d=json.load(sys.stdin); print((d[0] if isinstance(d,list) else d["commitments"][0])["id"])')
    for run in 1 2 3; do
        timed list "$n" "$puente" --store "$dir/b-cli" list
        timed list-all "$n" "$puente" --store "$dir/b-cli" list --all
        timed show "$n" "$puente" --store "$dir/b-cli" show "$id"
        timed review "$n" "$puente" --store "$dir/b-cli" review
        timed review-since "$n" "$puente" --store "$dir/b-cli" review --since last-import
        timed digest "$n" "$puente" --store "$dir/b-cli" digest
        timed log "$n" "$puente" --store "$dir/b-cli" log
        timed review-json "$n" "$puente" --store "$dir/b-cli" --json review --since last-import
        timed list-json "$n" "$puente" --store "$dir/b-cli" --json list
        timed report-csv "$n" "$puente" --store "$dir/b-cli" report --format csv
    done
    # The weekly case on the large store: the other desk's few edits, in a bundle of their own.
    "$puente" --store "$dir/b-cli" sync export --to "$dir/b-cli-to-a.puente" > /dev/null
    "$puente" --store "$dir/a" sync import "$dir/b-cli-to-a.puente" > /dev/null
    for edited in $("$puente" --store "$dir/a" --json list --limit 3 | python3 -c 'import sys,json; print(" ".join(c["id"] for c in json.load(sys.stdin)))'); do
        "$puente" --store "$dir/a" set "$edited" status stalled > /dev/null
    done
    "$puente" --store "$dir/a" sync export --to "$dir/a-week.puente" > /dev/null
    timed import-week "$n" "$puente" --store "$dir/b-cli" sync import "$dir/a-week.puente"
done

# What an outsider's 2 GiB-inflating bundle costs (untrusted, and from a trusted desk).
Benchmarks/outsider.sh "$puente" | tee "$out/outsider.txt"

if [ "${PUENTE_BENCH_PEERS:-1}" != 0 ]; then
    py=$("$shared/bench/setup.sh")
    rm -f "$out/crdt.jsonl"; "$py" "$shared/bench/crdt_bench.py" --n "${sizes[@]}" --out "$out/crdt.jsonl" | tee "$out/peers.txt"
fi

# This machine's limits.
openssl speed -seconds 2 ed25519 sha256 2> /dev/null > "$out/openssl.txt" || true
python3 - "$out/sqlite.txt" <<'EOF'
import os, random, sqlite3, sys, tempfile, time, uuid

def rows_per_second(schema, rows, pragmas=()):
    """Inserts `rows` into table t of a fresh WAL database made by `schema`, in one transaction."""
    path = tempfile.mktemp(suffix=".sqlite")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    for pragma in pragmas:
        db.execute(pragma)
    for statement in schema:
        db.execute(statement)
    start = time.perf_counter()
    db.executemany("INSERT INTO t VALUES (%s)" % ", ".join("?" * len(rows[0])), rows)
    db.commit()
    elapsed = time.perf_counter() - start
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return elapsed, len(rows) / elapsed

elapsed, rate = rows_per_second(
    ["CREATE TABLE t (a TEXT NOT NULL, b INTEGER NOT NULL, c BLOB NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID"],
    [("%064x" % (i % 10), i, os.urandom(160)) for i in range(1_000_000)])
report = ("sqlite %s: 1,000,000 rows (64-char key, integer, 160-byte blob) in %.2f s = %d rows/s\n"
          % (sqlite3.sqlite_version, elapsed, rate))
# The operation log alone, shaped as Puente stores it and nothing else: an author's 64-character
# id and seq as the key, an entity id among 100,000, 330 random bytes as the canonical operation,
# an index on the entity (without it no entity's history can be read back), the same 64 MiB page
# cache, one transaction. No parsing, hashing, checking or materialized state: a ceiling for
# any import that keeps one row per operation.
random.seed(7)
entities = ["commitment/%s" % uuid.UUID(int=random.getrandbits(128)) for _ in range(100_000)]
author = "%064x" % random.getrandbits(256)
elapsed, rate = rows_per_second(
    ["CREATE TABLE t (replica TEXT NOT NULL, seq INTEGER NOT NULL, entity TEXT NOT NULL, bytes BLOB NOT NULL, "
     "PRIMARY KEY (replica, seq)) WITHOUT ROWID", "CREATE INDEX t_by_entity ON t(entity)"],
    [(author, i + 1, random.choice(entities), os.urandom(330)) for i in range(1_000_000)],
    pragmas=["PRAGMA cache_size=-65536"])
report += ("op log alone: 1,000,000 operation rows (330 bytes each, indexed by entity among 100,000) in %.2f s = %d rows/s\n"
           % (elapsed, rate))
open(sys.argv[1], "w").write(report)
EOF
python3 Benchmarks/summary.py "$out" "${sizes[@]}" | tee "$out/summary.md"
