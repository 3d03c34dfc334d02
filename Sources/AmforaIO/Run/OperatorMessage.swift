import Foundation

/// One sentence for the operator from any error a command meets: what happened to what, and
/// what to do. amfora's own errors say so themselves; file-system errors from Foundation are
/// put in the same words, never as a framework domain or an error code.
public enum OperatorMessage {
    public static func of(_ error: any Error) -> String {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
        let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
        let posix = ns.domain == NSPOSIXErrorDomain ? Int32(ns.code)
            : (ns.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil }
        let reason: String
        switch (posix, CocoaError.Code(rawValue: ns.code)) {
        case (ENOSPC?, _), (_, .fileWriteOutOfSpace): reason = "the disk is full"
        case (EACCES?, _), (EPERM?, _), (_, .fileWriteNoPermission), (_, .fileReadNoPermission): reason = "permission denied"
        case (EROFS?, _), (_, .fileWriteVolumeReadOnly): reason = "the file system is read-only"
        case (ENOENT?, _), (_, .fileNoSuchFile), (_, .fileReadNoSuchFile): reason = "no such file or directory"
        case (ENOTDIR?, _): reason = "a part of the path is not a directory"
        case (let code?, _): reason = String(cString: strerror(code))
        default: reason = "the file system refused it"
        }
        return "cannot use \(path): \(reason); fix that, then run the same command again"
    }
}
