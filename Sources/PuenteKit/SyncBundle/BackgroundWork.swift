import Foundation

/// Work run on a thread of its own, started at once; ``join()`` waits for its result.
final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the thread before it signals `done`; read only after waiting on `done`.
    private var result: Result<Value, any Error>?

    init(_ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.stackSize = 8 << 20  // as the main thread's: SQLite and GRDB run there
        thread.start()
    }

    /// Waits for the work to end, and gives its value or error; later calls give the same at once.
    func join() -> Result<Value, any Error> {
        done.wait()
        done.signal()  // for the next caller
        guard let result else { return .failure(CancellationError()) }  // unreachable: set before the signal
        return result
    }
}
