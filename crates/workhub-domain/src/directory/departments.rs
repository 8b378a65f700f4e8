//! The department tree: root 1 is the company; depth is limited by the edition.

use std::collections::HashMap;

use workhub_core::{Code, CorpId, Error};
use workhub_store::directory::{DeleteDepartment, Department, ROOT_DEPARTMENT};
use workhub_store::{NewEvent, StoreError};

use super::{DepartmentInput, DepartmentView, Directory, kinds};
use crate::authz::Target;
use crate::authz::catalogue as p;
use crate::context::{Actor, Meta};
use crate::{StoreResultExt, store_error};

/// Characters WeCom refuses in department names.
const FORBIDDEN: &[char] = &['\\', ':', '*', '?', '"', '<', '>', '|'];

pub(super) fn valid_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > 64
        || name.contains(FORBIDDEN)
        || name.chars().any(char::is_control)
    {
        return Err(Error::with(
            Code::InvalidName,
            "1..64, no \\ : * ? \" < > |",
        ));
    }
    Ok(name.to_string())
}

/// WeCom's range for a department's order: 0 to 2³²−1.
fn valid_order(order: Option<i64>) -> Result<Option<i64>, Error> {
    match order {
        Some(o) if !(0..=i64::from(u32::MAX)).contains(&o) => {
            Err(Error::with(Code::InvalidRequest, "order: 0..4294967295"))
        }
        other => Ok(other),
    }
}

/// The tree as parent → children, for depth and cycle checks.
pub(super) struct Tree {
    pub(super) by_id: HashMap<i64, Department>,
}

impl Tree {
    pub(super) fn new(list: Vec<Department>) -> Tree {
        Tree {
            by_id: list.into_iter().map(|d| (d.id, d)).collect(),
        }
    }

    /// The department and its ancestors, root first (an unknown id: just itself).
    pub(super) fn path(&self, id: i64) -> Vec<i64> {
        let mut path = vec![id];
        let mut at = id;
        while at != ROOT_DEPARTMENT && path.len() <= 1000 {
            match self.by_id.get(&at) {
                Some(d) if d.parent_id != at => at = d.parent_id,
                _ => break,
            }
            path.push(at);
        }
        path.reverse();
        path
    }

    /// Levels below the root (root: 0); None if the chain is broken.
    fn depth(&self, id: i64) -> Option<u32> {
        let mut depth = 0;
        let mut at = id;
        while at != ROOT_DEPARTMENT {
            at = self.by_id.get(&at)?.parent_id;
            depth += 1;
            if depth > 1000 {
                return None;
            }
        }
        Some(depth)
    }

    fn children(&self, id: i64) -> impl Iterator<Item = &Department> {
        self.by_id
            .values()
            .filter(move |d| d.parent_id == id && d.id != id)
    }

    /// Levels in the subtree below `id` (a leaf: 0).
    fn height(&self, id: i64) -> u32 {
        self.children(id)
            .map(|c| 1 + self.height(c.id))
            .max()
            .unwrap_or(0)
    }

    /// Whether `id` is `ancestor` or lies below it.
    fn within(&self, id: i64, ancestor: i64) -> bool {
        let mut at = id;
        for _ in 0..1000 {
            if at == ancestor {
                return true;
            }
            match self.by_id.get(&at) {
                Some(d) if d.id != ROOT_DEPARTMENT => at = d.parent_id,
                _ => return false,
            }
        }
        false
    }

    /// `id` and everything below it.
    pub(super) fn subtree(&self, id: i64) -> Vec<i64> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            let at = out[i];
            out.extend(self.children(at).map(|c| c.id));
            i += 1;
        }
        out
    }

    /// Parents before children, siblings by order (larger first), then id.
    fn ordered(&self) -> Vec<&Department> {
        let mut out = Vec::with_capacity(self.by_id.len());
        let mut stack: Vec<&Department> = self.by_id.get(&ROOT_DEPARTMENT).into_iter().collect();
        while let Some(d) = stack.pop() {
            out.push(d);
            let mut kids: Vec<&Department> = self.children(d.id).collect();
            kids.sort_by(|a, b| a.order.cmp(&b.order).then(b.id.cmp(&a.id)));
            stack.extend(kids);
        }
        out
    }
}

impl Directory {
    pub(super) async fn tree(&self, corp: &CorpId) -> Result<Tree, Error> {
        Ok(Tree::new(
            self.deps
                .stores
                .directory
                .list_departments(corp)
                .await
                .or_internal()?,
        ))
    }

    /// Leaders of each department, from members' memberships.
    async fn leaders(&self, corp: &CorpId) -> Result<HashMap<i64, Vec<String>>, Error> {
        let members = self
            .deps
            .stores
            .directory
            .list_members(corp, None)
            .await
            .or_internal()?;
        let mut leaders: HashMap<i64, Vec<String>> = HashMap::new();
        for m in &members {
            for d in m.departments.iter().filter(|d| d.is_leader) {
                leaders
                    .entry(d.dept_id)
                    .or_default()
                    .push(m.userid.to_string());
            }
        }
        Ok(leaders)
    }

    /// The subtree under `root` (the whole tree by default), parents first.
    pub async fn departments(
        &self,
        actor: &Actor,
        root: Option<i64>,
    ) -> Result<Vec<DepartmentView>, Error> {
        let corp = Self::corp_of(actor)?;
        let tree = self.tree(corp).await?;
        let root = root.unwrap_or(ROOT_DEPARTMENT);
        if !tree.by_id.contains_key(&root) {
            return Err(Error::new(Code::DepartmentNotFound));
        }
        let mut leaders = self.leaders(corp).await?;
        let scope = self.scope(actor).await?;
        Ok(tree
            .ordered()
            .into_iter()
            .filter(|d| {
                tree.within(d.id, root) && scope.as_ref().is_none_or(|s| s.department(d.id))
            })
            .map(|d| DepartmentView::of(d, leaders.remove(&d.id).unwrap_or_default()))
            .collect())
    }

    pub async fn department(&self, actor: &Actor, id: i64) -> Result<DepartmentView, Error> {
        let list = self.departments(actor, Some(id)).await?;
        list.into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| Error::new(Code::DepartmentNotFound))
    }

    pub async fn create_department(
        &self,
        actor: &Actor,
        meta: &Meta,
        input: DepartmentInput,
    ) -> Result<i64, Error> {
        let result = self.try_create_department(actor, input).await;
        let target = result.as_ref().map(|id| id.to_string()).unwrap_or_default();
        self.audited(actor, meta, "department.create", &target, result)
            .await
    }

    async fn try_create_department(
        &self,
        actor: &Actor,
        input: DepartmentInput,
    ) -> Result<i64, Error> {
        let corp = Self::writer(actor)?.clone();
        let name = valid_name(input.name.as_deref().unwrap_or(""))?;
        let parent = input
            .parentid
            .ok_or_else(|| Error::with(Code::MissingField, "parentid"))?;
        if let Some(id) = input.id
            && id <= ROOT_DEPARTMENT
        {
            return Err(Error::with(Code::InvalidDepartment, id.to_string()));
        }
        let tree = self.tree(&corp).await?;
        let under = tree.path(parent);
        Self::permit(
            actor,
            p::CONTACTS_DEPARTMENT_CREATE,
            Target::Department(&under),
        )?;
        let parent_depth = tree
            .depth(parent)
            .filter(|_| tree.by_id.contains_key(&parent))
            .ok_or_else(|| Error::new(Code::ParentNotFound))?;
        let edition = self.corps.get(&corp).await?.edition;
        if parent_depth + 1 > edition.max_department_depth() {
            return Err(Error::with(
                Code::DepartmentDepth,
                edition.max_department_depth().to_string(),
            ));
        }
        if tree.children(parent).any(|d| d.name == name) {
            return Err(Error::with(Code::DepartmentExists, name));
        }
        let dept = Department {
            id: 0,
            name,
            name_en: input.name_en.filter(|n| !n.trim().is_empty()),
            parent_id: parent,
            order: valid_order(input.order)?.unwrap_or(0),
        };
        let for_event = dept.clone();
        let audience = self.audience();
        let event = Box::new(move |id| {
            let view = DepartmentView::of(&Department { id, ..for_event }, vec![]);
            NewEvent::new(
                audience,
                kinds::DEPARTMENT_CREATED,
                &serde_json::json!({ "department": view }),
            )
        });
        match self
            .deps
            .stores
            .directory
            .create_department(&corp, input.id, dept, self.deps.now(), event)
            .await
        {
            Ok(committed) => Ok(self.deps.publish(committed).await),
            Err(StoreError::Duplicate(_)) => Err(Error::with(
                Code::DepartmentExists,
                input.id.unwrap_or(0).to_string(),
            )),
            Err(e) => Err(store_error(e)),
        }
    }

    pub async fn update_department(
        &self,
        actor: &Actor,
        meta: &Meta,
        id: i64,
        input: DepartmentInput,
    ) -> Result<(), Error> {
        let result = self.try_update_department(actor, id, input).await;
        self.audited(actor, meta, "department.update", &id.to_string(), result)
            .await
    }

    async fn try_update_department(
        &self,
        actor: &Actor,
        id: i64,
        input: DepartmentInput,
    ) -> Result<(), Error> {
        let corp = Self::writer(actor)?.clone();
        let tree = self.tree(&corp).await?;
        Self::permit(
            actor,
            p::CONTACTS_DEPARTMENT_EDIT,
            Target::Department(&tree.path(id)),
        )?;
        let mut dept = tree
            .by_id
            .get(&id)
            .cloned()
            .ok_or_else(|| Error::new(Code::DepartmentNotFound))?;
        if let Some(name) = &input.name {
            dept.name = valid_name(name)?;
        }
        if let Some(name_en) = input.name_en {
            dept.name_en = Some(name_en).filter(|n| !n.trim().is_empty());
        }
        if let Some(order) = valid_order(input.order)? {
            dept.order = order;
        }
        if let Some(parent) = input.parentid.filter(|p| *p != dept.parent_id) {
            if id == ROOT_DEPARTMENT {
                return Err(Error::new(Code::RootDepartment));
            }
            // Moving takes the department out of where it was and into its new parent.
            Self::permit(
                actor,
                p::CONTACTS_DEPARTMENT_MOVE,
                Target::Department(&tree.path(id)),
            )?;
            let into = tree.path(parent);
            Self::permit(
                actor,
                p::CONTACTS_DEPARTMENT_MOVE,
                Target::Department(&into),
            )?;
            let parent_depth = tree
                .depth(parent)
                .filter(|_| tree.by_id.contains_key(&parent))
                .ok_or_else(|| Error::new(Code::ParentNotFound))?;
            if tree.within(parent, id) {
                return Err(Error::new(Code::DepartmentCycle));
            }
            let max = self.corps.get(&corp).await?.edition.max_department_depth();
            if parent_depth + 1 + tree.height(id) > max {
                return Err(Error::with(Code::DepartmentDepth, max.to_string()));
            }
            dept.parent_id = parent;
        }
        if tree
            .children(dept.parent_id)
            .any(|d| d.id != id && d.name == dept.name)
        {
            return Err(Error::with(Code::DepartmentExists, dept.name));
        }
        let view = DepartmentView::of(&dept, vec![]);
        let event = NewEvent::new(
            self.audience(),
            kinds::DEPARTMENT_UPDATED,
            &serde_json::json!({ "department": view }),
        );
        let committed = self
            .deps
            .stores
            .directory
            .update_department(&corp, dept, self.deps.now(), event)
            .await
            .or_internal()?;
        if !self.deps.publish(committed).await {
            return Err(Error::new(Code::DepartmentNotFound));
        }
        Ok(())
    }

    pub async fn delete_department(
        &self,
        actor: &Actor,
        meta: &Meta,
        id: i64,
    ) -> Result<(), Error> {
        let result = async {
            let corp = Self::writer(actor)?.clone();
            if id == ROOT_DEPARTMENT {
                return Err(Error::new(Code::RootDepartment));
            }
            let tree = self.tree(&corp).await?;
            Self::permit(
                actor,
                p::CONTACTS_DEPARTMENT_DELETE,
                Target::Department(&tree.path(id)),
            )?;
            let event = NewEvent::new(
                self.audience(),
                kinds::DEPARTMENT_DELETED,
                &serde_json::json!({ "id": id }),
            );
            let committed = self
                .deps
                .stores
                .directory
                .delete_department(&corp, id, self.deps.now(), event)
                .await
                .or_internal()?;
            match self.deps.publish(committed).await {
                DeleteDepartment::Deleted => Ok(()),
                DeleteDepartment::NotFound => Err(Error::new(Code::DepartmentNotFound)),
                DeleteDepartment::HasMembers => Err(Error::new(Code::DepartmentHasMembers)),
                DeleteDepartment::HasChildren => Err(Error::new(Code::DepartmentHasChildren)),
            }
        }
        .await;
        self.audited(actor, meta, "department.delete", &id.to_string(), result)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: i64, parent: i64) -> Department {
        Department {
            id,
            name: format!("d{id}"),
            name_en: None,
            parent_id: parent,
            order: 0,
        }
    }

    #[test]
    fn tree_depths_heights_and_cycles() {
        let tree = Tree::new(vec![d(1, 0), d(2, 1), d(3, 2), d(4, 3), d(5, 1)]);
        assert_eq!(tree.depth(1), Some(0));
        assert_eq!(tree.depth(4), Some(3));
        assert_eq!(tree.height(2), 2);
        assert_eq!(tree.height(5), 0);
        assert!(
            tree.within(4, 2),
            "4 lies below 2: moving 2 under 4 would be a cycle"
        );
        assert!(!tree.within(5, 2));
        let mut sub = tree.subtree(2);
        sub.sort();
        assert_eq!(sub, vec![2, 3, 4]);
        let order: Vec<i64> = tree.ordered().iter().map(|d| d.id).collect();
        assert_eq!(order[0], 1);
        assert!(order.iter().position(|x| *x == 2) < order.iter().position(|x| *x == 3));
        assert!(valid_name("研发:部").is_err());
        assert!(valid_name(" 研发部 ").is_ok());
    }
}
