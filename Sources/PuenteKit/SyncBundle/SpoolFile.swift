#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file that could not be written or read back while a bundle was written (a full disk, a
/// folder without write permission).
public struct SpoolError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }

    init(_ path: String, _ code: Int32) {
        self.path = path
        reason = String(cString: strerror(code))
    }

    /// The `errno` behind an error thrown by Foundation or ZIPFoundation while writing a file;
    /// `EIO` when it names none.
    static func errorNumber(of error: any Error) -> Int32 {
        switch error {
        case let error as POSIXError:
            return error.code.rawValue
        case let error as CocoaError:
            switch error.code {
            case .fileNoSuchFile, .fileWriteInvalidFileName: return ENOENT
            case .fileWriteNoPermission: return EACCES
            case .fileWriteOutOfSpace: return ENOSPC
            case .fileWriteVolumeReadOnly: return EROFS
            case .fileWriteFileExists: return EEXIST
            default: return (error.underlying as? POSIXError)?.code.rawValue ?? EIO
            }
        default:
            return EIO
        }
    }
}

/// `write(2)`, named apart from ``SpoolFile/write(_:)``.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

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
        guard descriptor >= 0 else { throw SpoolError(target, errno) }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Appends all of `bytes`.
    func write(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress.map { $0 + done }, bytes.count - done) }
            if wrote < 0, errno == EINTR { continue }
            guard wrote > 0 else { throw SpoolError(target, wrote < 0 ? errno : EIO) }
            done += wrote
        }
    }

    /// Exactly `count` bytes at `offset`.
    func read(at offset: Int, count: Int) throws -> Data {
        var data = Data(count: count)
        let failure = data.withUnsafeMutableBytes { preadExactly(descriptor, $0, at: offset) }
        guard failure == 0 else { throw SpoolError(target, failure) }
        return data
    }
}
