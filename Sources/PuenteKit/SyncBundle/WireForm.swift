/// The lines of `ops.jsonl`: the first operation of each segment in full, every later one
/// without `prev`, which the importer restores from the hash of the line before. Leaving out
/// what the importer recomputes halves a bundle (64 hex digits of hash compress poorly).
public enum WireForm {
    /// The wire line of `op`; `first` for the first operation of its segment.
    public static func line(_ op: Op, first: Bool) -> [UInt8] {
        guard !first, case .object(var members) = op.json else { return op.canonicalBytes }
        members["prev"] = nil
        return CanonicalJSON.encode(.object(members))
    }

    /// Restores an operation from its wire line, strictly: the line must be canonical, and must
    /// carry `prev` exactly when it is the first of its segment.
    static func op(_ line: [UInt8], previous: Op?) throws(OpDecodingError) -> Op {
        guard line.count <= Op.maximumEncodedSize else { throw OpDecodingError("operation is larger than 64 KiB") }
        guard let previous else { return try Op(canonicalBytes: line) }
        let value: JSONValue
        do {
            value = try CanonicalJSON.decodeCanonical(line)
        } catch {
            throw OpDecodingError("operation JSON \(error.reason.rawValue) (byte \(error.offset))")
        }
        guard case .object(var members) = value, members["prev"] == nil else {
            throw OpDecodingError("only the first operation of a segment carries prev")
        }
        members["prev"] = .string(previous.hash)
        return try Op(json: .object(members))
    }
}
