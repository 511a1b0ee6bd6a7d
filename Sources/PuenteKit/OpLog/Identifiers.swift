import PuenteCrypto

/// A replica's id: lowercase hex SHA-256 of its raw Ed25519 public key (64 characters).
public struct ReplicaID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hex: String

    public init?(hex: String) {
        guard Self.isHex(hex, count: 64) else { return nil }
        self.hex = hex
    }

    /// The id of the replica whose raw Ed25519 public key is `rawKey`.
    init(signingKey rawKey: [UInt8]) {
        hex = Digest.sha256hex(rawKey)
    }

    /// The first 12 digits, for display only; ids are never stored shortened.
    public var short: String { String(hex.prefix(12)) }
    public var description: String { hex }

    public static func < (lhs: ReplicaID, rhs: ReplicaID) -> Bool { lhs.hex.utf8.lexicographicallyPrecedes(rhs.hex.utf8) }

    static func isHex(_ text: String, count: Int) -> Bool {
        let utf8 = text.utf8
        return utf8.count == count
            && (utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isHexDigit) } ?? utf8.allSatisfy(isHexDigit))
    }

    /// `0`–`9` or `a`–`f`.
    static func isHexDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 || byte &- 0x61 < 6 }
}

/// An operation's id: its author and its place in the author's chain.
public struct OpID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let replica: ReplicaID
    public let seq: Int64

    public init(replica: ReplicaID, seq: Int64) {
        self.replica = replica
        self.seq = seq
    }

    public var description: String { "\(replica.hex):\(seq)" }

    public static func < (lhs: OpID, rhs: OpID) -> Bool {
        lhs.replica == rhs.replica ? lhs.seq < rhs.seq : lhs.replica < rhs.replica
    }
}

/// A reference to another operation: `replica:seq:h`, h the first 16 hex digits of its hash.
public struct OpRef: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let target: OpID
    public let hashPrefix: String

    public init(target: OpID, hashPrefix: String) {
        self.target = target
        self.hashPrefix = hashPrefix
    }

    /// Parses `replica:seq:h`; nil for anything else.
    public init?(text: String) {
        // On the UTF-8 bytes: 64 hex digits, `:`, a seq without leading zeros, `:`, 16 hex digits.
        let bytes = Array(text.utf8)
        guard bytes.count >= 64 + 1 + 1 + 1 + 16, bytes[64] == 0x3a, bytes[bytes.count - 17] == 0x3a else { return nil }
        let digits = bytes[65..<(bytes.count - 17)]
        guard let first = digits.first, first != 0x30, digits.count <= 19,
              digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        var seq: Int64 = 0
        for digit in digits {
            let (times, overflowA) = seq.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(Int64(digit - 0x30))
            guard !overflowA, !overflowB else { return nil }
            seq = sum
        }
        guard let replica = ReplicaID(hex: String(decoding: bytes[0..<64], as: UTF8.self)) else { return nil }
        let prefix = String(decoding: bytes[(bytes.count - 16)...], as: UTF8.self)
        guard ReplicaID.isHex(prefix, count: 16) else { return nil }
        self.target = OpID(replica: replica, seq: seq)
        self.hashPrefix = prefix
    }

    public var text: String { "\(target.replica.hex):\(target.seq):\(hashPrefix)" }
    public var description: String { text }

    /// Whether `hash` (64 hex digits) is the hash this reference names.
    public func matches(hash: String) -> Bool { hash.hasPrefix(hashPrefix) }

    public static func < (lhs: OpRef, rhs: OpRef) -> Bool { lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8) }
}

/// An entity: its type and its derived id, written `type/uuid`.
public struct EntityRef: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let type: EntityType
    /// Lowercase version-8 UUID text.
    public let id: String

    public init(type: EntityType, id: String) {
        self.type = type
        self.id = id
    }

    /// Parses `type/uuid`; nil for anything else.
    public init?(text: String) {
        guard let slash = text.utf8.firstIndex(of: UInt8(ascii: "/")),
              let type = EntityType(rawValue: String(text[..<slash])) else { return nil }
        let id = String(text[text.index(after: slash)...])
        guard Self.isUUID(id) else { return nil }
        self.type = type
        self.id = id
    }

    public var text: String { "\(type.rawValue)/\(id)" }
    public var description: String { text }

    public static func < (lhs: EntityRef, rhs: EntityRef) -> Bool { lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8) }

    static func isUUID(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == 36 else { return false }
        for (index, byte) in utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard ReplicaID.isHexDigit(byte) else { return false }
            }
        }
        return true
    }

    /// The version-8 UUID text of the first 16 bytes of `digest`.
    static func uuid(fromDigest digest: [UInt8]) -> String {
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, digit) in bytes.hex.utf8.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digit)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
