import PuenteCrypto

/// A desk an encrypted bundle is for.
public struct BundleRecipient: Sendable, Equatable {
    public let replica: ReplicaID
    public let name: String
    public let delegation: Delegation
    /// Its X25519 agreement key, from its card or certificate.
    public let agreementKey: [UInt8]
}

extension Replica {
    /// The desks a bundle for `delegation` (nil: both) is encrypted to: every desk of it that this
    /// store trusts now (by a checked card or a certificate, neither revoked nor cut by a fork
    /// proof) and whose agreement key it holds, and this desk, so the exporter can read what it
    /// wrote. Sorted by replica id, as the signed manifest lists them.
    public func bundleRecipients(for delegation: Delegation?) throws -> [BundleRecipient] {
        try store.read { tx in
            let trust = try tx.trust
            var recipients = [BundleRecipient]()
            for key in try tx.keys() where key.role == .replica {
                guard let agreement = key.agreementKey, agreement.count == 32 else { continue }
                let own = key.id == identity.replica
                if !own {
                    guard trust.delegations[key.id] == key.delegation, trust.resolved.revocations[key.id] == nil,
                          trust.cuts[key.id] == nil, delegation == nil || key.delegation == delegation else { continue }
                }
                recipients.append(BundleRecipient(replica: key.id, name: try tx.displayName(key.id), delegation: key.delegation,
                                                  agreementKey: agreement))
            }
            return recipients.sorted { $0.replica.hex < $1.replica.hex }
        }
    }

    /// This desk's X25519 agreement key, read from its key file (`passphrase` is asked only
    /// when the file is encrypted).
    public func agreementKey(passphrase: (() throws -> SecretBuffer)?) throws -> PrivateKey {
        let path = Self.path(folder, Self.agreementKeyFile)
        do {
            let key = try Self.loadKey(path: path, kind: .x25519, passphrase: passphrase)
            guard try key.rawPublicKey() == (try publicKeys()).agreement else {
                throw PuenteError(.keyFileUnreadable, [path, "key does not belong to this store"])
            }
            return key
        } catch let failure as KeyFile.Failure {
            if case .tooOpen = failure { throw PuenteError(.keyFileTooOpen, [path]) }
            throw PuenteError(.keyFileUnreadable, [path, "\(failure)"])
        } catch let error as CryptoError {
            throw PuenteError(.keyFileUnreadable, [path, "\(error)"])
        }
    }

    /// This desk's age recipient (`age1…`): the Bech32 spelling of its agreement key, which stock
    /// `age -r` encrypts to.
    public func ageRecipient() throws -> String {
        Age.recipient(try publicKeys().agreement)
    }

    /// Writes this desk's age identity (`AGE-SECRET-KEY-1…`: `key`, its agreement key, from
    /// ``agreementKey(passphrase:)``), with which stock `age -d -i` decrypts the bundles sent to
    /// this desk, to a new file at `path`, as key files are written (`O_CREAT|O_EXCL|O_NOFOLLOW`,
    /// mode 0600, fsynced): an existing file, a link or a device is refused (``KeyFile/Failure``).
    /// Comment lines say what it is, as `age-keygen` writes them.
    public func writeAgeIdentity(to path: String, key: PrivateKey) throws {
        var raw = try key.rawPrivateKey()
        defer { wipe(&raw) }
        let recipient = try ageRecipient()
        var text = Array("""
            # Puente desk \(identity.replica.short) (\(identity.delegation.rawValue)): its age identity. Whoever holds this
            # file reads every bundle sent to this desk. Keep it off shared drives; delete it after the audit.
            # public key: \(recipient)

            """.utf8) + Array(Age.identity(raw).utf8) + [0x0a]
        defer { wipe(&text) }
        try KeyFile.create(path: path, bytes: text)
    }

    /// The payload of an encrypted bundle, opened for this desk, and the digest of its envelope's
    /// stanzas; nil when `source` is a plain bundle. Costs an outsider nothing before the header
    /// parses and a stanza unwraps with this desk's key.
    func openEnvelope(_ source: any BundleBytes, agreementKey: (() throws -> PrivateKey)?) throws
        -> (payload: AgePayloadBytes, stanzas: String)? {
        guard source.count >= Age.magic.count, try source.read(0, Age.magic.count) == Age.magic else { return nil }
        let prefix = try source.read(0, min(source.count, AgeHeader.maximumSize))
        let header: AgeHeader
        do {
            header = try AgeHeader(prefix)
        } catch .version {
            throw BundleError(.envelope, "not an age v1 file")
        } catch .malformed(let what) {
            throw BundleError(.envelope, what)
        }
        guard let agreementKey else { throw BundleError(.notForThisDesk, Self.audience(header)) }
        var scalar = try agreementKey().rawPrivateKey()
        defer { wipe(&scalar) }
        guard var fileKey = try Age.unwrap(header, identity: scalar) else { throw BundleError(.notForThisDesk, Self.audience(header)) }
        defer { wipe(&fileKey) }
        guard Age.macMatches(header, fileKey: fileKey) else { throw BundleError(.envelopeMAC) }
        let payload = try AgePayloadBytes(source: source, start: header.length, fileKey: fileKey)
        return (payload, AgeHeader.digest(header.stanzas))
    }

    /// Who an envelope says it is for, as `not-for-this-desk` carries it: `mx=3` (Puente's count
    /// stanza), else the number of its X25519 stanzas.
    static func audience(_ header: AgeHeader) -> String {
        let counts = Age.counts(header)
        if !counts.isEmpty { return counts.map { "\($0.delegation.rawValue)=\($0.count)" }.joined(separator: " ") }
        return "\(header.stanzas.filter { $0.type == Age.x25519Type }.count)"
    }
}
