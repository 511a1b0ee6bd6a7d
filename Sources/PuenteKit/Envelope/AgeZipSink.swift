#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PuenteCrypto

/// Where an encrypted bundle's ZIP is written: straight into its age envelope, sealed chunk by
/// chunk as the ZIP grows, so no plaintext byte reaches the disk and memory stays bounded. The
/// ZIP writer fills in an entry's sizes in its local header once the entry ends; the sink keeps
/// in memory only the chunks that hold such a reserved range (and the chunk still filling), and
/// seals every other chunk as soon as bytes follow it. Each sealed chunk has a fixed place in
/// the file, so chunks are written in any order: the envelope's header, the payload nonce, then
/// chunk `i` at `nonce + i × (64 KiB + 16)`.
final class AgeZipSink {
    private let descriptor: Int32
    private let path: String
    private let key: [UInt8]
    private let base: Int
    /// Plaintext of the chunks not sealed yet, by index (a sealed chunk is no longer here).
    private var open = [Int: [UInt8]]()
    private var reserved = [Range<Int>]()
    private var length = 0

    /// Writes the envelope's header and payload nonce at the start of `descriptor`.
    init(descriptor: Int32, path: String, sealer: Age.Sealer) throws {
        self.descriptor = descriptor
        self.path = path
        let header = try sealer.header()
        let nonce = try secureRandomBytes(16)
        key = try Age.payloadKey(fileKey: sealer.fileKey, nonce: nonce)
        base = header.count + 16
        try write(header + nonce, at: 0)
    }

    /// Bytes at `range` will be given later (``patch(_:at:)``): their chunks wait for them.
    func reserve(_ range: Range<Int>) { reserved.append(range) }

    func append(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let index = length / Age.chunkSize
            let take = min(Age.chunkSize - length % Age.chunkSize, bytes.count - offset)
            open[index, default: []] += bytes[offset..<(offset + take)]
            length += take
            offset += take
        }
        try sealReady()
    }

    func patch(_ bytes: [UInt8], at offset: Int) throws {
        for (position, byte) in bytes.enumerated() {
            let absolute = offset + position
            let index = absolute / Age.chunkSize
            // A reserved range's chunks are never sealed before it is given.
            guard open[index] != nil else { throw WriteError(path, EIO) }
            open[index]?[absolute % Age.chunkSize] = byte
        }
        reserved.removeAll { $0.lowerBound == offset && $0.count == bytes.count }
        try sealReady()
    }

    /// Seals what is left, the last chunk as final (an empty one for an empty payload).
    func finish() throws {
        guard reserved.isEmpty else { throw WriteError(path, EIO) }
        let last = max(0, (length - 1) / Age.chunkSize)
        if length == 0 { open[0] = [] }
        for index in open.keys.sorted() { try seal(index, final: index == last) }
    }

    /// Seals every open chunk that is full, has bytes after it, and holds no reserved range.
    private func sealReady() throws {
        for index in open.keys.sorted() where (index + 1) * Age.chunkSize < length {
            let chunk = (index * Age.chunkSize)..<((index + 1) * Age.chunkSize)
            guard !reserved.contains(where: { $0.overlaps(chunk) }) else { continue }
            try seal(index, final: false)
        }
    }

    private func seal(_ index: Int, final: Bool) throws {
        guard let plaintext = open.removeValue(forKey: index) else { return }
        let sealedChunk = try AgePrimitives.seal(key: key, nonce: Age.chunkNonce(index, final: final), plaintext)
        try write(sealedChunk, at: base + index * Age.sealedChunkSize)
    }

    private func write(_ bytes: [UInt8], at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress.map { $0 + done }, bytes.count - done, off_t(offset + done)) }
            if wrote < 0, errno == EINTR { continue }
            guard wrote > 0 else { throw WriteError(path, wrote < 0 ? errno : EIO) }
            done += wrote
        }
    }
}
