//! The desk's words for the service's codes: statuses, check sources and outcomes, reasons,
//! marital statuses, roles, and the messages beside fields for the API's parameter codes.

use crate::lang::Lang;

/// An application's status in words.
pub fn status(l: Lang, s: &str) -> String {
    let (zh, en) = match s {
        "pending_confirmation" => ("待双方确认", "Awaiting confirmation"),
        "booked" => ("已预约", "Booked"),
        "checked_in" => ("已受理", "Checked in"),
        "registered" => ("已登记", "Registered"),
        "refused" => ("不予登记", "Refused"),
        "cancelled" => ("已取消", "Cancelled"),
        "no_show" => ("未到场", "No show"),
        "revoked" => ("已撤销", "Revoked"),
        "lapsed" => ("已失效", "Lapsed"),
        "superseded" => ("已被取代", "Superseded"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// The statuses the queue filters by.
pub const QUEUE_STATUSES: [&str; 5] = ["booked", "checked_in", "registered", "refused", "no_show"];

/// Where a household check's answer came from.
pub fn source(l: Lang, s: &str) -> String {
    let (zh, en) = match s {
        "local_register" => ("本地户籍登记", "This region's household register"),
        "registrations" => ("本地婚姻登记记录", "Marriages registered here"),
        "partner" => ("合作地区核查", "Partner region's instance"),
        "manual" => ("人工核验户口簿", "Manual check of the 户口簿"),
        "supervisor_override" => ("科长审批例外", "Supervisor's override"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// A check's outcome in words.
pub fn outcome(l: Lang, s: &str) -> String {
    let (zh, en) = match s {
        "passed" => ("通过", "Passed"),
        "failed" => ("未通过", "Failed"),
        "unavailable" => ("无法核查", "Could not be checked"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// Why a check failed or could not be made.
pub fn reason(l: Lang, s: &str) -> String {
    let (zh, en) = match s {
        "not_in_register" => ("户籍登记中无此人", "Not in the register"),
        "name_mismatch" => ("姓名不一致", "The name differs"),
        "pending_application" => ("另有待办申请", "Another application is pending"),
        "married" => ("登记为已婚", "Recorded as married"),
        "hukou_mismatch" => ("户籍地不一致", "The hukou differs"),
        "no_partner_instance" => ("对方地区尚未接入", "No partner instance for that region"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// A marital status in words.
pub fn marital(l: Lang, s: &str) -> String {
    let (zh, en) = match s {
        "unmarried" => ("未婚", "Unmarried"),
        "married" => ("已婚", "Married"),
        "divorced" => ("离婚", "Divorced"),
        "widowed" => ("丧偶", "Widowed"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// The marital statuses a manual verification records.
pub const MARITAL: [&str; 4] = ["unmarried", "divorced", "widowed", "married"];

/// The kind of document an override rests on, in words.
pub fn evidence(l: Lang, s: &str) -> String {
    let (zh, en) = match s {
        "court_judgment" => (
            "法院判决书、裁定书或调解书",
            "A court's judgment, ruling or mediation",
        ),
        "divorce_certificate" => ("离婚证", "A divorce certificate"),
        "death_certificate" => ("配偶死亡证明", "The spouse's death certificate"),
        "register_correction" => ("户籍更正证明", "A corrected household register entry"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// A revocation's legal basis in words.
pub fn revocation_basis(l: Lang, s: &str) -> String {
    let (zh, en) = match s {
        "court_judgment" => ("人民法院生效判决", "A court's final judgment"),
        "judicial_recommendation" => ("人民法院司法建议", "A court's judicial recommendation"),
        "procuratorial_recommendation" => {
            ("人民检察院检察建议", "A procuratorate's recommendation")
        }
        "police_finding" => ("公安机关出具的证明", "A finding of the police"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// A role in words.
pub fn role(l: Lang, s: &str) -> String {
    let (zh, en) = match s {
        "registrar" => ("登记员", "Registrar"),
        "supervisor" => ("科长", "Supervisor"),
        "auditor" => ("审计员", "Auditor"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// The message beside a field for an API parameter code (its English reason when unknown).
pub fn invalid_param(l: Lang, code: &str, reason: &str) -> String {
    let (zh, en) = match code {
        "invalid_id_number" => (
            "请输入有效的18位居民身份证号码",
            "Enter a valid 18-character ID number",
        ),
        "legacy_id_number" => (
            "15位旧身份证号码不能使用，请输入18位号码",
            "A 15-digit ID number cannot be used: enter the 18-character number",
        ),
        "invalid_name" => ("请输入姓名（1-64个字）", "Enter the name (1-64 characters)"),
        "invalid_division_code" | "unknown_division_code" => (
            "请输入6位行政区划代码，例如 320508",
            "Enter a 6-digit division code, such as 320508",
        ),
        "invalid_date" => (
            "请按 年-月-日 输入日期，例如 2030-06-30",
            "Enter a date as YYYY-MM-DD, such as 2030-06-30",
        ),
        "date_in_past" => (
            "该日期已过，请输入今天或以后的日期",
            "The date has passed: enter today or a later date",
        ),
        "date_too_far" => (
            "只能设置一年以内的日期",
            "Enter a date at most a year ahead",
        ),
        "no_opening_period" => (
            "加开须填写办公时段，例如 09:00-12:00",
            "An extra opening needs its hours, such as 09:00-12:00",
        ),
        "invalid_period" => (
            "请按 HH:MM-HH:MM 填写时段，结束晚于开始",
            "Enter hours as HH:MM-HH:MM, ending after they start",
        ),
        "periods_overlap" => (
            "时段重叠或顺序不对，请按时间先后填写",
            "The hours overlap or are out of order: give them in time order",
        ),
        "invalid_username" => ("请输入用户名", "Enter the username"),
        "invalid_password" => ("请输入密码", "Enter the password"),
        "invalid_marital_status" => ("请选择婚姻状况", "Choose the marital status"),
        "invalid_note" => (
            "请填写说明（1-1000个字）",
            "Enter a note (1-1000 characters)",
        ),
        "invalid_reason_code" => ("请选择不予登记的理由", "Choose the reason for refusal"),
        "invalid_display_name" => ("请输入姓名（1-64个字）", "Enter the name (1-64 characters)"),
        "invalid_role" => ("请选择角色", "Choose the role"),
        "invalid_certificate_number" => (
            "请输入结婚证字号，例如 J320508-2026-000001",
            "Enter a certificate number, such as J320508-2026-000001",
        ),
        "invalid_purpose" => ("请选择查询目的", "Choose the purpose"),
        "invalid_basis" => ("请选择撤销依据", "Choose the legal basis"),
        "invalid_reason" => (
            "请填写理由（1-500个字）",
            "Enter the reason (1-500 characters)",
        ),
        "invalid_document_kind" => ("请选择证明文件的种类", "Choose the kind of document"),
        "invalid_document_reference" => (
            "请填写文件编号（1-200个字）",
            "Enter the document's number (1-200 characters)",
        ),
        _ => return format!("{} ({reason})", l.t("输入有误", "Not valid")),
    };
    l.t(zh, en).to_owned()
}

/// A name with all but its first character hidden, for the queue: 王强 -> 王*.
pub fn masked_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::masked_name;

    #[test]
    fn a_name_keeps_only_its_first_character() {
        assert_eq!(masked_name("王强"), "王*");
        assert_eq!(masked_name("欧阳娜娜"), "欧***");
        assert_eq!(masked_name("李"), "李*");
    }
}
