/// When a remote file counts as completely written. FTP has no "upload finished" signal, so a
/// file is trusted only once it has stood still: the same size and time in two listings taken
/// an interval apart, old enough, and (where the municipality sends them) with its done marker.
public struct CompletenessPolicy: Sendable, Equatable {
    /// Seconds since the last modification before a file is fetched.
    public var minAge: Int64
    /// A delivery X is fetched only when X.done is beside it.
    public var requireDoneMarker: Bool

    public init(minAge: Int64 = 60, requireDoneMarker: Bool = false) {
        self.minAge = minAge
        self.requireDoneMarker = requireDoneMarker
    }
}

/// Why a delivery is not fetched yet: it is probably still being written.
public enum Incomplete: Sendable, Hashable, CustomStringConvertible {
    case changedBetweenListings(sizeBefore: Int64?, sizeAfter: Int64?)
    case vanished
    case tooYoung(ageSeconds: Int64, minAge: Int64)
    case noDoneMarker

    public var description: String {
        switch self {
        case .changedBetweenListings(let a, let b):
            a == b ? "still being written (its time changed between two listings)"
                : "still being written (size \(a.map(String.init) ?? "?") → \(b.map(String.init) ?? "?") between two listings)"
        case .vanished: "gone from the server between two listings"
        case .tooYoung(let age, let min): "too recent (modified \(age) s ago, wanted at least \(min) s)"
        case .noDoneMarker: "no .done marker yet"
        }
    }
}

public enum Completeness {
    /// - Parameters:
    ///   - second: the same name in the second listing; `.notTaken` when no second listing was
    ///     made (interval 0), `.absent` when the file was gone.
    ///   - now: seconds since 1970 UTC, at the second listing.
    public static func check(_ first: RemoteEntry, second: SecondLook, hasDoneMarker: Bool,
                             now: Int64, policy: CompletenessPolicy) -> Incomplete? {
        switch second {
        case .absent: return .vanished
        case .seen(let later) where !later.sameFacts(as: first):
            return .changedBetweenListings(sizeBefore: first.size, sizeAfter: later.size)
        default: break
        }
        if policy.requireDoneMarker, !hasDoneMarker { return .noDoneMarker }
        // A server clock ahead of ours makes the age negative: that file waits, it is not trusted.
        if policy.minAge > 0, let modified = first.modified, now - modified < policy.minAge {
            return .tooYoung(ageSeconds: now - modified, minAge: policy.minAge)
        }
        return nil
    }

    public enum SecondLook: Sendable, Equatable {
        case notTaken
        case absent
        case seen(RemoteEntry)
    }
}
