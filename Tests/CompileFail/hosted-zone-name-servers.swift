// The name servers of an imported zone are not known here.
import InfraDSL

let app = App()
let stack = Stack(app, "S")
let zone = HostedZone.imported(stack, "Z", hostedZoneId: "Z0123456789ABC", zoneName: "example.org")
let servers = zone.nameServers // expected-error: value of type 'ImportedHostedZone' has no member 'nameServers'
