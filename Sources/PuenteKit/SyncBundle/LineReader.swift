#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lines of a streamed entry, one at a time, each without its newline. A line longer than
/// an operation may be is refused as soon as it is seen, so memory stays bounded.
final class LineReader {
    private let reader: EntryReader
    private var buffer = [UInt8]()
    private var position = 0
    private var ended = false
    private let limit: Int
    /// Lines returned so far.
    private(set) var count = 0

    init(_ reader: EntryReader, limit: Int = Op.maximumEncodedSize) {
        self.reader = reader
        self.limit = limit
    }

    /// The next line, or nil after the last newline (content after it is not a line).
    func next() throws(BundleError) -> [UInt8]? {
        while true {
            let available = buffer.count - position
            let newline: Int? = buffer.withUnsafeBufferPointer { whole in
                guard available > 0, let base = whole.baseAddress,
                      let found = memchr(base + position, 0x0a, available) else { return nil }
                return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            if let newline {
                guard newline - position <= limit else { throw tooLong() }
                let line = Array(buffer[position..<newline])
                position = newline + 1
                count += 1
                return line
            }
            guard available <= limit else { throw tooLong() }
            guard !ended else { return nil }
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            if let piece = try reader.next() {
                buffer.append(contentsOf: piece)
            } else {
                ended = true
            }
        }
    }

    private func tooLong() -> BundleError {
        BundleError(.line, "\(count + 1): operation is larger than 64 KiB")
    }
}
