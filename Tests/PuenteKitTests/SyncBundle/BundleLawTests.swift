import Foundation
import PropertyBased
import PuenteKit
import PuenteTestSupport
import Testing

@Suite(.timeLimit(.minutes(20))) struct BundleLawTests {
    /// Random histories cut into bundles — each author's own, and relays that forward other
    /// chains — delivered in random partitions, orders and duplications, converge to one digest.
    @Test func randomPartitionsOfHistoriesIntoBundlesConverge() async throws {
        await propertyCheck(count: 100, input: Gen.int(in: 0...Int.max)) { seed in
            do {
                let history = try History(seed: UInt64(seed), steps: 16)
                var rng = SplitMix(state: UInt64(seed) ^ 0xb0b)
                let folder = history.group.folder
                // Each author exports its own chain; then one replica imports them and relays all.
                var files = [[UInt8]]()
                for (index, replica) in history.group.replicas.enumerated() {
                    let path = folder.sub("own-\(index).puente")
                    _ = try replica.exportBundle(to: path, full: Bool.random(using: &rng))
                    files.append(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
                }
                let relay = history.group.replicas.randomElement(using: &rng) ?? history.group.replicas[0]
                for file in files.shuffled(using: &rng) { _ = try relay.importBundle(bytes: file) }
                let relayPath = folder.sub("relay.puente")
                _ = try relay.exportBundle(to: relayPath, full: true)
                let relayed = Array(try Data(contentsOf: URL(fileURLWithPath: relayPath)))

                try history.group.syncAll()
                let expected = try history.group.replicas[0].digest().state

                // One observer gets the direct bundles in random batches, with duplicates;
                // another gets only the relay; a third gets a mix.
                let direct = try ReplicaGroup.observer(trusting: history.group, in: folder, name: "direct")
                var deliveries = files.shuffled(using: &rng)
                deliveries += deliveries.prefix(Int.random(in: 0...deliveries.count, using: &rng))
                for file in deliveries { _ = try direct.importBundle(bytes: file) }
                #expect(try direct.digest().state == expected, "seed \(seed)")

                let viaRelay = try ReplicaGroup.observer(trusting: history.group, in: folder, name: "relay")
                _ = try viaRelay.importBundle(bytes: relayed)
                #expect(try viaRelay.digest().state == expected, "seed \(seed)")

                let mixed = try ReplicaGroup.observer(trusting: history.group, in: folder, name: "mixed")
                var mix = Array(files.shuffled(using: &rng).prefix(Int.random(in: 0...files.count, using: &rng)))
                mix.insert(relayed, at: Int.random(in: 0...mix.count, using: &rng))
                for file in mix { _ = try mixed.importBundle(bytes: file) }
                #expect(try mixed.digest().state == expected, "seed \(seed)")
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }
}
