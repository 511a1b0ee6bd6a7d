/// A hybrid logical clock reading: 48-bit milliseconds since the epoch and a 16-bit counter.
///
/// Written as fixed-width lowercase hex (`019a8c3f2b10-0003`) so it sorts as text and survives
/// JSON parsers that hold numbers as doubles.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let maxMillis: UInt64 = (1 << 48) - 1
    public static let zero = HLCTimestamp(millis: 0, counter: 0)

    public let millis: UInt64
    public let counter: UInt16

    public init(millis: UInt64, counter: UInt16) {
        self.millis = min(millis, Self.maxMillis)
        self.counter = counter
    }

    /// Parses the 17-character text form; nil for anything else.
    public init?(text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 17, bytes[12] == UInt8(ascii: "-") else { return nil }
        func hexValue(_ slice: ArraySlice<UInt8>) -> UInt64? {
            var value: UInt64 = 0
            for byte in slice {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(byte - UInt8(ascii: "a") + 10)
                default: return nil
                }
            }
            return value
        }
        guard let millis = hexValue(bytes[0..<12]), let counter = hexValue(bytes[13..<17]) else { return nil }
        self.millis = millis
        self.counter = UInt16(counter)
    }

    public var text: String {
        let m = String(millis, radix: 16)
        let c = String(counter, radix: 16)
        return String(repeating: "0", count: 12 - m.count) + m + "-" + String(repeating: "0", count: 4 - c.count) + c
    }

    public var description: String { text }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        (lhs.millis, lhs.counter) < (rhs.millis, rhs.counter)
    }

    /// The next reading after this one.
    public var successor: HLCTimestamp {
        counter == UInt16.max ? HLCTimestamp(millis: millis + 1, counter: 0) : HLCTimestamp(millis: millis, counter: counter + 1)
    }

    /// The reading's minute in UTC, `yyyy-MM-dd HH:mm`, by calendar arithmetic (proleptic
    /// Gregorian, as `DateFormatter` in UTC gives it): `show` prints one per history line, and a
    /// formatter made for each cost more than the rest of the command.
    public var utcMinute: String {
        let seconds = Int64(millis / 1000)
        let days = seconds / 86_400
        let secondOfDay = seconds % 86_400
        // Days since 1970-01-01 to a civil date (H. Hinnant's `civil_from_days`).
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func padded(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2)) \(padded(secondOfDay / 3600, 2)):\(padded(secondOfDay % 3600 / 60, 2))"
    }
}
