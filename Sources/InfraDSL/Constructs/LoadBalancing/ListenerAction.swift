import InfraCore
import InfraResources

/// What a listener (or listener rule) does with a request.
public struct ListenerAction {
    enum Kind {
        case forward([ApplicationTargetGroup])
        case redirect(protocol: String?, port: String?, host: String?, path: String?, query: String?, permanent: Bool)
        case fixedResponse(statusCode: Int, contentType: String?, messageBody: String?)
    }

    let kind: Kind

    /// Forwards to target groups (weighted equally).
    public static func forward(_ targetGroups: [ApplicationTargetGroup]) -> ListenerAction {
        ListenerAction(kind: .forward(targetGroups))
    }

    /// Forwards to one target group.
    public static func forward(_ targetGroup: ApplicationTargetGroup) -> ListenerAction {
        forward([targetGroup])
    }

    /// Redirects; nil parts keep the request's (`#{host}`, `#{path}`, `#{query}`). Permanent
    /// (301) by default.
    public static func redirect(protocol: String? = nil, port: Int? = nil, host: String? = nil, path: String? = nil,
                                query: String? = nil, permanent: Bool = true) -> ListenerAction {
        ListenerAction(kind: .redirect(protocol: `protocol`, port: port.map(String.init), host: host, path: path, query: query,
                                       permanent: permanent))
    }

    /// A permanent redirect to HTTPS on port 443, keeping host, path and query.
    public static var redirectToHttps: ListenerAction { redirect(protocol: "HTTPS", port: 443) }

    /// A fixed response (default content type `text/plain`).
    public static func fixedResponse(statusCode: Int, contentType: String? = "text/plain", messageBody: String? = nil) -> ListenerAction {
        ListenerAction(kind: .fixedResponse(statusCode: statusCode, contentType: contentType, messageBody: messageBody))
    }

    /// The target groups it forwards to.
    var targetGroups: [ApplicationTargetGroup] {
        if case .forward(let groups) = kind { return groups }
        return []
    }

    /// True for a redirect to HTTPS.
    var redirectsToHttps: Bool {
        if case .redirect(let p, _, _, _, _, _) = kind { return p?.uppercased() == "HTTPS" }
        return false
    }

    var redirectPort: Int? {
        if case .redirect(_, let port, _, _, _, _) = kind { return port.flatMap { Int($0) } }
        return nil
    }

    func validate() -> [String] {
        switch kind {
        case .forward(let groups):
            return groups.isEmpty ? ["a forward action needs at least one target group"] : []
        case .redirect(let p, let port, _, _, _, _):
            var errors: [String] = []
            if let p, !["HTTP", "HTTPS", "#{protocol}"].contains(p) { errors.append("redirect protocol '\(p)' must be HTTP, HTTPS or #{protocol}") }
            if let port, port != "#{port}", !(Int(port).map { Validate.ports.contains($0) } ?? false) {
                errors.append("redirect port '\(port)' is not a port")
            }
            return errors
        case .fixedResponse(let status, _, let body):
            var errors: [String] = []
            if !(200...599).contains(status) { errors.append("fixed response status \(status) must be 2XX, 4XX or 5XX") }
            if (300...399).contains(status) { errors.append("fixed response status \(status) must be 2XX, 4XX or 5XX (use a redirect)") }
            if let b = body, b.utf8.count > 1024 { errors.append("a fixed response body is at most 1024 bytes") }
            return errors
        }
    }

    func listenerAction() -> ElasticLoadBalancingV2.Listener.Action {
        .init { a in
            switch kind {
            case .forward(let groups):
                a.type = .forward
                if groups.count == 1 {
                    a.targetGroupArn = groups[0].arn
                } else {
                    a.forwardConfig = .init {
                        $0.targetGroups = ListValue(groups.map { g in .init { $0.targetGroupArn = g.arn; $0.weight = 1 } })
                    }
                }
            case .redirect(let p, let port, let host, let path, let query, let permanent):
                a.type = .redirect
                a.redirectConfig = .init {
                    $0.statusCode = permanent ? .http301 : .http302
                    if let p { $0.protocol = StringValue(p) }
                    if let port { $0.port = StringValue(port) }
                    if let host { $0.host = StringValue(host) }
                    if let path { $0.path = StringValue(path) }
                    if let query { $0.query = StringValue(query) }
                }
            case .fixedResponse(let status, let contentType, let body):
                a.type = .fixedResponse
                a.fixedResponseConfig = .init {
                    $0.statusCode = StringValue(String(status))
                    if let contentType { $0.contentType = StringValue(contentType) }
                    if let body { $0.messageBody = StringValue(body) }
                }
            }
        }
    }

    /// The same action for a listener rule: `AWS::ElasticLoadBalancingV2::ListenerRule`'s action
    /// has the listener action's shape (same properties, same rendering), so it is rendered
    /// through the listener action's type.
    func ruleAction() -> ListValue<ElasticLoadBalancingV2.ListenerRule.Action> {
        let action = listenerAction()
        return ListValue(token: .array([.lazy(LazyValue { ctx in action.toValue(ctx) })]))
    }
}
