//! The six built-in admin roles. Their permissions follow the catalogue's areas, so a permission
//! added to an area reaches the role that owns the area without touching this file.

use super::catalogue::{
    CATALOGUE, CONTACTS_CUSTOM_FIELD_EDIT, CONTACTS_EXPORT, CONTACTS_IMPORT,
    CONTACTS_SETTINGS_EDIT, CONTACTS_TAG_CREATE, CONTACTS_TAG_DELETE, CONTACTS_TAG_EDIT,
    CONTACTS_TAG_MEMBERS, CONTACTS_VISIBILITY_EDIT, Permission, SECURITY_ADMIN_ROLE_ASSIGN,
    SECURITY_ADMIN_ROLE_EDIT,
};

/// Whether a role's holders carry department subtrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoping {
    /// Holders act company-wide.
    None,
    /// Every holder has at least one department.
    Required,
    /// Departments, or none for the whole company (custom roles).
    Optional,
}

pub struct BuiltinRole {
    pub id: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub zh_description: &'static str,
    pub en_description: &'static str,
    pub scoping: Scoping,
    includes: fn(Permission) -> bool,
}

impl BuiltinRole {
    pub fn permissions(&self) -> Vec<Permission> {
        CATALOGUE
            .iter()
            .map(|e| e.permission)
            .filter(|p| (self.includes)(*p))
            .collect()
    }

    pub fn find(id: &str) -> Option<&'static BuiltinRole> {
        BUILTIN_ROLES.iter().find(|r| r.id == id)
    }
}

pub const SUPER_ADMIN: &str = "super_admin";
pub const BRANCH_ADMIN: &str = "branch_admin";

/// Company-wide directory powers a branch admin, confined to subtrees, could never use.
const COMPANY_WIDE_CONTACTS: &[Permission] = &[
    CONTACTS_TAG_CREATE,
    CONTACTS_TAG_EDIT,
    CONTACTS_TAG_DELETE,
    CONTACTS_TAG_MEMBERS,
    CONTACTS_IMPORT,
    CONTACTS_EXPORT,
    CONTACTS_CUSTOM_FIELD_EDIT,
    CONTACTS_VISIBILITY_EDIT,
    CONTACTS_SETTINGS_EDIT,
];

pub static BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        id: SUPER_ADMIN,
        zh: "超级管理员",
        en: "Super admin",
        zh_description: "拥有全部权限，可以任命其他管理员",
        en_description: "Holds every permission and appoints the other admins",
        scoping: Scoping::None,
        includes: |_| true,
    },
    BuiltinRole {
        id: BRANCH_ADMIN,
        zh: "分级管理员",
        en: "Branch admin",
        zh_description: "管理指定部门及其下级部门的部门和成员",
        en_description: "Manages the departments and members of chosen department subtrees",
        scoping: Scoping::Required,
        includes: |p| p.area() == "contacts" && !COMPANY_WIDE_CONTACTS.contains(&p),
    },
    BuiltinRole {
        id: "contacts_admin",
        zh: "通讯录管理员",
        en: "Contacts and HR admin",
        zh_description: "管理全公司的部门、成员、标签和通讯录导入导出",
        en_description: "Manages the whole company's departments, members, tags, imports and exports",
        scoping: Scoping::None,
        includes: |p| p.area() == "contacts",
    },
    BuiltinRole {
        id: "approvals_admin",
        zh: "审批管理员",
        en: "Approvals admin",
        zh_description: "管理审批模板、流程和审批单",
        en_description: "Manages approval templates, flows and requests",
        scoping: Scoping::None,
        includes: |p| p.area() == "approvals",
    },
    BuiltinRole {
        id: "customers_admin",
        zh: "客户联系管理员",
        en: "Customer-contact admin",
        zh_description: "管理客户、客户群和客户联系规则",
        en_description: "Manages customers, customer groups and customer-contact rules",
        scoping: Scoping::None,
        includes: |p| p.area() == "customers",
    },
    BuiltinRole {
        id: "security_admin",
        zh: "安全与审计管理员",
        en: "Security and audit admin",
        zh_description: "管理安全策略、登录会话和设备，查看和导出审计日志",
        en_description: "Manages the security policy, sessions and devices; reads and exports the audit log",
        scoping: Scoping::None,
        includes: |p| {
            (p.area() == "security" || p.area() == "audit")
                && p != SECURITY_ADMIN_ROLE_EDIT
                && p != SECURITY_ADMIN_ROLE_ASSIGN
        },
    },
];
