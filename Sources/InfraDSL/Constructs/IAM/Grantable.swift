/// Something that can be granted permissions: a role, or a construct that runs as one (a
/// function, a task). `grant*` methods of buckets, tables, queues, topics and secrets add
/// least-privilege statements to it.
public protocol Grantable: AnyObject {
    func addToPrincipalPolicy(_ statement: PolicyStatement)
}
