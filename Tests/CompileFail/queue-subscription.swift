// Subscribing a queue to a topic adds to the queue's policy, which an imported queue does not have here.
import InfraDSL

let app = App()
let stack = Stack(app, "S")
let queue = Queue.imported(stack, "Q", arn: "arn:aws:sqs:eu-west-1:123456789012:jobs")
Topic(stack, "T").addSubscription(queue: queue) // expected-error: cannot convert value of type 'ImportedQueue' to expected argument type 'Queue'
