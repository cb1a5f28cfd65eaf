import Foundation
#if canImport(Testing)
import Testing
#endif
import XCTest

/// Where InfraTesting's assertions report: inside a Swift Testing test an issue at the caller's
/// file and line, otherwise `XCTFail` at the caller's file and line.
public enum Failure {
    public static func record(_ message: String, file: StaticString, line: UInt) {
        #if canImport(Testing)
        if Test.current != nil {
            Issue.record(Comment(rawValue: message), sourceLocation: SourceLocation(
                fileID: "\(file)", filePath: "\(file)", line: Int(line), column: 1))
            return
        }
        #endif
        XCTFail(message, file: file, line: line)
    }
}
