import CCrypto

/// SHA-256 of a delivery's exact bytes, streaming, through OpenSSL's libcrypto (which uses the
/// CPU's SHA instructions). The archive, the run's restart check and the fetch ledger identify a
/// file by it.
public final class FileDigest {
    private let context: OpaquePointer

    public init() {
        guard let ctx = EVP_MD_CTX_new(), EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else {
            fatalError("libcrypto cannot start a SHA-256 digest")
        }
        context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { update($0) } }

    /// 64 lower-case hex digits.
    public func finish() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest.prefix(Int(length)) { out += [hex[Int(b >> 4)], hex[Int(b & 0xF)]] }
        return String(decoding: out, as: UTF8.self)
    }

    /// The digest of a whole file, read in chunks.
    public static func of(path: String) throws -> String {
        let d = FileDigest()
        try FileChunks.source(path: path)({ d.update($0) })
        return d.finish()
    }
}
