#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file Puente writes (a bundle, an identity card, a report) that could not be written, or
/// read back while it was written: a missing folder, no permission, a full disk.
public struct WriteError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    /// The target exists and is not a regular file (a device, a pipe, a folder, a link): it is
    /// never replaced.
    public private(set) var notRegularFile = false
    public var description: String { "\(path): \(reason)" }

    init(_ path: String, _ code: Int32) {
        self.path = path
        reason = String(cString: strerror(code))
    }

    static func notRegular(_ path: String) -> WriteError {
        var error = WriteError(path, EEXIST)
        error.notRegularFile = true
        return error
    }

    /// Refuses a target that exists and is not a regular file: writing replaces the target by
    /// renaming over it, which would replace `/dev/null` itself, say, not write to it.
    static func refuseSpecialTarget(_ path: String) throws(WriteError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw notRegular(path) }
    }
}
