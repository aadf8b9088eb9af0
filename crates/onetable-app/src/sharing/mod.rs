//! Data requests (报表准入): what a department may see, why, and until when; and the checks every
//! pull goes through.

pub mod extract;
pub mod pull;
pub mod record_pull;
pub mod register_grants;
pub mod requests;
pub mod usage;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use onetable_core::indicator::{Frequency, IndicatorStatus, Sensitivity};
use onetable_core::period::fineness;
use onetable_core::similarity::{normalize, similarity};
use onetable_core::{Period, RegionCode, Role};
use onetable_store::registry::IndicatorRow;
use onetable_store::sharing::{DataRequestRow, RequestScope};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::actor::Actor;
use crate::problem::Problem;
use crate::text::{Paragraph, Text};

pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";
pub const REVOKED: &str = "revoked";

/// How many close matches an unknown indicator gets.
const SUGGESTIONS: usize = 3;
/// Unknown names that get suggestions; the rest are only listed.
const SUGGESTED_NAMES: usize = 20;
/// Periods a request may list one by one.
const MAX_PERIODS: usize = 240;
/// Below this similarity a registry entry is not offered as a suggestion.
const SUGGESTION_THRESHOLD: f64 = 0.3;

/// A department's application for data.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewDataRequest {
    #[schema(inline)]
    pub title: Text<200>,
    /// What the data is for (shown to villages in their usage view).
    #[schema(inline)]
    pub purpose: Paragraph,
    /// The law or document that allows it; required when any indicator is sensitive.
    #[serde(default)]
    #[schema(inline)]
    pub legal_basis: Paragraph,
    /// Indicator codes (derived ones allowed); no more than the registry holds.
    pub indicators: Vec<String>,
    /// The region whose villages are covered; inside the department's jurisdiction.
    pub region: String,
    /// Periods, e.g. `["2024", "2025"]` — or leave empty and give `frequency` and `start_period`.
    #[serde(default)]
    pub periods: Vec<String>,
    /// `annual`, `quarterly` or `monthly`: every period of it from `start_period` on.
    pub frequency: Option<String>,
    pub start_period: Option<String>,
    /// Until when pulls are allowed: a date (`2027-12-31`, through the end of that day, China
    /// time) or an RFC 3339 time (`2027-12-31T16:00:00Z`).
    #[serde(deserialize_with = "crate::time::until")]
    #[schema(value_type = String, example = "2027-12-31")]
    pub expires_at: DateTime<Utc>,
    /// Registers (台账) whose records are asked for, each with the columns needed; a legal basis
    /// is then required. Records come masked unless `full_values` is asked and granted.
    #[serde(default)]
    pub registers: Vec<register_grants::RegisterAsk>,
    /// Ask for the records' full values (ID numbers, names) instead of masked ones.
    #[serde(default)]
    pub full_values: bool,
}

/// A data request as both sides see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DataRequest {
    pub id: i64,
    pub title: String,
    pub purpose: String,
    pub legal_basis: String,
    pub department: String,
    pub requested_by: String,
    pub region: String,
    pub indicators: Vec<String>,
    pub periods: Vec<String>,
    pub frequency: Option<String>,
    pub start_period: Option<String>,
    #[serde(serialize_with = "crate::time::utc")]
    pub expires_at: NaiveDateTime,
    /// `pending`, `approved`, `rejected` or `revoked`.
    pub status: String,
    /// Whether pulls are allowed now: approved and not expired.
    pub active: bool,
    pub decided_by: Option<String>,
    #[serde(serialize_with = "crate::time::utc_opt")]
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
    #[serde(serialize_with = "crate::time::utc")]
    pub created_at: NaiveDateTime,
    /// Registers (台账) and the columns asked for.
    pub registers: Vec<register_grants::RegisterAsk>,
    /// Full values were asked for.
    pub full_values_asked: bool,
    /// Full values were granted: pulled records are not masked.
    pub full_values: bool,
}

impl DataRequest {
    #[must_use]
    pub fn from_row(row: DataRequestRow, now: NaiveDateTime) -> Self {
        let split = |text: &str| text.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        Self {
            active: row.status == APPROVED && row.expires_at > now,
            id: row.id,
            title: row.title,
            purpose: row.purpose,
            legal_basis: row.legal_basis,
            department: row.department,
            requested_by: row.requested_by,
            region: row.region_code,
            indicators: split(&row.indicators),
            periods: row.periods.as_deref().map(split).unwrap_or_default(),
            frequency: row.frequency,
            start_period: row.start_period,
            expires_at: row.expires_at,
            status: row.status,
            decided_by: row.decided_by,
            decided_at: row.decided_at,
            decision_reason: row.decision_reason,
            created_at: row.created_at,
            registers: row.registers.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or_default(),
            full_values_asked: row.full_values_asked,
            full_values: row.full_values,
        }
    }

    /// Whether `period` is granted: one asked for, or one containing a period asked for — the
    /// year of a granted quarter holds the annual values of that quarter's form (a filled
    /// quarterly form takes its annual columns from its year, as the cubes' derived indicators
    /// take their annual inputs).
    #[must_use]
    pub fn covers_period(&self, period: Period) -> bool {
        if self.periods.iter().filter_map(|p| Period::parse(p).ok()).any(|p| period.contains(p)) {
            return true;
        }
        match (&self.frequency, self.start_period.as_deref().map(Period::parse)) {
            (Some(frequency), Some(Ok(start))) => {
                frequency.parse::<Frequency>().is_ok_and(|f| fineness(period.frequency()) <= fineness(f))
                    && start.at(period.frequency()).is_some_and(|first| period >= first)
            }
            _ => false,
        }
    }
}

/// Registry entries closest to `text` by name or code, best first.
#[must_use]
pub fn suggestions(text: &str, current: &BTreeMap<String, IndicatorRow>) -> Vec<String> {
    // A name is a few dozen characters; anything much longer is not one.
    if text.chars().count() > 200 {
        return Vec::new();
    }
    let wanted = normalize(text);
    let upper = text.trim().to_uppercase();
    let mut scored: Vec<(f64, &IndicatorRow)> = current
        .values()
        .filter(|row| row.status == IndicatorStatus::Active.as_ref())
        .map(|row| {
            let by_name = similarity(&wanted, &row.normalized_name);
            let by_code = similarity(&upper, &row.code);
            (by_name.max(by_code), row)
        })
        .filter(|(score, _)| *score >= SUGGESTION_THRESHOLD)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
    scored.into_iter().take(SUGGESTIONS).map(|(_, row)| row.code.clone()).collect()
}

/// A checked request, ready to store.
#[derive(Debug)]
pub struct CheckedRequest {
    pub region: RegionCode,
    pub indicators: Vec<String>,
    pub periods: Vec<String>,
    pub frequency: Option<String>,
    pub start_period: Option<String>,
}

/// Checks a filing against the registry and the caller's jurisdiction: 422 with one detail per
/// problem (unknown indicators come with suggestions). The caller checks the jurisdiction.
///
/// # Errors
/// As above.
pub fn check(
    body: &NewDataRequest,
    current: &BTreeMap<String, IndicatorRow>,
    now: DateTime<Utc>,
) -> Result<CheckedRequest, Problem> {
    // A list longer than the registry cannot be right: refused before any name is compared.
    let most = current.len().max(1);
    if body.indicators.len() > most {
        return Err(Problem::unprocessable("invalid_data_request", "数据需求申请有误，请按提示修改").with_detail(
            Some("indicators"),
            "too_many",
            format!("申请了 {} 个指标，多于指标库中的 {most} 个", body.indicators.len()),
        ));
    }
    if body.periods.len() > MAX_PERIODS {
        return Err(Problem::unprocessable("invalid_data_request", "数据需求申请有误，请按提示修改").with_detail(
            Some("periods"),
            "too_many",
            format!("最多列出 {MAX_PERIODS} 个期别；长期需求请给出频率和起始期别"),
        ));
    }
    let mut error = Problem::unprocessable("invalid_data_request", "数据需求申请有误，请按提示修改");
    let mut suggested_for = 0usize;
    if body.title.trim().is_empty() {
        error = error.with_detail(Some("title"), "required", "请填写申请标题");
    }
    if body.purpose.trim().is_empty() {
        error = error.with_detail(Some("purpose"), "required", "请说明数据用途");
    }
    if body.indicators.is_empty() && body.registers.is_empty() {
        error = error.with_detail(Some("indicators"), "required", "请至少选择一个指标或一个台账");
    }
    let mut indicators: Vec<String> = Vec::new();
    let mut sensitive = Vec::new();
    let mut frequencies: Vec<String> = Vec::new();
    for (i, code) in body.indicators.iter().enumerate() {
        let field = format!("indicators[{i}]");
        match current.get(code.trim()) {
            Some(row) if row.status == IndicatorStatus::Active.as_ref() => {
                if row.sensitivity == Sensitivity::Sensitive.as_ref() {
                    sensitive.push(row.name.clone());
                }
                if !frequencies.contains(&row.frequency) {
                    frequencies.push(row.frequency.clone());
                }
                if !indicators.contains(&row.code) {
                    indicators.push(row.code.clone());
                }
            }
            Some(row) => {
                error = error.with_detail(
                    Some(&field),
                    "deprecated_indicator",
                    format!("指标 {} 已停用，不能申请", row.code),
                );
            }
            None => {
                // Similarity is the costly part: only the first few unknown names get suggestions.
                suggested_for += 1;
                let suggested = if suggested_for <= SUGGESTED_NAMES { suggestions(code, current) } else { Vec::new() };
                let hint = if suggested.is_empty() {
                    String::new()
                } else {
                    let named: Vec<String> = suggested.iter().map(|c| format!("{c}（{}）", current[c].name)).collect();
                    format!("。您要找的可能是：{}", named.join("、"))
                };
                error = error.with_suggestions(
                    Some(&field),
                    "unknown_indicator",
                    format!("未知指标「{code}」{hint}"),
                    suggested,
                );
            }
        }
    }
    if !sensitive.is_empty() && body.legal_basis.trim().is_empty() {
        error = error.with_detail(
            Some("legal_basis"),
            "legal_basis_required",
            format!("申请敏感指标（{}）须写明法律依据", sensitive.join("、")),
        );
    }
    // A period no indicator is reported in could never be downloaded: refused at filing.
    let asked_in = |frequency: Frequency| frequencies.is_empty() || frequencies.iter().any(|f| f == frequency.as_ref());
    let asked: Vec<Frequency> = frequencies.iter().filter_map(|f| f.parse().ok()).collect();
    let listed = |word: fn(Frequency) -> &'static str| asked.iter().copied().map(word).collect::<Vec<_>>().join("、");
    let mut periods = Vec::new();
    for (i, text) in body.periods.iter().enumerate() {
        match Period::parse(text.trim()) {
            Ok(p) if !asked_in(p.frequency()) => {
                error = error.with_detail(
                    Some(&format!("periods[{i}]")),
                    "no_indicators_for_period",
                    format!(
                        "期别 {p} 是{}期别，而所选指标按{}填报：请改为这些指标的期别（如 {}）",
                        frequency_word(p.frequency()),
                        listed(frequency_word),
                        listed(example_period),
                    ),
                );
            }
            Ok(p) => periods.push(p.to_string()),
            Err(e) => error = error.with_detail(Some(&format!("periods[{i}]")), "invalid_period", e),
        }
    }
    // Every indicator must be readable in some period asked for: one of its own frequency, or a
    // finer one inside it (the year of a month).
    let finest = body
        .periods
        .iter()
        .filter_map(|p| Period::parse(p.trim()).ok())
        .map(|p| fineness(p.frequency()))
        .chain(body.frequency.as_deref().and_then(|f| f.trim().parse::<Frequency>().ok()).map(fineness))
        .max();
    if let Some(finest) = finest {
        for (i, code) in body.indicators.iter().enumerate() {
            let Some(row) = current.get(code.trim()) else { continue };
            let Ok(own) = row.frequency.parse::<Frequency>() else { continue };
            if fineness(own) > finest {
                error = error.with_detail(
                    Some(&format!("indicators[{i}]")),
                    "no_period_for_indicator",
                    format!(
                        "{}按{}填报，而申请的期别中没有{}期别（如 {}）",
                        row.name,
                        frequency_word(own),
                        frequency_word(own),
                        example_period(own)
                    ),
                );
            }
        }
    }
    let (mut frequency, mut start_period) = (None, None);
    match (&body.frequency, &body.start_period) {
        (Some(f), Some(_)) if !frequencies.is_empty() && !frequencies.iter().any(|known| known == f.trim()) => {
            error = error.with_detail(
                Some("frequency"),
                "no_indicators_for_period",
                format!("所选指标中没有按 {} 填报的指标", f.trim()),
            );
        }
        (Some(f), Some(start)) => match Period::parse(start.trim()) {
            Ok(p) if p.frequency().as_ref() == f.trim() => {
                frequency = Some(f.trim().to_owned());
                start_period = Some(p.to_string());
            }
            _ => {
                error = error.with_detail(
                    Some("start_period"),
                    "invalid_period",
                    "起始期别须与频率一致，如 annual 对应 2025",
                );
            }
        },
        (None, None) if periods.is_empty() && body.periods.is_empty() => {
            error = error.with_detail(Some("periods"), "required", "请给出期别，或给出频率和起始期别");
        }
        (None, None) => {}
        _ => error = error.with_detail(Some("frequency"), "invalid_period", "frequency 与 start_period 须同时给出"),
    }
    if body.expires_at <= now {
        error = error.with_detail(Some("expires_at"), "expired", "有效期须晚于当前时间");
    }
    let region = match RegionCode::parse(body.region.trim()) {
        Ok(region) => Some(region),
        Err(e) => {
            error = error.with_detail(Some("region"), "invalid_region_code", e.to_string());
            None
        }
    };
    if error.has_details() {
        return Err(error);
    }
    let region = region.ok_or_else(|| Problem::internal("region checked above"))?;
    Ok(CheckedRequest { region, indicators, periods, frequency, start_period })
}

/// 年报, 季报, 月报.
fn frequency_word(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Annual => "年报",
        Frequency::Quarterly => "季报",
        Frequency::Monthly => "月报",
    }
}

/// A period of the frequency, to show its shape.
fn example_period(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Annual => "2025",
        Frequency::Quarterly => "2025Q3",
        Frequency::Monthly => "2025-11",
    }
}

/// Who may see a request: its department, and admins whose scope overlaps its region.
#[must_use]
pub fn can_see(caller: &Actor, request: &DataRequest) -> bool {
    match caller.role {
        Role::Department => caller.department.as_deref() == Some(request.department.as_str()),
        Role::Admin => RegionCode::parse(&request.region).is_ok_and(|region| caller.scope.overlaps(region)),
        _ => false,
    }
}

/// The requests a caller lists.
///
/// # Errors
/// 403 for roles that have none.
pub fn list_scope(caller: &Actor) -> Result<RequestScope, Problem> {
    match (caller.role, &caller.department, caller.scope.region()) {
        (Role::Department, Some(department), _) => Ok(RequestScope::Department(department.clone())),
        (Role::Admin, _, Some(scope)) => Ok(region_scope(scope)),
        // A nationwide admin reviews every request.
        (Role::Admin, _, None) => Ok(RequestScope::Region {
            low: "000000000000".to_owned(),
            high: "999999999999".to_owned(),
            ancestors: Vec::new(),
        }),
        _ => Err(Problem::forbidden("forbidden", format!("{}无权查看数据需求", caller.role.label_zh()))),
    }
}

/// Regions inside `scope`, or containing it.
#[must_use]
pub fn region_scope(scope: RegionCode) -> RequestScope {
    RequestScope::Region {
        low: scope.to_string(),
        high: scope.descendant_upper_bound(),
        ancestors: scope.ancestors().iter().map(ToString::to_string).collect(),
    }
}
