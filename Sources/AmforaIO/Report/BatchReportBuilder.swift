public import AmforaCore
import Foundation

/// Gathers a batch's report (AmforaCore's `BatchReport`) from the warehouse, and writes the
/// full lists that the report only samples (every reject per municipality, every history
/// change) straight from the database to CSV, row by row.
public enum BatchReportBuilder {
    static let historySample = 50
    static let lateFlag = "late: loaded after 06:00"
    static let examplesPerRule = 5

    public static func build(_ db: any WarehouseSQL, batch: Day, stages: [StageTiming]? = nil,
                             policy: AttentionPolicy = AttentionPolicy()) throws -> BatchReport {
        try db.snapshot { try gather(db, batch: batch, stages: stages, policy: policy) }
    }

    private static func gather(_ db: any WarehouseSQL, batch: Day, stages: [StageTiming]?, policy: AttentionPolicy) throws -> BatchReport {
        let b = Int64(batch.ordinal)
        let fridays = try db.rows("SELECT batch_date FROM run WHERE batch_date <= ? ORDER BY batch_date DESC LIMIT 12", [.int(b)])
            .reversed().map { Day(ordinal: Int32($0[0].int ?? 0)) }
        let previous = fridays.dropLast().last
        let run = try db.firstRow("SELECT margin_seconds, deadline, judgement FROM run WHERE batch_date = ?", [.int(b)])
        let deadline = run.map { $0[1].text ?? "" } ?? Timestamp.string(Deadline.due(for: batch))
        let judgement = run.flatMap { DeadlineJudgement(kind: $0[2].text, seconds: $0[0].double) }
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
    static func municipalityRows(_ db: any WarehouseSQL, batch: Day, previous: Day?, fridays: [Day],
                                 national: inout BatchReport.National) throws -> [BatchReport.MunicipalityRow] {
        let b = Int64(batch.ordinal)
        var loaded: [String: [(Int32, Int)]] = [:]
        try db.forEachRow("SELECT komnr, kind, batch_date, records - coalesce(rejected, 0) FROM delivery WHERE status = 'loaded' AND batch_date <= ? ORDER BY batch_date",
                          [.int(b)]) { r in
            loaded["\(r[0].int ?? 0)_\(r[1].text ?? "")", default: []].append((Int32(r[2].int ?? 0), Int(r[3].int ?? 0)))
        }
        func inForce(_ key: String, _ day: Day?) -> Int {
            guard let day else { return 0 }
            return loaded[key]?.last { $0.0 <= day.ordinal }?.1 ?? 0
        }
        var recon: [String: (counts: [Int], flags: String)] = [:]
        try db.forEachRow("SELECT komnr, kind, unchanged, changed, new, removed, reappeared, history_changes, duplicates, flags FROM reconciliation_summary WHERE batch_date = ?",
                          [.int(b)]) { r in
            recon["\(r[0].int ?? 0)_\(r[1].text ?? "")"] = (r[2...8].map { Int($0.int ?? 0) }, r[9].text ?? "")
        }
        var failedRule: [String: String] = [:]
        try db.forEachRow("""
            SELECT komnr, kind, rule FROM reject WHERE batch_date = ? AND severity = 'error' AND (rule LIKE 'file.%' OR rule = 'line.encoding')
            ORDER BY \(db.dialect.insertionOrder)
            """, [.int(b)]) { r in
            let key = "\(r[0].int ?? 0)_\(r[1].text ?? "")"
            if failedRule[key] == nil { failedRule[key] = r[2].text }
        }
        let due = Deadline.due(for: batch)
        let names = CodeListCatalog.standard.municipalities
        var out: [BatchReport.MunicipalityRow] = []
        try db.forEachRow("""
            SELECT komnr, kind, status, file, coalesce(records, 0), coalesce(rejected, 0), coalesce(warnings, 0), message, finished_at
            FROM delivery WHERE batch_date = ? ORDER BY komnr, \(db.dialect.bytewise("kind"))
            """, [.int(b)]) { d in
            let komnr = Int(d[0].int ?? 0)
            guard let kind = d[1].text.flatMap(RecordKind.init(rawValue:)), let status = d[2].text.flatMap(DeliveryState.init(rawValue:)) else { return }
            switch status {
            case .loaded: national.loaded += 1
            case .stale: national.stale += 1
            case .held: national.held += 1
            case .missing: national.missing += 1
            case .failed: national.failed += 1
            }
            // A municipality that never delivered a §57.2 file is not news every Friday.
            if status == .missing, kind != .amfora { return }
            let key = "\(komnr)_\(kind.rawValue)"
            var row = BatchReport.MunicipalityRow(komnr: komnr, name: names[komnr] ?? "", kind: kind, status: status)
            row.file = d[3].text
            row.records = status == .held ? Int(d[4].int ?? 0) : inForce(key, batch)
            row.deliveredRecords = Int(d[4].int ?? 0)
            row.previousRecords = inForce(key, previous)
            row.volumeHistory = fridays.map { inForce(key, $0) }
            if let finished = d[8].text.flatMap(Timestamp.date), !status.isAbsent { row.late = finished > due }
            if status == .loaded || status == .held {
                row.rejected = Int(d[5].int ?? 0)
                row.warnings = Int(d[6].int ?? 0)
            }
            if let c = recon[key] {
                (row.unchanged, row.changed, row.new, row.removed, row.reappeared, row.historyChanges, row.duplicates)
                    = (c.counts[0], c.counts[1], c.counts[2], c.counts[3], c.counts[4], c.counts[5], c.counts[6])
                row.flags += c.flags.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            } else if status != .loaded {
                row.unchanged = row.records
            }
            switch status {
            case .stale: row.flags.insert("stale: no delivery this Friday; last Friday's data stays in force", at: 0)
            case .missing: row.flags.insert("missing: no delivery ever received", at: 0)
            case .held, .failed: row.flags.insert(CPR.scrub(d[7].text ?? status.rawValue), at: 0)
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
    static func writeDownTotals(_ db: any WarehouseSQL, batch: Day, previous: Day?, _ written: WrittenDownFigures,
                                into n: inout BatchReport.National) throws {
        func hours(_ day: Day) throws -> Double? {
            try db.firstRow("SELECT coalesce(writedown_hours, 0) FROM run WHERE batch_date = ?", [.int(Int64(day.ordinal))])?[0].double
        }
        // The write-down is kept for the data in force now; an earlier batch shows what was recorded then.
        let latest = try db.integer("SELECT max(batch_date) FROM run") ?? Int64(batch.ordinal)
        if latest != Int64(batch.ordinal) {
            if let r = try db.firstRow("SELECT coalesce(writedown_persons, 0), coalesce(writedown_records, 0), coalesce(writedown_hours, 0) FROM run WHERE batch_date = ?",
                                       [.int(Int64(batch.ordinal))]) {
                (n.writtenDownPersons, n.writtenDownRecords, n.hoursWrittenDown) = (Int(r[0].int ?? 0), Int(r[1].int ?? 0), r[2].double ?? 0)
            }
        } else {
            (n.writtenDownPersons, n.writtenDownRecords, n.hoursWrittenDown) = (written.persons, written.records, written.hoursRemoved)
            // Kept for next Friday's comparison; a reader (`status`) only reads.
            if !db.isReadOnly {
                try db.run("UPDATE run SET writedown_persons = ?, writedown_records = ?, writedown_hours = ? WHERE batch_date = ?",
                           [.int(Int64(n.writtenDownPersons)), .int(Int64(n.writtenDownRecords)), .double(n.hoursWrittenDown), .int(Int64(batch.ordinal))])
            }
        }
        if let previous, let h = try hours(previous) { n.previousHoursWrittenDown = h }
    }

    /// Each municipality's page: its rejects by rule, a sample of its history changes, and the
    /// write-down of the persons with a measure there.
    static func details(_ db: any WarehouseSQL, batch: Int64, municipalities: Set<Int>, _ written: WrittenDownFigures,
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

    static func rejectsByRule(_ db: any WarehouseSQL, batch: Int64, komnr: Int? = nil) throws -> [BatchReport.RuleGroup] {
        let scope = komnr.map { " AND komnr = \($0)" } ?? ""
        let groups = try db.rows("""
            SELECT rule, severity, field, count(*) FROM reject WHERE batch_date = ?\(scope) GROUP BY rule, severity, field
            ORDER BY severity = 'error' DESC, count(*) DESC, \(db.dialect.bytewise("rule")), \(db.dialect.bytewise("field")) NULLS FIRST
            """, [.int(batch)])
        return try groups.map { g in
            let rule = g[0].text ?? "", severity = Severity(rawValue: g[1].text ?? "") ?? .error, field = g[2].text
            let examples = try db.rows("""
                SELECT komnr, file, line_no, value, message FROM reject
                WHERE batch_date = ?\(scope) AND rule = ? AND severity = ? AND field \(db.dialect.same) ?
                ORDER BY komnr, line_no NULLS FIRST, \(db.dialect.insertionOrder) LIMIT \(examplesPerRule)
                """, [.int(batch), .text(rule), .text(severity.rawValue), field.map { .text($0) } ?? .null]).map { e in
                BatchReport.Example(komnr: Int(e[0].int ?? 0), file: e[1].text ?? "", line: e[2].int.map { Int($0) },
                                    value: e[3].text.map(CPR.scrub), message: CPR.scrub(e[4].text ?? ""))
            }
            return BatchReport.RuleGroup(rule: rule, severity: severity, field: field, count: Int(g[3].int ?? 0), examples: examples)
        }
    }

    /// The batch's history changes, in the report's order: by
    /// municipality, then start date. The measures and the changed versions are looked up in
    /// version order: in the changes' order they were random reads among ten million measures,
    /// most of two seconds of a national report (a rerun's too), once for each of its three lists;
    /// now the report reads them once (`allHistoryChanges`).
    static func historyChanges(_ db: any WarehouseSQL, batch: Int64) throws -> [BatchReport.HistoryChange] {
        struct Found {
            let komnr: Int, change: String, fields: [String], previous: Int64?, version: Int64?
            /// The measure the change is shown by: the version it replaced, or the one that came.
            var measure: Int64? { previous ?? version }
        }
        var found: [Found] = []
        try db.forEachRow("""
            SELECT komnr, change, coalesce(changed_fields, ''), previous_version_id, version_id FROM reconciliation
            WHERE batch_date = ? AND history_change = 1 ORDER BY \(db.dialect.insertionOrder)
            """, [.int(batch)]) { r in
            found.append(Found(komnr: Int(r[0].int ?? 0), change: r[1].text ?? "", fields: (r[2].text ?? "").split(separator: ",").map(String.init),
                               previous: r[3].int, version: r[4].int))
        }
        var measures: [Int64: (cpr: Int, foranstalt: Int, start: Day, end: Day)] = [:]
        try VersionValues.forEach(Set(found.compactMap(\.measure)), columns: "cprnr, foranstalt, startdt, slutdt", in: db) { v, r in
            measures[v] = (Int(r[0].int ?? 0), Int(r[1].int ?? 0), Day(ordinal: Int32(r[2].int ?? 0)), Day(ordinal: Int32(r[3].int ?? 0)))
        }
        var changes: [(order: Int, found: Found, change: BatchReport.HistoryChange)] = []
        for (k, f) in found.enumerated() {
            guard let v = f.measure, let a = measures[v] else { continue }
            changes.append((k, f, BatchReport.HistoryChange(komnr: f.komnr, change: f.change, person: CPR.mask(CPR.digits(of: a.cpr)),
                                                            foranstalt: a.foranstalt, startDate: a.start, endDate: a.end, changedFields: f.fields)))
        }
        changes.sort { ($0.change.komnr, $0.change.startDate, $0.order) < ($1.change.komnr, $1.change.startDate, $1.order) }
        // Old → new: both versions' changed fields.
        var wanted: [[String]: Set<Int64>] = [:]
        for c in changes where !c.found.fields.isEmpty {
            guard let old = c.found.previous, let new = c.found.version else { continue }
            wanted[c.found.fields, default: []].formUnion([old, new])
        }
        let values = VersionValues(db)
        // By the set of fields too: a version can be the new one of a change and the old one of another.
        var shown: [[String]: [Int64: [String: String]]] = [:]
        for (fields, versions) in wanted { try values.of(versions, only: fields) { shown[fields, default: [:]][$0] = $1 } }
        return changes.map { c in
            var change = c.change
            let values = shown[c.found.fields]
            if !c.found.fields.isEmpty, let old = c.found.previous.flatMap({ values?[$0] }), let new = c.found.version.flatMap({ values?[$0] }) {
                change.oldToNew = c.found.fields.map { "\($0): \(old[$0] ?? "–") → \(new[$0] ?? "–")" }
            }
            return change
        }
    }

    /// Versions' fields as the views show them (dates ISO, a warned value as delivered), for
    /// old → new; the CPR number is the measure's identity and never among them.
    struct VersionValues {
        let db: any WarehouseSQL
        private let fields: [String: FieldSpec]
        /// Versions looked up at once, in version order: one at a time they were random reads
        /// among ten million measures, and a round trip each to a server.
        static let chunk = 500

        init(_ db: any WarehouseSQL) {
            self.db = db
            let layout = LayoutCatalog.standard.layout(for: .amfora).fields.filter { $0.name != "CPRnr" }
            fields = Dictionary(uniqueKeysWithValues: layout.map { ($0.name, $0) })
        }

        /// Calls `row` with each of `versions` found in `activity`, its `columns` after the id.
        static func forEach(_ versions: Set<Int64>, columns: String, in db: any WarehouseSQL,
                            _ row: (Int64, [SQLValue]) throws -> Void) throws {
            let sorted = versions.sorted()
            for start in stride(from: 0, to: sorted.count, by: chunk) {
                let ids = sorted[start..<min(start + chunk, sorted.count)]
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
                try db.forEachRow("SELECT version_id, \(columns) FROM activity WHERE version_id IN (\(marks)) ORDER BY version_id",
                                  ids.map { .int($0) }) { r in try row(r[0].int ?? 0, Array(r.dropFirst())) }
            }
        }

        /// The fields named (the changed ones) of each version: only those are read, shown and
        /// scrubbed — formatting all 24 of both versions of every change cost most of a second nationally.
        func of(_ versions: Set<Int64>, only names: [String], _ each: (Int64, [String: String]) -> Void) throws {
            let shown = names.filter { fields[$0] != nil }
            guard !shown.isEmpty else { return }
            let columns = shown.map { Self.shown($0, fields[$0]!, db.dialect) }.joined(separator: ", ")
            try Self.forEach(versions, columns: columns, in: db) { v, r in
                var out: [String: String] = [:]
                for (name, value) in zip(shown, r) { if let t = value.text { out[name] = CPR.scrub(t) } }
                each(v, out)
            }
        }

        /// A field's value as text the way the views show it; in PostgreSQL a value kept with a
        /// warning is in `delivered_as`, its column NULL.
        static func shown(_ name: String, _ field: FieldSpec, _ dialect: SQLDialect) -> String {
            dialect == .postgres ? PostgresSchema.shown("activity", field) : Schema.shown("\"\(name.lowercased())\"", field)
        }
    }

    static func stageTimings(_ db: any WarehouseSQL, batch: Int64) throws -> [StageTiming] {
        try db.rows("""
            SELECT stage, seconds, coalesce(detail, '') FROM run_stage WHERE batch_date = ?
            AND started_at >= (SELECT started_at FROM run WHERE batch_date = ?) ORDER BY started_at
            """, [.int(batch), .int(batch)]).map { StageTiming(stage: $0[0].text ?? "", seconds: $0[1].double ?? 0, detail: $0[2].text ?? "") }
    }

    // MARK: Full lists

    /// Every quarantined or warned line of each municipality, for its IT supplier (CPR masked).
    static func writeRejectFiles(_ db: any WarehouseSQL, batch: Int64, to dir: String) throws -> [String] {
        var written: [String] = []
        var current: (komnr: Int64, file: ReportFile)?
        func finish() throws {
            guard let c = current else { return }
            try c.file.close()
            written.append(c.file.path)
        }
        try db.forEachRow("""
            SELECT komnr, file, line_no, field, rule, severity, value, message FROM reject WHERE batch_date = ?
            ORDER BY komnr, \(db.dialect.bytewise("file")), line_no NULLS FIRST, \(db.dialect.insertionOrder)
            """, [.int(batch)]) { r in
            let k = r[0].int ?? 0
            if current?.komnr != k {
                try finish()
                let file = try ReportFile(path: (dir as NSString).appendingPathComponent("rejects_\(ValidationOutput.pad3(Int(k))).csv"))
                try file.write(CSVExport.bom + CSVExport.line(CSVExport.rejectsHeader))
                current = (k, file)
            }
            let row = [ValidationOutput.pad3(Int(k)), r[1].text ?? "", r[2].text ?? "", r[3].text ?? "",
                       r[4].text ?? "", r[5].text ?? "", CPR.scrub(r[6].text ?? ""), CPR.scrub(r[7].text ?? "")]
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

    static func read(_ db: any WarehouseSQL) throws -> Self {
        var out = Self()
        var persons = Set<Int64>()
        var byMunicipality: [Int: (persons: Set<Int64>, hours: Double)] = [:]
        try db.forEachRow("SELECT komnr, cprnr, hours - hours_written_down FROM writedown", []) { r in
            let person = r[1].int ?? 0, removed = r[2].double ?? 0
            out.records += 1
            out.hoursRemoved += removed
            persons.insert(person)
            let komnr = Int(r[0].int ?? 0)
            byMunicipality[komnr, default: ([], 0)].persons.insert(person)
            byMunicipality[komnr]!.hours += removed
        }
        out.persons = persons.count
        out.byMunicipality = byMunicipality.mapValues { ($0.persons.count, $0.hours) }
        return out
    }
}
