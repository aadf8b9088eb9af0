//! A village's form printed for the archive (打印报表, 盖章): the same sheet as the `/print` page, as
//! a PDF the server makes itself — no browser on the server — for whoever may read the form.

pub mod pdf;

use onetable_core::workflow::{APPROVE, SUBMIT};
use onetable_store::{entries as store, regions};
use serde_json::Value;

use crate::actor::Actor;
use crate::entries::access::EntryRef;
use crate::problem::AppResult;
use crate::registry::period_form;
use crate::App;
use pdf::PrintedForm;

/// A value as the sheet prints it: 是/否 for a flag, the unit after a number, — for nothing.
fn shown(value: Option<&Value>, unit: &str) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::Bool(flag)) => if *flag { "是" } else { "否" }.to_owned(),
        Some(Value::String(text)) if text.is_empty() => "—".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(other) if unit.is_empty() => other.to_string(),
        Some(other) => format!("{other} {unit}"),
    }
}

fn status_zh(status: &str) -> &str {
    match status {
        "draft" => "填报中",
        "submitted" => "已提交，待审核",
        "returned" => "已退回",
        "approved" => "已通过",
        _ => "未开始",
    }
}

/// The village's form of a period as a PDF, and its file name.
///
/// # Errors
/// As reading the entry: 403/404 outside the actor's reach, 400 a bad period.
pub async fn form_pdf(app: &App, actor: &Actor, at: EntryRef) -> AppResult<(String, Vec<u8>)> {
    let entry = crate::entries::view::read(app, actor, at).await?;
    let form = period_form::form(app, actor, &at.period.to_string()).await?;
    let (region, period) = (at.region.to_string(), at.period.to_string());
    let (name, submitted, approved) = app
        .run(move |conn| {
            let name = regions::find(conn, at.region)?.map(|r| r.name).unwrap_or_default();
            let submitted = store::latest_event(conn, &region, &period, SUBMIT.name)?;
            let approved = store::latest_event(conn, &region, &period, APPROVE.name)?;
            Ok((name, submitted, approved))
        })
        .await?;
    let step = |label: &str, event: Option<store::EntryEventRow>| match event {
        Some(e) => format!(
            "{label}：{}，{}（北京时间）",
            e.actor,
            (e.occurred_at + chrono::TimeDelta::hours(8)).format("%Y-%m-%d %H:%M")
        ),
        None => format!("{label}：—"),
    };
    let mut values: std::collections::HashMap<&str, &Value> =
        entry.values.iter().map(|c| (c.code.as_str(), &c.value)).collect();
    for d in &entry.derived {
        values.insert(d.code.as_str(), &d.value);
    }
    let printed = PrintedForm {
        title: format!("{name} {}基础数据报表", period_label(&entry.period)),
        facts: vec![
            format!("区划代码 {}    状态：{}    第 {} 版", entry.region_code, status_zh(&entry.status), entry.revision),
            step("提交", submitted),
            step("审核通过", approved),
        ],
        sections: form
            .sections
            .iter()
            .map(|s| {
                let rows = s
                    .fields
                    .iter()
                    .map(|f| (f.name.clone(), shown(values.get(f.code.as_str()).copied(), &f.unit)))
                    .collect();
                (s.category.clone(), rows)
            })
            .collect(),
        signatures: vec![
            "填报人（签字）".to_owned(),
            "村委会负责人（签字）".to_owned(),
            "乡镇审核人（签字）".to_owned(),
        ],
        seal: "（村民委员会盖章）      年    月    日".to_owned(),
    };
    let file_name = format!("form-{}-{}.pdf", entry.region_code, entry.period);
    let bytes = app.compute(move || pdf::render(&printed)).await?;
    Ok((file_name, bytes))
}

/// 2025 → 2025年, 2025Q3 → 2025年第3季度, 2025-09 → 2025年9月.
fn period_label(period: &str) -> String {
    if let Some((year, quarter)) = period.split_once('Q') {
        return format!("{year}年第{quarter}季度");
    }
    if let Some((year, month)) = period.split_once('-') {
        return format!("{year}年{}月", month.trim_start_matches('0'));
    }
    format!("{period}年")
}
