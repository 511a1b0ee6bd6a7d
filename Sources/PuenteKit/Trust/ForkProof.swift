import Foundation
import PuenteCrypto

/// Proof that one replica wrote two different operations at one position of its chain.
///
/// Each branch is a run of the replica's operations from the same `seq`, linked by `prev`,
/// ending at a head the replica attested; the two first operations differ. Anyone holding
/// the replica's key can check it, and every store that holds it rejects that replica's
/// operations from `seq` on.
public struct ForkProof: Sendable, Equatable {
    public struct Branch: Sendable, Equatable {
        public let ops: [Op]
        public let headSignature: [UInt8]
    }

    public static let format = "puente-fork/1"
    /// The longest branch a proof may carry.
    public static let maximumBranchLength = 10_000

    public let replica: ReplicaID
    public let seq: Int64
    public let branches: [Branch]

    init(replica: ReplicaID, seq: Int64, branches: [Branch]) {
        self.replica = replica
        self.seq = seq
        self.branches = branches
    }

    /// The proof's canonical bytes (what travels in `fork_proofs`, base64).
    public var bytes: [UInt8] {
        CanonicalJSON.encode([
            "format": .string(Self.format), "replica": .string(replica.hex), "seq": .int(seq),
            "branches": .array(branches.map { branch in
                ["ops": .array(branch.ops.map(\.json)), "head_signature": .string(Data(branch.headSignature).base64EncodedString())]
            }),
        ])
    }

    /// Reads a proof strictly and checks it against the replica's signing key.
    init(bytes: [UInt8], key: (ReplicaID) -> PublicKey?) throws(BundleError) {
        func fail(_ what: String) -> BundleError { BundleError(.manifest, "fork proof: \(what)") }
        guard bytes.count <= 8 * 1024 * 1024 else { throw fail("too large") }
        let value: JSONValue
        do { value = try CanonicalJSON.decodeCanonical(bytes) } catch { throw fail("not canonical") }
        guard let top = value.objectValue, Set(top.keys) == ["format", "replica", "seq", "branches"],
              top["format"]?.stringValue == Self.format,
              let replica = top["replica"]?.stringValue.flatMap(ReplicaID.init(hex:)),
              let seq = top["seq"]?.intValue, seq >= 1,
              let branchValues = top["branches"]?.arrayValue, branchValues.count == 2 else { throw fail("members") }
        var branches = [Branch]()
        for branchValue in branchValues {
            guard let object = branchValue.objectValue, Set(object.keys) == ["ops", "head_signature"],
                  let opValues = object["ops"]?.arrayValue, !opValues.isEmpty, opValues.count <= Self.maximumBranchLength,
                  let signatureText = object["head_signature"]?.stringValue,
                  let signature = Data(base64Encoded: signatureText), signature.count == 64 else { throw fail("branch") }
            var ops = [Op]()
            for opValue in opValues {
                do { ops.append(try Op(json: opValue)) } catch { throw fail("operation") }
            }
            branches.append(Branch(ops: ops, headSignature: Array(signature)))
        }
        self.init(replica: replica, seq: seq, branches: branches)
        guard let publicKey = key(replica) else { throw BundleError(.unknownAuthor, replica.hex) }
        guard isValid(publicKey: publicKey) else { throw fail("does not prove a fork") }
    }

    /// Both branches start at `seq`, are linked runs of the replica's chain ending at an
    /// attested head, and differ at `seq`.
    func isValid(publicKey: PublicKey) -> Bool {
        guard branches.count == 2 else { return false }
        for branch in branches {
            guard let first = branch.ops.first, let last = branch.ops.last, first.seq == seq else { return false }
            for (index, op) in branch.ops.enumerated() where op.replica != replica || op.seq != seq + Int64(index) {
                return false
            }
            for (previous, next) in zip(branch.ops, branch.ops.dropFirst()) where next.prev != previous.hash || next.hlc <= previous.hlc {
                return false
            }
            let message = BundleManifest.headMessage(replica: replica, seq: last.seq, hash: last.hash)
            guard publicKey.verify(signature: branch.headSignature, message: message) else { return false }
        }
        return branches[0].ops[0].hash != branches[1].ops[0].hash
    }
}
