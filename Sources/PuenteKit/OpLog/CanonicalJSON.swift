/// The canonical JSON encoding that Puente hashes and signs (RFC 8785 for the values Puente uses).
///
/// Keys are sorted by their UTF-8 bytes, there is no insignificant whitespace, only `"`, `\`
/// and U+0000–U+001F are escaped, `/` never is, and strings are never Unicode-normalized.
/// Foundation's `JSONEncoder` differs on several of these points, hence this function.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(160)
        append(value, to: &out)
        return out
    }

    /// Appends the canonical bytes of `value` to `out`.
    public static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let flag):
            out.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .int(let number):
            out.append(contentsOf: String(number).utf8)
        case .string(let text):
            appendString(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendString(bytes: member.key.utf8, to: &out)
                out.append(UInt8(ascii: ":"))
                append(member.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func appendString(_ text: String, to out: inout [UInt8]) {
        appendString(bytes: text.utf8, to: &out)
    }

    static func appendString<Bytes: Sequence>(bytes: Bytes, to out: inout [UInt8]) where Bytes.Element == UInt8 {
        out.append(UInt8(ascii: "\""))
        // Runs without escapes are copied whole (a string's bytes are usually contiguous): byte
        // by byte, this was a quarter of `digest` and of writing JSON.
        let copied: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            var start = 0
            for index in buffer.indices where escapes(buffer[index]) {
                if start < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index])) }
                appendEscape(of: buffer[index], to: &out)
                start = index + 1
            }
            if start < buffer.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...])) }
        }
        if copied == nil {
            for byte in bytes {
                if escapes(byte) {
                    appendEscape(of: byte, to: &out)
                } else {
                    out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether a string byte is written escaped: `"`, `\\` and U+0000–U+001F, nothing else.
    static func escapes(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
    }

    /// The escape of a byte that ``escapes(_:)``: the short form where JSON has one, else
    /// `\u00` and two lowercase hex digits. The canonical parser holds escapes to this too.
    static func appendEscape(of byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x0a: out.append(UInt8(ascii: "n"))
        case 0x0c: out.append(UInt8(ascii: "f"))
        case 0x0d: out.append(UInt8(ascii: "r"))
        default:
            let hexDigits = Array("0123456789abcdef".utf8)
            out.append(contentsOf: "u00".utf8)
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
    }

    /// Parses `bytes` strictly and requires them to be exactly the canonical encoding.
    ///
    /// Anything else — whitespace, a byte-order mark, duplicate keys, other escapes, unsorted
    /// keys — is refused, so what is hashed is exactly what arrived.
    public static func decodeCanonical(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try JSONParser.parseCanonical(bytes)
    }
}

extension CanonicalJSON {
    /// A member of an object written by ``writeObject(_:to:)``: a value, or an array whose items
    /// are produced one at a time (by a function that hands each to the function it is given).
    public enum Member {
        case value(JSONValue)
        case items((_ item: (JSONValue) throws -> Void) throws -> Void)
    }

    /// Writes `members` as one canonical object — the same bytes as ``encode(_:)`` of the whole
    /// object — handing them to `write` a piece at a time, so a document of any size is written
    /// without being held: an array member's items are encoded and written as they come.
    public static func writeObject(_ members: [String: Member], to write: ([UInt8]) throws -> Void) throws {
        var piece: [UInt8] = [UInt8(ascii: "{")]
        for (index, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { piece.append(UInt8(ascii: ",")) }
            appendString(bytes: member.key.utf8, to: &piece)
            piece.append(UInt8(ascii: ":"))
            switch member.value {
            case .value(let value):
                append(value, to: &piece)
            case .items(let produce):
                try write(piece)
                piece = []
                try writeArray(produce, to: write)
            }
        }
        piece.append(UInt8(ascii: "}"))
        try write(piece)
    }

    /// Writes an array whose items `produce` hands over one at a time: the same bytes as
    /// ``encode(_:)`` of the whole array, one piece per item.
    public static func writeArray(_ produce: (_ item: (JSONValue) throws -> Void) throws -> Void,
                                  to write: ([UInt8]) throws -> Void) throws {
        var first = true
        try write([UInt8(ascii: "[")])
        // `write` is only called while `produce` runs; it escapes only the type checker.
        try withoutActuallyEscaping(write) { write in
            try produce { item in
                var piece = [UInt8]()
                if !first { piece.append(UInt8(ascii: ",")) }
                first = false
                append(item, to: &piece)
                try write(piece)
            }
        }
        try write([UInt8(ascii: "]")])
    }
}
