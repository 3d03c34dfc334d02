public import Foundation

/// A real FTP server (scripts/ftp_test_server.py, pyftpdlib) on 127.0.0.1 for one test.
/// It exits when its stdin closes, so it goes away with the test even if the test crashes;
/// `stop()` (also run by deinit) closes stdin, terminates it and waits.
public final class FTPTestServer {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let user = "amfora"

    public let root: String
    public let port: Int
    /// The throwaway CA that signed the server's certificate (nil for --tls none).
    public let caFile: String?
    public let password: String
    private let process = Process()
    private let stdin = Pipe()
    private let logPath: String

    public struct StartFailure: Error, CustomStringConvertible { public let description: String }

    /// - Parameters:
    ///   - tls: "explicit", "implicit" or "none".
    ///   - extra: hooks such as `--drop NAME:BYTES`, `--grow NAME:N`, `--no-mlsd`, `--no-rest`.
    public init(root: String, tls: String = "explicit", password: String = "pw-\(UUID().uuidString.prefix(8))",
         extra: [String] = []) throws {
        self.root = root
        self.password = password
        let work = (root as NSString).deletingLastPathComponent
        logPath = work + "/ftp-server.log"
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.repo.appendingPathComponent("scripts/ftp_test_server.py").path,
                             "--root", root, "--tls", tls, "--user", Self.user, "--password", password,
                             "--certdir", work] + extra
        process.standardInput = stdin
        process.standardOutput = stdout
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        // The server prints {"port": N, "ca": …} once it listens; EOF means it died first.
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        struct Ready: Decodable { let port: Int; let ca: String? }
        guard let ready = try? JSONDecoder().decode(Ready.self, from: line) else {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            process.terminate()
            throw StartFailure(description: "the FTP test server did not start (run scripts/setup.sh ftp): \(log)")
        }
        port = ready.port
        caFile = ready.ca
    }

    deinit { stop() }

    public func stop() {
        guard process.isRunning else { return }
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    public func url(_ path: String = "", scheme: String = "ftp") -> String { "\(scheme)://127.0.0.1:\(port)/\(path)" }

    public var environment: [String: String] { ["AMFORA_FTP_USER": Self.user, "AMFORA_FTP_PASSWORD": password] }
}
