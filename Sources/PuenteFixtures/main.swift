// Writes Fixtures/bundles: a valid bundle and hostile ones, with the identity cards that
// sign them and expected.json, which says how an importer that trusts those cards must
// answer each file. Run through Fixtures/bundles/regenerate.sh.
import Foundation
import PuenteCrypto
import PuenteKit
import PuenteTestSupport

func write(_ bytes: [UInt8], _ path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: PuenteFixtures OUTPUT-FOLDER\n".utf8))
    exit(64)
}
let output = arguments[1]
let group = try ReplicaGroup([.us, .us])
let (exporter, author) = (group.replicas[0], group.replicas[1])
let stranger = try Replica.initialize(folder: group.folder.sub("stranger"), delegation: .us, name: "Untrusted desk",
                                      wallClock: group.clock)
let c = try exporter.addCommitment(CommitmentDraft(owner: .us, titleEN: "Operation Southbound", titleES: "Operación Southbound",
                                                   pillar: .prevent, area: "arms-trafficking", due: "2024-04-13"))
try exporter.set(c, field: "status", value: "in-progress")
try exporter.assess(c, rating: .atRisk, why: "Tracing data from two states is missing")
let d = try author.addDialogue(DialogueDraft(titleEN: "Implementation meeting", date: "2023-04-13", kind: .technicalMeeting))
try author.set(d, field: "place", value: "Mexico City")
try author.addNote(to: d, text: "Arms and fentanyl")
let ops = try exporter.operations(of: exporter.identity.replica)
let authorOps = try author.operations(of: author.identity.replica)
let forge = try BundleForge(exporter: exporter)

try write(try exporter.identityCardFile(), output + "/exporter.card")
try write(try author.identityCardFile(), output + "/author.card")

var expected = [String: JSONValue]()
@MainActor func fixture(_ name: String, _ bytes: [UInt8], _ outcome: JSONValue) throws {
    try write(bytes, output + "/" + name)
    expected[name] = outcome
}
func whole(_ problem: String) -> JSONValue { ["refused": .string(problem)] }

let valid = try forge.bundle(segments: [(ops, exporter), (authorOps, author)])
try fixture("valid.puente", valid, ["applied": .int(Int64(ops.count + authorOps.count))])
try fixture("truncated.puente", Array(valid.dropLast(40)), whole("container"))
try fixture("truncated-deflate-no-central-directory.puente", Array(valid.prefix(valid.count * 2 / 3)), whole("container"))

let manifest = CanonicalJSON.encode(try forge.manifest(segments: [(ops, exporter)], opsBytes: opsJSONL(ops), count: ops.count))
let signature = try BundleForge.key(of: exporter).sign(manifest)
func entries() -> [ZipBuilder.Entry] {
    [ZipBuilder.Entry("manifest.json", manifest), ZipBuilder.Entry("manifest.sig", signature),
     ZipBuilder.Entry("ops.jsonl", opsJSONL(ops), deflate: true)]
}
var flipped = ZipBuilder.build(entries())
let manifestAt = 30 + 13 + 40
flipped[manifestAt] ^= 1
try fixture("flipped-byte-manifest.puente", flipped, whole("inflate"))
flipped = ZipBuilder.build(entries())
flipped[30 + 13 + manifest.count + 30 + 12 + 7] ^= 1
try fixture("flipped-byte-signature.puente", flipped, whole("inflate"))
flipped = ZipBuilder.build(entries())
flipped[flipped.count - 22 - 3 * 46 - 60] ^= 1
try fixture("flipped-byte-ops.puente", flipped, whole("inflate"))
var list = entries()
list[1] = ZipBuilder.Entry("manifest.json", manifest)
try fixture("duplicate-entry-names.puente", ZipBuilder.build(list), whole("entries"))
try fixture("extra-entry.puente", ZipBuilder.build(entries() + [ZipBuilder.Entry("readme.txt", Array("hi".utf8))]), whole("entries"))
list = entries()
list[2].name = "../ops.jsonl"
try fixture("dot-dot-entry-name.puente", ZipBuilder.build(list), whole("entries"))
list = entries()
list[2].declaredSize = 0xFFFF_FFFF
try fixture("zip64-sizes.puente", ZipBuilder.build(list), whole("container"))
list = entries()
list[2].flags = 0x801
try fixture("encrypted-flag.puente", ZipBuilder.build(list), whole("entry"))
list = entries()
list[2].flags = 0x808
try fixture("data-descriptor-flag.puente", ZipBuilder.build(list), whole("entry"))
list = entries()
list[2].declaredSize = UInt32(opsJSONL(ops).count - 10)
try fixture("declared-size-smaller.puente", ZipBuilder.build(list), whole("ops-size"))

// A zip bomb whose manifest honestly declares 3 GiB of ops.jsonl (zeros, deflated).
let bombSize = 3 * 1024 * 1024 * 1024
var bombManifestValue = try forge.manifest(segments: [(ops, exporter)], opsBytes: [], count: ops.count)
if case .object(var members) = bombManifestValue {
    members["ops"] = ["sha256": .string(String(repeating: "0", count: 64)), "size": .int(Int64(bombSize)), "count": .int(Int64(ops.count))]
    bombManifestValue = .object(members)
}
let bombManifest = CanonicalJSON.encode(bombManifestValue)
var bombEntry = ZipBuilder.Entry("ops.jsonl", [], deflate: true)
bombEntry.compressedOverride = ZipBuilder.deflateZeros(count: bombSize)
bombEntry.declaredSize = UInt32(bombSize)
bombEntry.declaredCRC = 0
try fixture("zip-bomb-3-gib.puente", ZipBuilder.build([ZipBuilder.Entry("manifest.json", bombManifest),
                                                         ZipBuilder.Entry("manifest.sig", try BundleForge.key(of: exporter).sign(bombManifest)),
                                                         bombEntry]), whole("too-large"))

try fixture("manifest-duplicate-key.puente", try forge.bundle(segments: [(ops, exporter)]) { bytes in
    bytes = Array("{\"format\":\"puente-bundle/1\",".utf8) + bytes.dropFirst()
}, whole("manifest"))
var lines = BundleForge.wireLines(ops)
lines[0] = Array(String(decoding: lines[0], as: UTF8.self).replacingOccurrences(of: "\":", with: "\": ").utf8)
try fixture("non-canonical-op-line.puente", try forge.bundle(segments: [(ops, exporter)], lines: lines), whole("line"))
try fixture("untrusted-signer.puente", try BundleForge(exporter: stranger).bundle(segments: [(ops, exporter)]), whole("untrusted-exporter"))
let other = try forge.bundle(segments: [(authorOps, author)])
let otherOps = Array(String(decoding: opsJSONL(authorOps), as: UTF8.self).utf8)
_ = other
try fixture("manifest-of-one-ops-of-another.puente", ZipBuilder.build([
    ZipBuilder.Entry("manifest.json", manifest), ZipBuilder.Entry("manifest.sig", signature),
    ZipBuilder.Entry("ops.jsonl", otherOps, deflate: true),
]), whole("ops-size"))
// The author's run re-linked from a wrong first prev: whole in itself, but not its chain.
let broken = BundleForge.relinked(authorOps, firstPrev: String(repeating: "1", count: 64))
try fixture("broken-chain.puente", try forge.bundle(segments: [(ops, exporter), (broken, author)]),
            ["applied": .int(Int64(ops.count)), "segments": .object([author.identity.replica.hex: "broken-chain"])])
// A fork: import valid.puente first, then this bundle carries a different last op of the author.
var forked = authorOps
let last = forked[2]
forked[2] = Op(replica: last.replica, seq: last.seq, hlc: last.hlc, prev: last.prev, entity: last.entity, kind: last.kind,
               field: last.field, value: ["parent": last.value["parent"] ?? .null, "text": "A different note"], refs: last.refs)
try fixture("fork-after-valid.puente", try forge.bundle(segments: [(forked, author)]),
            ["after": "valid.puente", "applied": 0, "segments": .object([author.identity.replica.hex: "fork"])])
// Far-future stamps: the exporter's clock runs two days ahead.
group.clock.advance(by: 2 * 24 * 60 * 60 * 1000)
try exporter.addNote(to: c, text: "Written with a clock two days ahead")
let future = try exporter.operations(of: exporter.identity.replica)
try fixture("far-future-clock.puente", try forge.bundle(segments: [(future, exporter)]),
            ["applied": .int(Int64(future.count)), "far_future": 1])

// Trust documents that do not verify refuse the whole bundle, whoever the importer trusts.
@MainActor func withDocuments(_ member: String, _ document: [UInt8]) throws -> [UInt8] {
    try forge.bundle(segments: [(ops, exporter)]) { manifest in
        let text = String(decoding: manifest, as: UTF8.self)
            .replacingOccurrences(of: "\"\(member)\":[]", with: "\"\(member)\":[\"\(Data(document).base64EncodedString())\"]")
        manifest = Array(text.utf8)
    }
}
let root = try PrivateKey.generate(.ed25519)
let certificate = try Certificate.issue(for: try author.identityCard(), delegation: .us, version: 1, issued: "2026-11-22", root: root)
var forgedCertificate = certificate.bytes
if let at = forgedCertificate.lastIndex(of: UInt8(ascii: "A")) { forgedCertificate[at] = UInt8(ascii: "B") }
try fixture("forged-certificate.puente", try withDocuments("certificates", forgedCertificate), whole("certificate"))
let rotation = try Rotation.sign(delegation: .us, version: 2, old: root, new: try PrivateKey.generate(.ed25519),
                                 newAgreementKey: try PrivateKey.generate(.x25519).publicKey(), name: "U.S. delegation root",
                                 created: "2026-11-22")
if case .object(var document) = try CanonicalJSON.decodeCanonical(rotation.bytes), case .object(var signatures)? = document["signatures"] {
    signatures["new"] = signatures["old"]
    document["signatures"] = .object(signatures)
    try fixture("half-signed-rotation.puente", try withDocuments("rotations", CanonicalJSON.encode(.object(document))), whole("rotation"))
}

try write(CanonicalJSON.encode(.object(expected)) + [0x0a], output + "/expected.json")
print("wrote \(expected.count) bundles to \(output)")
