#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPuenteZlib
import Foundation

extension Replica {
    /// Writes the entries of a bundle's ZIP, exactly in the layout the strict reader accepts
    /// (``StrictZip``): entries contiguous from offset 0, each local header equal to its central
    /// entry (version 2.0, UTF-8 names, no extra field, no comment, no data descriptor, the fixed
    /// date 1980-01-01, a regular file's mode 0644), the central directory right after them, and
    /// an end record without a comment. A deflated entry is one raw deflate stream (zlib, level 6,
    /// memory level 8), deflated on every core (``ParallelDeflater``); its CRC and compressed
    /// size (and, for a streamed entry, its size), known only at its end, are written back into its local header. Every failure to write is a ``WriteError`` naming the bundle.
    final class ZipWriter {
        private let descriptor: Int32
        private let path: String
        /// Where the bytes go instead of straight to `descriptor`: an encrypted bundle's envelope
        /// (``AgeZipSink``), which seals them chunk by chunk.
        private let sink: AgeZipSink?
        private var offset = 0
        private var central = [UInt8]()
        private var count = 0
        /// How much is read from `read` and written at a time.
        static let pieceSize = 1 << 16
        /// DOS time 00:00 and date 1980-01-01: entry dates carry nothing.
        static let dosTime: UInt16 = 0
        static let dosDate: UInt16 = 0x21

        init(descriptor: Int32, path: String, sink: AgeZipSink? = nil) {
            self.descriptor = descriptor
            self.path = path
            self.sink = sink
        }

        /// An entry of bytes in memory.
        func add(_ name: String, bytes: [UInt8], deflate: Bool = false) throws {
            var position = 0
            try add(name, deflate: deflate) { most in
                guard position < bytes.count else { return nil }
                defer { position = min(bytes.count, position + most) }
                return Data(bytes[position..<min(bytes.count, position + most)])
            }
        }

        /// An entry whose size is known at its end: `next` hands over its bytes in order, at most
        /// as many at a time as asked, then nil. Returns its size.
        @discardableResult
        func add(_ name: String, deflate: Bool, next: (Int) throws -> Data?) throws -> Int {
            let nameBytes = Array(name.utf8)
            guard count < 0xFFFF else { throw WriteError(path, EFBIG) }
            let headerOffset = offset
            let method: UInt16 = deflate ? 8 : 0
            // The CRC and both sizes are written back once known.
            try emit(Self.header(signature: 0x0403_4b50, method: method, crc: 0, compressed: 0, size: 0,
                                 name: nameBytes, localOffset: nil))
            sink?.reserve((headerOffset + 14)..<(headerOffset + 26))
            var crc: UInt = crc32(0, nil, 0)
            var compressed = 0
            var size = 0
            let deflater = deflate ? ParallelDeflater(path: path) : nil
            // A piece is deflated once the next is known, so the last one ends the stream.
            var pending = try next(Self.pieceSize).map { Array($0) }
            while let piece = pending {
                guard !piece.isEmpty else { throw WriteError(path, EIO) }
                pending = try next(Self.pieceSize).map { Array($0) }
                size += piece.count
                guard size < 0xFFFF_FFFF else { throw WriteError(path, EFBIG) }
                crc = piece.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) }
                let out = try deflater?.deflate(piece, finish: pending == nil) ?? piece
                compressed += out.count
                try emit(out)
            }
            if let deflater, size == 0 {
                let out = try deflater.deflate([], finish: true)
                compressed += out.count
                try emit(out)
            }
            guard compressed < 0xFFFF_FFFF else { throw WriteError(path, EFBIG) }
            // Back-fill the local header's CRC (offset 14), compressed size (18) and size (22).
            let fill = Self.le32(UInt32(truncatingIfNeeded: crc)) + Self.le32(UInt32(compressed)) + Self.le32(UInt32(size))
            if let sink {
                try sink.patch(fill, at: headerOffset + 14)
            } else {
                let wrote = fill.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(headerOffset + 14)) }
                guard wrote == fill.count else { throw WriteError(path, wrote < 0 ? errno : EIO) }
            }
            central += Self.header(signature: 0x0201_4b50, method: method, crc: UInt32(truncatingIfNeeded: crc),
                                   compressed: UInt32(compressed), size: UInt32(size), name: nameBytes,
                                   localOffset: UInt32(headerOffset))
            count += 1
            return size
        }

        /// Writes the central directory and the end record; the file is then complete.
        func finish() throws {
            let directoryOffset = offset
            try emit(central)
            var end = Self.le32(0x0605_4b50) + Self.le16(0) + Self.le16(0) + Self.le16(UInt16(count)) + Self.le16(UInt16(count))
            end += Self.le32(UInt32(central.count)) + Self.le32(UInt32(directoryOffset)) + Self.le16(0)
            try emit(end)
            try sink?.finish()
        }

        private func emit(_ bytes: [UInt8]) throws {
            if let sink {
                try sink.append(bytes)
            } else {
                let failure = writeAll(descriptor, bytes)
                guard failure == 0 else { throw WriteError(path, failure) }
            }
            offset += bytes.count
        }

        /// A local header (`localOffset` nil) or a central directory entry, with its name.
        static func header(signature: UInt32, method: UInt16, crc: UInt32, compressed: UInt32, size: UInt32, name: [UInt8],
                           localOffset: UInt32?) -> [UInt8] {
            var out = le32(signature)
            if localOffset != nil { out += le16(0x031e) }  // made by: Unix, ZIP 3.0, so the mode below is read
            out += le16(20) + le16(0x800) + le16(method) + le16(dosTime) + le16(dosDate)
            out += le32(crc) + le32(compressed) + le32(size) + le16(UInt16(name.count)) + le16(0)
            if let localOffset {
                // comment length, disk, internal attributes, external attributes (a regular file, 0644), offset
                out += le16(0) + le16(0) + le16(0) + le32(0o100644 << 16) + le32(localOffset)
            }
            return out + name
        }

        static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
        static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * $0) & 0xff) } }
    }

    /// One raw deflate stream, deflated in independent blocks on several cores and joined, as
    /// pigz does: each block of ``blockSize`` input bytes is deflated by a stream of its own,
    /// primed with the 32 KiB of input before it as its dictionary (so matches reach back across
    /// the seam as in one stream) and ended with a sync flush (so its output ends on a byte
    /// boundary and the next block's output follows it directly); the last block ends the
    /// stream. The result is one standard deflate stream that any inflater reads, and its bytes
    /// depend on the input alone, not on how many cores deflated it.
    final class ParallelDeflater {
        /// Input bytes per block: large enough that the seams cost nothing measurable (a sync
        /// flush adds 4–5 bytes), small enough that every core gets work.
        static let blockSize = 1 << 17
        static let dictionarySize = 1 << 15
        /// Blocks deflated at once: one per core, at most 4.
        let width: Int
        private let path: String
        /// Input not yet deflated, and the 32 KiB that came before it.
        private var pending = [UInt8]()
        private var dictionary = [UInt8]()
        private var ended = false

        init(path: String, width: Int = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))) {
            self.path = path
            self.width = max(1, width)
        }

        /// The compressed bytes ready after `input`; with `finish`, the rest and the stream's end.
        func deflate(_ input: [UInt8], finish: Bool) throws -> [UInt8] {
            guard !ended else { throw WriteError(path, EIO) }
            pending += input
            var out = [UInt8]()
            // Whole batches while there is input for every worker; at the end, everything left.
            while pending.count >= width * Self.blockSize || (finish && !ended) {
                let take = finish ? min(pending.count, width * Self.blockSize) : width * Self.blockSize
                let last = finish && take == pending.count
                out += try deflateBatch(Array(pending[0..<take]), last: last)
                dictionary = Array((dictionary + pending[0..<take]).suffix(Self.dictionarySize))
                pending.removeFirst(take)
                if last { ended = true }
            }
            return out
        }

        /// Deflates `batch`, block by block on up to ``width`` threads, in order; the last block
        /// ends the stream when `last`.
        private func deflateBatch(_ batch: [UInt8], last: Bool) throws -> [UInt8] {
            var blocks = [(input: ArraySlice<UInt8>, dictionary: [UInt8], final: Bool)]()
            var start = 0
            var before = dictionary
            repeat {
                let end = min(batch.count, start + Self.blockSize)
                blocks.append((batch[start..<end], before, last && end == batch.count))
                before = Array((before + batch[start..<end]).suffix(Self.dictionarySize))
                start = end
            } while start < batch.count
            let results = BlockResults(count: blocks.count)
            let inputs = blocks
            DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
                let block = inputs[index]
                results.set(index, Self.deflateBlock(block.input, dictionary: block.dictionary, final: block.final))
            }
            var out = [UInt8]()
            for index in 0..<blocks.count {
                guard let bytes = results.get(index) else { throw WriteError(path, EIO) }
                out += bytes
            }
            return out
        }

        /// One block as a piece of a raw deflate stream (level 6, memory level 8); nil when zlib fails.
        static func deflateBlock(_ input: ArraySlice<UInt8>, dictionary: [UInt8], final: Bool) -> [UInt8]? {
            var stream = z_stream()
            guard puente_deflate_init_raw(&stream) == Z_OK else { return nil }
            defer { deflateEnd(&stream) }
            if !dictionary.isEmpty {
                let status = dictionary.withUnsafeBufferPointer {
                    deflateSetDictionary(&stream, $0.baseAddress, UInt32($0.count))
                }
                guard status == Z_OK else { return nil }
            }
            var input = Array(input)
            var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 16)
            let flush = final ? Z_FINISH : Z_SYNC_FLUSH
            let produced: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_in = inBuffer.baseAddress
                    stream.avail_in = UInt32(inBuffer.count)
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = UInt32(outBuffer.count)
                    let status = CPuenteZlib.deflate(&stream, flush)
                    // All of it in one call: the output buffer holds the bound, so room is left over.
                    guard final ? status == Z_STREAM_END : status == Z_OK, stream.avail_in == 0, stream.avail_out > 0 else {
                        return nil
                    }
                    return outBuffer.count - Int(stream.avail_out)
                }
            }
            guard let produced else { return nil }
            return Array(output[0..<produced])
        }
    }

    /// The outputs of one batch's blocks, each written by one worker.
    private final class BlockResults: @unchecked Sendable {
        private let lock = NSLock()
        private var outputs: [[UInt8]?]

        init(count: Int) { outputs = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ bytes: [UInt8]?) { lock.withLock { outputs[index] = bytes } }
        func get(_ index: Int) -> [UInt8]? { lock.withLock { outputs[index] } }
    }
}
