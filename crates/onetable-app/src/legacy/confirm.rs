//! Confirming a form's mappings (确认映射): an admin says "this column is that indicator", and the
//! column's name becomes an alias of the indicator — a new, compatible version — so the next form
//! with the same wording maps exactly. All or nothing.

use std::collections::BTreeMap;

use onetable_core::indicator::IndicatorStatus;
use onetable_core::similarity::normalize;
use onetable_store::registry as store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::registry::{inputs::tidy_aliases, manage::WRITERS, update};
use crate::App;

/// One column's confirmed indicator.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ConfirmedMapping {
    /// The column's name as the analysis read it (`name`), which becomes the alias.
    #[schema(example = "总户数")]
    pub name: String,
    #[schema(example = "POP.HOUSEHOLDS")]
    pub code: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ConfirmInput {
    pub mappings: Vec<ConfirmedMapping>,
    /// The form's title, kept in the versions' change note.
    pub form_title: Option<String>,
}

/// What confirming taught the registry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConfirmReport {
    /// Aliases added, by indicator code.
    pub added: BTreeMap<String, Vec<String>>,
    /// Mappings the registry already maps exactly (the name is the indicator's name or alias).
    pub already_known: usize,
    /// Indicators that got a new version.
    pub versions_written: usize,
}

/// At most this many mappings in one confirmation (a wide form has a few hundred columns).
pub const MAX_MAPPINGS: usize = 1000;

/// An admin confirms mappings; names not yet known become aliases.
///
/// # Errors
/// 403 not an admin; 422 an unknown or retired code, an empty name (a detail per mapping); 409 a
/// name that is another indicator's name or alias. Nothing is written on any error.
pub async fn confirm(app: &App, actor: &Actor, input: ConfirmInput) -> AppResult<ConfirmReport> {
    app.authorize(actor, "forms.confirm", None, actor.require_role(&WRITERS)).await?;
    if input.mappings.len() > MAX_MAPPINGS {
        return Err(Problem::unprocessable("too_many_mappings", format!("一次最多确认 {MAX_MAPPINGS} 列")));
    }
    let subject = actor.subject.clone();
    let note = format!("确认报表映射：{}", input.form_title.as_deref().unwrap_or("（未命名报表）").trim());
    let now = chrono::Utc::now().naive_utc();
    let report = app
        .write(move |conn| {
            let current = store::current(conn)?;
            let mut error = Problem::unprocessable("validation_failed", "映射不符合要求，请按提示修改");
            let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut already_known = 0;
            for (i, m) in input.mappings.iter().enumerate() {
                let field = format!("mappings[{i}]");
                let name = m.name.trim();
                let Some(row) = current.get(m.code.trim()).filter(|r| r.status == IndicatorStatus::Active.as_ref())
                else {
                    error = error.with_detail(
                        Some(&format!("{field}.code")),
                        "unknown_indicator",
                        format!("第 {} 项：指标 {} 不存在或已停用", i + 1, m.code),
                    );
                    continue;
                };
                if name.is_empty() {
                    error = error.with_detail(
                        Some(&format!("{field}.name")),
                        "required",
                        format!("第 {} 项：列名为空", i + 1),
                    );
                    continue;
                }
                let known = row.normalized_name == normalize(name)
                    || row.alias_list().iter().any(|a| normalize(a) == normalize(name));
                if known {
                    already_known += 1;
                } else {
                    wanted.entry(row.code.clone()).or_default().push(name.to_owned());
                }
            }
            if error.has_details() {
                return Err(error);
            }
            let mut added = BTreeMap::new();
            for (code, names) in wanted {
                let row = &current[&code];
                let mut def = row.to_def().map_err(Problem::internal)?;
                let before = def.aliases.len();
                def.aliases.extend(names);
                def.aliases = tidy_aliases(&def.aliases);
                let new: Vec<String> = def.aliases[before..].to_vec();
                update(conn, &def, &subject, now, Some(note.clone()))?;
                added.insert(code, new);
            }
            let versions_written = added.len();
            Ok(ConfirmReport { added, already_known, versions_written })
        })
        .await?;
    let mut event = actor.event("forms.confirm", None, "success");
    event.detail = Some(
        report.added.iter().map(|(code, names)| format!("{code}+{}", names.join("|"))).collect::<Vec<_>>().join(","),
    );
    app.audit(event).await?;
    app.forms.invalidate();
    Ok(report)
}
