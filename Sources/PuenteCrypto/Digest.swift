import CLibcrypto

/// SHA-2 digests through OpenSSL.
public enum Digest {
    /// SHA-256, fetched from OpenSSL's default provider once. OpenSSL 3's one-shot `SHA256()`
    /// fetches the algorithm on every call, which costs more than hashing an operation of a
    /// few hundred bytes; a fetched method is immutable and safe to share between threads.
    nonisolated(unsafe) private static let fetchedSHA256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    /// SHA-256 of `bytes`.
    public static func sha256<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        let input = Array(bytes)
        input.withUnsafeBufferPointer { buffer in
            var length: UInt32 = 0
            if let md = fetchedSHA256, EVP_Digest(buffer.baseAddress, buffer.count, &out, &length, md, nil) == 1,
               length == UInt32(SHA256_DIGEST_LENGTH) {
                return
            }
            _ = SHA256(buffer.baseAddress, buffer.count, &out)
        }
        return out
    }

    /// SHA-512 of `bytes`.
    public static func sha512<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: Int(SHA512_DIGEST_LENGTH))
        let input = Array(bytes)
        input.withUnsafeBufferPointer { buffer in
            _ = SHA512(buffer.baseAddress, buffer.count, &out)
        }
        return out
    }
}

/// An incremental SHA-256, for hashing a listing without holding it in memory.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() throws {
        guard let context = EVP_MD_CTX_new() else { throw CryptoError(.hashing, OpenSSL.lastError()) }
        self.context = context
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw CryptoError(.hashing, OpenSSL.lastError())
        }
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let input = Array(bytes)
        input.withUnsafeBufferPointer { buffer in
            _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        }
    }

    public func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        return Array(out.prefix(Int(length)))
    }
}

extension Collection where Element == UInt8 {
    /// Lowercase hexadecimal.
    ///
    /// Inlinable, so each caller gets a copy specialized to its collection: hashes are written
    /// as hex for every operation an import stores, and a generic version, iterating through
    /// protocol witnesses across the module boundary, costs about 4% of an import's instructions.
    @inlinable
    public var hex: String {
        String(unsafeUninitializedCapacity: count * 2) { buffer in
            var index = 0
            for byte in self {
                buffer[index] = hexDigit(byte >> 4)
                buffer[index + 1] = hexDigit(byte & 0x0f)
                index += 2
            }
            return index
        }
    }
}

/// The lowercase hex digit of a value below 16.
@usableFromInline
func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? 0x30 + nibble : 0x57 + nibble
}

/// Cryptographically secure random bytes.
public func secureRandomBytes(_ count: Int) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    guard RAND_bytes(&out, Int32(count)) == 1 else {
        throw CryptoError(.random, OpenSSL.lastError())
    }
    return out
}

extension Digest {
    /// SHA-256 of `bytes` as lowercase hex.
    public static func sha256hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        sha256(bytes).hex
    }
}
