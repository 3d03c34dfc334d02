// swift-tools-version:6.0
import PackageDescription

// Pipeline: fetch → parse → normalise → validate → write-down → load → reconcile → report.
// AmforaCore holds the pure stages and imports no C module; AmforaIO is the only place that
// touches files, SQLite and libcurl; the `amfora` executable only parses arguments and prints.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "amfora",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "amfora", targets: ["amfora"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // SHA-256 only: libcurl already loads libcrypto, and it hashes ten times faster than portable code.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // PostgreSQL's client library, for a warehouse on a database server (`--warehouse postgresql://…`).
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(
            name: "AmforaCore",
            resources: [.copy("Resources")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AmforaIO",
            dependencies: ["AmforaCore", "CSQLite", "CCurl", "CCrypto", "CPostgres"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "amfora",
            dependencies: [
                "AmforaCore", "AmforaIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // Fixtures shared by the test targets (fixed-width lines built from field values).
        .target(
            name: "AmforaTestSupport",
            dependencies: ["AmforaCore"],
            path: "Tests/AmforaTestSupport",
            swiftSettings: strictSettings
        ),
        // The throwaway PostgreSQL cluster of the tests (scripts/pg-cluster.sh starts it).
        .target(
            name: "AmforaPostgresTestSupport",
            dependencies: ["AmforaIO", "AmforaTestSupport"],
            path: "Tests/AmforaPostgresTestSupport",
            swiftSettings: strictSettings
        ),
        // Benchmarks of pure stages without I/O (scripts/bench-*.sh cover the whole program).
        .executableTarget(
            name: "amfora-bench",
            dependencies: ["AmforaCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AmforaCoreTests",
            dependencies: ["AmforaCore", "AmforaTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AmforaIOTests",
            dependencies: ["AmforaCore", "AmforaIO", "AmforaTestSupport", "AmforaPostgresTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AmforaCLITests",
            dependencies: ["AmforaCore", "AmforaIO", "AmforaTestSupport", "AmforaPostgresTestSupport", "amfora"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
