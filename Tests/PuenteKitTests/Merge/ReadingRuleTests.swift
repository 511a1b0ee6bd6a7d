import PuenteKit
import Testing

/// A reading is a value at its date, or a total over a period that starts at `from`, on or
/// before that date: every store judges a received reading by the same rule.
@Suite struct ReadingRuleTests {
    @Test func aReadingOverAPeriodStartsOnOrBeforeItsDate() {
        let rule = ValueRule.reading
        #expect(rule.problem(with: ["date": "2020-09-30", "value": "58"]) == nil)
        #expect(rule.problem(with: ["date": "2020-09-30", "value": "58", "from": "2018-10-01", "source": "FY2019–FY2020"]) == nil)
        #expect(rule.problem(with: ["date": "2020-09-30", "value": "58", "from": "2020-09-30"]) == nil)
        #expect(rule.problem(with: ["date": "2020-09-30", "value": "58", "from": "2020-10-01"]) == "reading-period")
        #expect(rule.problem(with: ["date": "2020-09-30", "value": "58", "from": "FY2019"]) == "reading-period")
        #expect(rule.problem(with: ["date": "2020-09-30", "value": "58", "from": 2019]) == "reading-period")
        #expect(rule.problem(with: ["date": "2020-09-30", "value": "58", "until": "2020-10-01"]) == "reading")
    }
}
