import Foundation
import PropertyBased
import PuenteKit
import PuenteTestSupport
import Testing

@Suite(.timeLimit(.minutes(20))) struct HLCTests {
    @Test func textFormIsFixedWidthAndSortsLikeTheClock() throws {
        let a = HLCTimestamp(millis: 0x019a_8c3f_2b10, counter: 3)
        #expect(a.text == "019a8c3f2b10-0003")
        #expect(HLCTimestamp(text: a.text) == a)
        #expect(HLCTimestamp(text: "019A8C3F2B10-0003") == nil)  // uppercase refused
        #expect(HLCTimestamp(text: "19a8c3f2b10-0003") == nil)
        let b = HLCTimestamp(millis: 0x019a_8c3f_2b11, counter: 0)
        #expect(a < b && a.text < b.text)
    }

    @Test func neverGoesBackwardsWhenTheWallClockIsSetBack() {
        var clock = HybridLogicalClock()
        let first = clock.tick(wall: 10_000)
        let second = clock.tick(wall: 5_000)  // wall clock set back
        let third = clock.tick(wall: 5_000)
        #expect(first < second && second < third)
        #expect(second.millis == 10_000 && second.counter == 1)
        let fourth = clock.tick(wall: 20_000)
        #expect(fourth == HLCTimestamp(millis: 20_000, counter: 0))
    }

    @Test func counterOverflowMovesToTheNextMillisecond() {
        var clock = HybridLogicalClock(last: HLCTimestamp(millis: 7, counter: .max))
        #expect(clock.tick(wall: 0) == HLCTimestamp(millis: 8, counter: 0))
    }

    @Test func followsRemoteStampsOnlyWithinTwentyFourHours() {
        var clock = HybridLogicalClock()
        let wall: UInt64 = 1_000_000_000
        let followed = clock.observe(HLCTimestamp(millis: wall + 1_000, counter: 0), wall: wall)
        #expect(followed)
        #expect(clock.last.millis == wall + 1_000)
        let farFuture = HLCTimestamp(millis: wall + HybridLogicalClock.maximumForwardSkewMillis + 1, counter: 0)
        let followedFarFuture = clock.observe(farFuture, wall: wall)
        #expect(!followedFarFuture)
        #expect(clock.last.millis == wall + 1_000)
        // The bound is DESIGN's 24 hours, written out here, not taken from the constant it checks.
        let day: UInt64 = 86_400_000
        var edge = HybridLogicalClock()
        let atTheBound = edge.observe(HLCTimestamp(millis: wall + day, counter: 0), wall: wall)
        #expect(atTheBound)
        var past = HybridLogicalClock()
        let aMinuteBeyond = past.observe(HLCTimestamp(millis: wall + day + 60_000, counter: 0), wall: wall)
        #expect(!aMinuteBeyond)
    }

    @Test func persistsAcrossRestartsAndWallClockChanges() throws {
        let folder = try TemporaryFolder()
        let clock = ManualWallClock(2_000_000)
        let replica = try Replica.initialize(folder: folder.sub("s"), delegation: .us, name: "desk", wallClock: clock)
        let c = try replica.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .protect))
        let before = try replica.operations(of: replica.identity.replica).last?.hlc
        clock.set(1_000)  // the machine's clock is set far back, then the store reopens
        let reopened = try Replica.open(folder: folder.sub("s"), wallClock: clock)
        try reopened.set(c, field: "status", value: "in-progress")
        let after = try reopened.operations(of: reopened.identity.replica).last?.hlc
        #expect(before != nil && after != nil)
        if let before, let after { #expect(before < after) }
    }

    /// `utcMinute` is calendar arithmetic: it must agree with a UTC `DateFormatter` everywhere,
    /// leap days and century years included.
    @Test func utcMinuteAgreesWithAFormatter() async {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        func expected(_ millis: UInt64) -> String { formatter.string(from: Date(timeIntervalSince1970: Double(millis / 1000))) }
        // Up to 9999-12-31: beyond, the formatter writes five-digit years.
        await propertyCheck(count: 2000, input: Gen.int(in: 0...253_402_300_799_999)) { millis in
            #expect(HLCTimestamp(millis: UInt64(millis), counter: 0).utcMinute == expected(UInt64(millis)))
        }
        for text in ["1970-01-01 00:00", "2000-02-29 23:59", "2100-03-01 00:00", "2024-12-31 12:30", "1999-12-31 23:59"] {
            let millis = UInt64((formatter.date(from: text)?.timeIntervalSince1970 ?? -1) * 1000)
            #expect(HLCTimestamp(millis: millis + 59_999, counter: 0).utcMinute == text)
        }
    }
}
