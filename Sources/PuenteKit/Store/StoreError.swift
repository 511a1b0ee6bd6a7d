/// An error from the store or the façade: a code, and the facts a message needs.
///
/// The terminal turns each code into a sentence in the user's language that says what to do.
public struct PuenteError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case storeExists = "store-exists"
        case storeMissing = "store-missing"
        case storeUnreadable = "store-unreadable"
        /// The store was written by a later Puente, in a format this one does not read.
        case storeFormatNewer = "store-format-newer"
        /// A store of an earlier format could not be upgraded; it is left as it was.
        case storeUpgrade = "store-upgrade"
        case keyFileTooOpen = "key-file-too-open"
        case keyFileUnreadable = "key-file-unreadable"
        case notFound = "not-found"
        /// A list's element to remove that the list does not hold: the field and the element.
        case notInList = "not-in-list"
        case ambiguousID = "ambiguous-id"
        /// An id prefix of fewer than 4 digits: the prefix and how many digits it has.
        case shortID = "short-id"
        case wrongType = "wrong-type"
        case unknownField = "unknown-field"
        case invalidValue = "invalid-value"
        case refused = "refused"
        case noConflict = "no-conflict"
        case unknownReplica = "unknown-replica"
        case brokenChain = "broken-chain"
        case fork = "fork"
        case ownReplicaAhead = "own-replica-ahead"
        case ownReplicaRevoked = "own-replica-revoked"
        case passphraseNeeded = "passphrase-needed"
        case wrongPassphrase = "wrong-passphrase"
        /// A bundle would cross a limit its reader enforces (manifest size, documents of one kind).
        case exportLimit = "export-limit"
        /// An encrypted bundle for a delegation would have no reader there: this store trusts no
        /// desk of it whose agreement key it holds.
        case noRecipient = "no-recipient"
    }

    public let code: Code
    public let arguments: [String]
    /// The merge engine's reason, for ``Code/refused``.
    public let reason: OpReason?

    public init(_ code: Code, _ arguments: [String] = [], reason: OpReason? = nil) {
        self.code = code
        self.arguments = arguments
        self.reason = reason
    }

    public var description: String {
        ([code.rawValue] + arguments + (reason.map { [$0.text] } ?? [])).joined(separator: " ")
    }

    /// Whether the error is about input data from outside (exit code 65).
    public var isBadInput: Bool {
        switch code {
        case .brokenChain, .fork, .keyFileUnreadable, .keyFileTooOpen, .wrongPassphrase: return true
        default: return false
        }
    }
}
