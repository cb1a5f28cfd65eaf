/// `init { $0.property = ... }` for property objects.
public protocol Configurable: AnyObject {
    init()
}

extension Configurable {
    public init(_ configure: (Self) -> Void) {
        self.init()
        configure(self)
    }
}
