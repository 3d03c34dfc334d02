import AmforaCore

/// Takes what matching a delivery finds that must be kept: findings, quarantined lines and added
/// versions. `RowSink` writes them into the warehouse as they come (a delivery streamed in its
/// transaction); `PreparedRows` holds them in memory on a worker until the writer's turn.
protocol MatchSink: AnyObject {
    func finding(_ f: Finding)
    func quarantined(line: Int, bytes: UnsafeBufferPointer<UInt8>)
    /// A record no current version matched: its new version's id, or a placeholder
    /// (`PreparedDelivery.placeholder`) for one not written yet.
    func added(_ record: RecordView, line: Int, hash: Int64, lineHash: Int64?) -> Int64
    /// True once the sink takes no more (a worker's memory budget): matching then reads on to
    /// the end of the file but hands it nothing, and the delivery is loaded by streaming instead.
    var isFull: Bool { get }
}

/// What matching found besides what the sink took.
struct DeliveryMatch: Sendable {
    var summary: FileSummary
    /// Records a current version matched, and of those the lines recognised byte for byte, unparsed.
    var unchanged = 0
    var repeats = 0
    /// Current versions no record matched: gone from the dataset, in id order.
    var gone: [Int64] = []
    /// Versions in force that share one identity, grouped (as the sink numbered them).
    var duplicateIdentities: [[Int64]] = []
    /// The persons of added and of gone activation records: their write-down is recomputed.
    var persons: Set<Int> = []
    /// The added activation records as the reconciliation compares them, taken while they were
    /// parsed (reading them back would cost a random read each); only when there is a last
    /// Friday to compare with, and at most `reconciliationCap`.
    var reconciliation: [(version: Reconciler.Version, activityID: Int64)] = []
}

/// The one matcher behind both ways a delivery is loaded (`DeliveryLoader.load`, streaming, and
/// `PreparedDelivery.prepare`, on a worker): reads the delivery once — parse, normalise,
/// validate — and settles every line against the municipality's current versions. A line is
/// blank, quarantined, a current version delivered again (recognised by its raw line's hash
/// before it is parsed, or by its content), or an added version; the versions no line matched
/// are gone.
enum DeliveryMatcher {
    /// Added versions kept in memory for the reconciliation, per delivery (a few hundred MB at most).
    static let reconciliationCap = 200_000

    static func match(path: String, name: DeliveryName, options: ValidationOptions, source: ChunkSource,
                      against current: inout CurrentVersions, into sink: some MatchSink) throws -> DeliveryMatch {
        let layout = options.layouts.layout(for: name.kind)
        let identity = WarehouseTable(name.kind).holdsMeasures ? RecordIdentity(layout: layout) : nil
        let cpr = layout.index(of: "CPRnr")
        let order = Reconciler.Version.Fields.Order(layout)
        let hashers = LineHashers(options: options, layout: layout, name: name)
        // A first dataset has nothing to recognise, and no last Friday to reconcile with.
        let comparing = !current.isEmpty
        var found = DeliveryMatch(summary: FileSummary(file: path))
        var identities = IdentityTracker()
        func recognise(_ bytes: UnsafeBufferPointer<UInt8>, _ encoding: TextEncoding) -> Bool {
            guard let (version, activity) = current.takeRepeat(lineHash: hashers[encoding].hash(bytes)) else { return false }
            if identity != nil { identities.add(activity, version: version) }
            return true
        }
        found.summary = try DeliveryValidator.validate(
            fileName: path, known: name, options: options, source: source,
            recognise: comparing ? recognise : DeliveryReader.parseEveryLine,
            onFinding: { f in if !sink.isFull { sink.finding(f) } },
            onLine: { line in
                guard !line.isBlank, !line.isRepeat, !sink.isFull else { return }
                guard let record = line.record, !line.isQuarantined else {
                    sink.quarantined(line: line.number, bytes: line.bytes)
                    return
                }
                var added = false
                let version = current.match(record) { hash in
                    added = true
                    return sink.added(record, line: line.number, hash: hash, lineHash: hashers.storedHash(line, record))
                }
                guard let identity else { return }
                identities.add(identity.activityID(record), version: version)
                guard added else { return }
                if let cpr, let person = record[cpr].number { found.persons.insert(person) }
                if comparing, found.reconciliation.count < reconciliationCap,
                   let v = reconciliationVersion(record, identity: identity, order: order, version: version) {
                    found.reconciliation.append(v)
                }
            })
        found.unchanged = current.matched
        found.repeats = current.repeats
        found.gone = current.remaining
        found.persons.formUnion(current.remainingPersons)
        found.duplicateIdentities = identities.duplicates()
        return found
    }

    /// An activation record as the reconciliation compares it: every field in the warehouse's
    /// canonical text (numbers in decimal, dates as day numbers, flags 0/1), as reading it back would give.
    static func reconciliationVersion(_ r: RecordView, identity: RecordIdentity, order: Reconciler.Version.Fields.Order,
                                      version: Int64) -> (version: Reconciler.Version, activityID: Int64)? {
        guard let ix = r.layout.indices("CPRnr", "Komnr", "Foranstalt", "Startdt", "Slutdt", "HoldID"),
              let cpr = r[ix[0]].number, let komnr = r[ix[1]].number, let foranstalt = r[ix[2]].number,
              let start = r[ix[3]].day, let end = r[ix[4]].day else { return nil }
        let values = order.fields.map { i -> String? in
            switch r[i] {
            case .missing: nil
            case .invalid: r.unmaskedRaw(i)
            case .number(let n): String(n)
            case .day(let d): String(d.ordinal)
            case .flag(let b): b ? "1" : "0"
            case .text: r.unmaskedRaw(i)
            }
        }
        let hold = r.string(ix[5])
        return (Reconciler.Version(versionID: version, cpr: cpr, komnr: komnr, foranstalt: foranstalt, start: start, end: end,
                                   holdID: hold, fields: .init(order, values: values)), identity.activityID(r))
    }
}
