#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Key files on disk: created exclusively with mode 0600 and refused when others can read them.
public enum KeyFile {
    /// Why a key file could not be written or read.
    public enum Failure: Error, Equatable, Sendable {
        case exists(path: String)
        case cannotCreate(path: String, errno: Int32)
        case cannotRead(path: String, errno: Int32)
        case tooOpen(path: String, mode: UInt32)
        case notRegularFile(path: String)
        case tooLarge(path: String)
    }

    /// The largest key file read (a PEM key is a few hundred bytes).
    public static let maximumSize = 64 * 1024

    /// Writes `bytes` to a new file at `path`: `O_CREAT|O_EXCL|O_NOFOLLOW`, mode 0600, fsynced.
    public static func create(path: String, bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST { throw Failure.exists(path: path) }
            throw Failure.cannotCreate(path: path, errno: code)
        }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure.cannotCreate(path: path, errno: errno)
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw Failure.cannotCreate(path: path, errno: errno) }
    }

    /// Reads a key file, refusing links, non-regular files, oversized files, and any mode
    /// that lets group or others read or write it.
    public static func read(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw Failure.cannotRead(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure.cannotRead(path: path, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw Failure.notRegularFile(path: path) }
        guard info.st_mode & 0o077 == 0 else { throw Failure.tooOpen(path: path, mode: UInt32(info.st_mode & 0o777)) }
        guard info.st_size <= maximumSize else { throw Failure.tooLarge(path: path) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let count = bytes.count - offset
            let got = bytes.withUnsafeMutableBufferPointer { Glibc.read(fd, $0.baseAddress.map { $0 + offset }, count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw Failure.cannotRead(path: path, errno: errno)
            }
            if got == 0 { break }
            offset += got
        }
        return Array(bytes.prefix(offset))
    }
}
