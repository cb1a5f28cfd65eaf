/// An amount of data in whole mebibytes (MiB): a Lambda function's memory, a task's or a
/// container's memory, a task's ephemeral storage, an instance's root volume.
///
/// ```swift
/// Function(stack, "Worker", ..., memory: .mebibytes(512))
/// TaskDefinition(stack, "Task", cpu: 2048, memory: .gibibytes(6), ephemeralStorage: .gibibytes(50))
/// ```
///
/// Lambda's `MemorySize` ("MB" in its documentation) and ECS's `Memory` ("MiB") count the same
/// unit, 1,048,576 bytes; storage properties (`SizeInGiB`, EBS `VolumeSize`) count whole GiB. A
/// size a property cannot express (not a whole number of GiB where it counts GiB, outside its
/// range) is a synthesis error naming the construct path and the property.
public struct DataSize: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The whole size, in MiB.
    public let mebibytes: Int

    private init(mebibytes: Int) { self.mebibytes = mebibytes }

    public static func mebibytes(_ n: Int) -> DataSize { DataSize(mebibytes: n) }
    public static func gibibytes(_ n: Int) -> DataSize { DataSize(mebibytes: n * 1024) }

    /// A unit a CloudFormation property counts in.
    public enum Unit: Int, Sendable {
        case mebibytes = 1, gibibytes = 1024

        var name: String { self == .mebibytes ? "MiB" : "GiB" }
    }

    /// The number of whole `unit`s (rounded down; `problem(…)` says when it is not whole).
    public func count(of unit: Unit) -> Int { mebibytes / unit.rawValue }

    /// True when the size is a whole number of `unit`s.
    public func isWhole(_ unit: Unit) -> Bool { mebibytes % unit.rawValue == 0 }

    /// "512 MiB", "6 GiB".
    public var description: String {
        mebibytes != 0 && isWhole(.gibibytes) ? "\(count(of: .gibibytes)) GiB" : "\(mebibytes) MiB"
    }

    public static func < (a: DataSize, b: DataSize) -> Bool { a.mebibytes < b.mebibytes }

    /// The validation message when `property` cannot express this size: not a whole number of
    /// `unit`s (CloudFormation takes that unit), or outside `range`; nil when it can.
    public func problem(_ property: String, unit: Unit = .mebibytes, in range: ClosedRange<DataSize>? = nil) -> String? {
        unitProblem(self, property, isWhole: isWhole(unit), unitName: unit.name, in: range)
    }
}

/// Memory sizes read as `MemorySize` where they are declared; the same type as storage sizes.
public typealias MemorySize = DataSize
