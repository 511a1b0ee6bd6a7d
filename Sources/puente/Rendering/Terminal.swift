import ArgumentParser
import Foundation
import PuenteKit

/// Output, errors and exit codes, in one place.
enum Terminal {
    /// Exit codes of the contract.
    static let badInput: Int32 = 65

    /// A line (or lines) for the terminal: every character a terminal would act on rather than
    /// show is escaped (``UntrustedText``), whatever text it came from.
    static func out(_ text: String = "") {
        var line = render(text)
        while line.last == " " { line.removeLast() }
        line.append("\n")
        output.append(line.utf8)
    }

    /// Bytes to standard output as they are (a card, a key, a report), in order with `out`.
    static func write(_ bytes: some Sequence<UInt8>) {
        output.append(bytes)
    }

    /// `text` for the terminal: every hidden character escaped (``UntrustedText``), and this
    /// process's own color markers (``Style/paint(_:_:enabled:)``) turned into SGR sequences.
    static func render(_ text: String) -> String {
        let opener = "\u{E000}" + Style.token
        guard text.contains(opener) else { return UntrustedText.escaped(text) }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: opener) {
            out += UntrustedText.escaped(String(rest[..<range.lowerBound]))
            let after = rest[range.upperBound...]
            guard let close = after.firstIndex(of: "\u{E001}"),
                  case let code = after[..<close], !code.isEmpty, code.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ";") })
            else {
                out += UntrustedText.escaped(String(rest[range]))
                rest = after
                continue
            }
            out += "\u{1B}[\(code)m"
            rest = after[after.index(after: close)...]
        }
        return out + UntrustedText.escaped(String(rest))
    }

    static func err(_ text: String) {
        output.flush()
        FileHandle.standardError.write(Data((UntrustedText.escaped(text) + "\n").utf8))
    }

    /// Standard output, buffered, so a long listing is a few large `write` calls, not one per line.
    /// Written out when 64 KiB wait, before anything goes to standard error, and at exit.
    final class OutputBuffer: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes = [UInt8]()

        func append(_ more: some Sequence<UInt8>) {
            lock.lock()
            bytes.append(contentsOf: more)
            let full = bytes.count >= 1 << 16
            lock.unlock()
            if full { flush() }
        }

        func flush() {
            lock.lock()
            defer { lock.unlock() }
            guard !bytes.isEmpty else { return }
            FileHandle.standardOutput.write(Data(bytes))
            bytes.removeAll(keepingCapacity: true)
        }
    }

    static let output: OutputBuffer = {
        atexit { Terminal.output.flush() }
        return OutputBuffer()
    }()

    /// Prints `value` as JSON (sorted keys, one line).
    static func json(_ value: JSONValue) {
        write(CanonicalJSON.encode(value) + [0x0a])
    }

    /// Prints an object as JSON, like ``json(_:)``, writing each item of its `.items` members as
    /// it comes: a listing of any size goes out without being held.
    static func jsonObject(_ members: [String: CanonicalJSON.Member]) throws {
        try CanonicalJSON.writeObject(members) { write($0) }
        write([0x0a])
    }

    /// Prints an array as JSON, like ``json(_:)``, writing each item as `produce` hands it over.
    static func jsonArray(_ produce: (_ item: (JSONValue) throws -> Void) throws -> Void) throws {
        try CanonicalJSON.writeArray(produce) { write($0) }
        write([0x0a])
    }

    /// Whether errors go out as JSON: `--json` among the arguments (before a `--`).
    static let jsonErrors: Bool = {
        let arguments = CommandLine.arguments.dropFirst()
        return arguments.prefix { $0 != "--" }.contains("--json")
    }()

    /// Says what went wrong on standard error — a sentence in the user's language, or with
    /// `--json` one line `{"error":{"code":…,"message":…}}` — and returns the exit code
    /// `status` for the caller to throw. Every failure is said through here, so the two forms
    /// cannot drift apart.
    static func fail(code: String, message: String, status: Int32) -> ExitCode {
        if jsonErrors {
            output.flush()
            let line = CanonicalJSON.encode(["error": ["code": .string(code), "message": .string(message)]]) + [0x0a]
            FileHandle.standardError.write(Data(line))
        } else {
            err(t("error.prefix") + " " + message)
        }
        return ExitCode(status)
    }

    /// Runs a command body, turning Puente's errors into a message in the user's language and
    /// the contract's exit code: 65 for bad input data, 64 for usage, 1 for anything else.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as PuenteError {
            throw fail(code: error.code.rawValue, message: Messages.describe(error),
                       status: error.isBadInput ? badInput : error.code == .notFound || error.code == .notInList || error.code == .shortID
                           || error.code == .ambiguousID || error.code == .unknownField || error.code == .invalidValue
                           || error.code == .noConflict || error.code == .wrongType ? 64 : 1)
        } catch let error as ImportFileError {
            throw fail(code: "import-" + (error.problem.split(separator: ":").first.map(String.init) ?? error.problem),
                       message: Messages.describe(error), status: badInput)
        } catch let error as BundleError {
            throw fail(code: "bundle-" + error.code.rawValue, message: Messages.describe(error), status: badInput)
        } catch let error as TrustError {
            let status: Int32
            switch error.problem {
            case "no-root", "root-exists": status = 1
            case "unknown-replica", "not-held": status = 64
            default: status = badInput
            }
            throw fail(code: "trust-" + error.problem, message: t("trust.\(error.problem)", error.detail), status: status)
        } catch let error as PassphraseProblem {
            throw fail(code: error.key, message: t(error.key, error.argument), status: 64)
        } catch let error as CardError {
            throw fail(code: "card-" + error.problem, message: t("card.\(error.problem)"), status: badInput)
        } catch let error as ExitCode {
            throw error
        } catch let error as WriteError {
            throw fail(code: "write", message: error.notRegularFile ? t("error.write-special", error.path)
                                                                : t("error.write", error.path, error.reason), status: 1)
        } catch let error as ValidationError {
            // A usage mistake found while running: said as the parser says one, without the
            // root's usage line, which is not this command's.
            throw fail(code: "usage", message: error.message, status: 64)
        } catch {
            throw fail(code: "unexpected", message: t("error.unexpected", String(describing: error)), status: 1)
        }
    }

    /// A command that only groups others, run without one of them: its help goes to standard
    /// error and the exit code is 64 (usage), as for any other input the command cannot take.
    static func missingSubcommand(_ command: any ParsableCommand.Type) throws {
        let help = HelpText.localized(Puente.helpMessage(for: command))
        guard !jsonErrors else { throw fail(code: "usage", message: help, status: 64) }
        err(help)
        throw ExitCode(64)
    }

    /// How many columns listings may use: `COLUMNS` when it says, else the terminal's width when
    /// standard output is one, else 100 (a file or a pipe gets the layout it always had).
    static let width: Int = {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns >= 40 { return min(columns, 1000) }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return Int(size.ws_col) }
        return 100
    }()

    /// Pads or cuts `text` to `width` characters.
    static func cell(_ text: String, _ width: Int) -> String {
        let text = UntrustedText.singleLine(text)
        let count = text.count
        if count > width { return String(text.prefix(max(0, width - 1))) + "…" }
        return text + String(repeating: " ", count: width - count)
    }
}
