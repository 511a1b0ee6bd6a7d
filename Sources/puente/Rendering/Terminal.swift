import ArgumentParser
import Foundation
import PuenteKit

/// Output, errors and exit codes, in one place.
enum Terminal {
    /// Exit codes of the contract.
    static let badInput: Int32 = 65

    static func out(_ text: String = "") {
        var line = text
        while line.last == " " { line.removeLast() }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Prints `value` as JSON (sorted keys, one line).
    static func json(_ value: JSONValue) {
        out(String(decoding: CanonicalJSON.encode(value), as: UTF8.self))
    }

    /// Runs a command body, turning Puente's errors into a message in the user's language and
    /// the contract's exit code: 65 for bad input data, 64 for usage, 1 for anything else.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as PuenteError {
            err(t("error.prefix") + " " + Messages.describe(error))
            throw ExitCode(error.isBadInput ? badInput : error.code == .notFound || error.code == .ambiguousID
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
            err(t("error.prefix") + " " + t(error.key))
            throw ExitCode(64)
        } catch let error as CardError {
            err(t("error.prefix") + " " + t("card.\(error.problem)"))
            throw ExitCode(badInput)
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            err(t("error.prefix") + " " + t("error.unexpected", String(describing: error)))
            throw ExitCode(1)
        }
    }

    /// Pads or cuts `text` to `width` characters.
    static func cell(_ text: String, _ width: Int) -> String {
        let characters = Array(text)
        if characters.count > width { return String(characters.prefix(max(0, width - 1))) + "…" }
        return text + String(repeating: " ", count: width - characters.count)
    }
}
