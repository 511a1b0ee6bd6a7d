import CLibcrypto

/// The primitives the age format (c2sp.org/age) is built from, each OpenSSL 3.0's: X25519
/// (RFC 7748), HKDF-SHA-256 (RFC 5869), HMAC-SHA-256 and ChaCha20-Poly1305 (RFC 7539).
public enum AgePrimitives {
    /// HKDF-SHA-256 of `ikm` with `salt` and `info`: 32 bytes, as age always derives.
    public static func hkdf(ikm: [UInt8], salt: [UInt8], info: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = puente_hkdf_sha256(ikm, ikm.count, salt, salt.count, info, info.count, &out, 32)
        guard ok == 1 else { throw CryptoError(.encryption, "HKDF: " + OpenSSL.lastError()) }
        return out
    }

    /// HMAC-SHA-256 of `data` under `key`.
    public static func hmac(key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        guard puente_hmac_sha256(key, key.count, data, data.count, &out) == 1 else {
            throw CryptoError(.encryption, "HMAC: " + OpenSSL.lastError())
        }
        return out
    }

    /// ChaCha20-Poly1305 of `plaintext` under a 32-byte key and a 12-byte nonce: the ciphertext
    /// followed by its 16-byte tag.
    public static func seal(key: [UInt8], nonce: [UInt8], _ plaintext: [UInt8]) throws -> [UInt8] {
        guard key.count == 32, nonce.count == 12 else { throw CryptoError(.encryption, "ChaCha20-Poly1305 takes a 32-byte key and a 12-byte nonce") }
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        guard puente_chacha20poly1305_seal(key, nonce, plaintext, plaintext.count, &out) == 1 else {
            throw CryptoError(.encryption, "ChaCha20-Poly1305: " + OpenSSL.lastError())
        }
        return out
    }

    /// The plaintext of what ``seal(key:nonce:_:)`` made, or nil when the tag does not verify
    /// (or `sealed` is shorter than a tag): nothing of a forged ciphertext is returned.
    public static func open(key: [UInt8], nonce: [UInt8], _ sealed: ArraySlice<UInt8>) -> [UInt8]? {
        guard key.count == 32, nonce.count == 12, sealed.count >= 16 else { return nil }
        var out = [UInt8](repeating: 0, count: sealed.count - 16)
        let ok = sealed.withUnsafeBufferPointer { input in
            puente_chacha20poly1305_open(key, nonce, input.baseAddress, input.count, &out)
        }
        guard ok == 1 else {
            ERR_clear_error()
            return nil
        }
        return out
    }

    /// X25519(`scalar`, `point`), or nil when either is not 32 bytes or the result is all zeros
    /// (a low-order point, which age refuses).
    public static func x25519(scalar: [UInt8], point: [UInt8]) -> [UInt8]? {
        guard scalar.count == 32, point.count == 32 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        guard puente_x25519(scalar, point, &out) == 1 else { return nil }
        return out
    }

    /// The X25519 public key of `scalar`: X25519(scalar, 9).
    public static func x25519Base(_ scalar: [UInt8]) -> [UInt8]? {
        var basepoint = [UInt8](repeating: 0, count: 32)
        basepoint[0] = 9
        return x25519(scalar: scalar, point: basepoint)
    }
}

extension PrivateKey {
    /// The raw 32-byte private key (an X25519 scalar, or an Ed25519 seed). The caller wipes it
    /// (``wipe(_:)``) when done.
    public func rawPrivateKey() throws -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_private_key(handle.pointer, &raw, &length) == 1, length == 32 else {
            throw CryptoError(.keyEncoding, OpenSSL.lastError())
        }
        return raw
    }
}

/// Overwrites secret bytes with zeros in a way the compiler keeps (`OPENSSL_cleanse`).
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
}
