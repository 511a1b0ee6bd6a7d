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

    /// Standard output, buffered: a listing of 100,000 commitments was 100,000 `write` calls.
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

    /// Runs a command body, turning Puente's errors into a message in the user's language and
    /// the contract's exit code: 65 for bad input data, 64 for usage, 1 for anything else.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as PuenteError {
            err(t("error.prefix") + " " + Messages.describe(error))
            throw ExitCode(error.isBadInput ? badInput : error.code == .notFound || error.code == .notInList || error.code == .shortID || error.code == .ambiguousID
                           || error.code == .unknownField || error.code == .invalidValue || error.code == .noConflict
                           || error.code == .wrongType ? 64 : 1)
        } catch let error as ImportFileError {
            err(t("error.prefix") + " " + Messages.describe(error))
            throw ExitCode(badInput)
        } catch let error as BundleError {
            err(t("error.prefix") + " " + Messages.describe(error))
            throw ExitCode(badInput)
        } catch let error as TrustError {
            err(t("error.prefix") + " " + t("trust.\(error.problem)", error.detail))
            switch error.problem {
            case "no-root", "root-exists": throw ExitCode(1)
            case "unknown-replica", "not-held": throw ExitCode(64)
            default: throw ExitCode(badInput)
            }
        } catch let error as PassphraseProblem {
            err(t("error.prefix") + " " + t(error.key, error.argument))
            throw ExitCode(64)
        } catch let error as CardError {
            err(t("error.prefix") + " " + t("card.\(error.problem)"))
            throw ExitCode(badInput)
        } catch let error as ExitCode {
            throw error
        } catch let error as WriteError {
            err(t("error.prefix") + " " + (error.notRegularFile ? t("error.write-special", error.path)
                                                         : t("error.write", error.path, error.reason)))
            throw ExitCode(1)
        } catch let error as ValidationError {
            throw error
        } catch {
            err(t("error.prefix") + " " + t("error.unexpected", String(describing: error)))
            throw ExitCode(1)
        }
    }

    /// A command that only groups others, run without one of them: its help goes to standard
    /// error and the exit code is 64 (usage), as for any other input the command cannot take.
    static func missingSubcommand(_ command: any ParsableCommand.Type) throws {
        err(command.helpMessage())
        throw ExitCode(64)
    }

    /// Pads or cuts `text` to `width` characters.
    static func cell(_ text: String, _ width: Int) -> String {
        let text = UntrustedText.singleLine(text)
        let count = text.count
        if count > width { return String(text.prefix(max(0, width - 1))) + "…" }
        return text + String(repeating: " ", count: width - count)
    }
}
