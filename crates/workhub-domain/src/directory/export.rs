//! The directory as files in WeCom's template layout (§4.4), which the import reads back:
//! members (12 columns) and the department tree (部门名称, 部门ID, 父部门ID, 排序).

use workhub_core::{Code, Error};

use super::{Directory, spreadsheet};
use crate::authz::catalogue as p;
use crate::context::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly.
    Csv,
    Xlsx,
}

impl FileFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Csv => "text/csv; charset=utf-8",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

pub const MEMBER_COLUMNS: [&str; 12] = [
    "姓名",
    "帐号",
    "手机号",
    "邮箱",
    "所在部门",
    "职位",
    "性别",
    "是否部门内领导",
    "排序",
    "别名",
    "座机",
    "禁用",
];

pub const DEPARTMENT_COLUMNS: [&str; 4] = ["部门名称", "部门ID", "父部门ID", "排序"];

fn file(
    format: FileFormat,
    sheet: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, Error> {
    match format {
        FileFormat::Xlsx => spreadsheet::xlsx(sheet, header, rows),
        FileFormat::Csv => {
            let mut out = csv::Writer::from_writer(vec![0xef, 0xbb, 0xbf]);
            let failed = |_| Error::new(Code::Internal);
            out.write_record(header).map_err(failed)?;
            for row in rows {
                out.write_record(row).map_err(failed)?;
            }
            out.into_inner().map_err(|_| Error::new(Code::Internal))
        }
    }
}

fn join(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(";")
}

impl Directory {
    /// Every member the caller may see, contact details as their roles show them.
    pub async fn export_members(
        &self,
        actor: &Actor,
        format: FileFormat,
    ) -> Result<Vec<u8>, Error> {
        Self::company_wide(actor, p::CONTACTS_EXPORT)?;
        let members = self.members(actor, None, false).await?;
        let rows: Vec<Vec<String>> = members
            .iter()
            .map(|m| {
                let gender = match m.gender.as_str() {
                    "1" => "男",
                    "2" => "女",
                    _ => "",
                };
                vec![
                    m.name.clone(),
                    m.userid.clone(),
                    m.mobile.clone(),
                    m.email.clone(),
                    join(&m.department),
                    m.position.clone(),
                    gender.to_string(),
                    join(&m.is_leader_in_dept),
                    join(&m.order),
                    m.alias.clone(),
                    m.telephone.clone(),
                    if m.status == 2 { "1" } else { "0" }.to_string(),
                ]
            })
            .collect();
        file(format, "成员", &MEMBER_COLUMNS, &rows)
    }

    /// The department tree, parents before children; the root's parent is 0.
    pub async fn export_departments(
        &self,
        actor: &Actor,
        format: FileFormat,
    ) -> Result<Vec<u8>, Error> {
        Self::company_wide(actor, p::CONTACTS_EXPORT)?;
        let departments = self.departments(actor, None).await?;
        let rows: Vec<Vec<String>> = departments
            .iter()
            .map(|d| {
                let parent = if d.id == workhub_store::directory::ROOT_DEPARTMENT {
                    0
                } else {
                    d.parentid
                };
                vec![
                    d.name.clone(),
                    d.id.to_string(),
                    parent.to_string(),
                    d.order.to_string(),
                ]
            })
            .collect();
        file(format, "部门", &DEPARTMENT_COLUMNS, &rows)
    }
}
