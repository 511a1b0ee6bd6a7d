import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Long listings through a pager on a terminal, as git does: `PUENTE_PAGER`, else `PAGER`, else
/// `less` when installed (with `LESS=FRX` unless `LESS` is set, so a listing that fits one
/// screen is printed and the pager quits by itself). Nothing changes when standard output is
/// not a terminal, or the pager is empty or `cat`.
enum Pager {
    nonisolated(unsafe) private static var child: pid_t = 0

    /// From here on, standard output goes to the pager, until ``finish()``.
    static func start() {
        guard isatty(STDOUT_FILENO) == 1 else { return }
        let environment = ProcessInfo.processInfo.environment
        // `less` only when it is installed: a missing pager would swallow the listing.
        let fallback = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .contains { access("\($0)/less", X_OK) == 0 } ? "less" : ""
        let command = (environment["PUENTE_PAGER"] ?? environment["PAGER"] ?? fallback).trimmingCharacters(in: .whitespaces)
        guard !command.isEmpty, command != "cat" else { return }
        // Decided while standard output is still the terminal: the listing keeps its width and colors.
        _ = Terminal.width
        _ = Style.enabled
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[0], STDIN_FILENO)
        posix_spawn_file_actions_addclose(&actions, ends[0])
        posix_spawn_file_actions_addclose(&actions, ends[1])
        var merged = environment
        if merged["LESS"] == nil { merged["LESS"] = "FRX" }
        if merged["LV"] == nil { merged["LV"] = "-c" }
        // Puente writes UTF-8 whatever the locale says (a locale that is not installed would make
        // less show "ú" as <C3><BA>).
        if merged["LESSCHARSET"] == nil { merged["LESSCHARSET"] = "utf-8" }
        let words: [String] = ["/bin/sh", "-c", command]
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp) == 0 else {
            close(ends[0])
            close(ends[1])
            return
        }
        Terminal.output.flush()
        dup2(ends[1], STDOUT_FILENO)
        close(ends[0])
        close(ends[1])
        child = pid
    }

    /// Hands the pager the rest of the output and waits for the person to leave it.
    static func finish() {
        guard child != 0 else { return }
        Terminal.output.flush()
        // The pipe's last write end goes (the pager sees the end); later writes go nowhere.
        let null = open("/dev/null", O_WRONLY)
        dup2(null, STDOUT_FILENO)
        close(null)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        child = 0
    }
}
