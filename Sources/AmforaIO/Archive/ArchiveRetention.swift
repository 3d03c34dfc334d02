public import AmforaCore
import Foundation

/// How long raw deliveries (personal data) stay in the archive: every file a delivery of the last
/// `keepWeeks` batches names, and every held delivery's file whatever its age (`amfora accept`
/// reads it back); an older file no batch in the window names is deleted. The warehouse reads
/// the archive for nothing else, so nothing it may still read is removed.
public enum ArchiveRetention {
    /// A quarter: long enough for a municipality's IT supplier to ask about a rejected line and
    /// for the file to be looked at byte for byte; the data itself lives on in the warehouse.
    public static let defaultWeeks = 13

    public struct Result: Sendable, Equatable {
        public var deleted = 0
        public var bytes: Int64 = 0
        public var kept = 0
        /// Files of batches before this day were deleted (nil: no batch run yet).
        public var cutoff: Day?
    }

    public static func apply(_ db: Database, archive: DeliveryArchive, keepWeeks: Int) throws -> Result {
        var r = Result()
        guard let latest = try db.scalar("SELECT max(batch_date) FROM delivery") else { return r }
        let cutoff = Day(ordinal: Int32(latest) - Int32(7 * keepWeeks))
        r.cutoff = cutoff
        let files = try db.prepare("""
            SELECT sha256, max(batch_date), max(status = 'held') FROM delivery WHERE sha256 IS NOT NULL GROUP BY sha256
            """)
        while try files.step() {
            guard let sha = files.text(0), sha.count == 64, sha.allSatisfy(\.isHexDigit) else { continue }
            let path = archive.path(for: sha)
            var st = stat()
            // Only a regular file of the archive's own is removed, never through a link.
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            guard files.int(1) < Int64(cutoff.ordinal), files.int(2) == 0 else {
                r.kept += 1
                continue
            }
            guard unlink(path) == 0 else { throw ArchiveError(path: path, errno: errno) }
            r.deleted += 1
            r.bytes += Int64(st.st_size)
        }
        return r
    }

    /// The line for the output and the mail: the deletion is logged, with what stays.
    public static func line(_ r: Result, keepWeeks: Int) -> String {
        guard let cutoff = r.cutoff else { return "archive: nothing archived yet" }
        return "archive: \(r.deleted) delivery files of batches before \(cutoff.iso) deleted (\(ByteCountText.of(r.bytes))), "
            + "\(r.kept) kept (the last \(keepWeeks) weeks' and every held delivery's)"
    }
}
