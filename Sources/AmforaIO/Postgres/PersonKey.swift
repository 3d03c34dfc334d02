import AmforaCore
import CCrypto
import Foundation

/// The key of `person_key`: what analysts see instead of a CPR number. The key is the HMAC-SHA-256
/// of the ten digits under a secret kept outside the database (a file only the loader reads), so a
/// person links across tables and Fridays, while the CPR cannot be recovered from the database
/// alone — not even by trying all 3.6 million birth dates × 10,000 serials, which a plain hash
/// would allow.
public struct PersonKey: Sendable {
    private let secret: [UInt8]

    /// Bytes of a new key file: 32 random bytes as 64 hex digits and a newline.
    static let length = 32

    init(secret: [UInt8]) {
        precondition(secret.count >= Self.length)
        self.secret = secret
    }

    /// 128 bits of the HMAC as 32 hex digits: unique for ten million persons with overwhelming
    /// margin (a collision about 1 in 10^24), and half the width to store and compare.
    public func of(cpr: Int) -> String { of(identifier: CPR.digits(of: cpr)) }

    /// An §57.2 Identnr: a CPR number (then the same key as the person's measures), or another
    /// identifier for a person without one; spaces around it are not part of it.
    public func of(identifier: String) -> String {
        Hex.string(mac(Self.trimmed(identifier)).prefix(16))
    }

    /// The identifier's bytes without the spaces around it.
    static func trimmed(_ identifier: String) -> [UInt8] {
        Array(identifier.utf8.drop { $0 == 32 }.reversed().drop { $0 == 32 }.reversed())
    }

    /// The same keys, for a load's million persons: HMAC's two padded key blocks hashed once
    /// (RFC 2104), so that a key costs two SHA-256 runs over the CPR and the inner digest, with
    /// no context made or freed and no string but the key's own.
    public func keyer() -> Keyer { Keyer(secret) }

    public final class Keyer {
        private let inner: OpaquePointer
        private let outer: OpaquePointer
        private let work: OpaquePointer
        private var digest = [UInt8](repeating: 0, count: 32)

        init(_ secret: [UInt8]) {
            var key = secret.count > 64 ? Self.sha256(secret) : secret
            key += [UInt8](repeating: 0, count: 64 - key.count)
            func started(_ pad: UInt8) -> OpaquePointer {
                let c = EVP_MD_CTX_new()!
                precondition(EVP_DigestInit_ex(c, EVP_sha256(), nil) == 1)
                let block = key.map { $0 ^ pad }
                precondition(EVP_DigestUpdate(c, block, block.count) == 1)
                return c
            }
            inner = started(0x36)
            outer = started(0x5c)
            work = EVP_MD_CTX_new()!
        }

        deinit {
            EVP_MD_CTX_free(inner)
            EVP_MD_CTX_free(outer)
            EVP_MD_CTX_free(work)
        }

        public func of(cpr: Int) -> String {
            precondition(cpr >= 0 && cpr < 10_000_000_000, "a CPR number has ten digits")
            var digits: (UInt64, UInt64) = (0, 0)
            return withUnsafeMutableBytes(of: &digits) { raw in
                var n = cpr
                for i in (0..<10).reversed() {
                    raw[i] = UInt8(ascii: "0") + UInt8(n % 10)
                    n /= 10
                }
                return key(UnsafeRawBufferPointer(rebasing: raw[0..<10]))
            }
        }

        public func of(identifier: String) -> String {
            PersonKey.trimmed(identifier).withUnsafeBytes { key($0) }
        }

        private func key(_ message: UnsafeRawBufferPointer) -> String {
            var length: UInt32 = 0
            digest.withUnsafeMutableBufferPointer { d in
                precondition(EVP_MD_CTX_copy_ex(work, inner) == 1
                    && EVP_DigestUpdate(work, message.baseAddress, message.count) == 1
                    && EVP_DigestFinal_ex(work, d.baseAddress, &length) == 1
                    && EVP_MD_CTX_copy_ex(work, outer) == 1
                    && EVP_DigestUpdate(work, d.baseAddress, 32) == 1
                    && EVP_DigestFinal_ex(work, d.baseAddress, &length) == 1, "SHA-256 failed")
            }
            return String(unsafeUninitializedCapacity: 32) { out in
                let hex = Array("0123456789abcdef".utf8)
                for i in 0..<16 {
                    out[2 * i] = hex[Int(digest[i] >> 4)]
                    out[2 * i + 1] = hex[Int(digest[i] & 15)]
                }
                return 32
            }
        }

        private static func sha256(_ bytes: [UInt8]) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            let c = EVP_MD_CTX_new()!
            defer { EVP_MD_CTX_free(c) }
            precondition(EVP_DigestInit_ex(c, EVP_sha256(), nil) == 1 && EVP_DigestUpdate(c, bytes, bytes.count) == 1
                && EVP_DigestFinal_ex(c, &out, &length) == 1)
            return out
        }
    }

    /// A fingerprint of the key itself, stored in the warehouse: a run with another key file is
    /// refused instead of giving every person a new key.
    public var fingerprint: String { Hex.string(mac(Array("amfora person key".utf8)).prefix(8)) }

    private func mac(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = secret.withUnsafeBufferPointer { key in
            data.withUnsafeBufferPointer { d in
                HMAC(EVP_sha256(), key.baseAddress, Int32(key.count), d.baseAddress, d.count, &out, &length)
            }
        }
        precondition(ok != nil && length == 32, "HMAC-SHA-256 failed")
        return Array(out.prefix(Int(length)))
    }


    /// Reads the key file: a regular file, not a link, readable by its owner only, holding at
    /// least 64 hex digits.
    public static func load(_ path: String) throws(PostgresError) -> PersonKey {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw PostgresError(message: errno == ENOENT
                ? "the person key file \(path) is missing: `amfora init-roles` makes one (keep a copy: without it persons get new keys)"
                : "cannot read the person key file \(path) (\(String(cString: strerror(errno))); it must be a regular file, not a link)", kind: .refused)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw PostgresError(message: "the person key file \(path) is not a regular file", kind: .refused)
        }
        guard st.st_mode & 0o077 == 0 else {
            throw PostgresError(message: "the person key file \(path) is readable by others (mode \(String(st.st_mode & 0o777, radix: 8))); it must be 0600 or 0400", kind: .refused)
        }
        var bytes = [UInt8](repeating: 0, count: 256)
        let n = read(fd, &bytes, bytes.count)
        let text = String(decoding: bytes.prefix(max(n, 0)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 2 * length, text.count % 2 == 0, let secret = Self.bytes(hex: text) else {
            throw PostgresError(message: "the person key file \(path) does not hold a key (at least 64 hex digits)", kind: .refused)
        }
        return PersonKey(secret: secret)
    }

    /// Makes a new key file (owner-only, never over an existing file).
    public static func create(_ path: String) throws(PostgresError) -> PersonKey {
        var secret = [UInt8](repeating: 0, count: length)
        guard RAND_bytes(&secret, Int32(length)) == 1 else {
            throw PostgresError(message: "no random bytes for a person key", kind: .refused)
        }
        let key = PersonKey(secret: secret)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o400)
        guard fd >= 0 else {
            throw PostgresError(message: "cannot create the person key file \(path) (\(String(cString: strerror(errno))))", kind: .refused)
        }
        defer { close(fd) }
        let text = Array((Hex.string(secret) + "\n").utf8)
        guard write(fd, text, text.count) == text.count, fsync(fd) == 0 else {
            unlink(path)
            throw PostgresError(message: "cannot write the person key file \(path) (\(String(cString: strerror(errno))))", kind: .refused)
        }
        return key
    }

    private static func bytes(hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }
}
