#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a bundle's bytes are read from: memory, or a file read piece by piece, so that a
/// bundle of any size is read with bounded memory.
protocol BundleBytes: AnyObject {
    var count: Int { get }
    /// Exactly `length` bytes at `offset`, or a `container` error when the range is outside.
    func read(_ offset: Int, _ length: Int) throws(BundleError) -> [UInt8]
}

/// A bundle already in memory.
final class MemoryBundleBytes: BundleBytes {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var count: Int { bytes.count }

    func read(_ offset: Int, _ length: Int) throws(BundleError) -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw BundleError(.container, "truncated")
        }
        return Array(bytes[offset..<offset + length])
    }
}

/// Opens the bundle at `path`: a regular file is read piece by piece; anything else (a pipe,
/// `/dev/stdin`, a device) is copied, up to `limit`, into a private temporary file that is
/// already unlinked, and read from there, so memory stays bounded. A stream that does not
/// start as a ZIP does (`/dev/zero`, say) is refused at its first bytes, and a named pipe that
/// no one writes to is refused after ``InputFile/pipeWait`` seconds instead of waiting forever.
func openBundle(path: String, limit: Int) throws(BundleError) -> any BundleBytes {
    let descriptor: Int32
    do {
        descriptor = try InputFile.openForReading(path)
    } catch .noWriter {
        throw BundleError(.unreadable, "\(path): no one wrote to the pipe within \(InputFile.pipeWait) s")
    } catch {
        throw BundleError(.unreadable, path)
    }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
        close(descriptor)
        throw BundleError(.unreadable, path)
    }
    if (status.st_mode & S_IFMT) == S_IFREG { return try FileBundleBytes(descriptor: descriptor, size: Int(status.st_size), path: path, limit: limit) }
    defer { close(descriptor) }
    let spool: Int32
    do {
        spool = try InputFile.spool(from: descriptor, limit: limit, expectPrefixes: [[0x50, 0x4b, 0x03, 0x04], Age.magic])
    } catch .tooLarge {
        throw BundleError(.tooLarge, path)
    } catch .empty {
        throw BundleError(.unreadable, "\(path): empty")
    } catch .wrongStart {
        throw BundleError(.container, "\(path): not a ZIP file, nor an encrypted bundle")
    } catch {
        throw BundleError(.unreadable, path)
    }
    var spooled = stat()
    guard fstat(spool, &spooled) == 0 else {
        close(spool)
        throw BundleError(.unreadable, path)
    }
    return try FileBundleBytes(descriptor: spool, size: Int(spooled.st_size), path: path, limit: limit)
}

/// A bundle file, opened once and read with `pread`. The size is taken when it is opened; a
/// file that shrinks while it is read fails as truncated, one that changes fails its hashes.
final class FileBundleBytes: BundleBytes {
    private let descriptor: Int32
    let count: Int

    /// Takes over `descriptor` (closed on every path); `too-large` past `limit`.
    init(descriptor: Int32, size: Int, path: String, limit: Int) throws(BundleError) {
        guard size <= limit else {
            close(descriptor)
            throw BundleError(.tooLarge, path)
        }
        self.descriptor = descriptor
        count = size
    }

    deinit { close(descriptor) }

    func read(_ offset: Int, _ length: Int) throws(BundleError) -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
            throw BundleError(.container, "truncated")
        }
        var out = [UInt8](repeating: 0, count: length)
        guard out.withUnsafeMutableBytes({ preadExactly(descriptor, $0, at: offset) }) == 0 else {
            throw BundleError(.container, "truncated")
        }
        return out
    }
}
