import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The files `infra watch` looks at, by polling their modification times and sizes (cheap on
/// Linux for the few hundred files of a function's directory or a config folder).
public struct WatchedPaths: Sendable, Equatable {
    public var roots: [URL]

    public init(roots: [URL]) {
        var seen = Set<String>()
        self.roots = roots.map(\.standardizedFileURL).filter { seen.insert($0.path).inserted }.sorted { $0.path < $1.path }
    }

    /// path -> (modification time, size) of every regular file under the roots (a root may be a file).
    public func snapshot() -> [String: (Double, Int64)] {
        var out: [String: (Double, Int64)] = [:]
        let fm = FileManager.default
        for root in roots {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: root.path, isDirectory: &isDir) else { continue }
            if !isDir.boolValue {
                out[root.path] = Self.stamp(root.path)
                continue
            }
            Self.walk(root.path, into: &out)
        }
        return out
    }

    /// The regular files under `folder` (names starting with `.` left out, symbolic links to
    /// folders not followed) by `readdir`: a fifth of FileManager's enumerator's time, which
    /// matters when a project's app watches a local infra checkout (some 200 files, every poll).
    static func walk(_ folder: String, into out: inout [String: (Double, Int64)]) {
        guard let dir = opendir(folder) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasPrefix(".") { continue }
            let path = folder + "/" + name
            var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var st = stat()
                isFolder = lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            if isFolder {
                walk(path, into: &out)
            } else if let s = stamp(path) {
                out[path] = s
            }
        }
    }

    static func stamp(_ path: String) -> (Double, Int64)? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9, Int64(st.st_size))
    }

    /// Files added, removed or changed between two snapshots (sorted).
    public static func changes(_ a: [String: (Double, Int64)], _ b: [String: (Double, Int64)]) -> [String] {
        var out: [String] = []
        for (p, s) in b { if let t = a[p] { if t != s { out.append(p) } } else { out.append(p) } }
        for p in a.keys where b[p] == nil { out.append(p) }
        return out.sorted()
    }
}

/// Polls `WatchedPaths` and calls back once the files have stopped changing for `debounce`.
public struct WatchLoop: Sendable {
    public var interval: TimeInterval
    public var debounce: TimeInterval

    public init(interval: TimeInterval = 0.1, debounce: TimeInterval = 0.2) {
        self.interval = interval
        self.debounce = debounce
    }

    /// Waits for the next settled change; returns the changed files. Throws CancellationError on Ctrl-C.
    public func next(_ paths: @Sendable () -> WatchedPaths, since base: inout [String: (Double, Int64)]) async throws -> [String] {
        while true {
            try await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            var current = paths().snapshot()
            var changed = WatchedPaths.changes(base, current)
            if changed.isEmpty { continue }
            // debounce: wait until nothing changes for `debounce`
            while true {
                try await Task.sleep(nanoseconds: UInt64(debounce * 1e9))
                let again = paths().snapshot()
                let more = WatchedPaths.changes(current, again)
                current = again
                if more.isEmpty { break }
                changed = Array(Set(changed + more)).sorted()
            }
            base = current
            return changed
        }
    }
}
