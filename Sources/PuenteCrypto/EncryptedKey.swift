import CLibcrypto

/// Passphrase protection of private keys: PKCS#8 PBES2 with scrypt and AES-256-CBC.
extension PrivateKey {
    /// scrypt cost: N = 2^14, r = 8, p = 5 (OpenSSL 3.0's memory cap refuses N = 2^15 at r = 8).
    public static let scryptN: UInt64 = 1 << 14
    public static let scryptR: UInt64 = 8
    public static let scryptP: UInt64 = 5

    /// The key as encrypted PKCS#8 PEM (`BEGIN ENCRYPTED PRIVATE KEY`), which `openssl pkey`
    /// opens with the passphrase.
    public func encryptedPEM(passphrase: SecretBuffer) throws -> [UInt8] {
        guard let info = EVP_PKEY2PKCS8(handle.pointer) else { throw CryptoError(.keyEncoding, OpenSSL.lastError()) }
        var salt = try secureRandomBytes(16)
        guard let algorithm = salt.withUnsafeMutableBufferPointer({ buffer in
            PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), buffer.baseAddress, Int32(buffer.count), nil,
                                  Self.scryptN, Self.scryptR, Self.scryptP)
        }) else {
            PKCS8_PRIV_KEY_INFO_free(info)
            throw CryptoError(.keyEncoding, OpenSSL.lastError())
        }
        // PKCS8_set0_pbe takes ownership of the algorithm on success; the key info stays ours.
        let sealed = passphrase.withBytes { pointer, count in PKCS8_set0_pbe(pointer, Int32(count), info, algorithm) }
        PKCS8_PRIV_KEY_INFO_free(info)
        guard let sealed else {
            X509_ALGOR_free(algorithm)
            throw CryptoError(.keyEncoding, OpenSSL.lastError())
        }
        defer { X509_SIG_free(sealed) }
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError(.keyEncoding, OpenSSL.lastError()) }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PKCS8(bio, sealed) == 1 else { throw CryptoError(.keyEncoding, OpenSSL.lastError()) }
        return OpenSSL.contents(of: bio)
    }

    /// A key from encrypted PKCS#8 PEM; a wrong passphrase is refused.
    public init(encryptedPEM pem: [UInt8], passphrase: SecretBuffer, expecting kind: KeyKind) throws {
        let key: OpaquePointer? = pem.withUnsafeBufferPointer { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return passphrase.withBytes { pointer, count in
                var secret = (pointer: pointer, count: count)
                return withUnsafeMutablePointer(to: &secret) { context in
                    PEM_read_bio_PrivateKey(bio, nil, { buffer, size, _, userData in
                        guard let buffer, let userData else { return -1 }
                        let secret = userData.assumingMemoryBound(to: (pointer: UnsafePointer<CChar>, count: Int).self).pointee
                        guard secret.count <= Int(size) else { return -1 }
                        buffer.update(from: secret.pointer, count: secret.count)
                        return Int32(secret.count)
                    }, context)
                }
            }
        }
        guard let key else { throw CryptoError(.keyDecoding, "wrong passphrase or not an encrypted key") }
        try self.init(handle: PKeyHandle(key), checking: kind)
    }
}
