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
        let value = try JSONParser.parse(Array(" { \"x\" : [ 1 , 2.50 , \"\\u00e9\\/\" ] } ".utf8), decimalsAsText: true)
        #expect(value == ["x": [1, "2.50", "é/"]])
    }
}
