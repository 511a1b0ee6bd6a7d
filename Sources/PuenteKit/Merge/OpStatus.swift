/// Why an operation is pending or rejected: a code the terminal translates, and its arguments.
public struct OpReason: Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        // pending
        case waitingForCreate = "waiting-create"
        case waitingForParent = "waiting-parent"
        case untrustedAuthor = "untrusted-author"
        case unknownField = "unknown-field"
        // rejected
        case entityIDMismatch = "entity-id-mismatch"
        case ownerNotOwnDelegation = "owner-not-own-delegation"
        case ownerOnly = "owner-only"
        case delegationOnly = "delegation-only"
        case adderOnly = "adder-only"
        case invalidValue = "invalid-value"
        case invalidCreate = "invalid-create"
        case wrongKind = "wrong-kind"
        case notAllowed = "not-allowed"
        case forked = "forked"
        case revoked = "revoked"
        case offChain = "off-chain"
    }

    public let code: Code
    public let arguments: [String]

    public init(_ code: Code, _ arguments: [String] = []) {
        self.code = code
        self.arguments = arguments
    }

    /// Stored form: the code, then the arguments, separated by `|`.
    public var text: String { ([code.rawValue] + arguments).joined(separator: "|") }
    public var description: String { text }

    public init?(text: String) {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, let code = Code(rawValue: first) else { return nil }
        self.init(code, Array(parts.dropFirst()))
    }
}

/// What the merge engine made of one operation.
public enum OpStatus: Hashable, Sendable {
    case accepted
    case pending(OpReason)
    case rejected(OpReason)

    public var name: String {
        switch self {
        case .accepted: return "accepted"
        case .pending: return "pending"
        case .rejected: return "rejected"
        }
    }

    public var reason: OpReason? {
        switch self {
        case .accepted: return nil
        case .pending(let reason), .rejected(let reason): return reason
        }
    }

    public var isAccepted: Bool { self == .accepted }
}
