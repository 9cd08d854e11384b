//! The named errors of divorce (issue 18): the periods calculator and the counter, one
//! constructor per stable code, with its English and Chinese text.

use chrono::NaiveDate;

use super::{AppError, ErrorKind};

impl AppError {
    /// 422 `before_civil_code`: received before 2021-01-01, when the 民法典 and its cooling-off
    /// (第1077条) were not in force.
    pub fn divorce_before_civil_code() -> Self {
        AppError::new(
            ErrorKind::Unprocessable,
            "before_civil_code",
            "No cooling-off before the Civil Code",
            "民法典施行前无离婚冷静期",
        )
        .with_detail(
            "The cooling-off period (Civil Code art. 1077) applies to applications received from 2021-01-01.",
            "离婚冷静期（民法典第一千零七十七条）适用于 2021-01-01 起受理的申请。",
        )
    }

    /// 422 `holiday_calendar_unpublished`: the period runs through `year`, whose State Council
    /// holiday notice is not in the holiday file, so its last day cannot be told.
    pub fn holiday_calendar_unpublished(year: i32) -> Self {
        AppError::new(
            ErrorKind::Unprocessable,
            "holiday_calendar_unpublished",
            "Holiday calendar not published",
            "节假日安排尚未公布",
        )
        .with_detail(
            format!(
                "The period runs into {year}, whose holiday notice is not in the calendar yet."
            ),
            format!("期间涉及 {year} 年，该年的节假日安排尚未收录。"),
        )
        .with_extension("year", year)
    }

    /// 409 `divorce_already_received`: the marriage already has a divorce application received
    /// (in its cooling-off or issue window) or issued.
    pub fn divorce_already_received(status: &str) -> Self {
        AppError::conflict(
            "divorce_already_received",
            "Divorce already applied for",
            "该婚姻已有离婚登记申请",
        )
        .with_detail(
            format!("This marriage already has a divorce application that is {status}."),
            format!("该婚姻已有离婚登记申请，当前状态为 {status}。"),
        )
        .with_extension("current_status", status)
    }

    /// 409 `marriage_not_valid`: the certificate is superseded, revoked or already dissolved.
    pub fn marriage_not_valid(status: &str) -> Self {
        AppError::conflict(
            "marriage_not_valid",
            "Marriage certificate not valid",
            "结婚证已失效",
        )
        .with_detail(
            format!("The marriage certificate is {status}: no divorce can be received on it (a superseded one: give the reissued number)."),
            format!("该结婚证状态为 {status}，不能据此受理离婚登记（已补发的，请提供补发证号）。"),
        )
        .with_extension("current_status", status)
    }

    /// 422 `unknown_marriage_certificate`: the registering region's records (ours, or its
    /// instance's) have no such certificate.
    pub fn unknown_marriage_certificate() -> Self {
        AppError::unprocessable(
            "unknown_marriage_certificate",
            "Unknown marriage certificate",
            "查无此结婚证",
        )
        .with_detail(
            "The records of the region that would have registered this marriage have no such certificate number.",
            "登记该婚姻的地区的婚姻登记记录中没有此结婚证字号。",
        )
    }

    /// 422 `marriage_parties_mismatch`: the certificate is another couple's.
    pub fn marriage_parties_mismatch() -> Self {
        AppError::unprocessable(
            "marriage_parties_mismatch",
            "Not these parties' marriage",
            "结婚证与当事人不符",
        )
        .with_detail(
            "The marriage of this certificate is not between the two parties present.",
            "该结婚证记载的婚姻不是到场双方当事人之间的婚姻。",
        )
    }

    /// 422 `marriage_unconfirmed`: no instance could confirm the marriage and no paper
    /// certificate was recorded.
    pub fn marriage_unconfirmed(reason: &str) -> Self {
        AppError::unprocessable(
            "marriage_unconfirmed",
            "Marriage not confirmed",
            "无法核实婚姻登记",
        )
        .with_detail(
            format!("No instance could confirm the marriage ({reason}): record the paper certificate seen (paper_certificate_note)."),
            format!("无法通过系统核实该婚姻登记（{reason}），请核验纸质结婚证并填写 paper_certificate_note。"),
        )
        .with_extension("reason", reason)
    }

    /// 422 `party_not_married`: a party's household check does not show them married.
    pub fn party_not_married(party: usize, reason: &str) -> Self {
        AppError::unprocessable(
            "party_not_married",
            "Household check failed",
            "户籍婚姻状况核查未通过",
        )
        .with_detail(
            format!("Party {party}'s household check failed ({reason}): a divorce needs both parties married."),
            format!("第{}方当事人的户籍核查未通过（{reason}），协议离婚须双方均为已婚。", party + 1),
        )
        .with_extension("party", party)
        .with_extension("reason", reason)
    }

    /// 422 `household_check_unavailable`: no instance answered for a party and no paper
    /// verification was recorded.
    pub fn household_check_unavailable(party: usize, reason: &str) -> Self {
        AppError::unprocessable(
            "household_check_unavailable",
            "Household check unavailable",
            "无法完成户籍核查",
        )
        .with_detail(
            format!("No instance could answer party {party}'s household check ({reason}): record what the paper 户口簿 shows (parties[{party}].household_note)."),
            format!("第{}方当事人的户籍核查无法由系统完成（{reason}），请核验户口簿并填写 household_note。", party + 1),
        )
        .with_extension("party", party)
    }

    /// 422 `agreement_incomplete`: the registrar has not confirmed the agreement complete.
    pub fn agreement_incomplete() -> Self {
        AppError::unprocessable(
            "agreement_incomplete",
            "Agreement not confirmed complete",
            "离婚协议未确认完整",
        )
        .with_detail(
            "The registrar must confirm the agreement settles children, property and debts (民法典 第1076条).",
            "登记员须确认离婚协议已对子女抚养、财产及债务处理等事项协商一致（民法典第一千零七十六条）。",
        )
    }

    /// 409 `cooling_off_not_over`: issue asked before `issue_from`.
    pub fn cooling_off_not_over(cooling_off_ends: NaiveDate, issue_from: NaiveDate) -> Self {
        AppError::conflict(
            "cooling_off_not_over",
            "Cooling-off not over",
            "离婚冷静期尚未届满",
        )
        .with_detail(
            format!("The cooling-off ends on {cooling_off_ends}; the certificate may be issued from {issue_from}."),
            format!("离婚冷静期至 {cooling_off_ends} 届满，自 {issue_from} 起方可办理离婚登记。"),
        )
        .with_extension("current_status", "received")
        .with_extension("cooling_off_ends", cooling_off_ends)
        .with_extension("issue_from", issue_from)
    }

    /// 409 `issue_window_closed`: issue asked after `issue_until` (视为撤回).
    pub fn issue_window_closed(issue_until: NaiveDate) -> Self {
        AppError::conflict(
            "issue_window_closed",
            "Issue window closed",
            "申领离婚证期限已届满",
        )
        .with_detail(
            format!("The certificate could be asked for until {issue_until}; the application is deemed withdrawn (民法典 第1077条)."),
            format!("申请发给离婚证的期限已于 {issue_until} 届满，视为撤回离婚登记申请（民法典第一千零七十七条）。"),
        )
        .with_extension("current_status", "received")
        .with_extension("issue_until", issue_until)
    }

    /// 409 `cooling_off_over`: withdrawal asked after the last day of the cooling-off.
    pub fn cooling_off_over(cooling_off_ends: NaiveDate) -> Self {
        AppError::conflict(
            "cooling_off_over",
            "Cooling-off over",
            "离婚冷静期已届满",
        )
        .with_detail(
            format!("A withdrawal is accepted until the last day of the cooling-off, {cooling_off_ends}."),
            format!("撤回离婚登记申请须在离婚冷静期届满之日（{cooling_off_ends}）前提出。"),
        )
        .with_extension("current_status", "received")
        .with_extension("cooling_off_ends", cooling_off_ends)
    }
}
