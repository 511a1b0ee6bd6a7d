/// Why a bundle was refused as a whole: a short code, and where or what, for the message.
public struct BundleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `too-large`, `container`, `entries`, `entry`, `inflate`, `manifest`, `signature`,
    /// `untrusted-exporter`, `ops-hash`, `ops-size`, `ops-count`, `line`, `segment`, `unreadable`.
    public let problem: String
    public let detail: String

    public init(_ problem: String, _ detail: String = "") {
        self.problem = problem
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? problem : "\(problem): \(detail)" }
}
