import Foundation
import PuenteKit

/// Reading a file that comes from outside: at most `limit` bytes are read, so an oversized
/// file is refused without loading it; a pipe or device is read with the same cap through a
/// spool file, and a pipe no one writes to is refused instead of waited on (``InputFile``).
enum BoundedFile {
    enum Outcome {
        case contents([UInt8])
        case unreadable
        case tooLarge
    }

    static func read(_ path: String, limit: Int) -> Outcome {
        do {
            return .contents(try InputFile.readAll(path, limit: limit))
        } catch .tooLarge {
            return .tooLarge
        } catch {
            return .unreadable
        }
    }
}
