import CLibcrypto
import PuenteCrypto

/// Age v1 files (c2sp.org/age) to X25519 recipients, as Puente writes and reads its encrypted
/// bundles: a header that wraps a random 16-byte file key once per recipient desk, its MAC,
/// and the payload in 64 KiB ChaCha20-Poly1305 chunks (STREAM).
enum Age {
    static let chunkSize = 64 * 1024
    static let sealedChunkSize = chunkSize + 16
    static let magic = Array("age-encryption.org/".utf8)
    static let x25519Type = "X25519"
    static let x25519Info = Array("age-encryption.org/v1/X25519".utf8)
    /// Puente's own stanza, which every age identity ignores: how many desks of each delegation
    /// the file is for (`mx=3`), so a desk it is not for can say so. It names no desk.
    static let countsType = "puente/recipients"

    /// An X25519 recipient (`age1…`) for a raw 32-byte public key.
    static func recipient(_ publicKey: [UInt8]) -> String { Bech32.encode(hrp: "age", publicKey) }

    /// An X25519 identity (`AGE-SECRET-KEY-1…`) for a raw 32-byte private key.
    static func identity(_ privateKey: [UInt8]) -> String { Bech32.encode(hrp: "AGE-SECRET-KEY-", privateKey, uppercase: true) }

    /// The raw private key of an `AGE-SECRET-KEY-1…` identity, or nil.
    static func privateKey(identity: String) -> [UInt8]? {
        guard let decoded = Bech32.decode(identity), decoded.hrp == "age-secret-key-", decoded.data.count == 32 else { return nil }
        return decoded.data
    }

    /// The ChaCha20-Poly1305 nonce of chunk `index`: an 11-byte big-endian counter and the final flag.
    static func chunkNonce(_ index: Int, final: Bool) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: 12)
        var counter = UInt64(index)
        for position in stride(from: 10, through: 3, by: -1) {
            nonce[position] = UInt8(truncatingIfNeeded: counter)
            counter >>= 8
        }
        nonce[11] = final ? 1 : 0
        return nonce
    }

    static func payloadKey(fileKey: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
        try AgePrimitives.hkdf(ikm: fileKey, salt: nonce, info: Array("payload".utf8))
    }

    static func mac(fileKey: [UInt8], authenticated: [UInt8]) throws -> [UInt8] {
        let key = try AgePrimitives.hkdf(ikm: fileKey, salt: [], info: Array("header".utf8))
        return try AgePrimitives.hmac(key: key, data: authenticated)
    }

    /// What a sender fixes before the payload: the file key and the stanzas that wrap it for
    /// each recipient (each with its own ephemeral key), and Puente's count stanza.
    struct Sealer {
        let fileKey: [UInt8]
        let stanzas: [AgeStanza]

        /// Wraps a new file key for `recipients` (raw X25519 public keys); `counts` are the
        /// arguments of Puente's count stanza (`["mx=3"]`), none for a file without one.
        init(recipients: [[UInt8]], counts: [String] = []) throws {
            try self.init(recipients: recipients, counts: counts, fileKey: try secureRandomBytes(16))
        }

        /// The same with a given file key (tests re-wrap a file's key to forge envelopes).
        init(recipients: [[UInt8]], counts: [String] = [], fileKey: [UInt8]) throws {
            guard !recipients.isEmpty else { throw CryptoError(.encryption, "an age file needs at least one recipient") }
            var stanzas = [AgeStanza]()
            for recipient in recipients {
                var ephemeral = try secureRandomBytes(32)
                defer { wipe(&ephemeral) }
                guard let share = AgePrimitives.x25519Base(ephemeral),
                      var shared = AgePrimitives.x25519(scalar: ephemeral, point: recipient) else {
                    throw CryptoError(.encryption, "not an X25519 public key")
                }
                defer { wipe(&shared) }
                let wrapKey = try AgePrimitives.hkdf(ikm: shared, salt: share + recipient, info: Age.x25519Info)
                let body = try AgePrimitives.seal(key: wrapKey, nonce: [UInt8](repeating: 0, count: 12), fileKey)
                stanzas.append(AgeStanza(arguments: [Age.x25519Type, String(decoding: AgeBase64.encode(share), as: UTF8.self)], body: body))
            }
            if !counts.isEmpty { stanzas.append(AgeStanza(arguments: [Age.countsType] + counts, body: [])) }
            self.fileKey = fileKey
            self.stanzas = stanzas
        }

        /// SHA-256 (hex) of the version line and the stanzas: what the signed manifest names, so
        /// that an envelope re-wrapped for other recipients no longer matches it.
        var stanzaDigest: String { AgeHeader.digest(stanzas) }

        /// The whole header, its MAC line included.
        func header() throws -> [UInt8] {
            let authenticated = AgeHeader.encode(stanzas) + Array("---".utf8)
            let mac = try Age.mac(fileKey: fileKey, authenticated: authenticated)
            return authenticated + [0x20] + AgeBase64.encode(mac) + [0x0a]
        }
    }

    /// The file key the stanzas wrap for `identity` (a raw X25519 private key), or nil when no
    /// stanza is for it. A malformed X25519 stanza, or a passphrase (scrypt) stanza beside
    /// others, refuses the header, as the format requires.
    static func unwrap(_ header: AgeHeader, identity: [UInt8]) throws(BundleError) -> [UInt8]? {
        if header.stanzas.contains(where: { $0.type == "scrypt" }), header.stanzas.count > 1 {
            throw BundleError(.envelope, "a passphrase stanza beside other stanzas")
        }
        guard let recipient = AgePrimitives.x25519Base(identity) else { throw BundleError(.envelope, "identity") }
        for stanza in header.stanzas where stanza.type == x25519Type {
            guard stanza.arguments.count == 2, let share = AgeBase64.decode(Array(stanza.arguments[1].utf8)), share.count == 32 else {
                throw BundleError(.envelope, "an X25519 stanza's share")
            }
            // Checked before any decryption (the format's defense against partitioning oracles).
            guard stanza.body.count == 32 else { throw BundleError(.envelope, "an X25519 stanza's body") }
            guard var shared = AgePrimitives.x25519(scalar: identity, point: share) else {
                throw BundleError(.envelope, "an X25519 stanza's share is a low-order point")
            }
            defer { wipe(&shared) }
            guard var wrapKey = try? AgePrimitives.hkdf(ikm: shared, salt: share + recipient, info: x25519Info) else {
                throw BundleError(.envelope, "key derivation")
            }
            defer { wipe(&wrapKey) }
            if let fileKey = AgePrimitives.open(key: wrapKey, nonce: [UInt8](repeating: 0, count: 12), stanza.body[...]) {
                return fileKey
            }
        }
        return nil
    }

    /// Whether the header's MAC is the one `fileKey` gives (compared in constant time).
    static func macMatches(_ header: AgeHeader, fileKey: [UInt8]) -> Bool {
        guard let expected = try? mac(fileKey: fileKey, authenticated: header.authenticated), expected.count == header.mac.count else {
            return false
        }
        return CRYPTO_memcmp(expected, header.mac, expected.count) == 0
    }

    /// How many desks of each delegation Puente's count stanza says the file is for (`mx=3`):
    /// a hint only, which an outsider could have altered, used to word a refusal.
    static func counts(_ header: AgeHeader) -> [(delegation: Delegation, count: Int)] {
        guard let stanza = header.stanzas.first(where: { $0.type == countsType }) else { return [] }
        return stanza.arguments.dropFirst().compactMap { argument in
            let parts = argument.split(separator: "=")
            guard parts.count == 2, let delegation = Delegation(rawValue: String(parts[0])), let count = Int(parts[1]),
                  (1...AgeHeader.maximumStanzas).contains(count) else { return nil }
            return (delegation, count)
        }
    }
}

/// The plaintext of an age payload, read by chunk from the encrypted bytes, so a bundle of any
/// size is opened with bounded memory and no decrypted byte is written to a file. A chunk is
/// authenticated (the last one as final) before any of its bytes is used, and a read stops at
/// the first that fails: a truncated, extended or reordered stream fails at the first chunk
/// read that it changed (the ZIP reader starts at the end, so a cut or a tail fails first).
/// Only the chunks a reader asks for are opened: anyone can seal a file to a desk's recipient,
/// and an untrusted exporter's bundle costs its manifest's chunks, not the whole payload.
final class AgePayloadBytes: BundleBytes {
    private let source: any BundleBytes
    private let start: Int
    private let key: [UInt8]
    private let chunks: Int
    let count: Int
    private var cached: (index: Int, plaintext: [UInt8])?
    /// How many times a chunk was decrypted (tests hold the outsider's cost to it).
    private(set) var chunksOpened = 0

    /// Opens the payload that starts at `start` in `source` under `fileKey`; its chunks are
    /// authenticated as they are read (``read(_:_:)`` throws `envelope-payload` naming the first
    /// that fails).
    init(source: any BundleBytes, start: Int, fileKey: [UInt8]) throws(BundleError) {
        self.source = source
        self.start = start + 16
        // The nonce belongs with the header, as age's reference implementation reads it.
        guard source.count - start >= 16 else { throw BundleError(.envelope, "the payload's nonce is missing") }
        let nonce = try source.read(start, 16, orFail: "the payload's nonce is missing")
        guard let key = try? Age.payloadKey(fileKey: fileKey, nonce: nonce) else { throw BundleError(.envelopePayload, "key derivation") }
        self.key = key
        let sealed = source.count - self.start
        guard sealed >= 16 else { throw BundleError(.envelopePayload, "no chunk") }
        chunks = (sealed + Age.sealedChunkSize - 1) / Age.sealedChunkSize
        let last = sealed - (chunks - 1) * Age.sealedChunkSize
        // The last chunk holds at least its tag, and is empty only when the whole payload is.
        guard last >= 16, last > 16 || chunks == 1 else { throw BundleError(.envelopePayload, "chunk \(chunks): empty final chunk") }
        count = sealed - 16 * chunks
    }

    /// The plaintext of chunk `index`, authenticated (the last one as final).
    private func chunk(_ index: Int) throws(BundleError) -> [UInt8] {
        if let cached, cached.index == index { return cached.plaintext }
        let offset = start + index * Age.sealedChunkSize
        let length = min(Age.sealedChunkSize, source.count - offset)
        let sealed = try source.read(offset, length, orFail: "chunk \(index + 1) is truncated")
        chunksOpened += 1
        guard let plaintext = AgePrimitives.open(key: key, nonce: Age.chunkNonce(index, final: index == chunks - 1), sealed[...]) else {
            throw BundleError(.envelopePayload, "chunk \(index + 1) of \(chunks)")
        }
        cached = (index, plaintext)
        return plaintext
    }

    func read(_ offset: Int, _ length: Int) throws(BundleError) -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
            throw BundleError(.container, "truncated")
        }
        var out = [UInt8]()
        out.reserveCapacity(length)
        var position = offset
        while position < offset + length {
            let index = position / Age.chunkSize
            let plaintext = try chunk(index)
            let within = position - index * Age.chunkSize
            let take = min(plaintext.count - within, offset + length - position)
            out += plaintext[within..<(within + take)]
            position += take
        }
        return out
    }
}

extension BundleBytes {
    /// `read`, with an envelope's own words when the bytes are not there.
    func read(_ offset: Int, _ length: Int, orFail what: String) throws(BundleError) -> [UInt8] {
        do {
            return try read(offset, length)
        } catch {
            throw BundleError(.envelopePayload, what)
        }
    }
}
