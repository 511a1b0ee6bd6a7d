import ArgumentParser
import Foundation
import PuenteCrypto
import PuenteKit

#if canImport(Glibc)
import Glibc
#endif

/// Passphrases for root keys: from `PUENTE_PASSPHRASE` (scripts), else asked on the terminal
/// with echo off. Never held in a Swift `String` or `Data`: the bytes go straight into a
/// ``SecretBuffer`` and the read buffer is wiped.
enum Passphrase {
    static let minimumLength = 12

    /// The passphrase of an existing key (the root key unless `prompt` says otherwise).
    static func existing(prompt: String = t("passphrase.prompt")) throws -> SecretBuffer {
        try refuseEmptyVariable("PUENTE_PASSPHRASE")
        if let secret = SecretBuffer.fromEnvironment("PUENTE_PASSPHRASE") { return secret }
        return try ask(prompt)
    }

    /// Runs `body` with a way to get the passphrase of an existing key (``existing(prompt:)``).
    /// One typed at the terminal that turns out wrong is asked for again, three tries in all, as
    /// `sudo` and `ssh` do; one from `PUENTE_PASSPHRASE` is tried once (a script would only fail
    /// the same way again).
    static func retrying<T>(prompt: String = t("passphrase.prompt"),
                            _ body: (_ passphrase: @escaping () throws -> SecretBuffer) throws -> T) throws -> T {
        let typed = getenv("PUENTE_PASSPHRASE") == nil
        var attempt = 1
        while true {
            do {
                return try body { try existing(prompt: prompt) }
            } catch let error as PuenteError where error.code == .wrongPassphrase && typed && attempt < 3 {
                attempt += 1
                Terminal.err(t("passphrase.try-again"))
            }
        }
    }

    /// A new passphrase: `variable` (or `PUENTE_PASSPHRASE`) for scripts, else asked twice.
    static func new(variable: String = "PUENTE_PASSPHRASE") throws -> SecretBuffer {
        try refuseEmptyVariable(variable)
        try refuseEmptyVariable("PUENTE_PASSPHRASE")
        if let secret = SecretBuffer.fromEnvironment(variable) ?? SecretBuffer.fromEnvironment("PUENTE_PASSPHRASE") {
            guard secret.count >= minimumLength else { throw PassphraseProblem("passphrase.short") }
            return secret
        }
        let first = try ask(t("passphrase.new"))
        guard first.count >= minimumLength else { throw PassphraseProblem("passphrase.short") }
        let second = try ask(t("passphrase.again"))
        guard first.equals(second) else { throw PassphraseProblem("passphrase.mismatch") }
        return first
    }

    /// A passphrase variable that is set but empty is a mistake (an unquoted `$VAR`, an export
    /// without a value), not a reason to ask on the terminal or to say none was given.
    private static func refuseEmptyVariable(_ name: String) throws {
        if let value = getenv(name), value.pointee == 0 {
            throw PassphraseProblem("passphrase.empty-variable", name)
        }
    }

    /// Reads one line from the controlling terminal with echo off.
    private static func ask(_ prompt: String) throws -> SecretBuffer {
        Terminal.output.flush()  // what was printed before comes before the prompt
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw PassphraseProblem("passphrase.none") }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { throw PassphraseProblem("passphrase.none") }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        // Echo off (and typeahead dropped) before the prompt shows, as readpassphrase(3) does:
        // what is typed once the prompt is seen is the answer, and is never echoed.
        tcsetattr(fd, TCSAFLUSH, &quiet)
        _ = Array(prompt.utf8).withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
        defer {
            tcsetattr(fd, TCSAFLUSH, &saved)
            _ = write(fd, "\n", 1)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(SecretBuffer.maximumLength + 1)
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != 0x0a, byte != 0x0d {
            if bytes.count <= SecretBuffer.maximumLength { bytes.append(byte) }
        }
        byte = 0
        guard let secret = SecretBuffer.take(&bytes) else { throw PassphraseProblem("passphrase.short") }
        return secret
    }
}

/// A passphrase that could not be had; the key names the sentence.
struct PassphraseProblem: Error {
    let key: String
    let argument: String
    init(_ key: String, _ argument: String = "") {
        self.key = key
        self.argument = argument
    }
}
