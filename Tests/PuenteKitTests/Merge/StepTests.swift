import Foundation
import PropertyBased
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// Taking one operation into an entity's state alone (`EntityMaterializer.step`) gives what
/// materializing the entity whole gives: the same status for it, the same statuses for the
/// others, and the same registers, sets and series once its effect is applied.
@Suite(.timeLimit(.minutes(20))) struct StepTests {
    /// `effect` applied to the parts of `state` it changes, as the store applies it to rows.
    static func applying(_ effect: EntityMaterializer.Effect, to state: EntityState, value: JSONValue)
        -> ([String: [RegisterValue]], [String: [SetElement]], [String: [SeriesEntry]]) {
        var registers = state.registers
        var sets = state.sets
        var series = state.series
        switch effect {
        case .none:
            break
        case let .register(field, new, supersedes):
            registers[field] = ((registers[field] ?? []).filter { !supersedes.contains($0.op) } + [new]).sorted { $0.op < $1.op }
        case let .add(field, key, add):
            var elements = sets[field] ?? []
            if let index = elements.firstIndex(where: { $0.key == key }) {
                let element = elements[index]
                elements[index] = SetElement(value: element.value, key: key, adds: (element.adds + [add]).sorted())
            } else {
                elements.append(SetElement(value: value, key: key, adds: [add]))
            }
            sets[field] = elements.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        case let .remove(field, key, adds):
            var elements = sets[field] ?? []
            if let index = elements.firstIndex(where: { $0.key == key }) {
                let element = elements[index]
                let left = element.adds.filter { !adds.contains($0) }
                if left.isEmpty { elements.remove(at: index) } else { elements[index] = SetElement(value: element.value, key: key, adds: left) }
            }
            sets[field] = elements.isEmpty ? nil : elements
        case let .append(field, entry):
            series[field] = ((series[field] ?? []) + [entry]).sorted { $0.op < $1.op }
        case let .retractEntries(field, entries):
            series[field] = series[field]?.map { entry in
                entries.contains(entry.op) ? SeriesEntry(op: entry.op, hlc: entry.hlc, value: entry.value, retracted: true) : entry
            }
        }
        return (registers, sets, series)
    }

    /// Over random histories, every operation that can be judged alone — of an accepted
    /// entity, not a create, referenced by no other operation — is judged as the whole
    /// materialization judges it, and the materialization without it plus its effect is the
    /// materialization with it.
    @Test func aStepEqualsMaterializingWhole() async throws {
        let total = Counter()
        let kinds = Tally()
        await propertyCheck(count: 150, input: Gen.int(in: 0...Int.max)) { seed in
            do {
                let history = try History(seed: UInt64(seed), steps: 24)
                let trusted = Dictionary(uniqueKeysWithValues: history.group.replicas.map { ($0.identity.replica, $0.identity.delegation) })
                let byEntity = Dictionary(grouping: history.operations.map(LoggedOperation.init), by: \.op.entity)
                // Parents as the store sees them once everything has arrived.
                var parents = [String: ParentContext]()
                for (entity, operations) in byEntity {
                    guard let ref = EntityRef(text: entity), ref.type == .commitment || ref.type == .dialogue else { continue }
                    let state = EntityMaterializer.materialize(entity: ref, operations: operations, parent: nil, trusted: trusted)
                    parents[entity] = ParentContext(accepted: state.isAccepted, owner: state.isAccepted ? state.owner : nil)
                }
                var judged = 0
                for (entity, operations) in byEntity {
                    guard let ref = EntityRef(text: entity) else { continue }
                    let parentID = operations.first { $0.op.kind == .create }.flatMap {
                        $0.op.value["commitment"]?.stringValue ?? $0.op.value["parent"]?.stringValue
                    }
                    let parent = parentID.flatMap { parents[$0] }
                    let whole = EntityMaterializer.materialize(entity: ref, operations: operations, parent: parent, trusted: trusted)
                    let referenced = Set(operations.flatMap { $0.op.refs.map(\.target) })
                    for logged in operations where logged.op.kind != .create && !referenced.contains(logged.op.id) {
                        let others = operations.filter { $0.op.id != logged.op.id }
                        let before = EntityMaterializer.materialize(entity: ref, operations: others, parent: parent, trusted: trusted)
                        guard before.isAccepted, before.danglingReferences == 0, let create = before.create else { continue }
                        let owner = ref.type == .indicator ? parent?.owner : before.owner
                        var targets = [OpID: (operation: EntityMaterializer.Referenced, accepted: Bool)]()
                        for target in others { targets[target.op.id] = (.init(target), before.statuses[target.op.id] == .accepted) }
                        let acceptedCreates = others.filter { $0.op.kind == .create && before.statuses[$0.op.id] == .accepted }.count
                        let step = EntityMaterializer.step(logged, on: .init(entity: ref, owner: owner, creator: create.op.replica,
                                                                             acceptedCreates: acceptedCreates),
                                                           targets: targets, trusted: trusted)
                        // The entity's own retraction, and a reference to a create of an imported
                        // record that holds several (a reference names its equal sibling creates
                        // too), take the whole path.
                        let namesARecordCreate = logged.op.refs.contains { ref in
                            others.contains { $0.op.id == ref.target && $0.op.isRecordCreate }
                        }
                        if (logged.op.kind == .retract && logged.op.field.isEmpty) || (namesARecordCreate && acceptedCreates > 1) {
                            #expect(step == nil, "seed \(seed)")
                            continue
                        }
                        if namesARecordCreate { kinds.add("names a record's only create") }
                        guard let step else {
                            Issue.record("seed \(seed): \(logged.op.id) could not be judged alone")
                            continue
                        }
                        judged += 1
                        kinds.add(logged.op.kind.rawValue + (step.status.isAccepted ? "" : " (not accepted)"))
                        #expect(step.status == whole.statuses[logged.op.id], "seed \(seed): \(logged.op.id)")
                        #expect(whole.statuses.filter { $0.key != logged.op.id } == before.statuses, "seed \(seed)")
                        let (registers, sets, series) = Self.applying(step.effect, to: before, value: logged.op.value)
                        #expect(registers == whole.registers, "seed \(seed): \(logged.op.id)")
                        #expect(sets == whole.sets, "seed \(seed): \(logged.op.id)")
                        #expect(series == whole.series, "seed \(seed): \(logged.op.id)")
                        #expect(whole.retracted == before.retracted, "seed \(seed)")
                    }
                }
                total.add(judged)
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
        // The histories give the step plenty to judge, of every kind, accepted and not.
        #expect(total.value > 150)
        for kind in ["set", "add", "remove", "append", "set (not accepted)", "names a record's only create"] {
            #expect(kinds.count(kind) > 0, "\(kind): \(kinds.all)")
        }
    }

    /// A reference to an operation that is not there, or with another hash, stops the step.
    @Test func aMissingOrMismatchedReferenceIsNotJudgedAlone() throws {
        let group = try ReplicaGroup([.us])
        let desk = group.replicas[0]
        let c = try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Operation Southbound", pillar: .prevent))
        try desk.set(c, field: "status", value: "agreed")
        try desk.set(c, field: "status", value: "in-progress")
        let ops = try desk.operations(of: desk.identity.replica).map(LoggedOperation.init)
        let (create, first, second) = (ops[0], ops[1], ops[2])
        #expect(second.op.refs.map(\.target) == [first.op.id])
        let trusted = [desk.identity.replica: Delegation.us]
        let entity = EntityMaterializer.AcceptedEntity(entity: try #require(EntityRef(text: c.text)), owner: .us, creator: desk.identity.replica)
        let present = EntityMaterializer.step(second, on: entity, targets: [first.op.id: (.init(first), true)], trusted: trusted)
        #expect(present?.status == .accepted)
        #expect(present?.effect == .register(field: "status", value: RegisterValue(op: second.op.id, hlc: second.op.hlc, value: "in-progress"),
                                             supersedes: [first.op.id]))
        #expect(EntityMaterializer.step(second, on: entity, targets: [:], trusted: trusted) == nil)
        let other = LoggedOperation(op: first.op, hash: String(repeating: "0", count: 64))
        #expect(EntityMaterializer.step(second, on: entity, targets: [first.op.id: (.init(other), true)], trusted: trusted) == nil)
        #expect(EntityMaterializer.step(create, on: entity, targets: [:], trusted: trusted) == nil)
    }

    /// A reading's retraction (rare in random histories) is stepped in a store, and judged as
    /// the whole materialization judges it.
    @Test func aRetractedReadingIsSteppedAsMaterializingWholeGives() throws {
        let group = try ReplicaGroup([.us])
        let desk = group.replicas[0]
        let c = try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Operation Southbound", pillar: .prevent))
        let i = try desk.addIndicator(to: c, IndicatorDraft(nameEN: "Weapons traced", kind: .output, direction: .increase))
        _ = try desk.recordReading(i, date: "2024-01-31", value: "40", source: nil)
        let reading = try desk.recordReading(i, date: "2024-02-29", value: "55", source: nil)
        let observer = try ReplicaGroup.observer(trusting: group, in: group.folder, name: "o")
        _ = try observer.receive(try desk.operations(of: desk.identity.replica))
        let retraction = try desk.retractReading(i, reading: reading)
        let ops = try desk.operations(of: desk.identity.replica)
        let report = try observer.receive(ops.filter { $0.id == retraction }, stepFrom: 0)
        #expect(report.stepped == 1)
        let rows = try observer.materializedRows()
        try observer.rebuild()
        #expect(try observer.materializedRows() == rows)
        // The review's row shows the reading that now stands latest.
        let indicatorRow = try #require(rows.first { $0.hasPrefix("\"indicator\"|") })
        #expect(indicatorRow.contains("\"40\"|\"2024-01-31\""), "\(indicatorRow)")

        let trusted = [desk.identity.replica: Delegation.us]
        let entity = try #require(EntityRef(text: i.text))
        let logged = ops.filter { $0.entity == i.text }.map(LoggedOperation.init)
        let parent = ParentContext(accepted: true, owner: .us)
        let whole = EntityMaterializer.materialize(entity: entity, operations: logged, parent: parent, trusted: trusted)
        let last = try #require(logged.last)
        let before = EntityMaterializer.materialize(entity: entity, operations: Array(logged.dropLast()), parent: parent, trusted: trusted)
        var targets = [OpID: (operation: EntityMaterializer.Referenced, accepted: Bool)]()
        for target in logged.dropLast() { targets[target.op.id] = (.init(target), before.statuses[target.op.id] == .accepted) }
        let step = try #require(EntityMaterializer.step(last, on: .init(entity: entity, owner: .us, creator: desk.identity.replica),
                                                        targets: targets, trusted: trusted))
        #expect(step.effect == .retractEntries(field: "readings", entries: [reading]))
        #expect(step.status == whole.statuses[last.op.id])
        #expect(Self.applying(step.effect, to: before, value: last.op.value).2 == whole.series)
    }

    /// An import steps every operation it can judge alone, whatever the length of its entity's
    /// history: an edit of a record made by hand and one of an imported record (whose only create
    /// it references) alike.
    @Test func everyOperationThatCanBeJudgedAloneIsStepped() throws {
        let group = try ReplicaGroup([.us])
        let desk = group.replicas[0]
        let long = try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Operation Southbound", pillar: .prevent))
        let short = try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Customs officer training academy", pillar: .prevent))
        _ = try desk.importFile(try ImportFile(bytes: Array(SampleImports.jointReading.utf8)))
        let record = try #require(try desk.entities(of: .commitment).map(\.entity).first { $0 != long && $0 != short })
        for index in 0..<64 {
            try desk.set(long, field: "status", value: index % 2 == 0 ? "in-progress" : "stalled")
        }
        try desk.set(short, field: "status", value: "agreed")
        let observer = try ReplicaGroup.observer(trusting: group, in: group.folder, name: "o")
        _ = try observer.receive(try desk.operations(of: desk.identity.replica))
        let seen = try desk.operations(of: desk.identity.replica).count
        try desk.set(long, field: "status", value: "fulfilled")
        try desk.set(short, field: "status", value: "in-progress")
        try desk.set(record, field: "status", value: "stalled")
        let report = try observer.receive(Array(try desk.operations(of: desk.identity.replica).dropFirst(seen)))
        #expect(report.appliedTotal == 3)
        #expect(report.stepped == 3)
        #expect(try observer.state(record).registers["status"]?.map(\.value) == ["stalled"])
        let rows = try observer.materializedRows()
        try observer.rebuild()
        #expect(try observer.materializedRows() == rows)
    }

    /// In a store, operations received in any order and batches are stepped where they can be,
    /// and the stored rows after every batch are the rows a rebuild derives.
    @Test func receivedInAnyOrderTheSteppedRowsAreTheRebuiltRows() async throws {
        let stepped = Counter()
        await propertyCheck(count: 120, input: Gen.int(in: 0...Int.max)) { seed in
            do {
                let history = try History(seed: UInt64(seed), steps: 24)
                var rng = SplitMix(state: UInt64(seed) ^ 0x57e9)
                let observer = try ReplicaGroup.observer(trusting: history.group, in: history.group.folder, name: "o")
                // Mostly in chain order (as bundles carry them), sometimes shuffled.
                var operations = history.operations
                if Bool.random(using: &rng) { operations.shuffle(using: &rng) }
                var index = 0
                while index < operations.count {
                    let size = Int.random(in: 1...max(1, operations.count / 4), using: &rng)
                    let report = try observer.receive(Array(operations[index..<min(operations.count, index + size)]), stepFrom: 0)
                    stepped.add(report.stepped)
                    index += size
                    let rows = try observer.materializedRows()
                    try observer.rebuild()
                    let rebuilt = try observer.materializedRows()
                    #expect(rebuilt == rows, "seed \(seed): \(Set(rows).symmetricDifference(rebuilt).sorted().prefix(6))")
                }
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
        #expect(stepped.value > 100)
    }
}

/// Counts per name, shared by the cases of a property test.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var counts = [String: Int]()
    func add(_ name: String) { lock.withLock { counts[name, default: 0] += 1 } }
    func count(_ name: String) -> Int { lock.withLock { counts[name] ?? 0 } }
    var all: [String: Int] { lock.withLock { counts } }
}

/// A count shared by the cases of a property test.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.withLock { count += n } }
    var value: Int { lock.withLock { count } }
}
