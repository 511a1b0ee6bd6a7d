import CPuenteZlib

/// The three entries of a bundle, checked on their raw bytes before anything is inflated.
///
/// ZIPFoundation writes bundles but never reads one: 0.9.20 loops forever on a truncated
/// deflate stream, returns the first of duplicate names where `unzip` returns the last, and
/// ignores declared sizes and CRCs. This reader accepts exactly the layout Puente writes.
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
    let bytes: [UInt8]
    let entries: [String: Entry]

    init(bytes: [UInt8]) throws(BundleError) {
        self.bytes = bytes
        func u16(_ at: Int) throws(BundleError) -> Int {
            guard at >= 0, at + 2 <= bytes.count else { throw BundleError("container", "truncated") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws(BundleError) -> Int {
            guard at >= 0, at + 4 <= bytes.count else { throw BundleError("container", "truncated") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        // End of central directory: the last 22 bytes, no comment, one disk, no ZIP64.
        let eocd = bytes.count - 22
        guard eocd >= 0, try u32(eocd) == 0x0605_4b50 else { throw BundleError("container", "no end-of-central-directory record") }
        guard try u16(eocd + 4) == 0, try u16(eocd + 6) == 0 else { throw BundleError("container", "multi-disk") }
        guard try u16(eocd + 8) == 3, try u16(eocd + 10) == 3 else { throw BundleError("entries", "expected exactly 3 entries") }
        let cdSize = try u32(eocd + 12)
        let cdOffset = try u32(eocd + 16)
        guard try u16(eocd + 20) == 0 else { throw BundleError("container", "archive comment") }
        guard cdOffset != 0xFFFF_FFFF, cdSize != 0xFFFF_FFFF else { throw BundleError("container", "ZIP64") }
        guard cdOffset + cdSize == eocd else { throw BundleError("container", "central directory not right before its end record") }

        var found = [String: Entry]()
        var position = cdOffset
        var expectedLocal = 0
        for _ in 0..<3 {
            guard try u32(position) == 0x0201_4b50 else { throw BundleError("container", "bad central directory entry") }
            let versionNeeded = try u16(position + 6)
            let flags = try u16(position + 8)
            let method = try u16(position + 10)
            let time = try u16(position + 12)
            let date = try u16(position + 14)
            let crc = try u32(position + 16)
            let compressed = try u32(position + 20)
            let size = try u32(position + 24)
            let nameLength = try u16(position + 28)
            let extraLength = try u16(position + 30)
            let commentLength = try u16(position + 32)
            let disk = try u16(position + 34)
            let external = try u32(position + 38)
            let localOffset = try u32(position + 42)
            guard flags == 0 || flags == 0x800 else { throw BundleError("entry", "flags \(flags) (encrypted or data descriptor)") }
            guard method == 0 || method == 8 else { throw BundleError("entry", "compression method \(method)") }
            guard extraLength == 0, commentLength == 0, disk == 0 else { throw BundleError("entry", "extra field, comment or disk") }
            guard compressed != 0xFFFF_FFFF, size != 0xFFFF_FFFF else { throw BundleError("container", "ZIP64") }
            let mode = (external >> 16) & 0o170000
            guard mode == 0o100000 || external == 0 else { throw BundleError("entry", "not a regular file") }
            guard position + 46 + nameLength <= eocd else { throw BundleError("container", "truncated") }
            let nameBytes = Array(bytes[position + 46..<position + 46 + nameLength])
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard Self.names.contains(name), Array(name.utf8) == nameBytes else { throw BundleError("entries", "unexpected entry \(name)") }
            guard found[name] == nil else { throw BundleError("entries", "duplicate entry \(name)") }
            // Entries are contiguous from offset 0, and each local header equals its central entry.
            guard localOffset == expectedLocal else { throw BundleError("container", "entries not contiguous") }
            guard try u32(localOffset) == 0x0403_4b50, try u16(localOffset + 4) == versionNeeded,
                  try u16(localOffset + 6) == flags, try u16(localOffset + 8) == method, try u16(localOffset + 10) == time,
                  try u16(localOffset + 12) == date, try u32(localOffset + 14) == crc, try u32(localOffset + 18) == compressed,
                  try u32(localOffset + 22) == size, try u16(localOffset + 26) == nameLength, try u16(localOffset + 28) == 0
            else { throw BundleError("entry", "local header differs from central directory for \(name)") }
            guard localOffset + 30 + nameLength <= cdOffset,
                  Array(bytes[localOffset + 30..<localOffset + 30 + nameLength]) == nameBytes else {
                throw BundleError("entry", "local name differs for \(name)")
            }
            let dataOffset = localOffset + 30 + nameLength
            guard dataOffset + compressed <= cdOffset else { throw BundleError("container", "entry overruns the archive") }
            if method == 0, compressed != size { throw BundleError("entry", "stored size mismatch for \(name)") }
            found[name] = Entry(name: name, method: UInt16(method), crc: UInt32(crc), compressedSize: compressed, size: size,
                                dataOffset: dataOffset)
            expectedLocal = dataOffset + compressed
            position += 46 + nameLength
        }
        guard expectedLocal == cdOffset else { throw BundleError("container", "gap before the central directory") }
        entries = found
    }

    /// The entry's content, inflated from exactly its compressed bytes to exactly its declared
    /// size and CRC, refusing anything larger than `limit`.
    func content(_ name: String, limit: Int) throws(BundleError) -> [UInt8] {
        guard let entry = entries[name] else { throw BundleError("entries", "missing \(name)") }
        guard entry.size <= limit else { throw BundleError("too-large", name) }
        let input = bytes[entry.dataOffset..<entry.dataOffset + entry.compressedSize]
        let output: [UInt8]
        if entry.method == 0 {
            output = Array(input)
        } else {
            output = try Self.inflate(Array(input), size: entry.size, name: name)
        }
        let crc = output.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        guard crc == entry.crc else { throw BundleError("inflate", "CRC mismatch in \(name)") }
        return output
    }

    /// Raw deflate of `input` that must give exactly `size` bytes and end at its last byte.
    static func inflate(_ input: [UInt8], size: Int, name: String) throws(BundleError) -> [UInt8] {
        var stream = z_stream()
        guard puente_inflate_init_raw(&stream) == Z_OK else { throw BundleError("inflate", "zlib init") }
        defer { inflateEnd(&stream) }
        // One byte of room beyond the declared size shows a stream that would give more.
        var output = [UInt8](repeating: 0, count: size + 1)
        var mutableInput = input
        let status: Int32 = mutableInput.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                var result: Int32 = Z_OK
                // Each call makes progress or stops: a truncated stream ends in Z_BUF_ERROR, never a loop.
                while result == Z_OK { result = CPuenteZlib.inflate(&stream, Z_FINISH) }
                return result
            }
        }
        guard status == Z_STREAM_END else { throw BundleError("inflate", "\(name): deflate stream truncated or corrupt") }
        guard stream.avail_in == 0 else { throw BundleError("inflate", "\(name): data after the deflate stream") }
        guard Int(stream.total_out) == size else { throw BundleError("inflate", "\(name): declared size differs") }
        output.removeLast()
        return output
    }
}
