import CLibcrypto

/// Small helpers over libcrypto that the key and hash types share.
enum OpenSSL {
    /// The newest error on OpenSSL's queue as text, and the queue cleared.
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown OpenSSL error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The bytes a memory BIO holds (`BIO_get_mem_data` is a macro that does not import).
    static func contents(of bio: OpaquePointer) -> [UInt8] {
        var pointer: UnsafeMutablePointer<CChar>?
        let length = withUnsafeMutablePointer(to: &pointer) { out in
            BIO_ctrl(bio, BIO_CTRL_INFO, 0, UnsafeMutableRawPointer(out))
        }
        guard length > 0, let pointer else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }
}
