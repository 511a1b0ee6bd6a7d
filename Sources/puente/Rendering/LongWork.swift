import ArgumentParser
import Foundation
import PuenteKit

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT while long work runs; read by the work at its next step. A `sig_atomic_t`
/// written only by the handler, as C does it: `Synchronization.Atomic` needs a newer macOS
/// than the package supports.
nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0

/// Long work at a terminal — `import`, `sync import`, `sync export`, `sync exchange`, `rebuild`:
/// a progress line on standard error while it runs (only when that is a terminal), and Ctrl-C
/// that stops it where it stands. SIGINT only sets a flag, which the work reads at its next
/// step (``WorkWatch``); the work then throws inside its transaction, so nothing is kept, and
/// the command says so in the user's language and exits 130. Work already committing finishes.
enum LongWork {
    /// Runs `body` with a watch that shows progress and stops at Ctrl-C; when stopped, says
    /// `interrupted` and exits 130.
    static func run<T>(interrupted: String, _ body: (WorkWatch) throws -> T) throws -> T {
        interruptRequested = 0
        let previous = signal(SIGINT) { _ in interruptRequested = 1 }
        let line = ProgressLine()
        defer {
            signal(SIGINT, previous)
            line.clear()
        }
        let watch = WorkWatch(report: { phase, done, total in line.update(phase, done, total) },
                              stop: { interruptRequested != 0 })
        do {
            return try body(watch)
        } catch is WorkInterrupted {
            line.clear()
            // Said as it is, without "Error:": stopping was asked for. Under --json, the error line.
            guard !Terminal.jsonErrors else { throw Terminal.fail(code: "interrupted", message: interrupted, status: 130) }
            Terminal.err(interrupted)
            throw ExitCode(130)
        }
    }
}

/// One line on standard error that says how far long work is, redrawn at most ten times a
/// second, and erased when the work ends; nothing at all when standard error is not a terminal.
final class ProgressLine: @unchecked Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    private let lock = NSLock()
    private var lastDrawn: UInt64 = 0
    private var width = 0

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1000 + UInt64(time.tv_nsec) / 1_000_000
    }

    func update(_ phase: WorkPhase, _ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Self.now()
        guard now >= lastDrawn + 100 else { return }
        lastDrawn = now
        let share = min(1, max(0, Double(done) / Double(total)))
        let cells = 20
        let filled = Int(share * Double(cells))
        let text = t("progress.\(phase.rawValue)") + " [" + String(repeating: "█", count: filled)
            + String(repeating: "·", count: cells - filled) + "] " + String(format: "%3.0f%%", share * 100) + "  "
            + t("progress.count", Names.number(String(done)), Names.number(String(total)))
        draw("\r" + text + String(repeating: " ", count: max(0, width - text.count)))
        width = text.count
    }

    func clear() {
        lock.lock()
        defer { lock.unlock() }
        guard width > 0 else { return }
        draw("\r" + String(repeating: " ", count: width) + "\r")
        width = 0
    }

    private func draw(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
