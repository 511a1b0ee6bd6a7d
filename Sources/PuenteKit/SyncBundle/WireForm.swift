/// The lines of `ops.jsonl`: the first operation of each segment in full, every later one
/// without `prev`, which the importer restores from the hash of the line before. Leaving out
/// what the importer recomputes halves a bundle (64 hex digits of hash compress poorly).
///
/// Both directions work on the canonical bytes. Keys sort by bytes, so a canonical operation
/// reads `…"kind":"…","prev":"<64 hex>","refs":[…]…`, and the members before `prev` (entity,
/// field, hlc, kind) are strings that cannot hold an unescaped quote: the first `,"refs":` is
/// the top-level one.
public enum WireForm {
    private static let refsMarker = Array(",\"refs\":".utf8)
    private static let prevMarker = Array(",\"prev\":\"".utf8)
    /// `,"prev":"` + 64 hex digits + `"`.
    static let prevMemberSize = 9 + 64 + 1

    /// The wire line of `op`; `first` for the first operation of its segment.
    public static func line(_ op: Op, first: Bool) -> [UInt8] {
        first ? op.canonicalBytes : withoutPrev(op.canonicalBytes) ?? op.canonicalBytes
    }

    /// Canonical operation bytes with the `prev` member cut out; nil when they have none where it belongs.
    static func withoutPrev(_ bytes: [UInt8]) -> [UInt8]? {
        guard let refs = firstIndex(of: refsMarker, in: bytes), refs >= prevMemberSize,
              bytes[(refs - prevMemberSize)..<(refs - prevMemberSize + prevMarker.count)].elementsEqual(prevMarker) else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count - prevMemberSize)
        out.append(contentsOf: bytes[..<(refs - prevMemberSize)])
        out.append(contentsOf: bytes[refs...])
        return out
    }

    /// Restores an operation from its wire line, strictly: the line must be canonical, and must
    /// carry `prev` exactly when it is the first of its segment.
    static func op(_ line: [UInt8], previous: Op?) throws(OpDecodingError) -> Op {
        guard line.count <= Op.maximumEncodedSize else { throw OpDecodingError("operation is larger than 64 KiB") }
        guard let previous else { return try Op(canonicalBytes: line) }
        guard let refs = firstIndex(of: refsMarker, in: line) else {
            throw OpDecodingError("operation members differ from the contract (missing: [\"refs\"])")
        }
        var full = [UInt8]()
        full.reserveCapacity(line.count + prevMemberSize)
        full.append(contentsOf: line[..<refs])
        full.append(contentsOf: prevMarker)
        full.append(contentsOf: previous.hash.utf8)
        full.append(0x22)
        full.append(contentsOf: line[refs...])
        let op = try Op(canonicalBytes: full)
        // The restored operation must be exactly the line plus its `prev`: a line that carried a
        // `prev` of its own, or anything else, is refused.
        guard op.prev == previous.hash, withoutPrev(op.canonicalBytes) == line else {
            throw OpDecodingError("only the first operation of a segment carries prev")
        }
        return op
    }

    private static func firstIndex(of marker: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= marker.count, let first = marker.first else { return nil }
        var index = 0
        let last = bytes.count - marker.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + marker.count)].elementsEqual(marker) { return index }
            index += 1
        }
        return nil
    }
}
