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
    /// Fills the buffer with the next bytes of an upload and says how many (0: the end; nil: abort).
    var onRead: ((UnsafeMutableRawBufferPointer) -> Int?)?
    /// Lists given to curl (quote commands) must live until the request is done.
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

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
        freeLists()
        errorBuffer.deallocate()
    }

    private func freeLists() {
        for l in lists { curl_slist_free_all(l) }
        lists = []
    }

    /// Back to defaults before each request, so no option leaks from one request into the next.
    /// Live connections and the TLS session cache survive a reset (curl_easy_reset(3)).
    func reset() throws(SourceError) {
        curl_easy_reset(handle)
        freeLists()
        errorBuffer[0] = 0
        try set(CURLOPT_NOSIGNAL, 1)  // no SIGALRM for timeouts: we may run beside other threads
        try require(amfora_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
        try require(amfora_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, curlWrite), CURLOPT_WRITEFUNCTION)
        try require(amfora_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque()),
                    CURLOPT_WRITEDATA)
        try require(amfora_curl_setopt_read(handle, curlRead), CURLOPT_READFUNCTION)
        try require(amfora_curl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque()),
                    CURLOPT_READDATA)
    }

    /// FTP commands for CURLOPT_QUOTE / CURLOPT_POSTQUOTE; the list lives until the next reset.
    func set(_ option: CURLoption, commands: [String]) throws(SourceError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for c in commands {
            guard let longer = curl_slist_append(list, c) else {
                if let list { curl_slist_free_all(list) }
                throw SourceError(.local, "libcurl could not build a command list")
            }
            list = longer
        }
        guard let list else { return }
        lists.append(list)
        try require(amfora_curl_setopt_slist(handle, option, list), option)
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

/// CURLOPT_READFUNCTION: asks the handle's `onRead` for the next bytes of an upload.
private func curlRead(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                      _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context, let buffer else { return Int(CURL_READFUNC_ABORT) }
    let easy = Unmanaged<CurlEasy>.fromOpaque(context).takeUnretainedValue()
    guard let onRead = easy.onRead else { return 0 }
    return onRead(UnsafeMutableRawBufferPointer(start: buffer, count: size * count)) ?? Int(CURL_READFUNC_ABORT)
}

extension String {
    func trimmingSuffixNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last.isNewline { s = s.dropLast() }
        return String(s)
    }
}

extension CurlEasy {
    /// The options every FTP request carries, fetching or delivering. Security is set here, on
    /// every request, so no path through the code can talk to a server without it: TLS unless
    /// plaintext was allowed, TLS 1.2 at least, the peer and host verified.
    func prepareFTP(url: String, location: FTPLocation, credentials: FTPCredentials, options: ConnectionOptions) throws(SourceError) {
        try reset()
        try set(CURLOPT_URL, url)
        try set(CURLOPT_PROTOCOLS_STR, "ftp,ftps")
        try set(CURLOPT_USERNAME, credentials.user)
        try set(CURLOPT_PASSWORD, credentials.password)
        let tls = location.security == .implicitTLS || !options.allowPlaintext
        try set(CURLOPT_USE_SSL, Int(tls ? CURLUSESSL_ALL.rawValue : CURLUSESSL_NONE.rawValue))
        try set(CURLOPT_FTPSSLAUTH, Int(CURLFTPAUTH_TLS.rawValue))
        try set(CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2)
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = options.caFile { try set(CURLOPT_CAINFO, ca) }
        try set(CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        try set(CURLOPT_SERVER_RESPONSE_TIMEOUT, options.responseTimeout)
        try set(CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedLimit)
        try set(CURLOPT_LOW_SPEED_TIME, options.lowSpeedTime)
        try set(CURLOPT_FTP_FILEMETHOD, Int(CURLFTPMETHOD_SINGLECWD.rawValue))
        try set(CURLOPT_TCP_KEEPALIVE, 1)  // the control connection idles during long transfers
        try? set(CURLOPT_BUFFERSIZE, 512 << 10)  // fewer, larger writes; only a speed matter
    }
}
