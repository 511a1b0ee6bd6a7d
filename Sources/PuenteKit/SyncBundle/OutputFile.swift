#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Files written whole: to a hidden temporary file beside the target, renamed over it in one
/// step, so that nobody ever sees half of one and a failure leaves what was there.
public enum OutputFile {
    /// Writes `bytes` to `path`. Throws ``WriteError`` naming `path`.
    public static func write(_ bytes: [UInt8], to path: String) throws(WriteError) {
        do {
            try write(to: path) { emit in try emit(bytes) }
        } catch let error as WriteError {
            throw error
        } catch {
            throw WriteError(path, EIO)  // unreachable: only writing the bytes can fail here
        }
    }

    /// Writes to `path` what `produce` hands to the function it is given, a piece at a time, so
    /// a file of any size is written without being held; like ``write(_:to:)``, it appears
    /// whole or not at all. A failure to write throws ``WriteError`` naming `path`; an error
    /// thrown by `produce` leaves nothing behind and goes on to the caller.
    public static func write(to path: String, _ produce: (_ emit: @escaping ([UInt8]) throws -> Void) throws -> Void) throws {
        try WriteError.refuseSpecialTarget(path)
        let temporary = hiddenSibling(of: path, suffix: "tmp")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o666)
        guard descriptor >= 0 else { throw WriteError(path, errno) }
        defer { unlink(temporary) }  // gone already once renamed
        var isOpen = true
        defer { if isOpen { close(descriptor) } }
        try produce { bytes in
            let failure = writeAll(descriptor, bytes)
            guard failure == 0 else { throw WriteError(path, failure) }
        }
        isOpen = false
        guard close(descriptor) == 0 else { throw WriteError(path, errno) }
        try WriteError.refuseSpecialTarget(path)
        guard rename(temporary, path) == 0 else { throw WriteError(path, errno) }
    }
}

/// `.<name>.<random>.<suffix>` in the folder of `target`: a hidden name for a temporary file
/// written beside it, so that it lands on the same file system and can be renamed over it.
func hiddenSibling(of target: String, suffix: String) -> String {
    let url = URL(fileURLWithPath: target)
    return url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).\(suffix)").path
}

/// Reads exactly `buffer.count` bytes at `offset` with `pread`, again after an interrupted or
/// short read. Returns 0, or the `errno` of the failure (`EIO` when the file ends first).
func preadExactly(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int32 {
    var done = 0
    while done < buffer.count {
        let got = pread(descriptor, buffer.baseAddress.map { $0 + done }, buffer.count - done, off_t(offset + done))
        if got < 0, errno == EINTR { continue }
        guard got > 0 else { return got < 0 ? errno : EIO }
        done += got
    }
    return 0
}

/// Writes all of `bytes` with `write`, again after an interrupted or short write. Returns 0, or
/// the `errno` of the failure.
func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int32 {
    var done = 0
    while done < bytes.count {
        let wrote = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + done }, bytes.count - done) }
        if wrote < 0, errno == EINTR { continue }
        guard wrote > 0 else { return wrote < 0 ? errno : EIO }
        done += wrote
    }
    return 0
}
