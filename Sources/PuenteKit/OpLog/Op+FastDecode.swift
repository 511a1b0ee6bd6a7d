import PuenteCrypto

extension Op {
    /// Reads an operation from its canonical bytes member by member, without a JSON tree of the
    /// whole object: nil unless the bytes have exactly the shape the encoder writes, and the
    /// full parser then decides (and names what is wrong).
    ///
    /// The shape: `{"entity":"…","field":"…","hlc":"…","kind":"…","prev":"…","refs":[…],`
    /// `"replica":"…","seq":N,"value":V}` — the nine members in byte order, no whitespace. The
    /// eight text members take printable ASCII only, no escapes (every one of them is an id, a
    /// name or a clock, whose checks allow no other byte); `seq` is a positive integer written
    /// without leading zeros; `V`, the last member, goes to the canonical parser on its own.
    /// Every member is then checked as the full path checks it. Parsing the whole object into
    /// a tree (a dictionary per operation) was a sixth of an import's instructions.
    static func decodedFast(_ bytes: [UInt8], hash: String?) -> Op? {
        guard bytes.count <= Op.maximumEncodedSize else { return nil }
        var reader = FastReader(bytes: bytes)
        guard reader.take("{\"entity\":\""), let entity = reader.text(),
              reader.take(",\"field\":\""), let field = reader.text(),
              reader.take(",\"hlc\":\""), let hlcText = reader.text(),
              reader.take(",\"kind\":\""), let kindText = reader.text(),
              reader.take(",\"prev\":\""), let prev = reader.text(),
              reader.take(",\"refs\":[")
        else { return nil }
        var refs = [OpRef]()
        if !reader.take("]") {
            repeat {
                guard refs.count < Op.maximumReferences, reader.take("\""), let text = reader.text(),
                      let ref = OpRef(text: text) else { return nil }
                refs.append(ref)
            } while reader.take(",")
            guard reader.take("]") else { return nil }
        }
        guard reader.take(",\"replica\":\""), let replicaText = reader.text(),
              reader.take(",\"seq\":"), let seq = reader.positiveInteger(),
              reader.take(",\"value\":"), bytes.last == UInt8(ascii: "}"), reader.index < bytes.count - 1,
              let value = try? CanonicalJSON.decodeCanonical(Array(bytes[reader.index..<(bytes.count - 1)])),
              // Inside the operation the value starts one level down: the full parser's depth limit
              // (64 levels from the operation object) leaves it 63.
              nesting(value) < 63
        else { return nil }
        guard let replica = ReplicaID(hex: replicaText), let hlc = HLCTimestamp(text: hlcText),
              ReplicaID.isHex(prev, count: 64), EntityRef(text: entity) != nil, let kind = OpKind(rawValue: kindText),
              isValidFieldName(field)
        else { return nil }
        return Op(replica: replica, seq: seq, hlc: hlc, prev: prev, entity: entity, kind: kind, field: field, value: value,
                  refs: refs, canonicalBytes: bytes, hash: hash ?? Digest.sha256(bytes).hex)
    }
}

/// How many levels of non-empty arrays and objects `value` nests.
private func nesting(_ value: JSONValue) -> Int {
    switch value {
    case .array(let items): return items.isEmpty ? 0 : 1 + (items.map(nesting).max() ?? 0)
    case .object(let members): return members.isEmpty ? 0 : 1 + (members.values.map(nesting).max() ?? 0)
    default: return 0
    }
}

/// A cursor over the bytes of one canonical operation or wire line: ``Op/decodedFast(_:hash:)``
/// and ``ThinWireBytes`` read with it.
struct FastReader {
    let bytes: [UInt8]
    var index = 0

    /// Consumes `literal` when the bytes continue with it.
    mutating func take(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { expected in
            var offset = 0
            while offset < count {
                if bytes[index + offset] != expected[offset] { return false }
                offset += 1
            }
            return true
        }
        if matches { index += count }
        return matches
    }

    /// Where the text up to the next quote lies, consuming it and the quote: printable ASCII
    /// without `\`, else nil.
    mutating func textRange() -> Range<Int>? {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return start..<index
            }
            guard byte >= 0x20, byte < 0x7f, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// The text up to the next quote, which it consumes: printable ASCII without `\`, else nil.
    mutating func text() -> String? {
        textRange().map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// A positive integer of at most 2^53 − 1, without sign, leading zeros or exponent.
    mutating func positiveInteger() -> Int64? {
        let start = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            if index == start, bytes[index] == UInt8(ascii: "0") { return nil }
            value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            guard value <= 9_007_199_254_740_991 else { return nil }
            index += 1
        }
        return index > start ? value : nil
    }
}
