use super::catalogue::*;
use super::*;

// A tree: 1 ─┬─ 2 Sales ── 3 Sales East
//            └─ 4 R&D
const SALES_EAST: &[i64] = &[1, 2, 3];
const SALES: &[i64] = &[1, 2];
const RND: &[i64] = &[1, 4];
const ROOT: &[i64] = &[1];

fn builtin(id: &str, departments: Vec<i64>) -> Grant {
    Grant {
        role_id: id.to_string(),
        permissions: BuiltinRole::find(id).unwrap().permissions(),
        departments,
    }
}

fn paths(list: &[&[i64]]) -> Vec<Vec<i64>> {
    list.iter().map(|p| p.to_vec()).collect()
}

#[test]
fn a_branch_admin_reaches_their_subtree_and_nothing_else() {
    let branch = Authority::with_grants(vec![builtin(BRANCH_ADMIN, vec![2])]);
    let create = CONTACTS_DEPARTMENT_CREATE;
    assert!(branch.allows(create, Target::Department(SALES)));
    assert!(branch.allows(create, Target::Department(SALES_EAST)));
    assert!(!branch.allows(create, Target::Department(RND)));
    assert!(!branch.allows(create, Target::Department(ROOT)));
    assert!(!branch.allows(create, Target::Company));
    // Tags, import and export are company-wide: not the branch admin's.
    assert!(!branch.holds(CONTACTS_TAG_CREATE));
    assert!(!branch.allows(CONTACTS_IMPORT, Target::Company));
    assert!(!branch.holds(SECURITY_POLICY_READ));
}

#[test]
fn changing_a_member_needs_every_department_reachable_and_reading_needs_one() {
    let branch = Authority::with_grants(vec![builtin(BRANCH_ADMIN, vec![2])]);
    let in_sales = paths(&[SALES_EAST]);
    let in_both = paths(&[SALES_EAST, RND]);
    assert!(branch.allows(CONTACTS_MEMBER_EDIT, Target::AllOf(&in_sales)));
    assert!(!branch.allows(CONTACTS_MEMBER_EDIT, Target::AllOf(&in_both)));
    assert!(!branch.allows(CONTACTS_MEMBER_EDIT, Target::AllOf(&[])));
    assert!(branch.allows(CONTACTS_MEMBER_READ_MOBILE, Target::AnyOf(&in_both)));
    assert!(!branch.allows(CONTACTS_MEMBER_READ_MOBILE, Target::AnyOf(&paths(&[RND]))));
}

#[test]
fn scopes_of_several_grants_add_up() {
    let two = Authority::with_grants(vec![
        builtin(BRANCH_ADMIN, vec![3]),
        builtin(BRANCH_ADMIN, vec![4]),
    ]);
    let both = paths(&[SALES_EAST, RND]);
    assert!(two.allows(CONTACTS_MEMBER_DELETE, Target::AllOf(&both)));
    assert!(!two.allows(CONTACTS_MEMBER_DELETE, Target::Department(SALES)));
}

#[test]
fn company_wide_roles_reach_everything_in_their_area_only() {
    let contacts = Authority::with_grants(vec![builtin("contacts_admin", vec![])]);
    assert!(contacts.allows(CONTACTS_TAG_CREATE, Target::Company));
    assert!(contacts.allows(CONTACTS_MEMBER_EDIT, Target::AllOf(&paths(&[RND, SALES]))));
    assert!(!contacts.holds(AUDIT_LOG_READ));
    assert!(!contacts.holds(APPS_APP_READ));

    let security = Authority::with_grants(vec![builtin("security_admin", vec![])]);
    assert!(security.allows(AUDIT_LOG_EXPORT, Target::Company));
    assert!(security.allows(SECURITY_POLICY_EDIT, Target::Company));
    assert!(security.holds(SECURITY_ADMIN_ROLE_READ));
    // Appointing admins stays with the super admin, or the security admin could make themselves one.
    assert!(!security.holds(SECURITY_ADMIN_ROLE_ASSIGN));
    assert!(!security.holds(CONTACTS_MEMBER_CREATE));

    let approvals = Authority::with_grants(vec![builtin("approvals_admin", vec![])]);
    assert!(approvals.allows(APPROVALS_TEMPLATE_EDIT, Target::Company));
    assert!(!approvals.holds(CUSTOMERS_CUSTOMER_READ_ALL));
    let customers = Authority::with_grants(vec![builtin("customers_admin", vec![])]);
    assert!(customers.allows(CUSTOMERS_CUSTOMER_READ_ALL, Target::Company));
    assert!(!customers.holds(APPROVALS_TEMPLATE_EDIT));
}

#[test]
fn the_super_admin_may_do_anything_and_a_plain_member_nothing() {
    let boss = Authority::super_admin();
    let nobody = Authority::default();
    for entry in CATALOGUE {
        assert!(boss.allows(entry.permission, Target::Company));
        assert!(!nobody.allows(entry.permission, Target::Department(SALES)));
    }
    assert_eq!(boss.permissions().len(), CATALOGUE.len());
    assert!(nobody.permissions().is_empty());
    assert_eq!(
        nobody
            .require(AUDIT_LOG_READ, Target::Company)
            .unwrap_err()
            .code,
        workhub_core::Code::Forbidden
    );
}

#[test]
fn a_custom_role_grants_exactly_its_permissions() {
    let front_desk = Authority::with_grants(vec![Grant {
        role_id: "r_front".into(),
        permissions: vec![CONTACTS_MEMBER_READ_MOBILE],
        departments: vec![],
    }]);
    assert!(front_desk.allows(CONTACTS_MEMBER_READ_MOBILE, Target::AnyOf(&paths(&[RND]))));
    assert!(!front_desk.holds(CONTACTS_MEMBER_EDIT));
    assert_eq!(front_desk.permissions(), vec![CONTACTS_MEMBER_READ_MOBILE]);
}

#[test]
fn every_builtin_role_is_named_in_both_languages_and_holds_something() {
    assert_eq!(BUILTIN_ROLES.len(), 6);
    for role in BUILTIN_ROLES {
        assert!(!role.zh.is_empty() && !role.en.is_empty() && !role.en_description.is_empty());
        assert!(!role.permissions().is_empty(), "{}", role.id);
    }
}
