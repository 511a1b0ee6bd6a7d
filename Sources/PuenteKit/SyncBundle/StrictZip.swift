import CPuenteZlib

/// The three entries of a bundle, checked on their raw bytes before anything is inflated.
///
/// General ZIP readers are too lenient for files from outside (ZIPFoundation 0.9.20, which once
/// wrote bundles, loops forever on a truncated deflate stream, returns the first of duplicate
/// names where `unzip` returns the last, and ignores declared sizes and CRCs). This reader
/// accepts exactly the layout Puente's ``Replica/ZipWriter`` writes, and
/// reads it from memory or from a file piece by piece (``BundleBytes``), so an entry of any
/// size streams through a fixed amount of memory (``EntryReader``).
struct StrictZip {
    struct Entry {
        let name: String
        let method: UInt16
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        let dataOffset: Int
    }

    static let names = ["manifest.json", "manifest.sig", "ops.jsonl"]
    /// A central directory of three short names is under 200 bytes.
    static let maximumDirectorySize = 4096
    let source: any BundleBytes
    let entries: [String: Entry]

    init(bytes: [UInt8]) throws(BundleError) {
        try self.init(source: MemoryBundleBytes(bytes))
    }

    init(source: any BundleBytes) throws(BundleError) {
        self.source = source
        func u16(_ bytes: [UInt8], _ at: Int) throws(BundleError) -> Int {
            guard at >= 0, at + 2 <= bytes.count else { throw BundleError(.container, "truncated") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32(_ bytes: [UInt8], _ at: Int) throws(BundleError) -> Int {
            guard at >= 0, at + 4 <= bytes.count else { throw BundleError(.container, "truncated") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        // End of central directory: the last 22 bytes, no comment, one disk, no ZIP64.
        let eocd = source.count - 22
        guard eocd >= 0 else { throw BundleError(.container, "no end-of-central-directory record") }
        let end = try source.read(eocd, 22)
        guard try u32(end, 0) == 0x0605_4b50 else { throw BundleError(.container, "no end-of-central-directory record") }
        guard try u16(end, 4) == 0, try u16(end, 6) == 0 else { throw BundleError(.container, "multi-disk") }
        guard try u16(end, 8) == 3, try u16(end, 10) == 3 else { throw BundleError(.entries, "expected exactly 3 entries") }
        let cdSize = try u32(end, 12)
        let cdOffset = try u32(end, 16)
        guard try u16(end, 20) == 0 else { throw BundleError(.container, "archive comment") }
        guard cdOffset != 0xFFFF_FFFF, cdSize != 0xFFFF_FFFF else { throw BundleError(.container, "ZIP64") }
        guard cdOffset + cdSize == eocd else { throw BundleError(.container, "central directory not right before its end record") }
        guard cdSize <= Self.maximumDirectorySize else { throw BundleError(.container, "central directory too large") }
        let directory = try source.read(cdOffset, cdSize)

        var found = [String: Entry]()
        var position = 0
        var expectedLocal = 0
        for _ in 0..<3 {
            guard try u32(directory, position) == 0x0201_4b50 else { throw BundleError(.container, "bad central directory entry") }
            let versionNeeded = try u16(directory, position + 6)
            let flags = try u16(directory, position + 8)
            let method = try u16(directory, position + 10)
            let time = try u16(directory, position + 12)
            let date = try u16(directory, position + 14)
            let crc = try u32(directory, position + 16)
            let compressed = try u32(directory, position + 20)
            let size = try u32(directory, position + 24)
            let nameLength = try u16(directory, position + 28)
            let extraLength = try u16(directory, position + 30)
            let commentLength = try u16(directory, position + 32)
            let disk = try u16(directory, position + 34)
            let external = try u32(directory, position + 38)
            let localOffset = try u32(directory, position + 42)
            guard flags == 0 || flags == 0x800 else { throw BundleError(.entry, "flags \(flags) (encrypted or data descriptor)") }
            guard method == 0 || method == 8 else { throw BundleError(.entry, "compression method \(method)") }
            guard extraLength == 0, commentLength == 0, disk == 0 else { throw BundleError(.entry, "extra field, comment or disk") }
            guard compressed != 0xFFFF_FFFF, size != 0xFFFF_FFFF else { throw BundleError(.container, "ZIP64") }
            let mode = (external >> 16) & 0o170000
            guard mode == 0o100000 || external == 0 else { throw BundleError(.entry, "not a regular file") }
            guard position + 46 + nameLength <= directory.count else { throw BundleError(.container, "truncated") }
            let nameBytes = Array(directory[position + 46..<position + 46 + nameLength])
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard Self.names.contains(name), Array(name.utf8) == nameBytes else { throw BundleError(.entries, "unexpected entry \(name)") }
            guard found[name] == nil else { throw BundleError(.entries, "duplicate entry \(name)") }
            // Entries are contiguous from offset 0, and each local header equals its central entry.
            guard localOffset == expectedLocal else { throw BundleError(.container, "entries not contiguous") }
            guard localOffset + 30 + nameLength <= cdOffset else { throw BundleError(.container, "truncated") }
            let local = try source.read(localOffset, 30 + nameLength)
            guard try u32(local, 0) == 0x0403_4b50, try u16(local, 4) == versionNeeded,
                  try u16(local, 6) == flags, try u16(local, 8) == method, try u16(local, 10) == time,
                  try u16(local, 12) == date, try u32(local, 14) == crc, try u32(local, 18) == compressed,
                  try u32(local, 22) == size, try u16(local, 26) == nameLength, try u16(local, 28) == 0
            else { throw BundleError(.entry, "local header differs from central directory for \(name)") }
            guard Array(local[30...]) == nameBytes else { throw BundleError(.entry, "local name differs for \(name)") }
            let dataOffset = localOffset + 30 + nameLength
            guard dataOffset + compressed <= cdOffset else { throw BundleError(.container, "entry overruns the archive") }
            if method == 0, compressed != size { throw BundleError(.entry, "stored size mismatch for \(name)") }
            found[name] = Entry(name: name, method: UInt16(method), crc: UInt32(crc), compressedSize: compressed, size: size,
                                dataOffset: dataOffset)
            expectedLocal = dataOffset + compressed
            position += 46 + nameLength
        }
        guard expectedLocal == cdOffset else { throw BundleError(.container, "gap before the central directory") }
        entries = found
    }

    /// The entry's content in memory, inflated from exactly its compressed bytes to exactly its
    /// declared size and CRC, refusing anything larger than `limit`.
    func content(_ name: String, limit: Int) throws(BundleError) -> [UInt8] {
        let reader = try open(name, limit: limit)
        var output = [UInt8]()
        output.reserveCapacity(reader.entry.size)
        while let piece = try reader.next() { output.append(contentsOf: piece) }
        return output
    }

    /// A reader that streams the entry's content, with the same checks as ``content(_:limit:)``.
    func open(_ name: String, limit: Int) throws(BundleError) -> EntryReader {
        guard let entry = entries[name] else { throw BundleError(.entries, "missing \(name)") }
        guard entry.size <= limit else { throw BundleError(.tooLarge, name) }
        return try EntryReader(source: source, entry: entry)
    }
}

/// Streams one entry's content through fixed buffers: exactly its compressed bytes, to exactly
/// its declared size and CRC. Every call makes progress or stops, so a truncated or corrupt
/// deflate stream ends in an error, never a loop.
final class EntryReader {
    let entry: StrictZip.Entry
    private let source: any BundleBytes
    private var nextInput: Int
    private let endInput: Int
    private let stream: UnsafeMutablePointer<z_stream>?
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let output: UnsafeMutableBufferPointer<UInt8>
    private var crc: UInt32 = 0
    private var produced = 0
    private var finished = false

    static let inputPiece = 256 * 1024
    static let outputPiece = 1024 * 1024

    init(source: any BundleBytes, entry: StrictZip.Entry) throws(BundleError) {
        self.source = source
        self.entry = entry
        nextInput = entry.dataOffset
        endInput = entry.dataOffset + entry.compressedSize
        input = .allocate(capacity: Self.inputPiece)
        output = .allocate(capacity: Self.outputPiece)
        if entry.method == 8 {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            guard puente_inflate_init_raw(stream) == Z_OK else {
                stream.deallocate()
                input.deallocate()
                output.deallocate()
                throw BundleError(.inflate, "zlib init")
            }
            self.stream = stream
        } else {
            stream = nil
        }
    }

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deallocate()
        }
        input.deallocate()
        output.deallocate()
    }

    /// The next piece of content, or nil once all of it has been read and checked.
    func next() throws(BundleError) -> [UInt8]? {
        guard !finished else { return nil }
        guard let stream else { return try nextStored() }
        while true {
            if stream.pointee.avail_in == 0, nextInput < endInput {
                let piece = try source.read(nextInput, min(Self.inputPiece, endInput - nextInput))
                nextInput += piece.count
                _ = input.initialize(from: piece)
                stream.pointee.next_in = input.baseAddress
                stream.pointee.avail_in = UInt32(piece.count)
            }
            stream.pointee.next_out = output.baseAddress
            stream.pointee.avail_out = UInt32(output.count)
            let status = inflate(stream, Z_NO_FLUSH)
            let got = output.count - Int(stream.pointee.avail_out)
            produced += got
            guard produced <= entry.size else { throw BundleError(.inflate, "\(entry.name): declared size differs") }
            let piece = Array(output[0..<got])
            crc = piece.withUnsafeBufferPointer { UInt32(crc32(UInt(crc), $0.baseAddress, UInt32($0.count))) }
            switch status {
            case Z_STREAM_END:
                guard stream.pointee.avail_in == 0, nextInput == endInput else {
                    throw BundleError(.inflate, "\(entry.name): data after the deflate stream")
                }
                guard produced == entry.size else { throw BundleError(.inflate, "\(entry.name): declared size differs") }
                try finish()
                return piece.isEmpty ? nil : piece
            case Z_OK, Z_BUF_ERROR:
                // No input left and no end of stream: truncated. Z_BUF_ERROR with input left
                // cannot happen with room to write; refuse it rather than spin.
                if stream.pointee.avail_in == 0, nextInput == endInput, got == 0 || status == Z_BUF_ERROR {
                    throw BundleError(.inflate, "\(entry.name): deflate stream truncated or corrupt")
                }
                if status == Z_BUF_ERROR, stream.pointee.avail_in > 0 {
                    throw BundleError(.inflate, "\(entry.name): deflate stream truncated or corrupt")
                }
                if got > 0 { return piece }
            default:
                throw BundleError(.inflate, "\(entry.name): deflate stream truncated or corrupt")
            }
        }
    }

    private func nextStored() throws(BundleError) -> [UInt8]? {
        guard nextInput < endInput else {
            try finish()
            return nil
        }
        let piece = try source.read(nextInput, min(Self.outputPiece, endInput - nextInput))
        nextInput += piece.count
        produced += piece.count
        crc = piece.withUnsafeBufferPointer { UInt32(crc32(UInt(crc), $0.baseAddress, UInt32($0.count))) }
        if nextInput == endInput { try finish() }
        return piece
    }

    private func finish() throws(BundleError) {
        finished = true
        guard crc == entry.crc else { throw BundleError(.inflate, "CRC mismatch in \(entry.name)") }
    }
}
