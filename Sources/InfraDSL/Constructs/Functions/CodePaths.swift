import Foundation

extension Function.Code {
    /// A code directory resolved against the folder of `file` (pass `#filePath`), so synthesis
    /// finds it whatever the working directory: `.directory("../../functions/worker", relativeTo: #filePath)`.
    /// An absolute `path` is used as it is.
    public static func directory(_ path: String, relativeTo file: StaticString) -> Function.Code {
        .directory(resolve(path, relativeTo: "\(file)"))
    }

    /// `path` resolved against the folder of the file at `file` (absolute paths unchanged).
    public static func directoryPath(_ path: String, relativeTo file: String) -> String { resolve(path, relativeTo: file) }

    static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL.path
    }
}
