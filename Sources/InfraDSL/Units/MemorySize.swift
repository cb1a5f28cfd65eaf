/// An amount of memory in whole mebibytes (MiB): a Lambda function's memory, a task's or a
/// container's memory.
///
/// ```swift
/// Function(stack, "Worker", ..., memory: .mebibytes(512))
/// TaskDefinition(stack, "Task", cpu: 2048, memory: .gibibytes(6))
/// ```
///
/// Lambda's `MemorySize` ("MB" in its documentation) and ECS's `Memory` ("MiB") count the same
/// unit, 1,048,576 bytes. A size a resource cannot take is a synthesis error naming the
/// construct path and the property.
public struct MemorySize: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The whole size, in MiB.
    public let mebibytes: Int

    private init(mebibytes: Int) { self.mebibytes = mebibytes }

    public static func mebibytes(_ n: Int) -> MemorySize { MemorySize(mebibytes: n) }
    public static func gibibytes(_ n: Int) -> MemorySize { MemorySize(mebibytes: n * 1024) }

    /// "512 MiB", "6 GiB".
    public var description: String {
        mebibytes != 0 && mebibytes % 1024 == 0 ? "\(mebibytes / 1024) GiB" : "\(mebibytes) MiB"
    }

    public static func < (a: MemorySize, b: MemorySize) -> Bool { a.mebibytes < b.mebibytes }

    /// The validation message when `property` cannot take this size (outside `range`).
    public func problem(_ property: String, in range: ClosedRange<MemorySize>) -> String? {
        range.contains(self) ? nil : "\(property) must be between \(range.lowerBound) and \(range.upperBound) (got \(self))"
    }
}
