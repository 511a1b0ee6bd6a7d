import CLibcrypto

#if canImport(Glibc)
import Glibc
#endif

/// Secret bytes (a passphrase) kept out of Swift `String` and `Data`, in memory Puente owns,
/// wiped with `OPENSSL_cleanse` when the buffer goes away.
public final class SecretBuffer {
    public static let maximumLength = 1024

    private let base: UnsafeMutableRawPointer
    private let capacity: Int
    public private(set) var count: Int

    /// An empty buffer of `capacity` bytes.
    public init(capacity: Int = SecretBuffer.maximumLength) {
        self.capacity = max(1, capacity)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 1)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: self.capacity)
        count = 0
    }

    deinit {
        OPENSSL_cleanse(base, capacity)
        base.deallocate()
    }

    /// Copies an environment variable's bytes straight from the C environment, or returns
    /// nil when it is unset, empty or too long.
    public static func fromEnvironment(_ name: String) -> SecretBuffer? {
        guard let value = getenv(name) else { return nil }
        let length = strlen(value)
        guard length > 0, length <= maximumLength else { return nil }
        let buffer = SecretBuffer()
        buffer.base.copyMemory(from: value, byteCount: length)
        buffer.count = length
        return buffer
    }

    /// Copies `bytes` in (for tests and for reading from a terminal), then wipes the source.
    public static func take(_ bytes: inout [UInt8]) -> SecretBuffer? {
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return nil }
        let buffer = SecretBuffer()
        bytes.withUnsafeBytes { source in
            if let start = source.baseAddress { buffer.base.copyMemory(from: start, byteCount: source.count) }
        }
        buffer.count = bytes.count
        bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
        return buffer
    }

    /// Whether both buffers hold the same bytes, compared in constant time.
    public func equals(_ other: SecretBuffer) -> Bool {
        count == other.count && CRYPTO_memcmp(base, other.base, count) == 0
    }

    /// Lends the bytes to `body` as a C character pointer, without copying them.
    func withBytes<T>(_ body: (UnsafePointer<CChar>, Int) throws -> T) rethrows -> T {
        try body(UnsafePointer(base.assumingMemoryBound(to: CChar.self)), count)
    }
}
