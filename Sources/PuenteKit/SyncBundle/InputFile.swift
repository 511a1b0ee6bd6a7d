#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Files read from outside (a bundle, an import file, a card): opened without waiting on a pipe
/// that has no writer, and, when not regular files, read with the same caps as files.
public enum InputFile {
    public enum Failure: Error, Equatable {
        case unreadable
        case tooLarge
        /// Nothing to read: an empty stream, or a pipe no one writes to.
        case empty
        /// The stream does not start as its format must.
        case wrongStart
        /// A named pipe that no one opened to write within ``pipeWait``.
        case noWriter
    }

    /// How long a named pipe may wait for its writer.
    public static let pipeWait: Int32 = 10

    /// Opens `path` for reading. A FIFO is opened without blocking and waited on for at most
    /// ``pipeWait`` seconds until someone writes to it (or opens and closes it), so one with
    /// no writer cannot hang the command; reads block as usual afterwards.
    static func openForReading(_ path: String) throws(Failure) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw .unreadable }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFIFO {
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            var ready: Int32
            repeat { ready = poll(&waiting, 1, pipeWait * 1000) } while ready < 0 && errno == EINTR
            guard ready > 0 else {
                close(descriptor)
                throw ready == 0 ? .noWriter : .unreadable
            }
        }
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            close(descriptor)
            throw .unreadable
        }
        return descriptor
    }

    /// Copies what `source` holds, up to `limit` bytes, into a temporary file (mode 0600,
    /// unlinked at once, so nothing is left behind) and returns it, positioned anywhere: read it
    /// with `pread`. Refuses more than `limit` bytes, nothing at all, or (when `expectPrefixes`
    /// names any) a start that begins none of them, as soon as it is read.
    static func spool(from source: Int32, limit: Int, expectPrefixes: [[UInt8]] = []) throws(Failure) -> Int32 {
        let longest = expectPrefixes.map(\.count).max() ?? 0
        func possible(_ start: [UInt8]) -> Bool {
            expectPrefixes.contains { $0.starts(with: start.prefix($0.count)) }
        }
        var template = Array((NSTemporaryDirectory() + "/puente-input-XXXXXX").utf8CString)
        let spool = mkstemp(&template)
        guard spool >= 0 else { throw .unreadable }
        unlink(template)
        var total = 0
        var start = [UInt8]()
        var piece = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = piece.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else {
                close(spool)
                throw .unreadable
            }
            if got == 0 { break }
            if start.count < longest {
                start += piece[0..<min(got, longest - start.count)]
                if !possible(start) {
                    close(spool)
                    throw .wrongStart
                }
            }
            total += got
            guard total <= limit else {
                close(spool)
                throw .tooLarge
            }
            let failure = piece.withUnsafeBytes { writeAll(spool, Array($0[0..<got])) }
            guard failure == 0 else {
                close(spool)
                throw .unreadable
            }
        }
        guard total > 0 else {
            close(spool)
            throw .empty
        }
        guard expectPrefixes.isEmpty || expectPrefixes.contains(where: { start.starts(with: $0) }) else {
            close(spool)
            throw .wrongStart
        }
        return spool
    }

    /// The whole of `path`, at most `limit` bytes: a regular file is read directly, anything
    /// else through a spool file, so a device or an endless pipe is cut off at the cap.
    public static func readAll(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable }
        var source = descriptor
        var spooled: Int32?
        if (status.st_mode & S_IFMT) != S_IFREG {
            let spool = try spool(from: descriptor, limit: limit)
            spooled = spool
            source = spool
            guard fstat(spool, &status) == 0 else {
                close(spool)
                throw .unreadable
            }
        }
        defer { if let spooled { close(spooled) } }
        guard Int(status.st_size) <= limit else { throw .tooLarge }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        let failure = bytes.withUnsafeMutableBytes { preadExactly(source, $0, at: 0) }
        guard failure == 0 else { throw .unreadable }
        return bytes
    }
}
