import Foundation

/// Reading a file that comes from outside: at most `limit` bytes are read, so an oversized
/// file is refused without loading it.
enum BoundedFile {
    enum Outcome {
        case contents([UInt8])
        case unreadable
        case tooLarge
    }

    static func read(_ path: String, limit: Int) -> Outcome {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .unreadable }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: limit + 1) else { return .unreadable }
        return data.count > limit ? .tooLarge : .contents(Array(data))
    }
}
