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

    /// A dialogue known only to the month keeps its month (`2023-01`); a month that does not
    /// exist, or a day without a month, is refused. Only dialogues' dates take a month.
    @Test func aDialoguesDateMayBeAMonth() {
        let date = try? #require(FieldCatalog.dialogue["date"])
        #expect(date?.rule.problem(with: "2023-01") == nil && date?.rule.problem(with: "2023-01-10") == nil)
        for bad: JSONValue in ["2023-13", "2023-1", "2023", "2023-02-30", "23-01", 202301] {
            #expect(date?.rule.problem(with: bad) == "day-or-month", "\(bad)")
        }
        #expect(FieldCatalog.commitment["due"]?.rule.problem(with: "2023-01") == "date")
        #expect(FieldCatalog.indicator["target.date"]?.rule.problem(with: "2030-12") == "date")
    }

    /// An estimate flag is a JSON boolean, never text that reads like one.
    @Test func anEstimateIsAFlag() {
        let estimate = FieldCatalog.indicator["estimate"]?.rule
        #expect(estimate?.problem(with: true) == nil && estimate?.problem(with: false) == nil)
        for bad: JSONValue in ["true", "yes", 1, .null] { #expect(estimate?.problem(with: bad) == "flag", "\(bad)") }
    }
}
