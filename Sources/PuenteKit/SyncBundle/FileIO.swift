#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

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
