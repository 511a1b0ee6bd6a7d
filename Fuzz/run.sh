#!/usr/bin/env bash
# Builds the libFuzzer harnesses in Fuzz/ against PuenteKit (instrumented for coverage and
# AddressSanitizer) and runs each for a bounded time on a seed corpus from Fixtures/.
#
#   Fuzz/run.sh [SECONDS_PER_TARGET] [TARGET…]      default: 600 s, every target
#
# A SwiftPM executable cannot be built with -sanitize=fuzzer (its own main clashes with
# libFuzzer's), so SwiftPM builds only the PuenteKit target with the sanitizers, and swiftc
# links each harness against those objects. Crashes, hangs (-timeout) and out-of-memory
# inputs are written to Fuzz/findings/; fix them and move each to Fuzz/regressions/TARGET/,
# which the test suite replays on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(bundle manifest trustDocument operation importFile envelope)
scratch=${PUENTE_FUZZ_BUILD:-.build-fuzz}

swift build -c release --scratch-path "$scratch" --target PuenteKit -Xswiftc -sanitize=fuzzer,address >&2
bin="$scratch/release"
checkouts="$scratch/checkouts"
objects=$(find "$bin/GRDB.build" "$bin/PuenteCrypto.build" "$bin/PuenteKit.build" -name '*.o')
mkdir -p Fuzz/findings "$scratch/corpus"

# Seed corpora, from the fixtures.
seed() {
    local target=$1 dir="$scratch/corpus/$1"
    rm -rf "$dir"; mkdir -p "$dir"
    case $target in
        bundle) for f in Fixtures/bundles/*.puente; do [ "$(stat -c %s "$f")" -lt 1048576 ] && cp "$f" "$dir/"; done ;;
        manifest) for f in Fixtures/bundles/*.puente; do unzip -p "$f" manifest.json > "$dir/$(basename "$f" .puente).json" 2>/dev/null || true; done ;;
        trustDocument) cp Fixtures/bundles/*.card "$dir/"
                       for f in Fixtures/bundles/forged-certificate.puente Fixtures/bundles/half-signed-rotation.puente; do
                           unzip -p "$f" manifest.json | python3 -c 'import sys,json,base64
m=json.load(sys.stdin)
for k in ("certificates","rotations","cards"):
    for i,d in enumerate(m[k]): open(sys.argv[1]+"/"+k+str(i),"wb").write(base64.b64decode(d))' "$dir"
                       done ;;
        operation) unzip -p Fixtures/bundles/valid.puente ops.jsonl | split -l 1 - "$dir/op-" ;;
        importFile) cp Fixtures/bicentennial.json "$dir/" ;;
        # Bundles sealed by stock age to the identity the harness holds (the age specification's
        # example), and the hostile envelopes of the fixtures.
        envelope) for f in Fixtures/bundles/valid.puente Fixtures/bundles/broken-chain.puente; do
                      age -r age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj -o "$dir/$(basename "$f").age" "$f"
                  done
                  head -c 70000 /dev/zero | age -r age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj -o "$dir/two-chunks.age"
                  cp Fixtures/envelopes/*.age "$dir/" 2>/dev/null || true ;;
    esac
    if [ -d "Fuzz/regressions/$target" ]; then cp Fuzz/regressions/"$target"/* "$dir/" 2>/dev/null || true; fi
}

for target in "${targets[@]}"; do
    swiftc -O -sanitize=fuzzer,address -parse-as-library "Fuzz/$target.swift" -I "$bin/Modules" \
        -Xcc -fmodule-map-file=Sources/CLibcrypto/module.modulemap \
        -Xcc -fmodule-map-file=Sources/CPuenteZlib/module.modulemap \
        -Xcc -fmodule-map-file="$checkouts/GRDB.swift/Sources/GRDBSQLite/module.modulemap" \
        $objects -lsqlite3 -lcrypto -lz -o "$bin/fuzz-$target" 2> >(grep -v 'warning' >&2 || true)
    seed "$target"
    echo "== $target: ${seconds}s" >&2
    "$bin/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 \
        -artifact_prefix="Fuzz/findings/$target-" -print_final_stats=1 "$scratch/corpus/$target" 2>&1 \
        | grep -E '^(Done|stat::|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)' || true
done
