import PropertyBased
import PuenteKit
import Testing

@Suite struct CanonicalJSONTests {
    func text(_ value: JSONValue) -> String { String(decoding: CanonicalJSON.encode(value), as: UTF8.self) }

    @Test func encodesFixedVectorsByteForByte() {
        #expect(text(["b": 1, "a": [true, false, nil], "A": "x"]) == #"{"A":"x","a":[true,false,null],"b":1}"#)
        #expect(text("a/b") == #""a/b""#)  // `/` is never escaped
        #expect(text("quote \" backslash \\") == #""quote \" backslash \\""#)
        #expect(text("\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f}") == #""\u0000\u0001\b\t\n\u000b\f\r\u001f""#)
        #expect(text("\u{7f}é€😀") == "\"\u{7f}é€😀\"")  // non-ASCII as UTF-8, DEL unescaped
        #expect(text(.int(JSONValue.maxSafeInteger)) == "9007199254740991")
        #expect(text(.int(-JSONValue.maxSafeInteger)) == "-9007199254740991")
        #expect(text(.int(0)) == "0")
        // Keys sort by UTF-8 bytes, not by Unicode collation: "é" (C3 A9) after "z" (7A).
        #expect(text(["é": 1, "z": 2, "Z": 3]) == #"{"Z":3,"z":2,"é":1}"#)
    }

    @Test func keepsUnnormalizedStringsAsTheyCame() throws {
        let composed = "\u{e9}"  // é
        let decomposed = "e\u{301}"  // e + combining acute
        #expect(CanonicalJSON.encode(.string(composed)) != CanonicalJSON.encode(.string(decomposed)))
        let bytes = Array("\"e\u{301}\"".utf8)
        #expect(CanonicalJSON.encode(try CanonicalJSON.decodeCanonical(bytes)) == bytes)
    }

    @Test(arguments: [
        "{\"a\":1,\"a\":2}",  // duplicate key
        "\u{feff}{\"a\":1}",  // byte-order mark
        "{\"a\":\"\\u0041\"}",  // escape where none is needed
        "{\"a\":\"a\\/b\"}",  // escaped slash
        "{\"b\":1,\"a\":2}",  // keys out of order
        "{ \"a\":1}",  // whitespace
        "{\"a\":1.5}",  // decimal number
        "{\"a\":1e3}",  // exponent
        "{\"a\":01}",  // leading zero
        "{\"a\":-0}",  // negative zero
        "{\"a\":9007199254740992}",  // beyond 2^53-1
        "{\"a\":\"\\u00e9\"}",  // escaped non-ASCII
        "{\"a\":\"\t\"}",  // raw control character
    ])
    func refusesNonCanonicalInput(_ input: String) {
        #expect(throws: JSONParseError.self) { try CanonicalJSON.decodeCanonical(Array(input.utf8)) }
    }

    @Test func refusesInvalidUTF8AndReportsWhere() {
        #expect(throws: JSONParseError.self) { try CanonicalJSON.decodeCanonical([0x22, 0xC0, 0xAF, 0x22]) }  // overlong
        #expect(throws: JSONParseError.self) { try CanonicalJSON.decodeCanonical([0x22, 0xED, 0xA0, 0x80, 0x22]) }  // surrogate
        do {
            _ = try JSONParser.parse(Array("{\n  \"a\": tru\n}".utf8))
            Issue.record("parsed an invalid literal")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 11)  // where the literal breaks off
        }
    }

    @Test func parsesOrdinaryJSONForImportFiles() throws {
        let value = try JSONParser.parse(Array(" { \"x\" : [ 1 , 2.50e1 , -0, \"\\u00e9\\/\" ] } ".utf8), numbersByValue: true)
        #expect(value == ["x": [1, 25, 0, "é/"]])
        for literal in ["0.1", "1e21", "9007199254740992", "-9007199254740992", "1.5e0", "1e-1"] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(literal.utf8), numbersByValue: true) }
        }
        for (literal, value) in [("9007199254740991", Int64(9_007_199_254_740_991)), ("-0.0", 0), ("1.000", 1), ("12e-1", nil),
                                 ("120e-1", 12), ("0e400", 0)] as [(String, Int64?)] {
            #expect(JSONParser.integerValue(of: Array(literal.utf8)) == value, "\(literal)")
        }
    }
}

/// The canonical parser decides in one pass what "parse, encode again and compare" decides; the
/// ordinary parser reads any spacing and escaping of the same value back to that value.
@Suite(.timeLimit(.minutes(20))) struct CanonicalParserLawTests {
    /// Characters that stress strings: escapes, controls, DEL, multi-byte, combining, astral.
    static let pieces = ["a", "Z", "é", "e\u{301}", "€", "😀", "\"", "\\", "/", "\u{0}", "\u{8}", "\t", "\n", "\u{b}",
                         "\u{c}", "\r", "\u{1f}", "\u{7f}", " ", "0", "u"]

    static func string(_ rng: inout SplitMix) -> String {
        (0..<Int.random(in: 0...5, using: &rng)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &rng)] }.joined()
    }

    static func value(_ rng: inout SplitMix, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0...(depth > 3 ? 4 : 6), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: -JSONValue.maxSafeInteger...JSONValue.maxSafeInteger, using: &rng))
        case 3: return .int(Int64.random(in: -12...12, using: &rng))
        case 4: return .string(string(&rng))
        case 5: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(&rng, depth: depth + 1) })
        default:
            var members = [String: JSONValue]()
            for _ in 0..<Int.random(in: 0...5, using: &rng) { members[string(&rng)] = value(&rng, depth: depth + 1) }
            return .object(members)
        }
    }

    /// `value` written loosely: random spacing between tokens, random member order, and random
    /// escapes (`\/`, `\u` in either case, surrogate pairs) where none is needed.
    static func loose(_ value: JSONValue, _ rng: inout SplitMix) -> [UInt8] {
        var out = [UInt8]()
        func space() {
            for _ in 0..<Int.random(in: 0...2, using: &rng) { out.append([0x20, 0x09, 0x0a, 0x0d][Int.random(in: 0...3, using: &rng)]) }
        }
        func string(_ text: String) {
            out.append(0x22)
            for scalar in text.unicodeScalars {
                if Int.random(in: 0...2, using: &rng) == 0 || scalar.value < 0x20 || scalar == "\"" || scalar == "\\" {
                    let units = Array(String(scalar).utf16)
                    for unit in units {
                        let hex = String(unit, radix: 16)
                        let padded = String(repeating: "0", count: 4 - hex.count) + hex
                        out.append(contentsOf: Array(("\\u" + (Bool.random(using: &rng) ? padded.uppercased() : padded)).utf8))
                    }
                } else if scalar == "/", Bool.random(using: &rng) {
                    out.append(contentsOf: Array("\\/".utf8))
                } else {
                    out.append(contentsOf: Array(String(scalar).utf8))
                }
            }
            out.append(0x22)
        }
        func write(_ value: JSONValue) {
            space()
            switch value {
            case .object(let members):
                out.append(UInt8(ascii: "{"))
                for (index, member) in members.shuffled(using: &rng).enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    space()
                    string(member.key)
                    space()
                    out.append(UInt8(ascii: ":"))
                    write(member.value)
                }
                space()
                out.append(UInt8(ascii: "}"))
            case .array(let items):
                out.append(UInt8(ascii: "["))
                for (index, item) in items.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    write(item)
                }
                space()
                out.append(UInt8(ascii: "]"))
            case .string(let text):
                string(text)
            default:
                out.append(contentsOf: CanonicalJSON.encode(value))
            }
            space()
        }
        write(value)
        return out
    }

    /// What the canonical parser must decide, by the definition: the bytes parse, and encoding
    /// what they parse to gives the same bytes back.
    static func byDefinition(_ bytes: [UInt8]) -> JSONValue? {
        guard let value = try? JSONParser.parse(bytes), CanonicalJSON.encode(value) == bytes else { return nil }
        return value
    }

    /// Bytes one to three small edits away from `bytes`, drawn from the bytes that matter to JSON.
    static func mutated(_ bytes: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        let alphabet = Array("\\\"u0019aAfF/{}[],: -\t\n".utf8) + [0x00, 0x7f, 0x80, 0xC3, 0xA9, 0xED, 0xA0]
        var out = bytes
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let position = Int.random(in: 0...out.count, using: &rng)
            let byte = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
            switch Int.random(in: 0...3, using: &rng) {
            case 0: out.insert(byte, at: position)
            case 1 where position < out.count: out[position] = byte
            case 2 where position < out.count: out.remove(at: position)
            default:  // swap two neighbours (members, digits, escapes)
                if position + 1 < out.count { out.swapAt(position, position + 1) }
            }
        }
        return out
    }

    @Test func canonicalParsingAgreesWithTheDefinition() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = SplitMix(state: UInt64(seed))
            let value = Self.value(&rng)
            let canonical = CanonicalJSON.encode(value)
            #expect((try? CanonicalJSON.decodeCanonical(canonical)) == value, "seed \(seed)")
            let loose = Self.loose(value, &rng)
            #expect((try? JSONParser.parse(loose)) == value, "seed \(seed)")
            for bytes in [Self.mutated(canonical, &rng), Self.mutated(canonical, &rng), loose] {
                #expect((try? CanonicalJSON.decodeCanonical(bytes)) == Self.byDefinition(bytes), "seed \(seed): \(bytes)")
            }
        }
    }

    @Test func aRefusalNamesWhereTheTextStopsBeingCanonical() {
        for (text, offset) in [("{\"a\":1, \"b\":2}", 7), ("{\"b\":1,\"a\":2}", 7), ("[\"a\\/b\"]", 3), ("[\"\\u000A\"]", 2),
                               ("[\"\\u0009\"]", 2)] {
            do {
                _ = try CanonicalJSON.decodeCanonical(Array(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.reason == .notCanonical && error.offset == offset, "\(text): \(error)")
            }
        }
    }
}

/// A document written a piece at a time is the document encoded whole.
@Suite(.timeLimit(.minutes(20))) struct CanonicalStreamTests {
    @Test func anObjectWrittenInPiecesIsTheObjectEncodedWhole() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = SplitMix(state: UInt64(seed))
            var whole = [String: JSONValue]()
            var members = [String: CanonicalJSON.Member]()
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let key = CanonicalParserLawTests.string(&rng)
                let value = CanonicalParserLawTests.value(&rng)
                whole[key] = value
                // Some arrays are handed over item by item; everything else as a value.
                if case .array(let items) = value, Bool.random(using: &rng) {
                    members[key] = .items { item in for element in items { try item(element) } }
                } else {
                    members[key] = .value(value)
                }
            }
            var written = [UInt8]()
            var pieces = 0
            do {
                try CanonicalJSON.writeObject(members) { piece in
                    written.append(contentsOf: piece)
                    pieces += 1
                }
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
            #expect(written == CanonicalJSON.encode(.object(whole)), "seed \(seed)")
            #expect(pieces >= 1)
        }
    }

    @Test func anArrayWrittenInPiecesIsTheArrayEncodedWhole() throws {
        var rng = SplitMix(state: 7)
        for count in [0, 1, 2, 5] {
            let items = (0..<count).map { _ in CanonicalParserLawTests.value(&rng) }
            var written = [UInt8]()
            var pieces = 0
            try CanonicalJSON.writeArray({ item in for element in items { try item(element) } }) { piece in
                written.append(contentsOf: piece)
                pieces += 1
            }
            #expect(written == CanonicalJSON.encode(.array(items)))
            // An opening, a piece per item, a closing: nothing is gathered.
            #expect(pieces == count + 2)
        }
    }

    @Test func aFailingWriteStopsTheDocument() {
        struct Full: Error {}
        var calls = 0
        #expect(throws: Full.self) {
            try CanonicalJSON.writeArray({ item in for value in [JSONValue.int(1), .int(2), .int(3)] { try item(value) } }) { _ in
                calls += 1
                if calls == 2 { throw Full() }
            }
        }
        #expect(calls == 2)
    }
}
