import Foundation

/// Date formats used on the wire, implemented without shared formatter state.
public enum AWSDate {
    private static func utcComponents(_ date: Date) -> tm {
        var seconds = time_t(floor(date.timeIntervalSince1970))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    private static func pad(_ value: Int32, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `20150830T123600Z` (SigV4's `X-Amz-Date`).
    public static func amzDate(_ date: Date) -> String {
        let t = utcComponents(date)
        return pad(t.tm_year + 1900, 4) + pad(t.tm_mon + 1, 2) + pad(t.tm_mday, 2) + "T"
            + pad(t.tm_hour, 2) + pad(t.tm_min, 2) + pad(t.tm_sec, 2) + "Z"
    }

    /// `2015-08-30T12:36:00Z`.
    public static func iso8601(_ date: Date) -> String {
        let t = utcComponents(date)
        return pad(t.tm_year + 1900, 4) + "-" + pad(t.tm_mon + 1, 2) + "-" + pad(t.tm_mday, 2) + "T"
            + pad(t.tm_hour, 2) + ":" + pad(t.tm_min, 2) + ":" + pad(t.tm_sec, 2) + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` (CloudFormation, STS, credential sources) and
    /// `20150830T123600Z`.
    public static func parseISO8601(_ string: String) -> Date? {
        let s = Array(string.trimmingCharacters(in: .whitespaces).utf8)
        var i = 0
        func number(_ digits: Int) -> Int? {
            guard i + digits <= s.count else { return nil }
            var v = 0
            for _ in 0..<digits {
                let c = s[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
                i += 1
            }
            return v
        }
        func skip(_ c: Character) -> Bool {
            if i < s.count, s[i] == c.asciiValue! { i += 1; return true }
            return false
        }
        guard let year = number(4) else { return nil }
        let basic = !(i < s.count && s[i] == UInt8(ascii: "-"))
        if !basic { i += 1 }
        guard let month = number(2), basic || skip("-"), let day = number(2),
              skip("T") || skip("t") || skip(" "),
              let hour = number(2), basic || skip(":"), let minute = number(2), basic || skip(":"),
              let second = number(2) else { return nil }
        var fraction = 0.0
        if skip(".") {
            var scale = 0.1
            while i < s.count, s[i] >= 48, s[i] <= 57 {
                fraction += Double(s[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if skip("Z") || skip("z") {
        } else if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
            let sign = s[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = number(2) else { return nil }
            _ = skip(":")
            let om = number(2) ?? 0
            offset = sign * (oh * 3600 + om * 60)
        }
        guard i == s.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
              second <= 60 else { return nil }
        let days = daysFromCivil(year, month, day)
        let seconds = Double(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// Parses an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`), as in the `Date` header.
    public static func parseHTTPDate(_ string: String) -> Date? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let parts = string.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        // [Sun] 06 Nov 1994 08:49:37 GMT
        guard parts.count >= 5 else { return nil }
        let p = parts.count == 6 ? Array(parts.dropFirst()) : parts
        guard p.count >= 4, let day = Int(p[0]),
              let month = months.firstIndex(of: p[1].lowercased()), let year = Int(p[2]) else { return nil }
        let hms = p[3].split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3 else { return nil }
        let days = daysFromCivil(year, month + 1, day)
        return Date(timeIntervalSince1970: Double(days * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2]))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
