import CCurl

/// curl_global_init is not to be raced: run it once, at start, before threads use libcurl.
public enum CurlGlobal {
    /// Swift runs a static initialiser exactly once, whichever thread gets there first.
    private static let status: UInt32 = amfora_curl_global_init_default().rawValue

    /// Call at program start (the CLI does); later calls cost nothing.
    public static func initialise() throws(SourceError) {
        guard status == CURLE_OK.rawValue else {
            throw SourceError(.local, "libcurl could not be initialised (curl_global_init returned \(status))")
        }
    }
}

/// One libcurl easy handle. The FTP source reuses it for every request of a run: curl keeps the
/// control connection (and its TLS session) open between the listing and the files.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    /// Drives the handle (see `perform`); its connection cache keeps the control connection.
    private let multi: UnsafeMutableRawPointer
    /// curl writes its message here on failure; it must outlive every curl_easy_perform.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Receives the body of the current request; returning false aborts it (CURLE_WRITE_ERROR).
    var onData: ((UnsafeRawBufferPointer) -> Bool)?

    init() throws(SourceError) {
        try CurlGlobal.initialise()
        guard let h = curl_easy_init() else { throw SourceError(.local, "libcurl could not create a handle") }
        guard let m = curl_multi_init() else {
            curl_easy_cleanup(h)
            throw SourceError(.local, "libcurl could not create a multi handle")
        }
        handle = h
        multi = m
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_multi_cleanup(multi)
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Back to defaults before each request, so no option leaks from one request into the next.
    /// Live connections and the TLS session cache survive a reset (curl_easy_reset(3)).
    func reset() throws(SourceError) {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        try set(CURLOPT_NOSIGNAL, 1)  // no SIGALRM for timeouts: we may run beside other threads
        try require(amfora_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
        try require(amfora_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, curlWrite), CURLOPT_WRITEFUNCTION)
        try require(amfora_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque()),
                    CURLOPT_WRITEDATA)
    }

    func set(_ option: CURLoption, _ value: Int) throws(SourceError) {
        try require(amfora_curl_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, offset: Int64) throws(SourceError) {
        try require(amfora_curl_setopt_off(handle, option, curl_off_t(offset)), option)
    }

    /// curl copies string options (since 7.17), so a temporary C string is enough.
    func set(_ option: CURLoption, _ value: String) throws(SourceError) {
        let code = value.withCString { amfora_curl_setopt_string(handle, option, $0) }
        try require(code, option)
    }

    struct Outcome {
        let code: CURLcode
        /// The last FTP reply code (530, 550, …); 0 when none came.
        let responseCode: Int
        /// curl's own words (error buffer, else curl_easy_strerror).
        let message: String
        /// curl_easy_strerror: fixed text that cannot contain anything of ours.
        let fixedMessage: String

        var ok: Bool { code == CURLE_OK }
    }

    /// Runs the request to its end. Not curl_easy_perform: on a reused FTP control connection,
    /// libcurl 7.88's easy loop often waits its whole 1 s poll timeout before opening the data
    /// connection (no socket is in its poll set at that step) — a second lost per file, measured
    /// here. Driving the multi handle with a short poll timeout takes that stall away; libcurl's
    /// own timeouts still run, because curl_multi_perform checks them on every turn.
    func perform() -> Outcome {
        errorBuffer[0] = 0
        let code = drive()
        var reply = 0
        _ = amfora_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let buffered = String(cString: errorBuffer)
        let fixed = String(cString: curl_easy_strerror(code))
        return Outcome(code: code, responseCode: reply, message: (buffered.isEmpty ? fixed : buffered).trimmingSuffixNewlines(),
                       fixedMessage: fixed)
    }

    private func drive() -> CURLcode {
        guard curl_multi_add_handle(multi, handle) == CURLM_OK else { return CURLE_FAILED_INIT }
        defer { curl_multi_remove_handle(multi, handle) }
        var running: Int32 = 1
        while running > 0 {
            guard curl_multi_perform(multi, &running) == CURLM_OK else { return CURLE_FAILED_INIT }
            if running > 0, curl_multi_poll(multi, nil, 0, Self.pollMilliseconds, nil) != CURLM_OK {
                return CURLE_FAILED_INIT
            }
        }
        var left: Int32 = 0
        var result = CURLE_OK
        while let message = curl_multi_info_read(multi, &left) {
            if message.pointee.msg == CURLMSG_DONE { result = message.pointee.data.result }
        }
        return result
    }

    /// Short enough that a poll set without the right socket costs little, long enough not to spin.
    private static let pollMilliseconds: Int32 = 5

    /// A curl_off_t CURLINFO value; nil when curl reports -1 (unknown).
    func offsetInfo(_ info: CURLINFO) -> Int64? {
        var value: curl_off_t = -1
        guard amfora_curl_getinfo_off(handle, info, &value) == CURLE_OK, value >= 0 else { return nil }
        return Int64(value)
    }

    func longInfo(_ info: CURLINFO) -> Int {
        var value = 0
        _ = amfora_curl_getinfo_long(handle, info, &value)
        return value
    }

    private func require(_ code: CURLcode, _ option: CURLoption) throws(SourceError) {
        guard code == CURLE_OK else {
            throw SourceError(.local, "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

/// CURLOPT_WRITEFUNCTION: hands each chunk to the handle's `onData`.
private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                       _ context: UnsafeMutableRawPointer?) -> Int {
    let bytes = size * count
    guard let context else { return 0 }
    let easy = Unmanaged<CurlEasy>.fromOpaque(context).takeUnretainedValue()
    guard let onData = easy.onData else { return bytes }
    return onData(UnsafeRawBufferPointer(start: data, count: bytes)) ? bytes : 0
}

extension String {
    func trimmingSuffixNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last.isNewline { s = s.dropLast() }
        return String(s)
    }
}
