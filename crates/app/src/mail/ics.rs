//! RFC 5545 calendar invitations for appointments: `METHOD:REQUEST` when booked or moved
//! (SEQUENCE raised each time), `METHOD:CANCEL` when cancelled; one UID per appointment;
//! times in Asia/Shanghai with its VTIMEZONE.

use chrono::NaiveDateTime;

/// What an invitation says.
#[derive(Debug, Clone)]
pub struct Invite<'a> {
    /// Stable for the appointment: `AP-7K3M9Q@hunyin`.
    pub uid: String,
    pub sequence: i32,
    pub cancelled: bool,
    /// Shanghai wall-clock times.
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub stamp_utc: NaiveDateTime,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub organizer_name: &'a str,
    pub organizer_email: &'a str,
    pub attendee_email: &'a str,
}

/// Escapes TEXT values (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (RFC 5545 §3.2): quoted when it holds `,`, `;` or `:`; a double quote
/// and a line break, which no parameter value can hold, written as RFC 6868 `^'` and `^n`
/// (and `^` as `^^`); other control characters dropped.
fn param_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '^' => out.push_str("^^"),
            '"' => out.push_str("^'"),
            '\n' => out.push_str("^n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    if out.contains([',', ';', ':']) {
        format!("\"{out}\"")
    } else {
        out
    }
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1).
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

/// The `METHOD` of the calendar object.
pub fn method(invite: &Invite<'_>) -> &'static str {
    if invite.cancelled {
        "CANCEL"
    } else {
        "REQUEST"
    }
}

/// The calendar object, CRLF line endings.
pub fn render(i: &Invite<'_>) -> String {
    let local = |t: NaiveDateTime| t.format("%Y%m%dT%H%M%S").to_string();
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "PRODID:-//hunyin//marriage registration appointment//ZH".to_owned(),
        "VERSION:2.0".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        format!("METHOD:{}", method(i)),
        "BEGIN:VTIMEZONE".to_owned(),
        "TZID:Asia/Shanghai".to_owned(),
        "BEGIN:STANDARD".to_owned(),
        "DTSTART:19700101T000000".to_owned(),
        "TZOFFSETFROM:+0800".to_owned(),
        "TZOFFSETTO:+0800".to_owned(),
        "TZNAME:CST".to_owned(),
        "END:STANDARD".to_owned(),
        "END:VTIMEZONE".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", i.uid),
        format!("SEQUENCE:{}", i.sequence),
        format!("DTSTAMP:{}Z", i.stamp_utc.format("%Y%m%dT%H%M%S")),
        format!("DTSTART;TZID=Asia/Shanghai:{}", local(i.start)),
        format!("DTEND;TZID=Asia/Shanghai:{}", local(i.end)),
        format!("SUMMARY:{}", escape(i.summary)),
        format!("LOCATION:{}", escape(i.location)),
        format!("DESCRIPTION:{}", escape(i.description)),
        format!(
            "ORGANIZER;CN={}:mailto:{}",
            param_value(i.organizer_name),
            i.organizer_email
        ),
        format!(
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{}",
            i.attendee_email
        ),
        format!(
            "STATUS:{}",
            if i.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ),
        "TRANSP:OPAQUE".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(cancelled: bool) -> Invite<'static> {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        Invite {
            uid: "AP-7K3M9Q@hunyin".into(),
            sequence: 2,
            cancelled,
            start: t("2026-12-01 09:00"),
            end: t("2026-12-01 09:30"),
            stamp_utc: t("2026-11-26 03:00"),
            summary: "结婚登记预约 AP-7K3M9Q / Marriage registration appointment",
            location: "苏州市姑苏区民政局婚姻登记处, 苏州市姑苏区",
            description: "请携带：身份证; 声明书\n(bring: ID cards)",
            organizer_name: "婚姻登记预约",
            organizer_email: "noreply@hunyin.invalid",
            attendee_email: "couple@example.com",
        }
    }

    #[test]
    fn request_has_uid_sequence_and_shanghai_times() {
        let ics = render(&invite(false));
        assert!(ics.contains("METHOD:REQUEST\r\n"));
        assert!(ics.contains("UID:AP-7K3M9Q@hunyin\r\n"));
        assert!(ics.contains("SEQUENCE:2\r\n"));
        assert!(ics.contains("DTSTART;TZID=Asia/Shanghai:20261201T090000\r\n"));
        assert!(ics.contains("TZID:Asia/Shanghai\r\n"));
        assert!(ics.contains("STATUS:CONFIRMED\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn cancel_uses_method_cancel_and_status_cancelled() {
        let ics = render(&invite(true));
        assert!(ics.contains("METHOD:CANCEL\r\n"));
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn text_is_escaped_and_lines_fold_at_75_octets() {
        let ics = render(&invite(false));
        assert!(ics.contains("\\;"));
        assert!(ics.contains("\\,"));
        assert!(ics.contains("\\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        // Unfolding restores the description.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("DESCRIPTION:请携带：身份证\\; 声明书\\n(bring: ID cards)"));
    }

    #[test]
    fn parameter_values_with_separators_are_quoted() {
        let mut i = invite(false);
        i.organizer_name = "苏州市民政局, 婚姻登记处: 窗口; \"预约\"\n";
        let unfolded = render(&i).replace("\r\n ", "");
        assert!(
            unfolded.contains(
                "ORGANIZER;CN=\"苏州市民政局, 婚姻登记处: 窗口; ^'预约^'^n\":mailto:noreply@hunyin.invalid\r\n"
            ),
            "{unfolded}"
        );
        // A plain name needs no quotes.
        let plain = render(&invite(false)).replace("\r\n ", "");
        assert!(plain.contains("ORGANIZER;CN=婚姻登记预约:mailto:"));
    }
}
