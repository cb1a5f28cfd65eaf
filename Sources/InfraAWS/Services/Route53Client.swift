import Foundation

/// Route 53: the read call preflight needs (does a hosted zone exist, and which domain it holds).
public struct Route53Client: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public struct HostedZone: Sendable, Equatable {
        /// The bare id (`Z0123...`, without `/hostedzone/`).
        public var id: String
        /// The zone's domain, as Route 53 writes it (with the trailing dot).
        public var name: String
        public var isPrivate: Bool

        /// Whether `recordName` (with or without a trailing dot) is the zone's apex or below it.
        public func holds(_ recordName: String) -> Bool {
            Self.normalized(recordName) == Self.normalized(name)
                || Self.normalized(recordName).hasSuffix("." + Self.normalized(name))
        }

        public static func normalized(_ name: String) -> String {
            var n = name.lowercased()
            while n.hasSuffix(".") { n.removeLast() }
            if n.hasPrefix("*.") { n.removeFirst(2) }
            return n
        }
    }

    /// GetHostedZone: the zone, or nil when no zone has this id (`NoSuchHostedZone`).
    public func getHostedZone(id: String) async throws -> HostedZone? {
        let bare = id.hasPrefix("/hostedzone/") ? String(id.dropFirst(12)) : id
        // botocore (and moto's signature check) sign the payload hash of REST calls without a body
        let call = AWSRequest(service: .route53, operation: "GetHostedZone", method: "GET",
                              path: "/2013-04-01/hostedzone/" + PercentEncoding.uriEncode(bare, keepSlash: false),
                              payloadSigning: .hashedInHeader)
        guard let response = try await unlessMissing("NoSuchHostedZone", { try await client.send(call) }) else {
            return nil
        }
        let tree = try client.parseXML(response, service: .route53, operation: "GetHostedZone")
        guard tree.name == "GetHostedZoneResponse", let zone = tree.child("HostedZone"),
              let zoneId = zone.string("Id"), let name = zone.string("Name") else {
            throw AWSClientError.malformedResponse(service: "Route53", operation: "GetHostedZone",
                                                   detail: "no HostedZone with Id and Name in <\(tree.name)>")
        }
        return HostedZone(id: zoneId.hasPrefix("/hostedzone/") ? String(zoneId.dropFirst(12)) : zoneId,
                          name: name, isPrivate: zone.bool("Config/PrivateZone") ?? false)
    }

    /// CreateHostedZone (tests set up zones with it); returns the bare id.
    public func createHostedZone(name: String, callerReference: String = UUID().uuidString) async throws -> String {
        let body = XMLTree(name: "CreateHostedZoneRequest", children: [
            XMLTree(name: "Name", text: name), XMLTree(name: "CallerReference", text: callerReference),
        ]).xmlString(namespace: "https://route53.amazonaws.com/doc/2013-04-01/")
        let response = try await client.send(AWSRequest(
            service: .route53, operation: "CreateHostedZone", method: "POST", path: "/2013-04-01/hostedzone",
            headers: ["Content-Type": "application/xml"], body: Data(body.utf8)))
        let tree = try client.parseXML(response, service: .route53, operation: "CreateHostedZone")
        guard let id = tree.string("HostedZone/Id") else {
            throw AWSClientError.malformedResponse(service: "Route53", operation: "CreateHostedZone",
                                                   detail: "no HostedZone/Id")
        }
        return id.hasPrefix("/hostedzone/") ? String(id.dropFirst(12)) : id
    }
}
