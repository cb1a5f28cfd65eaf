import Foundation

/// A failure of `deploy`, `diff`, `destroy` or `bootstrap` with a message written for the
/// operator: what went wrong, and what to do about it.
public struct DeployError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Bad input: unknown stack, malformed assembly, invalid option value.
        case usage
        /// The region has no toolkit stack, or one that is too old.
        case notBootstrapped
        /// A stack operation failed in CloudFormation (the message holds the root cause).
        case stackFailed
        /// Approval was required and refused, or could not be asked (not a terminal).
        case approval
        /// An asset could not be published (no Docker engine, missing file, ...).
        case asset
        /// The user pressed Ctrl-C; CloudFormation carries on.
        case interrupted
        /// Anything else (AWS errors are wrapped with context).
        case other
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The process exit code for this error: 130 for Ctrl-C, 2 for usage errors, else 1.
    public var exitCode: Int32 {
        switch kind {
        case .interrupted: return 130
        case .usage: return 2
        default: return 1
        }
    }
}

extension Error {
    /// A one-line (or few-line) description of any error the deployer meets.
    var deployMessage: String {
        switch self {
        case let e as DeployError: return e.message
        case let e as CustomStringConvertible: return e.description
        default: return "\(self)"
        }
    }

    var isCancellation: Bool {
        if self is CancellationError { return true }
        if let e = self as? URLError, e.code == .cancelled { return true }
        return false
    }
}
