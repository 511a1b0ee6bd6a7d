import PuenteCrypto

/// A key's fingerprint: SHA-512 over `puente-fpr/1\n<role>\n<delegation>\n` and both raw
/// public keys, shown as 12 groups of 5 decimal digits (each group a 5-byte chunk modulo
/// 100000), which read the same aloud in English and Spanish.
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    public let groups: [String]

    public init(role: KeyRole, delegation: Delegation, signingKey: [UInt8], agreementKey: [UInt8]) {
        let digest = Digest.sha512(Array("puente-fpr/1\n\(role.rawValue)\n\(delegation.rawValue)\n".utf8) + signingKey + agreementKey)
        groups = (0..<12).map { index in
            let chunk = digest[index * 5..<index * 5 + 5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let text = String(chunk % 100_000)
            return String(repeating: "0", count: 5 - text.count) + text
        }
    }

    /// Parses what a person typed: 60 digits, grouped by spaces or hyphens or not at all.
    public init?(typed: String) {
        let digits = typed.filter { !" -\t\n".contains($0) }
        guard digits.count == 60, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let characters = Array(digits)
        groups = (0..<12).map { String(characters[$0 * 5..<$0 * 5 + 5]) }
    }

    /// `12345 67890 …` in three lines of four groups when `lines` is true.
    public func text(lines: Bool = false) -> String {
        guard lines else { return groups.joined(separator: " ") }
        return stride(from: 0, to: 12, by: 4).map { groups[$0..<$0 + 4].joined(separator: " ") }.joined(separator: "\n")
    }

    public var description: String { text() }
}

/// What a key is for.
public enum KeyRole: String, Sendable, CaseIterable, Codable {
    case replica
    case root
}
