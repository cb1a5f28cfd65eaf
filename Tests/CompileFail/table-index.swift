// An imported table's indexes are not managed here.
import InfraDSL

let app = App()
let stack = Stack(app, "S")
let table = Table.imported(stack, "T", arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/jobs")
table.addGlobalSecondaryIndex(name: "byDate", partitionKey: Table.Attribute("date", .string)) // expected-error: value of type 'ImportedTable' has no member 'addGlobalSecondaryIndex'
