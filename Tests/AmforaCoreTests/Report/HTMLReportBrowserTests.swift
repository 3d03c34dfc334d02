import AmforaTestSupport
import Foundation
import Testing
@testable import AmforaCore

/// Opens the rendered report in a real browser (headless Chromium): it must load without script
/// errors, and its DOM must hold the headings and the sort buttons the inline script adds.
/// Skipped where `chromium` is not installed (`scripts/setup.sh chromium` installs it).
@Suite struct HTMLReportBrowserTests {
    static let chromium: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    @Test(.enabled(if: chromium != nil, "chromium is not installed: scripts/setup.sh chromium"),
          .timeLimit(.minutes(2)))
    func reportLoadsInHeadlessChromium() throws {
        let browser = try #require(Self.chromium)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("amfora-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("report.html")
        try HTMLReport.render(ReportFixture.make()).write(to: page, atomically: true, encoding: .utf8)

        let errPath = dir.appendingPathComponent("chromium.log")
        let (status, dom) = try Self.dumpDOM(browser, page, in: dir, log: errPath)
        let log = (try? String(contentsOf: errPath, encoding: .utf8)) ?? ""

        #expect(status == 0, "chromium: \(log.suffix(2000))")
        #expect(dom.contains("<html lang=\"da\">"))
        #expect(dom.contains("Amfora ugerapport"))
        for h in ["Overblik", "Landstal", "Kommuner", "Poster pr. kommune", "Afviste linjer efter regel", "Historikændringer", "Kørslen"] {
            #expect(dom.contains(">\(h)</h2>"), "heading \(h) missing from the DOM")
        }
        // The inline script ran: it turned the municipality table's headings into sort buttons.
        #expect(dom.contains("<button type=\"button\" class=\"sort\">Komnr</button>"))
        // The hostile example stayed text.
        #expect(dom.contains("&lt;script&gt;alert('x')&lt;/script&gt;"))
        let consoleErrors = log.split(separator: "\n").filter { $0.contains("CONSOLE") && ($0.contains("Uncaught") || $0.contains("Error")) }
        #expect(consoleErrors.isEmpty, "\(consoleErrors)")

        // A municipality's own page loads too, with its sections.
        let own = dir.appendingPathComponent("169.html")
        try MunicipalityPage.render(MunicipalityPageTests.report(), komnr: 169).write(to: own, atomically: true, encoding: .utf8)
        let (ownStatus, dom2) = try Self.dumpDOM(browser, own, in: dir, log: dir.appendingPathComponent("chromium-169.log"))
        #expect(ownStatus == 0)
        for h in ["Leverancer denne fredag mod sidste fredag", "37-timers nedskrivning", "Afviste linjer efter regel", "Historikændringer"] {
            #expect(dom2.contains(">\(h)</h2>"), "heading \(h) missing from the municipality page's DOM")
        }
    }

    /// The DOM of `page` as headless Chromium builds it; the browser's log goes to `log` (a file,
    /// so that only one pipe is read and neither can block the browser).
    static func dumpDOM(_ browser: String, _ page: URL, in dir: URL, log: URL) throws -> (status: Int32, dom: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                       "--no-first-run", "--disable-extensions", "--disable-background-networking",
                       "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                       "--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString]
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let errFile = try FileHandle(forWritingTo: log)
        defer { try? errFile.close() }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errFile
        try p.run()
        let dom = String(decoding: PipeReader.readAll(out.fileHandleForReading.fileDescriptor), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, dom)
    }
}
