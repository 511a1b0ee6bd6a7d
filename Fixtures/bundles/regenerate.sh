#!/usr/bin/env bash
# Regenerates the bundle fixtures: a valid bundle, hostile ones, the identity cards that
# sign them and expected.json. New keys each time, so every file changes; commit them all.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product PuenteFixtures
rm -f Fixtures/bundles/*.puente Fixtures/bundles/*.card Fixtures/bundles/expected.json
"$(swift build --show-bin-path)/PuenteFixtures" Fixtures/bundles
