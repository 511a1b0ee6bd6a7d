import Foundation
@testable import puente
import Testing

/// The terminal's one rendering rule keeps Puente's own colors and shows every escape that came
/// from a value, a forged color marker included.
@Suite struct TerminalRenderTests {
    @Test func ourColorsSurviveAndTheirsAreShownAsEscapes() {
        #expect(Terminal.render(Style.paint("Title", "1", enabled: true)) == "\u{1B}[1mTitle\u{1B}[0m")
        // An escape inside painted text (a title from another desk) is shown, not obeyed.
        let painted = Terminal.render(Style.paint("Trace\u{1B}[8m firearms", "31", enabled: true))
        #expect(painted == "\u{1B}[31mTrace\\u{1B}[8m firearms\u{1B}[0m")
        // A marker without this process's token is only text.
        let forged = Terminal.render("\u{E000}0123456789abcdef8\u{E001}hidden")
        #expect(!forged.contains("\u{1B}"))
        // A marker with the token but no code, or a code that is not digits, is not a color either.
        #expect(!Terminal.render("\u{E000}\(Style.token)\u{E001}x").contains("\u{1B}"))
        #expect(!Terminal.render("\u{E000}\(Style.token)8m\u{1B}\u{E001}x").contains("\u{1B}["))
        // Without colors, painting changes nothing.
        #expect(Style.paint("Title", "1", enabled: false) == "Title")
    }
}
