//! The two sheets of a bulk import: the template an admin fills (表头、示例、说明), and the
//! one-time initial passwords answered once after the real run.

use onetable_analytics::render::{to_xlsx, Cell, Table};
use onetable_core::Role;

use super::sheet::Column;
use super::InitialPassword;
use crate::problem::{AppResult, Problem};

fn text_rows<const N: usize>(rows: &[[&str; N]]) -> Vec<Vec<Cell>> {
    rows.iter().map(|row| row.iter().map(|&cell| Cell::from(cell)).collect()).collect()
}

/// The template: the header in Chinese, two example rows, and a sheet saying what each column
/// takes.
///
/// # Errors
/// Only if the writer fails.
pub fn staff_template(example_region: &str) -> AppResult<Vec<u8>> {
    let staff = Table {
        headers: Column::ALL.iter().map(|c| c.header_zh().to_owned()).collect(),
        rows: text_rows(&[
            ["zhangsan_wjp", "张三", "村级填报员", example_region, "", "13800000000"],
            ["lisi_mzj", "李四", "部门用户", "", "民政局", ""],
        ]),
    };
    let help = Table {
        headers: vec!["填写说明".to_owned()],
        rows: text_rows(&[
            ["每行一人；第一行为表头，列的顺序不限。示例行请删除后再上传。"],
            ["用户名：3–64 个字母、数字、点、下划线或连字符，不与已有账户重复；同一名单再次导入时，信息相同的行不变。"],
            ["角色：村级填报员、乡镇审核员、管理员、看板用户、部门用户（或 clerk、reviewer、admin、viewer、department）。"],
            ["所辖地区：12 位区划代码，或名称路径，如“敬南镇/吴家坪村”；在您的管辖范围内查找，重名时请写上乡镇。部门用户填其所在的县或州。"],
            ["部门：部门用户必填，如 民政局。电话：选填。"],
            ["导入后每个新账户得到一个一次性初始密码，只在导入完成时显示一次；本人首次登录时必须修改。"],
        ]),
    };
    to_xlsx(&[("人员名单", &staff), ("填写说明", &help)]).map_err(Problem::internal)
}

/// The initial passwords of one import, to hand to each person (then destroy).
///
/// # Errors
/// Only if the writer fails.
pub fn password_sheet(passwords: &[InitialPassword]) -> AppResult<Vec<u8>> {
    let table = Table {
        headers: ["用户名", "姓名", "角色", "所辖地区", "区划代码", "初始密码（首次登录须修改）"]
            .map(str::to_owned)
            .to_vec(),
        rows: passwords
            .iter()
            .map(|p| {
                [
                    p.username.as_str(),
                    p.display_name.as_str(),
                    role_label(&p.role),
                    p.region_name.as_deref().unwrap_or(""),
                    p.region.as_deref().unwrap_or(""),
                    p.password.as_str(),
                ]
                .map(Cell::from)
                .to_vec()
            })
            .collect(),
    };
    to_xlsx(&[("初始密码", &table)]).map_err(Problem::internal)
}

fn role_label(role: &str) -> &str {
    Role::ALL.iter().find(|r| r.as_str() == role).map_or(role, |r| r.label_zh())
}
