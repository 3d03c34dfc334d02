import AmforaCore
import AmforaIO
import Foundation

// The load alone, into either warehouse: each Friday's deliveries streamed in (one transaction
// each, the same matcher and loader flow for both), without the weekly run's worker threads,
// write-down, reconciliation or report — so that SQLite and PostgreSQL are compared like for like.
//   amfora-bench-load --warehouse PATH|postgresql://… [--person-key FILE] [--only K,K] FRIDAY_DIR...
// Prints per Friday: seconds, MB/s, records/s, and the process's peak RSS. scripts/bench-postgres.sh runs it.

var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(i...(i + 1)) }
    return arguments[i + 1]
}
guard let target = option("--warehouse") else {
    FileHandle.standardError.write(Data("usage: amfora-bench-load --warehouse PATH|URL [--person-key F] [--only K,K] DIR...\n".utf8))
    exit(2)
}
let keyFile = option("--person-key")
let only = option("--only").map { Set($0.split(separator: ",").compactMap { Int($0) }) }

enum Target {
    case sqlite(Warehouse, DeliveryLoader)
    case postgres(PostgresWarehouse)

    func load(_ path: String, _ name: DeliveryName) throws -> LoadOutcome {
        let policy = LoadPolicy(acceptShrink: true)
        switch self {
        case .sqlite(_, let l): return try l.load(path: path, name: name, policy: policy, startedAt: Timestamp.now())
        case .postgres(let w): return try w.load(path: path, name: name, policy: policy, startedAt: Timestamp.now())
        }
    }
}

do {
    let into: Target
    if PostgresLocation.isPostgres(target) {
        guard let keyFile else { throw PostgresError(message: "--person-key is needed for PostgreSQL", kind: .refused) }
        into = .postgres(try PostgresWarehouse(PostgresLocation(target), personKey: try PersonKey.load(keyFile)))
    } else {
        let w = try Warehouse(path: target)
        try w.dropIndexesForFirstLoad()
        into = .sqlite(w, DeliveryLoader(warehouse: w))
    }
    let clock = ContinuousClock()
    for dir in arguments {
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        var bytes = 0, records = 0, added = 0, gone = 0
        let started = clock.now
        for f in files {
            guard case .success(let name) = DeliveryName.parse(f, municipalities: CodeListCatalog.standard.municipalities),
                  only?.contains(name.komnr) ?? true else { continue }
            let o = try into.load(dir + "/" + f, name)
            bytes += o.bytes
            records += o.summary.tally.records
            added += o.inserted
            gone += o.removed
        }
        // A first load into SQLite builds its indexes after the rows, as the weekly run does: timed with it.
        if case .sqlite(let w, _) = into { try w.ensureIndexes() }
        let d = started.duration(to: clock.now)
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        print("\((dir as NSString).lastPathComponent): \(added) added, \(gone) gone; " + RunStats.line(bytes: bytes, records: records, seconds: seconds), terminator: "")
    }
} catch {
    FileHandle.standardError.write(Data("amfora-bench-load: \(error)\n".utf8))
    exit(2)
}
