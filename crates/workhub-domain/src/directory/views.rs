//! How directory objects look to clients (WeCom's field names, used by both APIs).

use serde::Serialize;
use serde_json::Value;
use workhub_store::directory::{Department, Member, Tag};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DepartmentView {
    pub id: i64,
    pub name: String,
    pub name_en: String,
    pub parentid: i64,
    pub order: i64,
    pub department_leader: Vec<String>,
}

impl DepartmentView {
    pub(crate) fn of(d: &Department, leaders: Vec<String>) -> Self {
        DepartmentView {
            id: d.id,
            name: d.name.clone(),
            name_en: d.name_en.clone().unwrap_or_default(),
            parentid: d.parent_id,
            order: d.order,
            department_leader: leaders,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub userid: String,
    pub name: String,
    pub alias: String,
    pub mobile: String,
    pub email: String,
    pub position: String,
    pub gender: String,
    pub department: Vec<i64>,
    pub order: Vec<i64>,
    pub is_leader_in_dept: Vec<i64>,
    pub main_department: i64,
    pub direct_leader: Vec<String>,
    pub telephone: String,
    pub avatar: String,
    pub status: i64,
    pub is_admin: bool,
    pub extattr: Value,
    /// WeCom's cross-corp id; here the userid, as there is one company per id space.
    pub open_userid: String,
}

impl MemberView {
    /// `masked` hides most of the mobile number and email (for members who are not admins).
    pub(crate) fn of(m: &Member, mask_mobile_number: bool, mask_email_address: bool) -> Self {
        let p = &m.profile;
        let mobile = m.mobile.clone().unwrap_or_default();
        let email = m.email.clone().unwrap_or_default();
        MemberView {
            userid: m.userid.to_string(),
            name: m.name.clone(),
            alias: p.alias.clone().unwrap_or_default(),
            mobile: if mask_mobile_number {
                mask_mobile(&mobile)
            } else {
                mobile
            },
            email: if mask_email_address {
                mask_email(&email)
            } else {
                email
            },
            position: p.position.clone().unwrap_or_default(),
            gender: p.gender.clone(),
            department: m.departments.iter().map(|d| d.dept_id).collect(),
            order: m.departments.iter().map(|d| d.order).collect(),
            is_leader_in_dept: m
                .departments
                .iter()
                .map(|d| i64::from(d.is_leader))
                .collect(),
            main_department: p.main_department,
            direct_leader: p.direct_leaders.clone(),
            telephone: p.telephone.clone().unwrap_or_default(),
            avatar: p.avatar.clone().unwrap_or_default(),
            status: m.status,
            is_admin: m.is_admin,
            extattr: p
                .extattr
                .as_deref()
                .and_then(|e| serde_json::from_str(e).ok())
                .unwrap_or_else(|| serde_json::json!({ "attrs": [] })),
            open_userid: m.userid.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TagView {
    pub id: i64,
    pub name: String,
}

impl From<&Tag> for TagView {
    fn from(t: &Tag) -> Self {
        TagView {
            id: t.id,
            name: t.name.clone(),
        }
    }
}

/// 13800138000 → 138****8000.
pub fn mask_mobile(m: &str) -> String {
    let chars: Vec<char> = m.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// zhangsan@acme.cn → z***@acme.cn.
pub fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((user, domain)) => format!("{}***@{domain}", user.chars().next().unwrap_or('*')),
        None if e.is_empty() => String::new(),
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_mobile("13800138000"), "138****8000");
        assert_eq!(mask_mobile("+1-4155550100"), "+1-****0100");
        assert_eq!(mask_mobile(""), "");
        assert_eq!(mask_email("zhangsan@acme.cn"), "z***@acme.cn");
        assert_eq!(mask_email(""), "");
    }
}
