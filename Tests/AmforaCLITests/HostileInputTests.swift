import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// What a hostile tester puts in front of amfora — links and special files in the inbox, absurd
/// configuration, a warehouse that is not amfora's, a full disk — gets a clear error and
/// changes nothing. The job runs as root under cron, so these run as the tests' user (root in CI).
@Suite struct HostileInboxTests {
    static let friday = Day(iso: "2024-11-08")!

    /// A symbolic link, a FIFO, a socket and a directory named like deliveries: reported as what
    /// they are, never opened, never followed; the file a link points to keeps its mode and bytes.
    @Test func onlyRegularFilesAreDeliveries() throws {
        let dir = TemporaryDirectory()
        let inbox = dir.file("inbox")
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday).fileName,
                  lines: [LineBuilder.activation().text], inSubdirectory: "inbox")
        let outside = dir.write("outside.txt", lines: [LineBuilder.activation(["Komnr": "147"]).text])
        chmod(outside, 0o644)
        let before = try Data(contentsOf: URL(fileURLWithPath: outside))
        func name(_ komnr: Int) -> String {
            (inbox as NSString).appendingPathComponent(DeliveryName(kind: .amfora, komnr: komnr, batchDate: Self.friday).fileName)
        }
        #expect(symlink(outside, name(147)) == 0)
        #expect(mkfifo(name(157), 0o600) == 0)
        #expect(mkdir(name(159), 0o700) == 0)
        try bindSocket(at: name(161))

        let r = try CLI.run(["run", "--source", inbox, "--batch-date", Self.friday.iso, "--warehouse", dir.file("w/w.sqlite"),
                             "--reports", dir.file("reports")])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("other files in the inbox: 4"), "\(r.stdout)")
        let log = try String(contentsOfFile: dir.file("reports/2024-11-08/run.txt"), encoding: .utf8)
        for (komnr, what) in [(147, "a symbolic link"), (157, "a FIFO"), (159, "a directory"), (161, "a socket")] {
            #expect(log.contains("AMFORA_\(komnr)_20241108.txt: \(what)"), "\(komnr): \(log)")
        }
        var st = stat()
        #expect(stat(outside, &st) == 0 && st.st_mode & 0o777 == 0o644, "the link's target was chmod-ed")
        #expect(try Data(contentsOf: URL(fileURLWithPath: outside)) == before)

        // The archive holds regular files only, each the bytes its name's SHA-256 says.
        let archive = dir.file("w/w.archive")
        let entries = FileManager.default.enumerator(atPath: archive)?.compactMap { $0 as? String } ?? []
        let files = entries.filter { !$0.hasPrefix(".") && $0.count > 3 }
        #expect(files.count == 1, "\(files)")
        for f in files {
            let path = (archive as NSString).appendingPathComponent(f)
            #expect(lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG)
            #expect(try FileDigest.of(path: path) == (f as NSString).lastPathComponent)
        }
        let db = try Database(path: dir.file("w/w.sqlite"), readOnly: true)
        #expect(try db.scalar("SELECT count(*) FROM delivery WHERE status = 'loaded'") == 1)
    }

    @Test func validateNamesAFIFOAndALinkWithoutOpeningThem() throws {
        let dir = TemporaryDirectory()
        let fifo = dir.file("AMFORA_101_20241108.txt"), link = dir.file("AMFORA_147_20241108.txt")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(symlink("/etc/passwd", link) == 0)
        let r = try CLI.run(["validate", fifo, link])
        #expect(r.status == 2)
        #expect(r.stdout.contains("is a FIFO"), "\(r.stdout)")
        #expect(r.stdout.contains("is a symbolic link (never followed)"), "\(r.stdout)")
        #expect(!r.stdout.contains("root:"), "the link was followed")
    }

    private func bindSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes + [0])
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(rc == 0, "bind \(path): \(String(cString: strerror(errno)))")
    }
}

@Suite struct BadConfigurationTests {
    /// Each numeric key outside its range: exit 2 with the key and what is allowed, never a crash.
    @Test(arguments: [
        ("min_age = 1e300", "min_age"), ("workers = 1e30", "workers"), ("workers = -1", "workers"),
        ("deadline_warning_minutes = nan", "deadline_warning_minutes"), ("shrink_threshold = 2", "shrink_threshold"),
        ("reject_threshold = -0.1", "reject_threshold"), ("shrink_threshold.101 = inf", "shrink_threshold.101"),
        ("min_age = 1.5", "min_age"), ("shrink_threshold.999 = 0.2", "shrink_threshold.999"),
        ("allow_plaintext = yes", "allow_plaintext"),
    ])
    func outOfRangeIsRefusedByName(_ line: String, _ key: String) throws {
        let dir = TemporaryDirectory()
        let config = dir.write("amfora.conf", lines: [line])
        let r = try CLI.run(["run", "--config", config, "--source", dir.path, "--batch-date", "2024-11-08",
                             "--warehouse", dir.file("w.sqlite")])
        #expect(r.status == 2, "\(line): \(r.stderr)")
        #expect(r.stderr.contains(key), "\(r.stderr)")
        #expect(r.stderr.contains("must be") || r.stderr.contains("expected one of"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("w.sqlite")), "nothing was created")
    }

    @Test func valuesInRangeAreTaken() throws {
        let c = try RunConfig(text: "min_age = 0\nworkers = 64\nshrink_threshold = 1\nreject_threshold = 0\ndeadline_warning_minutes = 1440\n")
        #expect(c.workers == 64 && c.minAge == 0 && c.shrinkThreshold == 1 && c.deadlineWarningMinutes == 1440)
    }
}

@Suite struct ForeignWarehouseTests {
    func refused(_ path: String, _ dir: borrowing TemporaryDirectory, says words: String) throws {
        let before = FileManager.default.contents(atPath: path)
        for command in [["run", "--source", dir.file("inbox"), "--batch-date", "2024-11-08", "--reports", dir.file("reports")],
                        ["status"], ["report", "--reports", dir.file("reports")]] {
            let r = try CLI.run(command + ["--warehouse", path])
            #expect(r.status == 2, "\(command[0]): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains(words), "\(command[0]): \(r.stderr)")
            #expect(!r.stderr.contains("SQLite error") && !r.stderr.contains("NSCocoaErrorDomain"), "\(r.stderr)")
        }
        #expect(FileManager.default.contents(atPath: path) == before, "the file was changed")
    }

    func inbox(_ dir: borrowing TemporaryDirectory) {
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Day(iso: "2024-11-08")!).fileName,
                  lines: [LineBuilder.activation().text], inSubdirectory: "inbox")
    }

    @Test func aFileThatIsNotADatabase() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        let path = dir.write("w.sqlite", lines: ["this is a text file, not a database, and it is long enough to look like one"])
        try refused(path, dir, says: "is not an SQLite database")
    }

    @Test func anotherProgramsDatabase() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        let path = dir.file("w.sqlite")
        do {
            let db = try Database(path: path)
            try db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL); INSERT INTO invoices VALUES (1, 9.5);")
        }
        try refused(path, dir, says: "not an amfora warehouse")
    }

    @Test func aWarehouseOfANewerSchema() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        let path = dir.file("w.sqlite")
        do {
            let w = try Warehouse(path: path)
            try w.db.execute("INSERT INTO schema_version (version) VALUES (99); PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
        }
        try refused(path, dir, says: "newer amfora (schema version 99")
    }

    @Test func aDirectory() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        try FileManager.default.createDirectory(atPath: dir.file("w.sqlite"), withIntermediateDirectories: true)
        let r = try CLI.run(["run", "--source", dir.file("inbox"), "--batch-date", "2024-11-08", "--warehouse", dir.file("w.sqlite")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("is a directory"), "\(r.stderr)")
    }
}

@Suite struct OperatorErrorTests {
    static let friday1 = Day(iso: "2024-11-01")!, friday2 = Day(iso: "2024-11-08")!

    /// A full disk during the weekly load (SQLite's page limit, a real SQLITE_FULL): one sentence
    /// that says what happened and what to do; the same command without the limit completes.
    @Test func aFullDiskIsOneSentence() throws {
        let dir = TemporaryDirectory()
        for (day, n) in [(Self.friday1, 50), (Self.friday2, 3_000)] {
            let template = LineBuilder.activation(["CPRnr": "XXXXXXXXXX"]).text
            dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: day).fileName,
                      lines: (0..<n).map { template.replacingOccurrences(of: "XXXXXXXXXX", with: String(format: "0303%06d", $0)) },
                      inSubdirectory: day.iso)
        }
        func run(_ day: Day, _ env: [String: String] = [:]) throws -> CLI.Result {
            try CLI.run(["run", "--source", dir.file(day.iso), "--batch-date", day.iso, "--warehouse", dir.file("w.sqlite"),
                         "--reports", dir.file("reports")], environment: env)
        }
        _ = try run(Self.friday1)
        let pages = try Database(path: dir.file("w.sqlite"), readOnly: true).scalar("PRAGMA page_count") ?? 0
        let full = try run(Self.friday2, ["AMFORA_FAULT_MAX_PAGES": String(pages + 20)])
        #expect(full.status == 2, "\(full.stdout)\(full.stderr)")
        #expect(full.stderr.contains("is full") && full.stderr.contains("run the same command again"), "\(full.stderr)")
        #expect(!full.stderr.contains("SQLite error") && !full.stderr.contains("COMMIT"), "\(full.stderr)")
        #expect(!full.stdout.contains("FAILED"), "the disk's failure is not the delivery's: \(full.stdout)")
        let again = try run(Self.friday2)
        #expect(again.status == 0 || again.status == 1, "\(again.stderr)")
        #expect(try Database(path: dir.file("w.sqlite"), readOnly: true).scalar("SELECT count(*) FROM activity WHERE closed_in IS NULL") == 3_000)
    }

    /// Reports hold birth dates with municipality and measure: owner and group only, whatever the umask.
    @Test func reportFilesAreOwnerAndGroupOnlyUnderAnyUmask() throws {
        let dir = TemporaryDirectory()
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName,
                  lines: [LineBuilder.activation().text, LineBuilder.activation(["Timetal": "00"]).text], inSubdirectory: "inbox")
        let r = try CLI.run(["run", "--source", dir.file("inbox"), "--batch-date", Self.friday2.iso, "--warehouse", dir.file("w.sqlite"),
                             "--reports", dir.file("reports")], umask: "000")
        #expect(r.status == 1, "\(r.stderr)")
        let root = dir.file("reports/\(Self.friday2.iso)")
        var seen = 0
        for case let name as String in FileManager.default.enumerator(atPath: root)! {
            var st = stat()
            let path = (root as NSString).appendingPathComponent(name)
            #expect(lstat(path, &st) == 0)
            let expected: mode_t = st.st_mode & S_IFMT == S_IFDIR ? 0o750 : 0o640
            #expect(st.st_mode & 0o777 == expected, "\(name): \(String(st.st_mode & 0o777, radix: 8))")
            #expect(!name.contains(".tmp"), "\(name)")
            seen += 1
        }
        #expect(seen >= 8)
        let siblings = try FileManager.default.contentsOfDirectory(atPath: dir.file("reports"))
        #expect(siblings.sorted() == [Self.friday2.iso, "index.html"], "no staging directory is left: \(siblings)")
    }
}

@Suite struct ReadersDuringARunTests {
    /// While a run holds the lock and an open write transaction: `status` reads what is committed,
    /// and `report` (which writes) says who holds the lock instead of "database is locked".
    @Test func statusReadsAndReportNamesTheHolder() throws {
        let dir = TemporaryDirectory()
        let day = Day(iso: "2024-11-08")!
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: day).fileName, lines: [LineBuilder.activation().text],
                  inSubdirectory: "inbox")
        let warehouse = dir.file("w.sqlite")
        let first = try CLI.run(["run", "--source", dir.file("inbox"), "--batch-date", day.iso, "--warehouse", warehouse,
                                 "--reports", dir.file("reports")])
        #expect(first.status == 1, "\(first.stderr)")
        let lock = try RunLock(warehouse: warehouse, purpose: "batch \(day.iso)")
        let writer = try Warehouse(path: warehouse)
        try writer.db.execute("BEGIN IMMEDIATE; UPDATE run SET status = 'running';")
        defer { try? writer.db.execute("ROLLBACK") }

        let status = try CLI.run(["status", "--warehouse", warehouse, "--batch-date", day.iso])
        #expect(status.status != 2, "\(status.stderr)")
        #expect(status.stdout.contains(day.iso), "\(status.stdout)")
        let report = try CLI.run(["report", "--warehouse", warehouse, "--reports", dir.file("reports"), "--batch-date", day.iso])
        #expect(report.status == 2)
        #expect(report.stderr.contains("pid \(getpid())"), "\(report.stderr)")
        #expect(!report.stderr.contains("SQLite error"), "\(report.stderr)")
        withExtendedLifetime(lock) {}
    }

    @Test func theLockHolderIsNamedBeforeItHasWrittenItsNote() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("w.sqlite.lock")
        // A holder that has taken the lock but not yet said who it is.
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let r = try CLI.run(["run", "--source", dir.path, "--batch-date", "2024-11-08", "--warehouse", dir.file("w.sqlite")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("pid \(getpid())"), "\(r.stderr)")
    }
}

/// No full CPR leaves the program, wherever it stands in a line: lines shifted by random columns
/// (a CPR number lands in a date or a JobplanID) and random digit runs over random columns, through
/// `validate` (text and JSON), `run`'s output and every report file.
@Suite struct MaskingPropertyTests {
    static func hostileLines(_ rng: inout SplitMix64, count: Int) -> [String] {
        let clean = LineBuilder.activation().text
        return (0..<count).map { _ in
            var line = Array(clean)
            let cpr = String(format: "%02d%02d%02d%04d", Int.random(in: 1...28, using: &rng), Int.random(in: 1...12, using: &rng),
                             Int.random(in: 0...99, using: &rng), Int.random(in: 0...9999, using: &rng))
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:  // shifted right: the CPR number runs into the fields after it
                line = Array(String(repeating: " ", count: Int.random(in: 1...40, using: &rng))) + line
            case 1:  // shifted left
                line = Array(line.dropFirst(Int.random(in: 1...9, using: &rng)))
            default:  // a digit run holding a CPR number, over a random column
                let run = String((0..<Int.random(in: 0...3, using: &rng)).map { _ in "7" }) + cpr
                    + String((0..<Int.random(in: 0...3, using: &rng)).map { _ in "3" })
                let at = Int.random(in: 0..<(line.count - run.count), using: &rng)
                line.replaceSubrange(at..<(at + run.count), with: Array(run))
            }
            return String(line)
        }
    }

    @Test func noOutputHoldsAFullCPR() throws {
        var rng = SplitMix64(seed: 12)
        let dir = TemporaryDirectory()
        let day = Day(iso: "2024-11-08")!
        var files: [String] = []
        for komnr in [101, 147, 151] {
            files.append(dir.write(DeliveryName(kind: .amfora, komnr: komnr, batchDate: day).fileName,
                                   lines: Self.hostileLines(&rng, count: 60).map { $0.replacingOccurrences(of: "101", with: ValidationOutput.pad3(komnr)) },
                                   inSubdirectory: "inbox"))
        }
        var outputs: [(String, String)] = []
        for args in [["validate", "--json"], ["validate"]] {
            let r = try CLI.run(args + files)
            #expect(r.status == 1, "\(r.stderr)")
            outputs.append((args.joined(separator: " "), r.stdout + r.stderr))
        }
        let run = try CLI.run(["run", "--source", dir.file("inbox"), "--batch-date", day.iso, "--warehouse", dir.file("w.sqlite"),
                               "--reports", dir.file("reports")])
        outputs.append(("run", run.stdout + run.stderr))
        let reports = dir.file("reports/\(day.iso)")
        for case let name as String in FileManager.default.enumerator(atPath: reports)! {
            let path = (reports as NSString).appendingPathComponent(name)
            if let data = FileManager.default.contents(atPath: path) { outputs.append((name, String(decoding: data, as: UTF8.self))) }
        }
        #expect(outputs.count >= 10)
        for (what, text) in outputs {
            #expect(CPRLeaks.find(in: text).isEmpty, "\(what) holds \(CPRLeaks.find(in: text).count) full CPR numbers")
        }
        // The inputs did carry CPR numbers outside the CPR field: the check had something to find.
        let raw = try files.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        #expect(CPRLeaks.find(in: raw).count > 150)
    }
}
