/// A hybrid logical clock that never goes backwards, whatever the wall clock does.
///
/// The store persists ``last`` with every operation it writes, so the clock survives restarts.
public struct HybridLogicalClock: Sendable {
    /// How far past the wall clock an imported stamp may move this clock.
    public static let maximumForwardSkewMillis: UInt64 = 24 * 60 * 60 * 1000

    public private(set) var last: HLCTimestamp

    public init(last: HLCTimestamp = .zero) {
        self.last = last
    }

    /// A new reading, strictly greater than every earlier one.
    public mutating func tick(wall: UInt64) -> HLCTimestamp {
        let physical = min(wall, HLCTimestamp.maxMillis)
        let next = physical > last.millis ? HLCTimestamp(millis: physical, counter: 0) : last.successor
        last = next
        return next
    }

    /// Moves the clock past an accepted remote reading, never beyond wall + 24 h.
    ///
    /// Returns false when the remote stamp lies beyond that bound: it is kept as data and
    /// flagged, and the clock does not follow it.
    @discardableResult
    public mutating func observe(_ remote: HLCTimestamp, wall: UInt64) -> Bool {
        let bound = min(wall, HLCTimestamp.maxMillis) + Self.maximumForwardSkewMillis
        guard remote.millis <= bound else { return false }
        if remote > last { last = remote }
        return true
    }
}
