//! Registers in a data request (台账授权): which registers and which of their columns a
//! department asks for. Records are personal information (个人信息保护法 §13, §28): a register
//! request always needs a legal basis; its columns must exist; the admin who approves decides
//! whether full values are given or only masked ones.

use onetable_store::DbConn;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::NewDataRequest;
use crate::problem::Problem;

/// One register asked for, with the columns needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterAsk {
    #[schema(example = "REG.DIBAO")]
    pub code: String,
    #[schema(example = json!(["head_name", "members", "kind"]))]
    pub columns: Vec<String>,
}

/// At most this many registers in one request.
const MAX_REGISTERS: usize = 20;

/// Checks the registers of a filing; the JSON to store (none when there are none).
///
/// # Errors
/// 422 with one detail per problem.
pub fn check(conn: &mut DbConn, body: &NewDataRequest) -> Result<Option<String>, Problem> {
    if body.registers.is_empty() {
        return if body.full_values {
            Err(Problem::unprocessable("invalid_data_request", "数据需求申请有误，请按提示修改").with_detail(
                Some("full_values"),
                "invalid_value",
                "完整信息只针对台账记录；未申请台账时不能申请完整信息",
            ))
        } else {
            Ok(None)
        };
    }
    let registers = crate::registers::current(conn)?;
    let mut error = Problem::unprocessable("invalid_data_request", "数据需求申请有误，请按提示修改");
    if body.registers.len() > MAX_REGISTERS {
        error = error.with_detail(Some("registers"), "too_many", format!("一次最多申请 {MAX_REGISTERS} 个台账"));
    }
    if body.legal_basis.trim().is_empty() {
        error =
            error.with_detail(Some("legal_basis"), "legal_basis_required", "申请台账记录（个人信息）须写明法律依据");
    }
    for (i, ask) in body.registers.iter().enumerate() {
        let field = format!("registers[{i}]");
        let Some(def) = registers.get(ask.code.trim()) else {
            error = error.with_detail(Some(&field), "unknown_register", format!("台账 {} 不存在", ask.code));
            continue;
        };
        if ask.columns.is_empty() {
            error = error.with_detail(
                Some(&format!("{field}.columns")),
                "required",
                format!("请列出需要的{}列（最少够用）", def.name),
            );
        }
        for column in &ask.columns {
            if def.column(column).is_none() {
                error = error.with_detail(
                    Some(&format!("{field}.columns")),
                    "unknown_column",
                    format!("{} 没有列 {column}", def.name),
                );
            }
        }
    }
    if error.has_details() {
        return Err(error);
    }
    serde_json::to_string(&body.registers).map(Some).map_err(Problem::internal)
}
