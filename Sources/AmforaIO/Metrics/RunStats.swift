import Foundation

/// Throughput and peak memory, for benchmarks and for the run's own timing lines.
public enum RunStats {
    /// Peak resident set size of this process, in bytes.
    public static func peakResidentBytes() -> Int {
        usage().ru_maxrss * 1024  // Linux reports KiB
    }

    /// CPU seconds (user and system, every thread) this process has used so far. A stage's CPU
    /// beside its wall time shows work apart from waiting, which on a shared machine is the
    /// steadier figure to compare Fridays by.
    public static func cpuSeconds() -> Double {
        let u = usage()
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(u.ru_utime) + s(u.ru_stime)
    }

    private static func usage() -> rusage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage
    }

    public static func line(bytes: Int, records: Int, seconds: Double) -> String {
        let mb = Double(bytes) / 1_000_000
        let s = max(seconds, 1e-9)
        return String(format: "stats: %.1f MB in %.2f s = %.1f MB/s, %d records = %.0f records/s, peak RSS %.1f MB\n",
                      mb, seconds, mb / s, records, Double(records) / s, Double(peakResidentBytes()) / 1_000_000)
    }
}
