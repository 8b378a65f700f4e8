//! The permission catalogue: every fine-grained permission an admin role can hold, named
//! `area.object.action`, with what it allows in Chinese and English. Areas not built yet
//! (approvals, customers, meetings, documents) are catalogued now so that roles made today keep
//! their meaning when those areas land.

use serde::Serialize;

/// One permission, by its catalogue key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Permission(&'static str);

impl Permission {
    pub fn key(self) -> &'static str {
        self.0
    }

    /// The catalogue entry with this key.
    pub fn parse(key: &str) -> Option<Permission> {
        CATALOGUE
            .iter()
            .find(|e| e.permission.0 == key)
            .map(|e| e.permission)
    }

    pub fn area(self) -> &'static str {
        self.0.split('.').next().unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Entry {
    #[serde(rename = "key")]
    pub permission: Permission,
    pub area: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Area {
    pub id: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

pub const AREAS: &[Area] = &[
    Area {
        id: "contacts",
        zh: "通讯录",
        en: "Contacts",
    },
    Area {
        id: "messaging",
        zh: "消息",
        en: "Messaging",
    },
    Area {
        id: "files",
        zh: "文件",
        en: "Files",
    },
    Area {
        id: "approvals",
        zh: "审批",
        en: "Approvals",
    },
    Area {
        id: "customers",
        zh: "客户联系",
        en: "Customer contact",
    },
    Area {
        id: "meetings",
        zh: "会议",
        en: "Meetings",
    },
    Area {
        id: "documents",
        zh: "文档",
        en: "Documents",
    },
    Area {
        id: "apps",
        zh: "应用管理",
        en: "Apps",
    },
    Area {
        id: "security",
        zh: "安全与管理员",
        en: "Security and admins",
    },
    Area {
        id: "audit",
        zh: "审计",
        en: "Audit",
    },
];

/// Declares each permission once: a constant for code that checks it, and its catalogue entry.
macro_rules! catalogue {
    ($($name:ident = $key:literal, $zh:literal, $en:literal;)+) => {
        $(pub const $name: Permission = Permission($key);)+
        pub static CATALOGUE: &[Entry] = &[
            $(Entry {
                permission: $name,
                area: area_of($key),
                zh: $zh,
                en: $en,
            },)+
        ];
    };
}

/// The text before the first dot, at compile time.
const fn area_of(key: &'static str) -> &'static str {
    let bytes = key.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i] != b'.' {
        i += 1;
    }
    let (area, _) = bytes.split_at(i);
    match core::str::from_utf8(area) {
        Ok(area) => area,
        Err(_) => key,
    }
}

catalogue! {
    CONTACTS_DEPARTMENT_CREATE = "contacts.department.create", "新建部门", "Create departments";
    CONTACTS_DEPARTMENT_EDIT = "contacts.department.edit", "修改部门名称、负责人和排序", "Rename departments, set their leaders and order";
    CONTACTS_DEPARTMENT_MOVE = "contacts.department.move", "移动部门", "Move departments";
    CONTACTS_DEPARTMENT_DELETE = "contacts.department.delete", "删除部门", "Delete departments";
    CONTACTS_MEMBER_CREATE = "contacts.member.create", "添加成员", "Add members";
    CONTACTS_MEMBER_EDIT = "contacts.member.edit", "编辑成员资料和所在部门", "Edit members' profiles and departments";
    CONTACTS_MEMBER_DELETE = "contacts.member.delete", "删除成员", "Delete members";
    CONTACTS_MEMBER_DISABLE = "contacts.member.disable", "停用和启用成员", "Disable and enable members";
    CONTACTS_MEMBER_INVITE = "contacts.member.invite", "发送激活邀请", "Send activation invitations";
    CONTACTS_MEMBER_READ_MOBILE = "contacts.member.read_mobile", "查看成员完整手机号", "See members' full mobile numbers";
    CONTACTS_MEMBER_READ_EMAIL = "contacts.member.read_email", "查看成员完整邮箱", "See members' full email addresses";
    CONTACTS_MEMBER_RESIGN = "contacts.member.resign", "办理离职和工作交接", "Process resignations and hand over work";
    CONTACTS_MEMBER_RESET_PASSWORD = "contacts.member.reset_password", "重置成员密码", "Reset members' passwords";
    CONTACTS_MEMBER_SET_LEADERS = "contacts.member.set_leaders", "设置直属上级", "Set members' direct leaders";
    CONTACTS_TAG_CREATE = "contacts.tag.create", "新建标签", "Create tags";
    CONTACTS_TAG_EDIT = "contacts.tag.edit", "重命名标签", "Rename tags";
    CONTACTS_TAG_DELETE = "contacts.tag.delete", "删除标签", "Delete tags";
    CONTACTS_TAG_MEMBERS = "contacts.tag.members", "管理标签成员", "Manage tag members";
    CONTACTS_IMPORT = "contacts.import", "批量导入通讯录", "Import the directory in bulk";
    CONTACTS_EXPORT = "contacts.export", "导出通讯录", "Export the directory";
    CONTACTS_CUSTOM_FIELD_EDIT = "contacts.custom_field.edit", "管理成员自定义字段", "Manage custom member fields";
    CONTACTS_VISIBILITY_EDIT = "contacts.visibility.edit", "设置通讯录可见范围", "Set who can see which parts of the directory";
    CONTACTS_SETTINGS_EDIT = "contacts.settings.edit", "修改通讯录设置", "Change directory settings";

    MESSAGING_SETTINGS_READ = "messaging.settings.read", "查看消息设置", "See messaging settings";
    MESSAGING_SETTINGS_EDIT = "messaging.settings.edit", "修改消息保留期限等设置", "Change message retention and other settings";
    MESSAGING_SENSITIVE_WORD_READ = "messaging.sensitive_word.read", "查看敏感词", "See sensitive words";
    MESSAGING_SENSITIVE_WORD_EDIT = "messaging.sensitive_word.edit", "管理敏感词", "Manage sensitive words";
    MESSAGING_SENSITIVE_HIT_READ = "messaging.sensitive_word.hits", "查看敏感词命中记录", "See sensitive-word hits";
    MESSAGING_GROUP_SET_LIMIT = "messaging.group.set_limit", "调整群聊人数上限", "Change a group's member limit";
    MESSAGING_GROUP_DISSOLVE = "messaging.group.dissolve", "解散任意群聊", "Dissolve any group";
    MESSAGING_GROUP_MANAGE_ANY = "messaging.group.manage_any", "管理任意群聊的成员和设置", "Manage any group's members and settings";
    MESSAGING_DEPARTMENT_GROUP = "messaging.department_group.manage", "创建和管理部门群", "Create and manage department groups";
    MESSAGING_MESSAGE_RECALL_ANY = "messaging.message.recall_any", "撤回任何人的消息", "Recall anyone's messages";
    MESSAGING_ARCHIVE_READ = "messaging.archive.read", "查看会话内容存档", "Read the message archive";
    MESSAGING_ARCHIVE_EXPORT = "messaging.archive.export", "导出会话内容存档", "Export the message archive";
    MESSAGING_ROBOT_MANAGE = "messaging.robot.manage", "管理任意群的机器人", "Manage robots in any group";
    MESSAGING_BROADCAST_SEND = "messaging.broadcast.send", "发送全员通知", "Send company-wide notices";
    MESSAGING_ANNOUNCEMENT_PUBLISH = "messaging.announcement.publish", "发布企业公告", "Publish company announcements";
    MESSAGING_EXTERNAL_CHAT = "messaging.external_chat.edit", "设置与外部联系人聊天的规则", "Set the rules for chatting with external contacts";

    FILES_SETTINGS_EDIT = "files.settings.edit", "修改文件上传限制", "Change file upload limits";
    FILES_FILE_READ_ANY = "files.file.read_any", "查看任何成员的文件", "Open any member's files";
    FILES_FILE_DELETE_ANY = "files.file.delete_any", "删除任何成员的文件", "Delete any member's files";
    FILES_STORAGE_READ = "files.storage.read", "查看存储用量", "See storage usage";
    FILES_QUOTA_EDIT = "files.quota.edit", "设置成员存储空间配额", "Set members' storage quotas";
    FILES_SHARE_EXTERNAL = "files.share.external", "允许文件对外分享", "Allow sharing files outside the company";
    FILES_SHARE_LINK_REVOKE = "files.share_link.revoke", "撤销任何分享链接", "Revoke any share link";
    FILES_RETENTION_EDIT = "files.retention.edit", "设置文件保留期限", "Set how long files are kept";
    FILES_WATERMARK_EDIT = "files.watermark.edit", "设置文件水印", "Set file watermarks";
    FILES_LOG_READ = "files.log.read", "查看文件操作记录", "See the file activity log";
    FILES_TYPE_RULES_EDIT = "files.type_rules.edit", "设置禁止上传的文件类型", "Set which file types may not be uploaded";
    FILES_SPACE_MANAGE = "files.space.manage", "管理团队文件空间", "Manage team file spaces";
    FILES_RESTORE = "files.restore", "恢复已删除的文件", "Restore deleted files";

    APPROVALS_TEMPLATE_READ = "approvals.template.read", "查看审批模板", "See approval templates";
    APPROVALS_TEMPLATE_CREATE = "approvals.template.create", "新建审批模板", "Create approval templates";
    APPROVALS_TEMPLATE_EDIT = "approvals.template.edit", "编辑审批模板和表单", "Edit approval templates and forms";
    APPROVALS_TEMPLATE_DELETE = "approvals.template.delete", "删除审批模板", "Delete approval templates";
    APPROVALS_TEMPLATE_PUBLISH = "approvals.template.publish", "发布和停用审批模板", "Publish and retire approval templates";
    APPROVALS_FLOW_EDIT = "approvals.flow.edit", "设置审批流程和审批人", "Set approval flows and approvers";
    APPROVALS_CATEGORY_EDIT = "approvals.category.edit", "管理审批分组", "Manage approval categories";
    APPROVALS_RECORD_READ_ALL = "approvals.record.read_all", "查看全部审批单", "See all approval requests";
    APPROVALS_RECORD_EXPORT = "approvals.record.export", "导出审批单", "Export approval requests";
    APPROVALS_RECORD_REVOKE = "approvals.record.revoke", "撤销已通过的审批单", "Revoke approved requests";
    APPROVALS_RECORD_TRANSFER = "approvals.record.transfer", "转交审批人", "Reassign approvers";
    APPROVALS_RECORD_ARCHIVE = "approvals.record.archive", "归档审批单", "Archive approval requests";
    APPROVALS_SIGNATURE_MANAGE = "approvals.signature.manage", "管理电子签名", "Manage e-signatures";
    APPROVALS_SEAL_MANAGE = "approvals.seal.manage", "管理企业印章", "Manage company seals";
    APPROVALS_STATISTICS_READ = "approvals.statistics.read", "查看审批统计", "See approval statistics";
    APPROVALS_SETTINGS_EDIT = "approvals.settings.edit", "修改审批设置", "Change approval settings";

    CUSTOMERS_CUSTOMER_READ_ALL = "customers.customer.read_all", "查看全部客户", "See all customers";
    CUSTOMERS_CUSTOMER_EXPORT = "customers.customer.export", "导出客户", "Export customers";
    CUSTOMERS_CUSTOMER_TRANSFER = "customers.customer.transfer", "分配在职成员的客户", "Reassign serving members' customers";
    CUSTOMERS_CUSTOMER_INHERIT = "customers.customer.inherit", "分配离职成员的客户", "Reassign departed members' customers";
    CUSTOMERS_TAG_EDIT = "customers.tag.edit", "管理企业客户标签", "Manage customer tags";
    CUSTOMERS_GROUP_CHAT_READ_ALL = "customers.group_chat.read_all", "查看全部客户群", "See all customer groups";
    CUSTOMERS_GROUP_CHAT_TRANSFER = "customers.group_chat.transfer", "分配客户群", "Reassign customer groups";
    CUSTOMERS_CONTACT_WAY_EDIT = "customers.contact_way.edit", "配置联系我二维码", "Set up contact-me QR codes";
    CUSTOMERS_WELCOME_EDIT = "customers.welcome_message.edit", "设置欢迎语", "Set welcome messages";
    CUSTOMERS_BROADCAST_SEND = "customers.broadcast.send", "向客户群发消息", "Send mass messages to customers";
    CUSTOMERS_MOMENTS_PUBLISH = "customers.moments.publish", "发表企业客户朋友圈", "Publish company posts to customers' Moments";
    CUSTOMERS_STATISTICS_READ = "customers.statistics.read", "查看客户联系统计", "See customer-contact statistics";
    CUSTOMERS_RULES_EDIT = "customers.rules.edit", "设置防骚扰和敏感行为规则", "Set anti-harassment and sensitive-behaviour rules";
    CUSTOMERS_FIELDS_EDIT = "customers.fields.edit", "管理客户自定义信息", "Manage custom customer fields";
    CUSTOMERS_SETTINGS_EDIT = "customers.settings.edit", "修改客户联系设置", "Change customer-contact settings";

    MEETINGS_ROOM_CREATE = "meetings.room.create", "新建会议室", "Create meeting rooms";
    MEETINGS_ROOM_EDIT = "meetings.room.edit", "编辑会议室", "Edit meeting rooms";
    MEETINGS_ROOM_DELETE = "meetings.room.delete", "删除会议室", "Delete meeting rooms";
    MEETINGS_ROOM_BOOK_ANY = "meetings.room.book_for_others", "替他人预订会议室", "Book meeting rooms for others";
    MEETINGS_MEETING_READ_ALL = "meetings.meeting.read_all", "查看全部会议", "See all meetings";
    MEETINGS_MEETING_CANCEL_ANY = "meetings.meeting.cancel_any", "取消任何会议", "Cancel any meeting";
    MEETINGS_RECORDING_READ_ALL = "meetings.recording.read_all", "查看全部会议录制", "Watch all meeting recordings";
    MEETINGS_RECORDING_DELETE = "meetings.recording.delete", "删除会议录制", "Delete meeting recordings";
    MEETINGS_LIVESTREAM_MANAGE = "meetings.livestream.manage", "管理直播", "Manage live streams";
    MEETINGS_STATISTICS_READ = "meetings.statistics.read", "查看会议统计", "See meeting statistics";
    MEETINGS_SETTINGS_EDIT = "meetings.settings.edit", "修改会议设置", "Change meeting settings";
    MEETINGS_DEVICE_MANAGE = "meetings.device.manage", "管理会议室设备", "Manage meeting-room devices";

    DOCUMENTS_DOC_READ_ALL = "documents.doc.read_all", "查看全部文档", "Open all documents";
    DOCUMENTS_DOC_DELETE_ANY = "documents.doc.delete_any", "删除任何文档", "Delete any document";
    DOCUMENTS_DOC_TRANSFER = "documents.doc.transfer", "转移文档所有权", "Transfer document ownership";
    DOCUMENTS_SHARE_EXTERNAL = "documents.share.external", "允许文档对外分享", "Allow sharing documents outside the company";
    DOCUMENTS_TEMPLATE_EDIT = "documents.template.edit", "管理企业文档模板", "Manage company document templates";
    DOCUMENTS_SPACE_CREATE = "documents.space.create", "创建团队空间", "Create team spaces";
    DOCUMENTS_SPACE_MANAGE = "documents.space.manage", "管理任意团队空间", "Manage any team space";
    DOCUMENTS_WATERMARK_EDIT = "documents.watermark.edit", "设置文档水印", "Set document watermarks";
    DOCUMENTS_EXPORT_RULES_EDIT = "documents.export_rules.edit", "设置文档导出和下载规则", "Set document export and download rules";
    DOCUMENTS_LOG_READ = "documents.log.read", "查看文档操作记录", "See the document activity log";
    DOCUMENTS_SETTINGS_EDIT = "documents.settings.edit", "修改文档设置", "Change document settings";
    DOCUMENTS_RESTORE = "documents.restore", "恢复已删除的文档", "Restore deleted documents";

    APPS_APP_READ = "apps.app.read", "查看应用", "See apps";
    APPS_APP_CREATE = "apps.app.create", "创建自建应用", "Create self-built apps";
    APPS_APP_EDIT = "apps.app.edit", "编辑应用的可见范围、可信 IP 和资料", "Edit apps' visible range, trusted IPs and details";
    APPS_APP_DISABLE = "apps.app.disable", "启用和停用应用", "Enable and disable apps";
    APPS_APP_DELETE = "apps.app.delete", "删除应用", "Delete apps";
    APPS_APP_ROTATE_SECRET = "apps.app.rotate_secret", "重置应用 Secret", "Reset apps' secrets";
    APPS_CONTACTS_SECRET_ROTATE = "apps.contacts_secret.rotate", "重置通讯录同步 Secret", "Reset the contacts-sync secret";
    APPS_RATE_LIMIT_READ = "apps.rate_limit.read", "查看接口调用额度", "See API rate limits and budgets";
    APPS_RATE_LIMIT_EDIT = "apps.rate_limit.edit", "修改接口调用额度", "Change API rate limits";
    APPS_CALLBACK_EDIT = "apps.callback.edit", "设置应用回调地址", "Set apps' callback addresses";
    APPS_WORKBENCH_EDIT = "apps.workbench.edit", "配置工作台", "Arrange the workbench";
    APPS_THIRD_PARTY_AUTHORIZE = "apps.third_party.authorize", "授权第三方应用", "Authorize third-party apps";
    APPS_API_LOG_READ = "apps.api_log.read", "查看接口调用日志", "See the API call log";
    APPS_ROBOT_READ = "apps.robot.read", "查看全部群机器人", "See all group robots";

    SECURITY_POLICY_READ = "security.policy.read", "查看安全策略", "See the security policy";
    SECURITY_POLICY_EDIT = "security.policy.edit", "修改安全策略", "Change the security policy";
    SECURITY_SESSION_READ = "security.session.read", "查看成员的登录会话", "See members' sign-in sessions";
    SECURITY_SESSION_REVOKE = "security.session.revoke", "让成员的登录会话下线", "Sign members' sessions out";
    SECURITY_DEVICE_READ = "security.device.read", "查看成员的设备", "See members' devices";
    SECURITY_DEVICE_APPROVE = "security.device.approve", "审批新设备登录", "Approve sign-ins from new devices";
    SECURITY_TOTP_RESET = "security.totp.reset", "重置成员的两步验证", "Reset members' two-factor sign-in";
    SECURITY_WATERMARK_EDIT = "security.watermark.edit", "设置屏幕水印", "Set screen watermarks";
    SECURITY_EXPORT_APPROVE = "security.data_export.approve", "审批数据导出", "Approve data exports";
    SECURITY_CORP_INFO_EDIT = "security.corp_info.edit", "修改企业信息", "Change the company's details";
    SECURITY_DOMAIN_EDIT = "security.domain.edit", "管理企业域名", "Manage the company's domains";
    SECURITY_ADMIN_ROLE_READ = "security.admin_role.read", "查看管理员和角色", "See admins and roles";
    SECURITY_ADMIN_ROLE_EDIT = "security.admin_role.edit", "创建和修改自定义角色", "Create and change custom roles";
    SECURITY_ADMIN_ROLE_ASSIGN = "security.admin_role.assign", "分配和取消管理员", "Appoint and remove admins";

    AUDIT_LOG_READ = "audit.log.read", "查看操作日志", "See the audit log";
    AUDIT_LOG_EXPORT = "audit.log.export", "导出操作日志", "Export the audit log";
    AUDIT_LOGIN_LOG_READ = "audit.login_log.read", "查看登录日志", "See the sign-in log";
    AUDIT_ADMIN_LOG_READ = "audit.admin_log.read", "查看管理员操作日志", "See admins' actions";
    AUDIT_RETENTION_EDIT = "audit.retention.edit", "设置日志保留期限", "Set how long logs are kept";
    AUDIT_ALERT_READ = "audit.alert.read", "查看安全告警", "See security alerts";
    AUDIT_ALERT_EDIT = "audit.alert.edit", "设置安全告警规则", "Set security alert rules";
    AUDIT_REPORT_READ = "audit.report.read", "查看安全报告", "See security reports";
    AUDIT_FILE_LOG_READ = "audit.file_log.read", "查看文件外发记录", "See records of files sent outside";
    AUDIT_MEMBER_ACTIVITY_READ = "audit.member_activity.read", "查看成员活跃数据", "See member activity figures";
    AUDIT_EXPORT_LOG_READ = "audit.export_log.read", "查看数据导出记录", "See the record of data exports";
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_catalogue_has_at_least_140_unique_described_permissions_in_known_areas() {
        assert!(CATALOGUE.len() >= 140, "{} permissions", CATALOGUE.len());
        let keys: HashSet<&str> = CATALOGUE.iter().map(|e| e.permission.key()).collect();
        assert_eq!(keys.len(), CATALOGUE.len(), "duplicate keys");
        for e in CATALOGUE {
            assert!(
                AREAS.iter().any(|a| a.id == e.area),
                "{}",
                e.permission.key()
            );
            assert_eq!(e.permission.area(), e.area);
            assert!(e.permission.key().split('.').count() >= 2);
            assert!(
                !e.zh.is_empty() && !e.en.is_empty(),
                "{}",
                e.permission.key()
            );
        }
        for area in AREAS {
            assert!(
                CATALOGUE.iter().filter(|e| e.area == area.id).count() >= 10,
                "{}",
                area.id
            );
        }
    }

    #[test]
    fn keys_parse_back_and_unknown_keys_do_not() {
        assert_eq!(
            Permission::parse("audit.log.export"),
            Some(AUDIT_LOG_EXPORT)
        );
        assert_eq!(Permission::parse("audit.log.burn"), None);
        assert_eq!(Permission::parse(""), None);
    }
}
