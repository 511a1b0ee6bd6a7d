#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A private temporary file beside a bundle being written, appended to and then read back by
/// position; it is removed when this object goes away, whatever happened.
final class SpoolFile {
    let path: String
    /// The file being written, named in errors (the spool file's own name means nothing to a user).
    private let target: String
    private let descriptor: Int32

    /// Creates `.<name>.<random>.spool` in the folder of `target` (0600, never an existing file).
    init(beside target: String) throws {
        self.target = target
        path = hiddenSibling(of: target, suffix: "spool")
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw WriteError(target, errno) }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Appends all of `bytes`.
    func write(_ bytes: [UInt8]) throws {
        let failure = writeAll(descriptor, bytes)
        guard failure == 0 else { throw WriteError(target, failure) }
    }

    /// Exactly `count` bytes at `offset`.
    func read(at offset: Int, count: Int) throws -> Data {
        var data = Data(count: count)
        let failure = data.withUnsafeMutableBytes { preadExactly(descriptor, $0, at: offset) }
        guard failure == 0 else { throw WriteError(target, failure) }
        return data
    }
}
