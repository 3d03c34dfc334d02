public import AmforaCore
import Foundation

/// Gathers a batch's report (AmforaCore's `BatchReport`) from the warehouse, and writes the
/// full lists that the report only samples (every reject per municipality, every history
/// change) straight from the database to CSV, row by row.
public enum BatchReportBuilder {
    static let historySample = 50
    static let lateFlag = "late: loaded after 06:00"
    static let examplesPerRule = 5

    public static func build(_ db: Database, batch: Day, stages: [StageTiming]? = nil,
                             policy: AttentionPolicy = AttentionPolicy()) throws -> BatchReport {
        try db.snapshot { try gather(db, batch: batch, stages: stages, policy: policy) }
    }

    private static func gather(_ db: Database, batch: Day, stages: [StageTiming]?, policy: AttentionPolicy) throws -> BatchReport {
        let b = Int64(batch.ordinal)
        let fridays = try column(db, "SELECT batch_date FROM run WHERE batch_date <= ? ORDER BY batch_date DESC LIMIT 12", [.int(b)])
            .reversed().map { Day(ordinal: Int32($0)) }
        let previous = fridays.dropLast().last
        let run = try db.prepare("SELECT margin_seconds, deadline, judgement FROM run WHERE batch_date = ?")
        try run.bind([.int(b)])
        let hasRun = try run.step()
        let deadline = hasRun ? run.text(1) ?? "" : Timestamp.string(Deadline.due(for: batch))
        let judgement = (hasRun ? DeadlineJudgement(kind: run.text(2), seconds: run.isNull(0) ? nil : run.double(0)) : nil)
            ?? .open(secondsLeft: Deadline.margin(for: batch, at: RunClock.now()))

        var national = BatchReport.National()
        var rows = try municipalityRows(db, batch: batch, previous: previous, fridays: fridays, national: &national)
        for i in rows.indices {
            if judgement == .replay, rows[i].late {  // an old batch replayed: lateness says nothing
                rows[i].late = false
                rows[i].flags.removeAll { $0 == lateFlag }
            }
        }
        let written = try WrittenDownFigures.read(db)
        try writeDownTotals(db, batch: batch, previous: previous, written, into: &national)

        // Every history change, read once: the counts are its, the samples its first, and the CSV lists them all.
        let history = try historyChanges(db, batch: b)
        national.historyChanges = history.count
        let details = try details(db, batch: b, municipalities: Set(rows.map(\.komnr)), written, history: history)
        var report = BatchReport(batch: batch, generatedAt: Timestamp.now(), deadline: deadline, marginSeconds: 0,
                                 national: national, municipalities: rows, rejectsByRule: try rejectsByRule(db, batch: b),
                                 historyChanges: Array(history.prefix(historySample)), fridays: fridays, stages: try stages ?? stageTimings(db, batch: b))
        report.judgement = judgement
        report.details = details
        report.allHistoryChanges = history
        policy.decide(&report)
        return report
    }

    // MARK: Municipalities

    /// Records in force per municipality and kind at each Friday: the last loaded delivery's
    /// records (minus its quarantined lines) on or before it — stale and held keep the old ones.
    static func municipalityRows(_ db: Database, batch: Day, previous: Day?, fridays: [Day],
                                 national: inout BatchReport.National) throws -> [BatchReport.MunicipalityRow] {
        let b = Int64(batch.ordinal)
        var loaded: [String: [(Int32, Int)]] = [:]
        let l = try db.prepare("SELECT komnr, kind, batch_date, records - coalesce(rejected, 0) FROM delivery WHERE status = 'loaded' AND batch_date <= ? ORDER BY batch_date")
        try l.bind([.int(b)])
        while try l.step() { loaded["\(l.int(0))_\(l.text(1)!)", default: []].append((Int32(l.int(2)), Int(l.int(3)))) }
        func inForce(_ key: String, _ day: Day?) -> Int {
            guard let day else { return 0 }
            return loaded[key]?.last { $0.0 <= day.ordinal }?.1 ?? 0
        }
        var recon: [String: (Int, Int, Int, Int, Int, Int, String, Int)] = [:]
        let r = try db.prepare("SELECT komnr, kind, unchanged, changed, new, removed, reappeared, history_changes, flags, duplicates FROM reconciliation_summary WHERE batch_date = ?")
        try r.bind([.int(b)])
        while try r.step() {
            recon["\(r.int(0))_\(r.text(1)!)"] = (Int(r.int(2)), Int(r.int(3)), Int(r.int(4)), Int(r.int(5)), Int(r.int(6)), Int(r.int(7)), r.text(8) ?? "", Int(r.int(9)))
        }
        var failedRule: [String: String] = [:]
        let f = try db.prepare("SELECT komnr, kind, rule FROM reject WHERE batch_date = ? AND severity = 'error' AND (rule LIKE 'file.%' OR rule = 'line.encoding') ORDER BY rowid")
        try f.bind([.int(b)])
        while try f.step() {
            let key = "\(f.int(0))_\(f.text(1) ?? "")"
            if failedRule[key] == nil { failedRule[key] = f.text(2) }
        }
        let due = Deadline.due(for: batch)
        let names = CodeListCatalog.standard.municipalities
        var out: [BatchReport.MunicipalityRow] = []
        let d = try db.prepare("SELECT komnr, kind, status, file, coalesce(records, 0), coalesce(rejected, 0), coalesce(warnings, 0), message, finished_at FROM delivery WHERE batch_date = ? ORDER BY komnr, kind")
        try d.bind([.int(b)])
        while try d.step() {
            let komnr = Int(d.int(0))
            guard let kind = d.text(1).flatMap(RecordKind.init(rawValue:)), let status = d.text(2).flatMap(DeliveryState.init(rawValue:)) else { continue }
            switch status {
            case .loaded: national.loaded += 1
            case .stale: national.stale += 1
            case .held: national.held += 1
            case .missing: national.missing += 1
            case .failed: national.failed += 1
            }
            // A municipality that never delivered a §57.2 file is not news every Friday.
            if status == .missing, kind != .amfora { continue }
            let key = "\(komnr)_\(kind.rawValue)"
            var row = BatchReport.MunicipalityRow(komnr: komnr, name: names[komnr] ?? "", kind: kind, status: status)
            row.file = d.text(3)
            row.records = status == .held ? Int(d.int(4)) : inForce(key, batch)
            row.deliveredRecords = Int(d.int(4))
            row.previousRecords = inForce(key, previous)
            row.volumeHistory = fridays.map { inForce(key, $0) }
            if let finished = d.text(8).flatMap(Timestamp.date), !status.isAbsent { row.late = finished > due }
            if status == .loaded || status == .held {
                row.rejected = Int(d.int(5))
                row.warnings = Int(d.int(6))
            }
            if let c = recon[key] {
                (row.unchanged, row.changed, row.new, row.removed, row.reappeared, row.historyChanges) = (c.0, c.1, c.2, c.3, c.4, c.5)
                row.duplicates = c.7
                row.flags += c.6.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            } else if status != .loaded {
                row.unchanged = row.records
            }
            switch status {
            case .stale: row.flags.insert("stale: no delivery this Friday; last Friday's data stays in force", at: 0)
            case .missing: row.flags.insert("missing: no delivery ever received", at: 0)
            case .held, .failed: row.flags.insert(CPR.scrub(d.text(7) ?? status.rawValue), at: 0)
                if status == .failed { row.failedRule = failedRule[key] }
            case .loaded: break
            }
            if row.late { row.flags.append(lateFlag) }
            // Nationally, what is in force: a held file's records are not (yet).
            national.records += row.kind == .amfora ? inForce(key, batch) : 0
            national.previousRecords += row.kind == .amfora ? row.previousRecords : 0
            national.unchanged += row.unchanged
            national.changed += row.changed
            national.new += row.new
            national.removed += row.removed
            national.reappeared += row.reappeared
            national.quarantined += row.rejected
            national.warnings += row.warnings
            out.append(row)
        }
        return out
    }

    /// Persons and records written down now, and the hours it removed; last Friday's from the run record.
    static func writeDownTotals(_ db: Database, batch: Day, previous: Day?, _ written: WrittenDownFigures,
                                into n: inout BatchReport.National) throws {
        // The write-down is kept for the data in force now; an earlier batch shows what was recorded then.
        let latest = try db.scalar("SELECT max(batch_date) FROM run") ?? Int64(batch.ordinal)
        guard latest == Int64(batch.ordinal) else {
            let r = try db.prepare("SELECT coalesce(writedown_persons, 0), coalesce(writedown_records, 0), coalesce(writedown_hours, 0) FROM run WHERE batch_date = ?")
            try r.bind([.int(Int64(batch.ordinal))])
            if try r.step() { (n.writtenDownPersons, n.writtenDownRecords, n.hoursWrittenDown) = (Int(r.int(0)), Int(r.int(1)), r.double(2)) }
            if let previous {
                let p = try db.prepare("SELECT coalesce(writedown_hours, 0) FROM run WHERE batch_date = ?")
                try p.bind([.int(Int64(previous.ordinal))])
                if try p.step() { n.previousHoursWrittenDown = p.double(0) }
            }
            return
        }
        (n.writtenDownPersons, n.writtenDownRecords, n.hoursWrittenDown) = (written.persons, written.records, written.hoursRemoved)
        // Kept for next Friday's comparison; a reader (`status`) only reads.
        if !db.isReadOnly {
            let save = try db.prepare("UPDATE run SET writedown_persons = ?, writedown_records = ?, writedown_hours = ? WHERE batch_date = ?")
            try save.bind([.int(Int64(n.writtenDownPersons)), .int(Int64(n.writtenDownRecords)), .double(n.hoursWrittenDown), .int(Int64(batch.ordinal))])
            try save.run()
        }
        if let previous {
            let p = try db.prepare("SELECT coalesce(writedown_hours, 0) FROM run WHERE batch_date = ?")
            try p.bind([.int(Int64(previous.ordinal))])
            if try p.step() { n.previousHoursWrittenDown = p.double(0) }
        }
    }

    /// Each municipality's page: its rejects by rule, a sample of its history changes, and the
    /// write-down of the persons with a measure there.
    static func details(_ db: Database, batch: Int64, municipalities: Set<Int>, _ written: WrittenDownFigures,
                        history: [BatchReport.HistoryChange]) throws -> [Int: BatchReport.MunicipalityDetail] {
        let historyByMunicipality = Dictionary(grouping: history, by: \.komnr)
        var out: [Int: BatchReport.MunicipalityDetail] = [:]
        for k in municipalities.sorted() {
            var d = BatchReport.MunicipalityDetail()
            d.rejectsByRule = try rejectsByRule(db, batch: batch, komnr: k)
            let changes = historyByMunicipality[k] ?? []
            d.historyTotal = changes.count
            d.historyChanges = Array(changes.prefix(historySample))
            (d.writtenDownPersons, d.hoursRemoved) = written.byMunicipality[k] ?? (0, 0)
            out[k] = d
        }
        return out
    }

    // MARK: Rejects and history changes

    static func rejectsByRule(_ db: Database, batch: Int64, komnr: Int? = nil) throws -> [BatchReport.RuleGroup] {
        let scope = komnr.map { " AND komnr = \($0)" } ?? ""
        let g = try db.prepare("""
            SELECT rule, severity, field, count(*) FROM reject WHERE batch_date = ?\(scope) GROUP BY rule, severity, field
            ORDER BY severity = 'error' DESC, count(*) DESC, rule
            """)
        try g.bind([.int(batch)])
        let ex = try db.prepare("""
            SELECT komnr, file, line_no, value, message FROM reject WHERE batch_date = ?\(scope) AND rule = ? AND severity = ? AND field IS ?
            ORDER BY komnr, line_no LIMIT \(examplesPerRule)
            """)
        var out: [BatchReport.RuleGroup] = []
        while try g.step() {
            let rule = g.text(0) ?? "", severity = Severity(rawValue: g.text(1) ?? "") ?? .error, field = g.text(2)
            try ex.bind([.int(batch), .text(rule), .text(severity.rawValue), field.map { .text($0) } ?? .null])
            var examples: [BatchReport.Example] = []
            while try ex.step() {
                examples.append(.init(komnr: Int(ex.int(0)), file: ex.text(1) ?? "", line: ex.isNull(2) ? nil : Int(ex.int(2)),
                                      value: ex.text(3).map(CPR.scrub), message: CPR.scrub(ex.text(4) ?? "")))
            }
            ex.reset()
            out.append(.init(rule: rule, severity: severity, field: field, count: Int(g.int(3)), examples: examples))
        }
        return out
    }

    /// The batch's history changes, in the report's order: by
    /// municipality, then start date. The measures and the changed versions are looked up in
    /// version order: in the changes' order they were random reads among ten million measures,
    /// most of two seconds of a national report (a rerun's too), once for each of its three lists;
    /// now the report reads them once (`allHistoryChanges`).
    static func historyChanges(_ db: Database, batch: Int64) throws -> [BatchReport.HistoryChange] {
        struct Found {
            let komnr: Int, change: String, fields: [String], previous: Int64?, version: Int64?
            /// The measure the change is shown by: the version it replaced, or the one that came.
            var measure: Int64? { previous ?? version }
        }
        var found: [Found] = []
        let s = try db.prepare("""
            SELECT komnr, change, coalesce(changed_fields, ''), previous_version_id, version_id FROM reconciliation
            WHERE batch_date = ? AND history_change = 1 ORDER BY rowid
            """)
        try s.bind([.int(batch)])
        while try s.step() {
            found.append(Found(komnr: Int(s.int(0)), change: s.text(1) ?? "", fields: (s.text(2) ?? "").split(separator: ",").map(String.init),
                               previous: s.isNull(3) ? nil : s.int(3), version: s.isNull(4) ? nil : s.int(4)))
        }
        var measures: [Int64: (cpr: Int, foranstalt: Int, start: Day, end: Day)] = [:]
        let m = try db.prepare("SELECT cprnr, foranstalt, startdt, slutdt FROM activity WHERE version_id = ?")
        for v in Set(found.compactMap(\.measure)).sorted() {
            m.bind(Int(v), at: 1)
            defer { m.reset() }
            guard try m.step() else { continue }
            measures[v] = (Int(m.int(0)), Int(m.int(1)), Day(ordinal: Int32(m.int(2))), Day(ordinal: Int32(m.int(3))))
        }
        var changes: [(order: Int, found: Found, change: BatchReport.HistoryChange)] = []
        for (k, f) in found.enumerated() {
            guard let v = f.measure, let a = measures[v] else { continue }
            changes.append((k, f, BatchReport.HistoryChange(komnr: f.komnr, change: f.change, person: CPR.mask(CPR.digits(of: a.cpr)),
                                                            foranstalt: a.foranstalt, startDate: a.start, endDate: a.end, changedFields: f.fields)))
        }
        changes.sort { ($0.change.komnr, $0.change.startDate, $0.order) < ($1.change.komnr, $1.change.startDate, $1.order) }
        // Old → new: both versions' changed fields, looked up in version order too.
        var wanted: [(version: Int64, fields: [String])] = []
        for c in changes where !c.found.fields.isEmpty {
            guard let old = c.found.previous, let new = c.found.version else { continue }
            wanted += [(old, c.found.fields), (new, c.found.fields)]
        }
        let values = try VersionValues(db)
        var shown: [Int64: [String: String]] = [:]
        for w in wanted.sorted(by: { $0.version < $1.version }) { shown[w.version] = try values.of(w.version, only: w.fields) }
        return changes.map { c in
            var change = c.change
            if !c.found.fields.isEmpty, let old = c.found.previous.flatMap({ shown[$0] }), let new = c.found.version.flatMap({ shown[$0] }) {
                change.oldToNew = c.found.fields.map { "\($0): \(old[$0] ?? "–") → \(new[$0] ?? "–")" }
            }
            return change
        }
    }

    /// A version's fields as the views show them (dates ISO, a warned value as delivered), for
    /// old → new; the CPR number is the measure's identity and never among them.
    final class VersionValues {
        private let db: Database
        private let fields: [String: FieldSpec]
        /// One statement per set of changed fields: a Friday's changes have a handful of such sets.
        private var statements: [[String]: Statement] = [:]

        init(_ db: Database) throws {
            self.db = db
            let layout = LayoutCatalog.standard.layout(for: .amfora).fields.filter { $0.name != "CPRnr" }
            fields = Dictionary(uniqueKeysWithValues: layout.map { ($0.name, $0) })
        }

        /// The fields named (the changed ones): only those are read, shown and scrubbed —
        /// formatting all 24 of both versions of every change cost most of a second nationally.
        func of(_ version: Int64, only names: [String]) throws -> [String: String] {
            let shown = names.filter { fields[$0] != nil }
            guard !shown.isEmpty else { return [:] }
            let statement = try statements[shown] ?? {
                let columns = shown.map { Schema.shown("\"\($0.lowercased())\"", fields[$0]!) }
                let s = try db.prepare("SELECT \(columns.joined(separator: ", ")) FROM activity WHERE version_id = ?")
                statements[shown] = s
                return s
            }()
            statement.bind(Int(version), at: 1)
            defer { statement.reset() }
            guard try statement.step() else { return [:] }
            var out: [String: String] = [:]
            for (i, name) in shown.enumerated() where !statement.isNull(Int32(i)) {
                out[name] = CPR.scrub(statement.text(Int32(i)) ?? "")
            }
            return out
        }
    }

    static func stageTimings(_ db: Database, batch: Int64) throws -> [StageTiming] {
        let s = try db.prepare("""
            SELECT stage, seconds, coalesce(detail, '') FROM run_stage WHERE batch_date = ?
            AND started_at >= (SELECT started_at FROM run WHERE batch_date = ?) ORDER BY started_at
            """)
        try s.bind([.int(batch), .int(batch)])
        var out: [StageTiming] = []
        while try s.step() { out.append(StageTiming(stage: s.text(0) ?? "", seconds: s.double(1), detail: s.text(2) ?? "")) }
        return out
    }

    static func column(_ db: Database, _ sql: String, _ bindings: [SQLValue]) throws -> [Int64] {
        let s = try db.prepare(sql)
        try s.bind(bindings)
        var out: [Int64] = []
        while try s.step() { out.append(s.int(0)) }
        return out
    }

    // MARK: Full lists

    /// Every quarantined or warned line of each municipality, for its IT supplier (CPR masked).
    static func writeRejectFiles(_ db: Database, batch: Int64, to dir: String) throws -> [String] {
        let s = try db.prepare("SELECT komnr, file, line_no, field, rule, severity, value, message FROM reject WHERE batch_date = ? ORDER BY komnr, file, line_no")
        try s.bind([.int(batch)])
        var written: [String] = []
        var current: (komnr: Int64, file: ReportFile)?
        func finish() throws {
            guard let c = current else { return }
            try c.file.close()
            written.append(c.file.path)
        }
        while try s.step() {
            let k = s.int(0)
            if current?.komnr != k {
                try finish()
                let file = try ReportFile(path: (dir as NSString).appendingPathComponent("rejects_\(ValidationOutput.pad3(Int(k))).csv"))
                try file.write(CSVExport.bom + CSVExport.line(CSVExport.rejectsHeader))
                current = (k, file)
            }
            let row = [ValidationOutput.pad3(Int(k)), s.text(1) ?? "", s.isNull(2) ? "" : String(s.int(2)), s.text(3) ?? "",
                       s.text(4) ?? "", s.text(5) ?? "", CPR.scrub(s.text(6) ?? ""), CPR.scrub(s.text(7) ?? "")]
            try current!.file.write(CSVExport.line(row))
        }
        try finish()
        return written
    }

    static func writeHistoryChanges(_ report: BatchReport, to path: String) throws {
        let file = try ReportFile(path: path)
        try file.write(CSVExport.bom + CSVExport.line(CSVExport.historyChangesHeader))
        for c in report.allHistoryChanges { try file.write(CSVExport.line(CSVExport.historyChangeRow(c))) }
        try file.close()
    }
}

/// The write-down as it stands, from one pass over it (a version's person and municipality are
/// kept with it): persons, versions and hours a week removed, nationally and by the
/// municipality of each measure. It holds only versions in force: closed ones are dropped when
/// their person is recomputed.
struct WrittenDownFigures {
    var persons = 0
    var records = 0
    var hoursRemoved = 0.0
    var byMunicipality: [Int: (persons: Int, hoursRemoved: Double)] = [:]

    static func read(_ db: Database) throws -> Self {
        var out = Self()
        var persons = Set<Int64>()
        var byMunicipality: [Int: (persons: Set<Int64>, hours: Double)] = [:]
        let s = try db.prepare("SELECT komnr, cprnr, hours - hours_written_down FROM writedown")
        while try s.step() {
            let person = s.int(1), removed = s.double(2)
            out.records += 1
            out.hoursRemoved += removed
            persons.insert(person)
            let komnr = Int(s.int(0))
            byMunicipality[komnr, default: ([], 0)].persons.insert(person)
            byMunicipality[komnr]!.hours += removed
        }
        out.persons = persons.count
        out.byMunicipality = byMunicipality.mapValues { ($0.persons.count, $0.hours) }
        return out
    }
}
