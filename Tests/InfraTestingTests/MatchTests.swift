import InfraCore
import InfraTesting
import XCTest

/// Every matcher: what it accepts, what it refuses, and the message of a refusal.
final class MatchTests: XCTestCase {
    let queue: Value = [
        "QueueName": "jobs",
        "VisibilityTimeout": 300,
        "RedrivePolicy": ["deadLetterTargetArn": ["Fn::GetAtt": ["JobsDLQ1A2B3C4D", "Arn"]], "maxReceiveCount": 5],
        "Tags": [["Key": "team", "Value": "data"], ["Key": "env", "Value": "prod"]],
        "FifoQueue": .null,
    ]

    func messages(_ m: Match, _ v: Value?) -> [String] { m.mismatches(v).map(\.description) }

    func testExactScalarsAndObjects() {
        XCTAssertTrue(Match.exact(300).matches(300))
        XCTAssertTrue(Match.exact(300).matches(.double(300)))  // JSON numbers: 300 == 300.0
        XCTAssertEqual(messages(.exact(300), 30), ["at /: expected 300, found 30"])
        XCTAssertEqual(messages(.exact("a"), nil), ["at /: expected \"a\", the key is absent"])
        XCTAssertTrue(Match.exact(queue).matches(queue))
        // exact objects refuse extra keys
        XCTAssertEqual(messages(.exact(["A": 1]), ["A": 1, "B": 2]), ["at /B: unexpected key (value 2)"])
        XCTAssertEqual(messages(.exact(["A": ["B": 1]]), ["A": ["B": 2]]), ["at /A/B: expected 1, found 2"])
    }

    func testLiteralsArePatterns() {
        // a dictionary literal is objectLike, nested too; arrays are exact in length and order
        let p: Match = ["VisibilityTimeout": 300, "RedrivePolicy": ["maxReceiveCount": 5]]
        XCTAssertTrue(p.matches(queue))
        XCTAssertEqual(messages(["RedrivePolicy": ["maxReceiveCount": 3]], queue),
                       ["at /RedrivePolicy/maxReceiveCount: expected 3, found 5"])
        XCTAssertEqual(messages(["Tags": [["Key": "team"]]], queue),
                       [#"at /Tags: expected an array of 1 element, found 2: [{"Key":"team","Value":"data"},{"Key":"env","Value":"prod"}]"#])
        XCTAssertTrue((["Tags": [["Key": "team"], ["Key": "env"]]] as Match).matches(queue))
        XCTAssertEqual(messages(["Tags": [["Key": "env"], ["Key": "team"]]], queue),
                       [#"at /Tags/0/Key: expected "env", found "team""#, #"at /Tags/1/Key: expected "team", found "env""#])
        XCTAssertTrue((true as Match).matches(true))
        XCTAssertTrue((1.5 as Match).matches(1.5))
        XCTAssertTrue(Match(["RedrivePolicy": ["maxReceiveCount": 5]] as Value).matches(queue))
        XCTAssertEqual(messages(Match(["Missing": 1] as Value), queue), ["at /Missing: expected 1, the key is absent"])
    }

    func testObjectLikeAndObjectEquals() {
        XCTAssertTrue(Match.objectLike([("QueueName", "jobs")]).matches(queue))
        XCTAssertEqual(messages(.objectLike([("QueueName", "work")]), queue), [#"at /QueueName: expected "work", found "jobs""#])
        XCTAssertEqual(messages(.objectLike([("QueueName", "jobs")]), "jobs"), [#"at /: expected an object, found "jobs""#])
        XCTAssertEqual(messages(.objectLike([("A", 1)]), nil), ["at /: expected an object, the key is absent"])
        XCTAssertTrue(Match.objectEquals([("A", 1), ("B", .anyValue())]).matches(["A": 1, "B": [2]]))
        XCTAssertEqual(messages(.objectEquals([("A", 1)]), ["A": 1, "B": 2]), ["at /B: unexpected key (value 2)"])
    }

    func testArrayWith() {
        let tags = queue["Tags"]
        XCTAssertTrue(Match.arrayWith([["Key": "env"]]).matches(tags))
        XCTAssertTrue(Match.arrayWith([["Key": "team"], ["Key": "env"]]).matches(tags))
        // order matters
        let wrongOrder = messages(.arrayWith([["Key": "env"], ["Key": "team"]]), tags)
        XCTAssertEqual(wrongOrder.first, #"at /: no element matches pattern 1 (objectLike({Key: exact("team")})) after the elements matching the earlier patterns in [{"Key":"team","Value":"data"},{"Key":"env","Value":"prod"}]"#)
        // the closest element's differences are shown
        let missing = messages(.arrayWith([["Key": "owner", "Value": "data"]]), tags)
        XCTAssertEqual(missing.count, 2)
        XCTAssertEqual(missing[1], #"at /0/Key: closest element: expected "owner", found "team""#)
        XCTAssertEqual(messages(.arrayWith([1]), "x"), [#"at /: expected an array, found "x""#])
        XCTAssertEqual(messages(.arrayWith([1]), nil), ["at /: expected an array, the key is absent"])
        XCTAssertTrue(Match.arrayWith([]).matches([]))
    }

    func testAnyValueAndAbsent() {
        XCTAssertTrue((["QueueName": .anyValue()] as Match).matches(queue))
        XCTAssertEqual(messages(["Nope": .anyValue()], queue), ["at /Nope: expected a value, the key is absent"])
        XCTAssertEqual(messages(["FifoQueue": .anyValue()], queue), ["at /FifoQueue: expected a value, found null"])
        XCTAssertTrue((["Nope": .absent(), "FifoQueue": nil] as Match).matches(queue))
        XCTAssertEqual(messages(["QueueName": .absent()], queue), [#"at /QueueName: expected the key to be absent, found "jobs""#])
    }

    func testStringLikeAndRegex() {
        XCTAssertTrue(Match.stringLike("jo*").matches("jobs"))
        XCTAssertTrue(Match.stringLike("j?bs").matches("jobs"))
        XCTAssertTrue(Match.stringLike("*").matches(""))
        XCTAssertTrue(Match.stringLike("arn:*:s3:::*/*").matches("arn:aws:s3:::b/key"))
        XCTAssertFalse(Match.stringLike("jo*x").matches("jobs"))
        XCTAssertEqual(messages(.stringLike("work*"), "jobs"), [#"at /: expected a string like "work*", found "jobs""#])
        XCTAssertEqual(messages(.stringLike("*"), 5), [#"at /: expected a string like "*", found 5"#])
        XCTAssertTrue(Match.regex("^arn:aws:sqs:[a-z0-9-]+:").matches("arn:aws:sqs:eu-west-1:123:q"))
        XCTAssertEqual(messages(.regex("^[0-9]+$"), "12a"), ["at /: expected a string matching /^[0-9]+$/, found \"12a\""])
        XCTAssertEqual(messages(.regex("("), "x"), ["at /: invalid regular expression /(/"])
    }

    func testNotRefAndGetAtt() {
        XCTAssertTrue(Match.not("a").matches("b"))
        XCTAssertEqual(messages(.not("a"), "a"), [#"at /: expected anything but exact("a"), found "a""#])
        XCTAssertTrue((["RedrivePolicy": ["deadLetterTargetArn": .getAtt("JobsDLQ*", "Arn")]] as Match).matches(queue))
        XCTAssertEqual(messages(.getAtt("Other*", "Arn"), ["Fn::GetAtt": ["JobsDLQ1A2B3C4D", "Arn"]]),
                       [#"at /Fn::GetAtt/0: expected a string like "Other*", found "JobsDLQ1A2B3C4D""#])
        XCTAssertTrue(Match.ref("Bucket*").matches(["Ref": "Bucket83908E77"]))
    }

    func testCapture() {
        let arn = Capture()
        let count = Capture()
        XCTAssertTrue((["RedrivePolicy": ["deadLetterTargetArn": .capture(arn), "maxReceiveCount": .capture(count)]] as Match).matches(queue))
        XCTAssertEqual(arn.value, ["Fn::GetAtt": ["JobsDLQ1A2B3C4D", "Arn"]])
        XCTAssertEqual(count.intValue, 5)
        // a capture with a pattern records only what matches
        let name = Capture()
        XCTAssertFalse((["QueueName": .capture(name, .stringLike("x*"))] as Match).matches(queue))
        XCTAssertNil(name.value)
        XCTAssertEqual(messages(["Nope": .capture(name)], queue), ["at /Nope: expected a value, the key is absent"])
        // every match is kept in order
        let keys = Capture()
        _ = Match.arrayWith([["Key": .capture(keys)], ["Key": .capture(keys)]]).matches(queue["Tags"])
        XCTAssertEqual(keys.all.compactMap(\.stringLiteral), ["team", "env"])
        XCTAssertEqual(keys.stringValue, "team")
    }
}
