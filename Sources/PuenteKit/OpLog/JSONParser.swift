/// Where and why a JSON text was refused.
public struct JSONParseError: Error, Equatable, Sendable {
    public enum Reason: String, Sendable {
        case byteOrderMark = "starts with a byte-order mark"
        case invalidUTF8 = "is not valid UTF-8"
        case unexpectedEnd = "ends too early"
        case unexpectedCharacter = "has an unexpected character"
        case trailingData = "has data after the end of the value"
        case duplicateKey = "repeats a key in one object"
        case invalidEscape = "has an invalid escape"
        case invalidNumber = "has a number that is not a whole number within ±(2^53−1)"
        case controlCharacter = "has an unescaped control character in a string"
        case tooDeep = "nests too deeply"
        case notCanonical = "is not in canonical form"
    }

    public let reason: Reason
    /// Byte offset where the problem was found.
    public let offset: Int
    /// 1-based line and column of `offset`.
    public let line: Int
    public let column: Int

    init(_ reason: Reason, offset: Int, in bytes: [UInt8]) {
        self.reason = reason
        self.offset = offset
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        self.line = line
        self.column = column
    }
}

/// A strict RFC 8259 parser: no duplicate keys, no byte-order mark, valid UTF-8, integers only
/// (written plainly, |n| ≤ 2^53−1, no `-0`) unless `numbersByValue` asks for numbers to be read
/// as JSON Schema reads them, by value: any literal whose value is such an integer.
///
/// With `canonical`, it also refuses — as `notCanonical`, where it is found — anything that
/// ``CanonicalJSON/encode(_:)`` would not have written: whitespace, keys out of byte order and
/// escapes other than the encoder's. It then accepts exactly the texts that are the canonical
/// encoding of what they parse to, in one pass, without encoding the value again to compare.
public struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private let numbersByValue: Bool
    private let canonical: Bool
    private let maximumDepth = 64

    /// Parses one JSON value that fills all of `bytes` (surrounding whitespace allowed).
    public static func parse(_ bytes: [UInt8], numbersByValue: Bool = false) throws(JSONParseError) -> JSONValue {
        try parse(bytes, numbersByValue: numbersByValue, canonical: false)
    }

    /// Parses `bytes`, which must be exactly the canonical encoding of the value they hold.
    static func parseCanonical(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try parse(bytes, numbersByValue: false, canonical: true)
    }

    private static func parse(_ bytes: [UInt8], numbersByValue: Bool, canonical: Bool) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, numbersByValue: numbersByValue, canonical: canonical)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { throw parser.error(.byteOrderMark) }
        try parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        try parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error(.trailingData) }
        return value
    }

    private init(bytes: [UInt8], numbersByValue: Bool, canonical: Bool) {
        self.bytes = bytes
        self.numbersByValue = numbersByValue
        self.canonical = canonical
    }

    private func error(_ reason: JSONParseError.Reason) -> JSONParseError {
        JSONParseError(reason, offset: index, in: bytes)
    }

    /// Skips whitespace; canonical text has none.
    private mutating func skipWhitespace() throws(JSONParseError) {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d:
                if canonical { throw error(.notCanonical) }
                index += 1
            default: return
            }
        }
    }

    private func peek() throws(JSONParseError) -> UInt8 {
        guard index < bytes.count else { throw error(.unexpectedEnd) }
        return bytes[index]
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        for byte in literal.utf8 {
            guard index < bytes.count else { throw error(.unexpectedEnd) }
            guard bytes[index] == byte else { throw error(.unexpectedCharacter) }
            index += 1
        }
        return value
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < maximumDepth else { throw error(.tooDeep) }
        switch try peek() {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error(.unexpectedCharacter)
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        index += 1
        var members = [String: JSONValue]()
        var previousKey: String?
        try skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            try skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw error(.unexpectedCharacter) }
            let keyOffset = index
            let key = try parseString()
            // Swift's String equality folds canonically equivalent keys, so this also refuses
            // two keys that differ only in their bytes: neither could be looked up on its own.
            guard members[key] == nil else { throw JSONParseError(.duplicateKey, offset: keyOffset, in: bytes) }
            if canonical {
                // Canonical keys rise strictly in UTF-8 byte order.
                if let previousKey, !previousKey.utf8.lexicographicallyPrecedes(key.utf8) {
                    throw JSONParseError(.notCanonical, offset: keyOffset, in: bytes)
                }
                previousKey = key
            }
            try skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw error(.unexpectedCharacter) }
            index += 1
            try skipWhitespace()
            members[key] = try parseValue(depth: depth + 1)
            try skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "}") { return .object(members) }
            guard next == UInt8(ascii: ",") else {
                index -= 1
                throw error(.unexpectedCharacter)
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        index += 1
        var items = [JSONValue]()
        try skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            try skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            try skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "]") { return .array(items) }
            guard next == UInt8(ascii: ",") else {
                index -= 1
                throw error(.unexpectedCharacter)
            }
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw error(.unexpectedEnd) }
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error(.invalidEscape)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        // Most strings hold no escape: they are made straight from their bytes once checked.
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                break
            } else if byte < 0x20 {
                throw error(.controlCharacter)
            } else if byte < 0x80 {
                index += 1
            } else {
                index += try validUTF8Length(at: index)
            }
        }
        var out = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw error(.unexpectedEnd) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                let escapeStart = index
                let decodedStart = out.count
                index += 1
                guard index < bytes.count else { throw error(.unexpectedEnd) }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5c)
                case UInt8(ascii: "/"): out.append(0x2f)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                              bytes[index + 1] == UInt8(ascii: "u") else { throw error(.invalidEscape) }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error(.invalidEscape) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw error(.invalidEscape)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error(.invalidEscape) }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    index -= 1
                    throw error(.invalidEscape)
                }
                // Canonical text escapes one byte the encoder escapes, exactly as it does.
                if canonical {
                    var expected = [UInt8]()
                    if out.count == decodedStart + 1, CanonicalJSON.escapes(out[decodedStart]) {
                        CanonicalJSON.appendEscape(of: out[decodedStart], to: &expected)
                    }
                    guard !expected.isEmpty, bytes[escapeStart..<index].elementsEqual(expected) else {
                        throw JSONParseError(.notCanonical, offset: escapeStart, in: bytes)
                    }
                }
            case 0x00..<0x20:
                throw error(.controlCharacter)
            case 0x00..<0x80:
                out.append(byte)
                index += 1
            default:
                let length = try validUTF8Length(at: index)
                out.append(contentsOf: bytes[index..<index + length])
                index += length
            }
        }
    }

    /// Length of the well-formed UTF-8 sequence at `start` (RFC 3629: no overlongs, no surrogates).
    private func validUTF8Length(at start: Int) throws(JSONParseError) -> Int {
        let lead = bytes[start]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw error(.invalidUTF8)
        }
        guard start + length <= bytes.count else { throw error(.invalidUTF8) }
        for offset in 1..<length {
            let byte = bytes[start + offset]
            let (low, high) = offset == 1 ? (lower, upper) : (UInt8(0x80), UInt8(0xBF))
            guard byte >= low, byte <= high else { throw error(.invalidUTF8) }
        }
        return length
    }

    /// The exact value of a JSON number literal when it is an integer of magnitude at most
    /// 2^53−1 (`-0` is 0), else nil.
    public static func integerValue(of literal: [UInt8]) -> Int64? {
        var position = 0
        let negative = literal.first == UInt8(ascii: "-")
        if negative { position += 1 }
        var digits = [UInt8]()
        var fractionDigits = 0
        var inFraction = false
        while position < literal.count, literal[position] != UInt8(ascii: "e"), literal[position] != UInt8(ascii: "E") {
            if literal[position] == UInt8(ascii: ".") {
                inFraction = true
            } else {
                digits.append(literal[position] - UInt8(ascii: "0"))
                if inFraction { fractionDigits += 1 }
            }
            position += 1
        }
        var exponent = 0
        if position < literal.count {
            position += 1
            var exponentNegative = false
            if literal[position] == UInt8(ascii: "-") || literal[position] == UInt8(ascii: "+") {
                exponentNegative = literal[position] == UInt8(ascii: "-")
                position += 1
            }
            for digit in literal[position...] {
                exponent = exponent * 10 + Int(digit - UInt8(ascii: "0"))
                if exponent > 1_000 { exponent = 1_000 }  // far beyond any safe integer either way
            }
            if exponentNegative { exponent = -exponent }
        }
        // value = digits × 10^(exponent − fractionDigits)
        while let first = digits.first, first == 0 { digits.removeFirst() }
        if digits.isEmpty { return 0 }  // 0, -0, 0.000, 0e5
        let scale = exponent - fractionDigits
        if scale < 0 {
            // The digits dropped by a negative scale must all be zero, or the value is not an integer.
            guard -scale <= digits.count, digits.suffix(-scale).allSatisfy({ $0 == 0 }) else { return nil }
            digits.removeLast(-scale)
            if digits.isEmpty { return 0 }
        } else {
            guard digits.count + scale <= 16 else { return nil }
            digits += [UInt8](repeating: 0, count: scale)
        }
        var magnitude: Int64 = 0
        for digit in digits {
            magnitude = magnitude * 10 + Int64(digit)
            guard magnitude <= JSONValue.maxSafeInteger else { return nil }
        }
        return negative ? -magnitude : magnitude
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw error(.invalidNumber)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            let digitsStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digitsStart else { throw error(.invalidNumber) }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digitsStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digitsStart else { throw error(.invalidNumber) }
        }
        if numbersByValue {
            // As JSON Schema reads a number: by its value. An integer within the safe range,
            // however written (`-0`, `1.0`, `2.5e1`), is that integer; anything else is refused.
            guard let value = Self.integerValue(of: Array(bytes[start..<index])) else {
                index = start
                throw error(.invalidNumber)
            }
            return .int(value)
        }
        if !integral {
            index = start
            throw error(.invalidNumber)
        }
        let negative = bytes[start] == UInt8(ascii: "-")
        var magnitude: Int64 = 0
        for digit in bytes[(negative ? start + 1 : start)..<index] {
            magnitude = magnitude * 10 + Int64(digit - UInt8(ascii: "0"))
            guard magnitude <= JSONValue.maxSafeInteger else {
                index = start
                throw error(.invalidNumber)
            }
        }
        guard !(negative && magnitude == 0) else {  // -0
            index = start
            throw error(.invalidNumber)
        }
        return .int(negative ? -magnitude : magnitude)
    }
}
