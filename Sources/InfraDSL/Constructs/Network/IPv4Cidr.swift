/// An IPv4 CIDR block (`10.0.0.0/16`), parsed and checked at synthesis time so that invalid
/// and overlapping blocks are reported before anything is deployed.
public struct IPv4Cidr: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The network address as a 32-bit number.
    public let network: UInt32
    /// The prefix length (0-32).
    public let prefixLength: Int

    /// Parses `a.b.c.d/n`. Nil when the text is not a CIDR block or has host bits set
    /// (`10.0.0.1/16`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix),
              parts[1].allSatisfy(\.isNumber) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var address: UInt32 = 0
        for o in octets {
            guard !o.isEmpty, o.count <= 3, o.allSatisfy(\.isNumber), let v = UInt32(o), v <= 255 else { return nil }
            address = address << 8 | v
        }
        let cidr = IPv4Cidr(network: address, prefixLength: prefix)
        guard address & ~cidr.mask == 0 else { return nil }
        self = cidr
    }

    public init(network: UInt32, prefixLength: Int) {
        self.network = network
        self.prefixLength = prefixLength
    }

    /// The netmask as a 32-bit number.
    public var mask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << (32 - UInt32(prefixLength)) }

    /// The number of addresses in the block.
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }

    /// The last address of the block.
    public var lastAddress: UInt32 { network | ~mask }

    public func contains(_ other: IPv4Cidr) -> Bool {
        other.prefixLength >= prefixLength && other.network & mask == network
    }

    public func overlaps(_ other: IPv4Cidr) -> Bool {
        contains(other) || other.contains(self)
    }

    /// `count` consecutive blocks of `prefixLength` from the start of this block, as
    /// `Fn::Cidr [block, count, 32 - prefixLength]` computes them (and CDK at synth time); nil
    /// when they do not fit.
    public func split(count: Int, prefixLength newPrefix: Int) -> [IPv4Cidr]? {
        guard count >= 0, newPrefix >= prefixLength, newPrefix <= 32 else { return nil }
        let step = UInt64(1) << UInt64(32 - newPrefix)
        guard UInt64(count) * step <= size else { return nil }
        return (0..<count).map { IPv4Cidr(network: network + UInt32(UInt64($0) * step), prefixLength: newPrefix) }
    }

    /// What is wrong with `text` as an IPv4 CIDR block, for messages (nil when it is one).
    public static func problem(_ text: String) -> String? {
        if IPv4Cidr(text) != nil { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix),
           let base = IPv4Cidr(String(parts[0]) + "/32") {
            let network = IPv4Cidr(network: base.network & IPv4Cidr(network: 0, prefixLength: prefix).mask, prefixLength: prefix)
            return "'\(text)' has host bits set (the block is \(network))"
        }
        return "'\(text)' is not an IPv4 CIDR block such as 10.0.0.0/16 (a.b.c.d/n)"
    }

    public var description: String {
        let a = network
        return "\(a >> 24).\(a >> 16 & 255).\(a >> 8 & 255).\(a & 255)/\(prefixLength)"
    }
}
