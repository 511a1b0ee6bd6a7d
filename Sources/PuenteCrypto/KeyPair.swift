import CLibcrypto

/// An OpenSSL key handle, freed when the last reference goes.
///
/// `EVP_PKEY` is immutable once made, and OpenSSL allows concurrent use of one key for
/// signing and verifying, so sharing the handle across tasks is safe.
final class PKeyHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }
}

/// Which of the two key types Puente uses.
public enum KeyKind: Sendable {
    case ed25519
    case x25519

    var nid: Int32 {
        switch self {
        case .ed25519: return NID_ED25519
        case .x25519: return NID_X25519
        }
    }

    var name: String {
        switch self {
        case .ed25519: return "Ed25519"
        case .x25519: return "X25519"
        }
    }

    /// The DER that opens an unencrypted PKCS#8 (version 1) key of this kind, before its 32
    /// raw bytes: SEQUENCE, version 0, the algorithm's OID (1.3.101.112 or .110), OCTET STRING.
    var pkcs8Prefix: [UInt8] {
        let oid: UInt8 = self == .ed25519 ? 0x70 : 0x6e
        return [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, oid, 0x04, 0x22, 0x04, 0x20]
    }
}

/// A private key of one ``KeyKind``: made fresh, or read from PKCS#8 PEM.
public struct PrivateKey: Sendable {
    let handle: PKeyHandle
    public let kind: KeyKind

    /// A new random key.
    public static func generate(_ kind: KeyKind) throws -> PrivateKey {
        guard let context = EVP_PKEY_CTX_new_id(kind.nid, nil) else {
            throw CryptoError(.keyGeneration, OpenSSL.lastError())
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &key) == 1, let key else {
            throw CryptoError(.keyGeneration, OpenSSL.lastError())
        }
        return PrivateKey(handle: PKeyHandle(key), kind: kind)
    }

    /// A key from its unencrypted PKCS#8 PEM text; refuses a key of another kind.
    public init(pem: [UInt8], expecting kind: KeyKind) throws {
        if var raw = Self.rawKey(fromPlainPEM: pem, kind: kind) {
            defer { raw.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
            self = try PrivateKey(raw: raw, kind: kind)
            return
        }
        let key: OpaquePointer? = pem.withUnsafeBufferPointer { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else { throw CryptoError(.keyDecoding, OpenSSL.lastError()) }
        let handle = PKeyHandle(key)
        guard EVP_PKEY_get_id(key) == kind.nid else {
            throw CryptoError(.wrongKeyType, "expected an \(kind.name) key")
        }
        self.handle = handle
        self.kind = kind
    }

    /// The raw key in exactly the PEM text OpenSSL writes for an unencrypted key of `kind`
    /// (`-----BEGIN PRIVATE KEY-----`, one line of base64, the end line, `\n` line ends); nil
    /// for any other text, which OpenSSL's decoder then reads or refuses. Every command reads
    /// the signing key, and setting up that decoder (`OSSL_DECODER_CTX_new_for_pkey`) cost about
    /// 9 million instructions, a seventh of a `puente show`.
    static func rawKey(fromPlainPEM pem: [UInt8], kind: KeyKind) -> [UInt8]? {
        let header = Array("-----BEGIN PRIVATE KEY-----\n".utf8)
        let footer = Array("\n-----END PRIVATE KEY-----\n".utf8)
        let body = 64  // base64 of the 48 bytes of DER, without padding
        guard pem.count == header.count + body + footer.count, pem.starts(with: header),
              pem[(header.count + body)...].elementsEqual(footer) else { return nil }
        var der = [UInt8]()
        der.reserveCapacity(48)
        var group: UInt32 = 0
        for (index, character) in pem[header.count..<(header.count + body)].enumerated() {
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            default: return nil
            }
            group = group << 6 | UInt32(value)
            if index % 4 == 3 {
                der.append(contentsOf: [UInt8(truncatingIfNeeded: group >> 16), UInt8(truncatingIfNeeded: group >> 8),
                                        UInt8(truncatingIfNeeded: group)])
                group = 0
            }
        }
        defer { der.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        let prefix = kind.pkcs8Prefix
        guard der.count == prefix.count + 32, der.starts(with: prefix) else { return nil }
        return Array(der[prefix.count...])
    }

    /// A key from its raw 32-byte private key (an Ed25519 seed, or an X25519 scalar).
    public init(raw: [UInt8], kind: KeyKind) throws {
        guard raw.count == 32 else { throw CryptoError(.keyDecoding, "a private key has 32 bytes, not \(raw.count)") }
        let key = raw.withUnsafeBufferPointer { buffer in
            EVP_PKEY_new_raw_private_key(kind.nid, nil, buffer.baseAddress, buffer.count)
        }
        guard let key else { throw CryptoError(.keyDecoding, OpenSSL.lastError()) }
        self.init(handle: PKeyHandle(key), kind: kind)
    }

    init(handle: PKeyHandle, checking kind: KeyKind) throws {
        guard EVP_PKEY_get_id(handle.pointer) == kind.nid else { throw CryptoError(.wrongKeyType, "expected an \(kind.name) key") }
        self.init(handle: handle, kind: kind)
    }

    private init(handle: PKeyHandle, kind: KeyKind) {
        self.handle = handle
        self.kind = kind
    }

    /// The key as unencrypted PKCS#8 PEM text.
    public func pem() throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError(.keyEncoding, OpenSSL.lastError()) }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, handle.pointer, nil, nil, 0, nil, nil) == 1 else {
            throw CryptoError(.keyEncoding, OpenSSL.lastError())
        }
        return OpenSSL.contents(of: bio)
    }

    /// The raw 32-byte public key.
    public func rawPublicKey() throws -> [UInt8] {
        try PublicKey.raw(of: handle.pointer)
    }

    /// The public half.
    public func publicKey() throws -> PublicKey {
        try PublicKey(raw: rawPublicKey(), kind: kind)
    }

    /// An Ed25519 signature (64 bytes) over `message`.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard kind == .ed25519 else { throw CryptoError(.wrongKeyType, "only Ed25519 keys sign") }
        guard let context = EVP_MD_CTX_new() else { throw CryptoError(.signing, OpenSSL.lastError()) }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, handle.pointer) == 1 else {
            throw CryptoError(.signing, OpenSSL.lastError())
        }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        let status = message.withUnsafeBufferPointer { buffer in
            EVP_DigestSign(context, &signature, &length, buffer.baseAddress, buffer.count)
        }
        guard status == 1, length == 64 else { throw CryptoError(.signing, OpenSSL.lastError()) }
        return signature
    }
}

/// A public key of one ``KeyKind``.
public struct PublicKey: Sendable, Equatable {
    public let raw: [UInt8]
    public let kind: KeyKind

    public init(raw: [UInt8], kind: KeyKind) throws {
        guard raw.count == 32 else { throw CryptoError(.keyDecoding, "a public key has 32 bytes, not \(raw.count)") }
        self.raw = raw
        self.kind = kind
    }

    /// A key from SubjectPublicKeyInfo PEM text.
    public init(pem: [UInt8], expecting kind: KeyKind) throws {
        let key: OpaquePointer? = pem.withUnsafeBufferPointer { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        guard let key else { throw CryptoError(.keyDecoding, OpenSSL.lastError()) }
        let handle = PKeyHandle(key)
        guard EVP_PKEY_get_id(handle.pointer) == kind.nid else {
            throw CryptoError(.wrongKeyType, "expected an \(kind.name) key")
        }
        try self.init(raw: Self.raw(of: handle.pointer), kind: kind)
    }

    static func raw(of key: OpaquePointer) throws -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1, length == 32 else {
            throw CryptoError(.keyEncoding, OpenSSL.lastError())
        }
        return raw
    }

    private func handle() throws -> PKeyHandle {
        let key = raw.withUnsafeBufferPointer { buffer in
            EVP_PKEY_new_raw_public_key(kind.nid, nil, buffer.baseAddress, buffer.count)
        }
        guard let key else { throw CryptoError(.keyDecoding, OpenSSL.lastError()) }
        return PKeyHandle(key)
    }

    /// The key as SubjectPublicKeyInfo PEM text (what `openssl pkeyutl -pubin` reads).
    public func pem() throws -> [UInt8] {
        let key = try handle()
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError(.keyEncoding, OpenSSL.lastError()) }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PUBKEY(bio, key.pointer) == 1 else { throw CryptoError(.keyEncoding, OpenSSL.lastError()) }
        return OpenSSL.contents(of: bio)
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` by this key.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        guard kind == .ed25519, signature.count == 64, let key = try? handle(),
              let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key.pointer) == 1 else {
            ERR_clear_error()
            return false
        }
        let status = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                EVP_DigestVerify(context, sig.baseAddress, sig.count, msg.baseAddress, msg.count)
            }
        }
        ERR_clear_error()
        return status == 1
    }
}
