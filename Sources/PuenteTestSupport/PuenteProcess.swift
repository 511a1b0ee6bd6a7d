import Foundation

/// The built `puente` binary, run as a user would: a subprocess with arguments and environment.
public struct PuenteProcess: Sendable {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public let binary: String

    /// `PUENTE_BINARY`, else `puente` beside the test bundle, else `.build/debug/puente`.
    public init() {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["PUENTE_BINARY"], !path.isEmpty {
            binary = path
            return
        }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("puente").path
        binary = FileManager.default.isExecutableFile(atPath: beside) ? beside : Repository.path(".build/debug/puente")
    }

    /// Another program run the same way (a stock tool: `age`, `sh`).
    public init(binary: String) {
        self.binary = binary
    }

    /// Runs `puente` with `arguments`; `LANG` is C unless `environment` says otherwise.
    @discardableResult
    public func run(_ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C"
        env["LC_ALL"] = nil
        env["LC_MESSAGES"] = nil
        env["PUENTE_STORE"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        // Output goes to files, so a large output can never block the child on a full pipe.
        let folder = try TemporaryFolder()
        let outPath = folder.sub("stdout")
        let errPath = folder.sub("stderr")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let outData = try Data(contentsOf: URL(fileURLWithPath: outPath))
        let errData = try Data(contentsOf: URL(fileURLWithPath: errPath))
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
