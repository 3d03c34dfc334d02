@testable import AmforaIO

/// A warehouse file as an earlier amfora left it: the first `version` migrations, then `rows`
/// (SQL inserting what that schema held). Opening it as a `Warehouse` migrates the rest.
func oldWarehouse(at path: String, version: Int, rows: String) throws {
    let db = try Database(path: path)
    try db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for (i, sql) in Schema.migrations.prefix(version).enumerated() {
        try db.execute(sql)
        try db.execute("INSERT INTO schema_version (version) VALUES (\(i + 1))")
    }
    try db.execute(rows)
}
