/// An error from the cryptographic layer: what failed, and OpenSSL's own words where it has some.
public struct CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case keyGeneration
        case keyEncoding
        case keyDecoding
        case wrongKeyType
        case signing
        case hashing
        case random
        case encryption
    }

    public let code: Code
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
