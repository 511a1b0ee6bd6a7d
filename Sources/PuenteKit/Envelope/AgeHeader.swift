import PuenteCrypto

/// One recipient stanza of an age header: its arguments (the first names its type) and its body.
struct AgeStanza: Equatable {
    let arguments: [String]
    let body: [UInt8]

    var type: String { arguments.first ?? "" }

    /// `-> arg arg…\n` and the body in base64 lines of 64 columns, the last shorter (maybe empty).
    var encoded: [UInt8] {
        var out = Array("->".utf8)
        for argument in arguments { out += [UInt8(ascii: " ")] + Array(argument.utf8) }
        out.append(0x0a)
        let text = AgeBase64.encode(body)
        // Whole lines of 64 columns, then the last line, shorter (empty when the whole lines
        // hold everything), where the stanza ends.
        var start = 0
        while text.count - start >= 64 {
            out += text[start..<(start + 64)] + [0x0a]
            start += 64
        }
        out += text[start...] + [0x0a]
        return out
    }
}

/// The header of an age file (c2sp.org/age), read strictly: the `v1` version line, one or more
/// stanzas, and the MAC line, each exactly as the format's grammar fixes it.
struct AgeHeader {
    static let versionLine = Array("age-encryption.org/v1\n".utf8)
    /// The most bytes a header may take, and the most stanzas: far above any delegation's desks,
    /// far below what would cost a reader anything.
    static let maximumSize = 64 * 1024
    static let maximumStanzas = 256

    let stanzas: [AgeStanza]
    let mac: [UInt8]
    /// The header up to and including `---`: what the MAC covers.
    let authenticated: [UInt8]
    /// The header's length, final line feed included: where the payload starts.
    let length: Int

    /// Why a header was refused.
    enum Problem: Error, Equatable {
        /// Not an age file at all, or a version other than v1.
        case version
        /// Anything else the grammar does not allow, with what.
        case malformed(String)
    }

    /// Parses the header at the start of `bytes`.
    init(_ bytes: [UInt8]) throws(Problem) {
        let prefix = Array("age-encryption.org/".utf8)
        guard bytes.starts(with: prefix) else { throw .version }
        var position = 0
        /// The next line, without its line feed; a line feed must come before the header's cap.
        func line() throws(Problem) -> ArraySlice<UInt8> {
            guard position < bytes.count else { throw .malformed("truncated") }
            let limit = min(bytes.count, Self.maximumSize)
            guard let end = bytes[position..<limit].firstIndex(of: 0x0a) else {
                throw .malformed(limit == Self.maximumSize ? "larger than \(Self.maximumSize) bytes" : "truncated")
            }
            defer { position = end + 1 }
            return bytes[position..<end]
        }
        let version = try line()
        guard Array(version) + [0x0a] == Self.versionLine else { throw .version }
        var stanzas = [AgeStanza]()
        while true {
            let start = position
            let current = try line()
            if current.starts(with: Array("--- ".utf8)) {
                let encoded = current.dropFirst(4)
                guard encoded.count == 43, let mac = AgeBase64.decode(encoded), mac.count == 32 else { throw .malformed("MAC line") }
                guard !stanzas.isEmpty else { throw .malformed("no recipient stanza") }
                self.stanzas = stanzas
                self.mac = mac
                authenticated = Array(bytes[0..<(start + 3)])
                length = position
                return
            }
            guard current.starts(with: Array("-> ".utf8)) else { throw .malformed("a line that is neither a stanza nor the MAC") }
            let arguments = current.dropFirst(3).split(separator: 0x20, omittingEmptySubsequences: false)
            guard !arguments.isEmpty, arguments.allSatisfy({ !$0.isEmpty && $0.allSatisfy { (0x21...0x7e).contains($0) } }) else {
                throw .malformed("stanza arguments")
            }
            var text = [UInt8]()
            while true {
                let bodyLine = try line()
                guard bodyLine.count <= 64, bodyLine.allSatisfy(AgeBase64.isAlphabet) else { throw .malformed("stanza body") }
                text += bodyLine
                if bodyLine.count < 64 { break }
            }
            guard let body = AgeBase64.decode(text) else { throw .malformed("stanza body not canonical base64") }
            stanzas.append(AgeStanza(arguments: arguments.map { String(decoding: $0, as: UTF8.self) }, body: body))
            guard stanzas.count <= Self.maximumStanzas else { throw .malformed("more than \(Self.maximumStanzas) stanzas") }
        }
    }

    /// The version line and `stanzas`, encoded: what the MAC and the manifest's digest cover,
    /// less the closing `---`.
    static func encode(_ stanzas: [AgeStanza]) -> [UInt8] {
        versionLine + stanzas.flatMap(\.encoded)
    }

    /// SHA-256 (hex) of ``encode(_:)``: what a signed manifest names of its envelope.
    static func digest(_ stanzas: [AgeStanza]) -> String {
        Digest.sha256hex(encode(stanzas))
    }
}
