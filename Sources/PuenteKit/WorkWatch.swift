/// What long work is doing, as it goes.
public enum WorkPhase: String, Sendable {
    /// Checking a bundle before the store is touched.
    case verifying
    /// Writing into the store (a file's records, a bundle's operations).
    case importing
    /// Reading the store into a bundle.
    case exporting
    /// Bringing the records a batch touched up to date.
    case materializing
    /// Materializing every entity again.
    case rebuilding
}

/// Long work was stopped through its ``WorkWatch``: its transaction was rolled back (or the
/// file it was writing removed), so the store is as it was.
public struct WorkInterrupted: Error, Sendable, Equatable {
    public init() {}
}

/// Watches long work — `importFile`, `importBundle`, `exportBundle`, `rebuild` — from inside
/// it: each step says how far it is, and asks whether to stop. Stopping throws
/// ``WorkInterrupted`` where the work stands, inside its transaction, so nothing it did is
/// kept; work that has passed its last step (a transaction committing) finishes.
public struct WorkWatch: Sendable {
    public typealias Report = @Sendable (_ phase: WorkPhase, _ done: Int, _ total: Int) -> Void

    let report: Report
    let stop: @Sendable () -> Bool

    /// - Parameters:
    ///   - report: told at each step how far the work is (called often: keep it cheap).
    ///   - stop: asked at each step whether to stop.
    public init(report: @escaping Report = { _, _, _ in }, stop: @escaping @Sendable () -> Bool = { false }) {
        self.report = report
        self.stop = stop
    }

    /// Watches nothing.
    public static let none = WorkWatch()

    /// One step: `done` of `total` in `phase`. Throws ``WorkInterrupted`` when asked to stop.
    func step(_ phase: WorkPhase, _ done: Int, of total: Int) throws(WorkInterrupted) {
        if stop() { throw WorkInterrupted() }
        report(phase, done, total)
    }
}
