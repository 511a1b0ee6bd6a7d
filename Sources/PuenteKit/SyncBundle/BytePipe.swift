import Foundation

/// Bytes handed from one thread to another through a bounded queue of pieces: an export reads
/// and writes its lines on one thread while the ZIP writer deflates them on the other.
///
/// The producer ``put(_:)``s pieces of any size and ends with ``finish(_:)``; the consumer
/// ``take(_:)``s exactly the number of bytes it asks for, or reads what comes with
/// ``next(upTo:)`` until the end. At most `capacity` bytes wait at once
/// (the producer blocks beyond that), so memory does not grow with what goes through. A
/// consumer that gives up calls ``cancel()``, and the producer's next ``put(_:)`` throws.
final class BytePipe: @unchecked Sendable {
    /// The pipe ended before the consumer had all it asked for.
    struct Short: Error, Equatable {
        let asked: Int
        let got: Int
    }

    /// The consumer gave up; the producer should stop.
    struct Cancelled: Error {}

    // Everything below is read and written only with `condition` locked.
    private let condition = NSCondition()
    private var pieces = [[UInt8]]()
    private var offset = 0
    private var queued = 0
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Queues `piece`, waiting while the pipe holds `capacity` bytes or more. Throws
    /// ``Cancelled`` once the consumer has given up.
    func put(_ piece: [UInt8]) throws {
        guard !piece.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        while queued >= capacity, !cancelled { condition.wait() }
        guard !cancelled else { throw Cancelled() }
        pieces.append(piece)
        queued += piece.count
        condition.broadcast()
    }

    /// Ends the stream: with nothing more to come, or with the error that stopped the producer.
    func finish(_ error: (any Error)? = nil) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Exactly `count` bytes, waiting for the producer as needed. Throws the producer's error, or
    /// ``Short`` when the stream ended first.
    func take(_ count: Int) throws -> Data {
        var out = Data(capacity: count)
        condition.lock()
        defer { condition.unlock() }
        while out.count < count {
            guard try waitForPiece() else { throw Short(asked: count, got: out.count) }
            moveOut(upTo: count - out.count, into: &out)
        }
        return out
    }

    /// Up to `count` bytes, at least one, waiting for the producer as needed; nil once the stream
    /// ended with nothing left. Throws the producer's error.
    func next(upTo count: Int) throws -> Data? {
        condition.lock()
        defer { condition.unlock() }
        guard try waitForPiece() else { return nil }
        var out = Data()
        moveOut(upTo: count, into: &out)
        return out
    }

    /// Waits, `condition` locked, until a piece is queued (true) or the stream ended without one
    /// (false); throws the producer's error then.
    private func waitForPiece() throws -> Bool {
        while pieces.isEmpty, !finished { condition.wait() }
        if pieces.isEmpty, let failure { throw failure }
        return !pieces.isEmpty
    }

    /// Moves up to `count` bytes of the first piece into `out`, `condition` locked.
    private func moveOut(upTo count: Int, into out: inout Data) {
        guard let first = pieces.first else { return }
        let n = min(count, first.count - offset)
        out.append(contentsOf: first[offset..<offset + n])
        offset += n
        queued -= n
        if offset == first.count {
            pieces.removeFirst()
            offset = 0
        }
        condition.broadcast()
    }

    /// Gives up on the rest: the producer's waiting or next ``put(_:)`` throws ``Cancelled``.
    func cancel() {
        condition.lock()
        cancelled = true
        pieces = []
        queued = 0
        condition.broadcast()
        condition.unlock()
    }
}
