//! An indicator derived from a register (`count(REG.DIBAO)`): the aggregate must read a register
//! that exists, columns it has (never sensitive ones), and give a number; and no indicator may
//! take a register's code.

use onetable_core::indicator::{IndicatorDef, ValueType};
use onetable_core::register::aggregate;
use onetable_store::DbConn;

use crate::problem::Problem;

/// # Errors
/// 409 a register's code; 422 an aggregate that does not fit its register.
pub fn check(conn: &mut DbConn, def: &IndicatorDef) -> Result<(), Problem> {
    let registers = crate::registers::current(conn)?;
    if registers.contains_key(&def.code) {
        return Err(Problem::conflict("code_taken", format!("代码 {} 已是一个台账的代码，指标不能再用", def.code))
            .with_detail(Some("code"), "code_taken", def.code.clone()));
    }
    let Some(text) = &def.register_aggregate else { return Ok(()) };
    let invalid = |message: String| {
        Problem::unprocessable("validation_failed", "指标定义不符合要求，请按提示修改").with_detail(
            Some("formula"),
            "invalid_register_aggregate",
            message,
        )
    };
    let parsed = aggregate::parse(text).map_err(invalid)?;
    let Some(register) = registers.get(&parsed.register) else {
        return Err(invalid(format!("台账 {} 不存在", parsed.register)));
    };
    if let Err(problems) = parsed.check(register) {
        return Err(invalid(problems.join("；")));
    }
    let fits = match (&parsed.measure, &def.value_type) {
        (aggregate::Measure::Count, ValueType::Integer) | (_, ValueType::Decimal { .. }) => true,
        (aggregate::Measure::Sum(column), ValueType::Integer) => {
            register.column(column).is_some_and(|c| c.kind == onetable_core::register::ColumnKind::Integer)
        }
        _ => false,
    };
    if !fits {
        return Err(invalid(format!(
            "台账汇总得出数值，指标的值类型（{}）须为 integer（计数或整数列之和）或 decimal",
            def.value_type.spelling()
        )));
    }
    Ok(())
}
