import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The built binary run on a pseudo-terminal of its own, as a person at a terminal runs it: the
/// terminal is its standard input, output and error and its controlling terminal (`/dev/tty`),
/// in a new session (led by the shell that starts it and reports its exit status), with SIGINT
/// and every other signal at its default and unblocked. The test
/// reads what it shows and answers once a prompt has appeared (`expect(_:count:)`, then `send`): text sent
/// before a program turns echo off would be discarded by its `TCSAFLUSH`, as a person's
/// typeahead is.
///
/// Every wait has a deadline, and the child is killed when the session ends, so a test that
/// expects the wrong thing fails instead of hanging the suite.
public final class TerminalSession {
    public let pid: pid_t
    private let master: Int32
    /// Everything the terminal has shown so far.
    public private(set) var output = [UInt8]()
    private var exitStatus: Int32?

    public var text: String { String(decoding: output, as: UTF8.self) }

    /// Runs `executable` with this process's environment, `environment` added and `removing` taken out.
    public init(_ executable: String, _ arguments: [String], environment: [String: String], removing: [String] = [],
                columns: Int = 100) throws {
        // posix_openpt, grantpt and unlockpt by hand (Swift's Glibc module leaves them out): the
        // multiplexer, then unlock the terminal and read its number (TIOCSPTLCK, TIOCGPTN).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            if master >= 0 { close(master) }
            throw POSIXError(.ENXIO)
        }
        let slavePath = "/dev/pts/\(number)"
        var size = winsize(ws_row: 40, ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        self.master = master

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Opened by the new session's leader without O_NOCTTY: it becomes the controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        // POSIX_SPAWN_SETSID (glibc 2.26) is 0x80; the Swift module does not always export it.
        let setSession: Int32 = 0x80
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | setSession))

        // Through a shell that waits for the program and writes its exit status on the terminal:
        // a process of the test's that reaps children it did not start (Foundation's `Process`
        // may) can then take the shell's status, never the program's. The shell catches SIGINT
        // with a handler that does nothing (`trap :`); a handler, unlike an ignored signal, is
        // not passed on, so the program gets SIGINT as it would from Ctrl-C.
        let script = "trap : INT; \"$0\" \"$@\"; printf '\\n%s%d%s\\n' '\(Self.exitMarker)' $? '>>'"
        let words: [String] = ["/bin/sh", "-c", script, executable] + arguments
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        for key in removing { merged[key] = nil }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(master)
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL)
        }
        pid = child
    }

    deinit {
        if exitStatus == nil { kill(-pid, SIGKILL) }
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
        close(master)
    }

    /// Reads what the terminal shows for up to `seconds`; false once the child closed it.
    @discardableResult
    private func read(for seconds: Double) -> Bool {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(seconds * 1000)) > 0 else { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(master, &buffer, buffer.count)
        guard count > 0 else { return false }  // EIO: every holder of the terminal closed it
        output.append(contentsOf: buffer[0..<count])
        return true
    }

    /// Waits until the terminal has shown `text` at least `count` times in all.
    public func expect(_ text: String, count: Int, within seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        func seen() -> Int { self.text.components(separatedBy: text).count - 1 }
        while Date() < deadline {
            if seen() >= count { return true }
            if !read(for: 0.1) { return seen() >= count }
        }
        return false
    }

    /// Types `text` at the terminal.
    public func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { Glibc.write(master, $0.baseAddress, $0.count) }
    }

    static let exitMarker = "<<puente-exit:"

    /// Sends SIGINT to the terminal's process group, as Ctrl-C does.
    public func interrupt() {
        kill(-pid, SIGINT)
    }

    /// Waits for the program to end (killing it after `seconds`), reading what it shows to the
    /// end; returns its exit status as its shell reported it (128 + the signal that ended it),
    /// or -1 when it did not end in time. The status line is taken out of ``output``.
    public func finish(within seconds: Double = 60) -> Int32 {
        if let exitStatus { return exitStatus }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, read(for: 0.05) {}
        var code: Int32 = -1
        let marker = Array(Self.exitMarker.utf8)
        if let start = output.ranges(of: marker).last {
            let digits = output[start.upperBound...].prefix { (0x30...0x39).contains($0) }
            code = Int32(String(decoding: digits, as: UTF8.self)) ?? -1
            // The line the shell added (with the newline before it) is not the program's.
            var cut = start.lowerBound
            while cut > 0, output[cut - 1] == 0x0a || output[cut - 1] == 0x0d { cut -= 1 }
            output.removeSubrange(cut...)
        } else {
            kill(-pid, SIGKILL)
        }
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
        exitStatus = code
        return code
    }
}
