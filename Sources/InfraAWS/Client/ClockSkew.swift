import Foundation

/// The offset between the server's clock and ours, learned from skew errors.
///
/// Bounded as the SDKs bound it, and tighter: the offset changes only after a clock-skew error
/// (`RetryPolicy.isClockSkewError`), only from a parseable `Date` header, only when the server's
/// time differs from our corrected time by at least 4 minutes (the AWS SDK for Java's
/// threshold; SigV4 tolerates 5 minutes, S3 15), and never by more than a day: a clock a day
/// off is a broken clock (or a forged `Date`), reported as `AWSClientError.clockSkew`.
final class ClockSkew: @unchecked Sendable {
    static let threshold: TimeInterval = 4 * 60
    static let maximum: TimeInterval = 24 * 3600

    enum Correction: Equatable {
        case none
        case adjust(TimeInterval)
        case tooLarge(TimeInterval)
    }

    private let lock = NSLock()
    private var value: TimeInterval = 0
    var offset: TimeInterval {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }

    /// What a skew error with this server `Date` should change.
    static func correction(serverDate: Date?, localNow: Date, currentOffset: TimeInterval) -> Correction {
        guard let serverDate else { return .none }
        let offset = serverDate.timeIntervalSince(localNow)
        guard abs(offset - currentOffset) >= threshold else { return .none }
        guard abs(offset) <= maximum else { return .tooLarge(offset) }
        return .adjust(offset)
    }
}
