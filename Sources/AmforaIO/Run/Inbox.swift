public import AmforaCore
import Foundation

/// The deliveries of one batch found in a local directory (the fetch stage's output, or a
/// directory an operator points at). Anything else there is reported, never guessed at.
public struct Inbox: Sendable {
    public struct Entry: Sendable {
        public let name: DeliveryName
        public let path: String
    }

    public var deliveries: [Entry] = []

    /// A file's size in bytes (0 when it cannot be read: reading it will say why).
    static func size(of path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }
    /// Files that are not deliveries, or deliveries for another batch, with the reason.
    public var ignored: [(file: String, reason: String)] = []
    /// Two files for the same municipality, kind and batch (say `.txt` and `.dat`): neither is taken.
    public var ambiguous: [(file: String, reason: String)] = []

    public init(directory: String, batch: Day, municipalities: [Int: String] = CodeListCatalog.standard.municipalities) throws {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw FileAccessError.unreadable(directory, "cannot list the inbox directory")
        }
        var byKey: [String: [Entry]] = [:]
        for file in names where !file.hasPrefix(".") {
            let path = (directory as NSString).appendingPathComponent(file)
            // Only regular files are deliveries; a link is never followed (the job runs as root).
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }  // gone since the listing
            if let what = FileChunks.kind(of: st.st_mode) {
                ignored.append((file, what))
                continue
            }
            switch DeliveryName.parse(file, municipalities: municipalities) {
            case .failure(let p): ignored.append((file, p.description))
            case .success(let n) where n.batchDate != batch:
                ignored.append((file, "for batch \(n.batchDate.iso), not \(batch.iso)"))
            case .success(let n):
                byKey["\(n.kind.rawValue)_\(n.komnr)", default: []].append(Entry(name: n, path: path))
            }
        }
        for (_, entries) in byKey.sorted(by: { $0.key < $1.key }) {
            if entries.count == 1 {
                deliveries.append(entries[0])
            } else {
                for e in entries {
                    ambiguous.append(((e.path as NSString).lastPathComponent,
                                      "\(entries.count) files for \(e.name.kind.rawValue) \(e.name.komnr) \(batch.iso); none taken"))
                }
            }
        }
        deliveries.sort { ($0.name.komnr, $0.name.kind.rawValue) < ($1.name.komnr, $1.name.kind.rawValue) }
    }
}
