#!/usr/bin/env bash
# What an outsider's file costs (docs/design.md, note 54), with the release binary:
#   1. an untrusted exporter's real signed bundle whose ops.jsonl is replaced by a deflate
#      stream of 2 GiB less 1 MiB of newlines (about 2 MB on disk);
#   2. the same stream in a trusted exporter's bundle.
# Both must be refused (exit 65) at once, not after inflating gigabytes.
#
#   Benchmarks/outsider.sh [PUENTE_BINARY]      default: .build/release/puente
set -euo pipefail
cd "$(dirname "$0")/.."
puente=${1:-.build/release/puente}
[ -x "$puente" ] || swift build -c release --static-swift-stdlib --product puente >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$puente" --store "$work/victim" init --delegation us --name Victim > /dev/null
"$puente" --store "$work/stranger" init --delegation us --name Stranger > /dev/null
"$puente" --store "$work/desk" init --delegation us --name Desk > /dev/null
"$puente" --store "$work/desk" keys export --to "$work/desk.card" > /dev/null 2>&1
fingerprint=$("$puente" --store "$work/desk" --json keys show | python3 -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])')
"$puente" --store "$work/victim" keys trust "$work/desk.card" --fingerprint "$fingerprint" > /dev/null
for store in stranger desk; do
    "$puente" --store "$work/$store" add --pillar prevent --title-en "Trace seized firearms" > /dev/null
    "$puente" --store "$work/$store" sync export --full --to "$work/$store.puente" > /dev/null
done
# ops.jsonl replaced: the manifest and its signature stay as the exporter wrote them.
python3 - "$work" <<'PY'
# The ZIP written byte by byte as Puente's strict reader wants it (as ZipBuilder does in the tests).
import struct, sys, zipfile, zlib
work = sys.argv[1]
size = (2 << 30) - (1 << 20)

def deflated_newlines():
    compressor, crc, parts = zlib.compressobj(6, zlib.DEFLATED, -15), 0, []
    chunk = b"\n" * (1 << 20)
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return b"".join(parts), crc

def build(entries):
    out, central = b"", b""
    for name, data, method, crc, length in entries:
        common = struct.pack("<HHHHHIIIHH", 20, 0x800, method, 0, 0x21, crc, len(data), length, len(name), 0)
        offset = len(out)
        out += struct.pack("<I", 0x04034B50) + common + name + data
        central += struct.pack("<IH", 0x02014B50, 0x031E) + common + struct.pack("<HHHII", 0, 0, 0, 0o100644 << 16, offset) + name
    return out + central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0)

ops, crc = deflated_newlines()
for name in ("stranger", "desk"):
    source = zipfile.ZipFile(f"{work}/{name}.puente")
    stored = [(entry.encode(), source.read(entry), 0, zlib.crc32(source.read(entry)), len(source.read(entry)))
              for entry in ("manifest.json", "manifest.sig")]
    open(f"{work}/{name}-2gib.puente", "wb").write(build(stored + [(b"ops.jsonl", ops, 8, crc, size)]))
PY
for name in stranger desk; do
    bytes=$(stat -c %s "$work/$name-2gib.puente")
    start=$(date +%s%N)
    set +e
    "$puente" --store "$work/victim" sync import "$work/$name-2gib.puente" > /dev/null 2> "$work/err"
    status=$?
    set -e
    end=$(date +%s%N)
    printf '%s exporter, %s bytes inflating to 2 GiB: exit %s in %d ms (%s)\n' \
        "$([ "$name" = stranger ] && echo untrusted || echo trusted)" "$bytes" "$status" $(( (end - start) / 1000000 )) \
        "$(tr -d '\n' < "$work/err")"
done
