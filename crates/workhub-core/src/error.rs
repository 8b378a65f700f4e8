//! One error vocabulary for both APIs. Each [`Code`] has an HTTP status and a stable snake_case
//! name for `/api/v1`, a WeCom `errcode` for `/cgi-bin`, and a default message in both languages.
//! Internal causes are logged where they happen and never sent to clients.

use crate::Lang;

macro_rules! codes {
    ($($variant:ident => $name:literal, $status:literal, $errcode:literal, $zh:literal, $en:literal;)*) => {
        /// Every error a client can see.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
            /// The stable name clients branch on.
            pub fn name(self) -> &'static str { match self { $(Code::$variant => $name,)* } }
            pub fn http_status(self) -> u16 { match self { $(Code::$variant => $status,)* } }
            /// The WeCom `errcode` for `/cgi-bin` answers.
            pub fn errcode(self) -> i64 { match self { $(Code::$variant => $errcode,)* } }
            pub fn message(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Code::$variant, Lang::Zh) => $zh, (Code::$variant, Lang::En) => $en,)*
                }
            }
        }
    };
}

codes! {
    InvalidRequest => "invalid_request", 400, 40058, "请求参数不合法", "The request is not valid";
    MalformedJson => "malformed_json", 400, 47001, "请求体不是合法的 JSON", "The request body is not valid JSON";
    MissingField => "missing_field", 400, 40063, "缺少必填参数", "A required field is missing";
    PayloadTooLarge => "payload_too_large", 413, 45002, "请求体过大", "The request body is too large";
    NotFound => "not_found", 404, 48005, "接口或资源不存在", "No such endpoint or resource";
    MethodNotAllowed => "method_not_allowed", 405, 48005, "不支持该请求方法", "This method is not allowed here";
    Unauthenticated => "unauthenticated", 401, 41001, "请先登录", "Please sign in first";
    Forbidden => "forbidden", 403, 60011, "没有权限执行该操作", "You are not allowed to do this";
    InvalidCredentials => "invalid_credentials", 401, 40001, "账号或密码错误", "Wrong account or password";
    AccountLocked => "account_locked", 423, 45033, "登录失败次数过多，账号已临时锁定", "Too many failed sign-ins; the account is locked for a while";
    AccountDisabled => "account_disabled", 403, 60011, "账号已停用", "This account is disabled";
    IpNotAllowed => "ip_not_allowed", 403, 60020, "当前 IP 不在允许登录的范围内", "Sign-in is not allowed from this IP address";
    PlatformNotAllowed => "platform_not_allowed", 403, 60011, "企业不允许在该类型的设备上登录", "Your company does not allow sign-in from this kind of device";
    PasswordExpired => "password_expired", 403, 40001, "密码已过期，请修改密码", "Your password has expired; please change it";
    TooManyDevices => "too_many_devices", 403, 45024, "已达到允许登录的设备数上限", "You are signed in on the maximum number of devices";
    InvalidTotp => "invalid_totp", 401, 40001, "动态验证码错误", "The two-factor code is wrong";
    WeakPassword => "weak_password", 400, 40058, "密码不符合企业的安全策略", "The password does not meet your company's security policy";
    PasswordReused => "password_reused", 400, 40058, "不能使用最近用过的密码", "You cannot reuse a recent password";
    InvalidUscc => "invalid_uscc", 400, 40058, "统一社会信用代码不正确", "The unified social credit code is not valid";
    InvalidCorpId => "invalid_corpid", 400, 40013, "企业 ID 不正确", "The corpid is not valid";
    CorpIdMissing => "corpid_missing", 400, 41002, "缺少 corpid 参数", "The corpid parameter is missing";
    SecretMissing => "secret_missing", 400, 41004, "缺少 corpsecret 参数", "The corpsecret parameter is missing";
    InvalidSecret => "invalid_secret", 401, 40001, "secret 不正确", "The secret is not valid";
    SecretOfOtherCorp => "secret_of_other_corp", 401, 40091, "secret 不属于该企业", "The secret belongs to another company";
    TokenMissing => "access_token_missing", 401, 41001, "缺少 access_token 参数", "The access_token parameter is missing";
    TokenInvalid => "access_token_invalid", 401, 40014, "access_token 不合法", "The access_token is not valid";
    TokenExpired => "access_token_expired", 401, 42001, "access_token 已过期", "The access_token has expired";
    CorpNotFound => "corp_not_found", 404, 2000002, "企业不存在", "No such company";
    UserNotFound => "user_not_found", 404, 60111, "成员不存在", "No such member";
    UserExists => "user_exists", 409, 60102, "成员账号已存在", "A member with this userid already exists";
    InvalidUserId => "invalid_userid", 400, 40003, "成员账号（userid）不合法", "The userid is not valid";
    InvalidName => "invalid_name", 400, 60112, "名称不合法", "The name is not valid";
    InvalidMobile => "invalid_mobile", 400, 60103, "手机号码不合法", "The mobile number is not valid";
    InvalidEmail => "invalid_email", 400, 60105, "邮箱不合法", "The email address is not valid";
    MobileTaken => "mobile_taken", 409, 60104, "手机号码已被占用", "The mobile number is already used";
    EmailTaken => "email_taken", 409, 60106, "邮箱已被占用", "The email address is already used";
    SessionNotFound => "session_not_found", 404, 40058, "会话不存在", "No such session";
    ApprovalNotFound => "approval_not_found", 404, 40058, "设备审批请求不存在", "No such device approval";
    EditionLimit => "edition_limit", 403, 45024, "已达到当前版本或认证状态的上限", "This exceeds the limit of your edition or verification status";
    BankCodeMismatch => "bank_code_mismatch", 409, 40058, "打款验证码不正确", "The payment code does not match";
    BankCodeNotSent => "bank_code_not_sent", 409, 40058, "平台尚未向该账户打款，请稍后再试", "The verification payment has not been sent yet; try again later";
    SignupStep => "signup_wrong_step", 409, 40058, "注册步骤不正确，请按顺序完成", "Complete the sign-up steps in order";
    SignupNotFound => "signup_not_found", 404, 40058, "注册申请不存在或链接已失效", "No such sign-up, or its link has expired";
    FileNotFound => "file_not_found", 404, 40007, "文件不存在", "No such file";
    UnsupportedFileType => "unsupported_file_type", 400, 40004, "不支持的文件类型", "This file type is not supported";
    OperatorExists => "operator_exists", 409, 40058, "该运营账号已存在", "This operator account already exists";
    DepartmentNotFound => "department_not_found", 404, 60003, "部门不存在", "No such department";
    ParentNotFound => "parent_not_found", 400, 60004, "上级部门不存在", "The parent department does not exist";
    DepartmentCycle => "department_cycle", 409, 60010, "不能把部门移动到它自己或它的下级部门下", "A department cannot move under itself or one of its sub-departments";
    DepartmentHasMembers => "department_has_members", 409, 60005, "部门下还有成员，不能删除", "The department still has members";
    DepartmentHasChildren => "department_has_children", 409, 60006, "部门下还有子部门，不能删除", "The department still has sub-departments";
    RootDepartment => "root_department", 400, 60007, "根部门（企业本身）不能删除或移动", "The root department (the company) cannot be deleted or moved";
    DepartmentExists => "department_exists", 409, 60008, "同级部门中已有同名部门或部门 ID 已存在", "A sibling department has this name, or the id is taken";
    DepartmentDepth => "department_depth", 403, 81002, "部门层级超过当前版本的上限", "The department tree would be deeper than your edition allows";
    InvalidDepartment => "invalid_department", 400, 60123, "部门 ID 不正确", "A department id is not valid";
    TagNotFound => "tag_not_found", 404, 40068, "标签不存在", "No such tag";
    TagExists => "tag_exists", 409, 40071, "标签名称已存在", "A tag with this name exists";
    InvalidTagName => "invalid_tag_name", 400, 40072, "标签名称长度须为 1 到 32 个字符", "A tag name has 1 to 32 characters";
    InvalidActivation => "invalid_activation", 400, 40058, "激活链接无效或已过期", "The activation link is invalid or has expired";
    MobileOrEmailRequired => "mobile_or_email_required", 400, 60129, "手机号码和邮箱不能同时为空", "Give a mobile number or an email address";
    CannotChangeSelf => "cannot_change_self", 403, 60011, "不能停用或删除自己的账号", "You cannot disable or delete your own account";
    AlreadyActivated => "already_activated", 409, 40058, "该成员已激活，无需邀请", "This member is already active and needs no invitation";
    AppNotFound => "app_not_found", 404, 40056, "应用不存在", "No such app";
    AppDisabled => "app_disabled", 403, 50003, "应用已停用", "This app is disabled";
    OutOfVisibleRange => "out_of_visible_range", 403, 60011, "不在应用的可见范围内", "Outside the app's visible range";
    ImportInvalid => "import_invalid", 400, 40092, "导入文件有错误，未做任何修改", "The file has errors; nothing was changed";
    MassDeletion => "mass_deletion", 409, 45026, "导入将删除过多成员，已中止", "The import would delete too many members, so it stopped";
    JobNotFound => "job_not_found", 404, 40088, "任务不存在", "No such job";
    ConversationNotFound => "conversation_not_found", 404, 86003, "会话不存在或你不在其中", "No such conversation, or you are not in it";
    InvalidChatId => "invalid_chatid", 400, 86001, "群聊 ID 只能由 1 到 32 个字母或数字组成", "A chatid has 1 to 32 letters or digits";
    InvalidGroupName => "invalid_group_name", 400, 86004, "群名称须为 1 到 50 个字符", "A group name has 1 to 50 characters";
    InvalidGroupOwner => "invalid_group_owner", 400, 86005, "群主必须是群成员", "The group owner must be a member of the group";
    GroupSize => "group_size", 400, 86006, "群成员人数超出范围", "The group has too many or too few members";
    InvalidGroupMember => "invalid_group_member", 400, 86007, "群成员不存在", "A group member does not exist";
    NotGroupManager => "not_group_manager", 403, 86008, "只有群主或群管理员可以这样做", "Only the group owner or an admin can do this";
    MessageNotFound => "message_not_found", 404, 40058, "消息不存在", "No such message";
    EmptyMessage => "empty_message", 400, 44004, "消息内容为空", "The message is empty";
    MessageTooLarge => "message_too_large", 400, 45002, "消息内容过长", "The message is too long";
    InvalidMsgType => "invalid_msgtype", 400, 40008, "不支持的消息类型", "This message type is not supported";
    RecallExpired => "recall_expired", 403, 40058, "只能撤回 24 小时内自己发送的消息", "You can recall only your own messages, within 24 hours";
    MentionAllForbidden => "mention_all_forbidden", 403, 60011, "只有群主或群管理员可以 @所有人", "Only the group owner or an admin can mention everyone";
    NoValidRecipient => "no_valid_recipient", 400, 81013, "接收人、部门和标签全部无效", "Every user, department and tag is invalid";
    UploadNotFound => "upload_not_found", 404, 40007, "上传不存在或已过期", "No such upload, or it has expired";
    UploadOffsetMismatch => "upload_offset_mismatch", 409, 40058, "上传位置不一致，请从服务器记录的位置继续", "The upload offset does not match; resume from the server's offset";
    ChecksumMismatch => "checksum_mismatch", 460, 40058, "数据校验失败，本段未保存", "The checksum does not match; this chunk was not saved";
    UploadTooLarge => "upload_too_large", 413, 40006, "文件超过允许的大小", "The file is larger than allowed";
    SensitiveWord => "sensitive_word", 400, 40058, "消息包含企业禁止发送的内容", "The message contains words your company does not allow";
    InvalidWebhookKey => "invalid_webhook_key", 404, 93000, "机器人 webhook 地址无效", "The robot's webhook URL is not valid";
    InvalidCallbackUrl => "invalid_callback", 400, 40057, "回调地址或加密参数不正确", "The callback URL, token or EncodingAESKey is not valid";
    InvalidPermission => "invalid_permission", 400, 40058, "权限不存在", "No such permission";
    RoleNotFound => "role_not_found", 404, 40058, "角色不存在", "No such role";
    RoleExists => "role_exists", 409, 40058, "已有同名角色", "A role with this name exists";
    RoleInUse => "role_in_use", 409, 40058, "角色仍有管理员，请先移除他们", "Admins still hold this role; remove them first";
    BuiltinRole => "builtin_role", 403, 60011, "内置角色不能修改或删除", "Built-in roles cannot be changed or deleted";
    ScopeRequired => "scope_required", 400, 40058, "请为分级管理员选择管理的部门", "Choose the departments a branch admin manages";
    ScopeNotAllowed => "scope_not_allowed", 400, 40058, "该角色管理全公司，不能限定部门", "This role covers the whole company and takes no departments";
    LastSuperAdmin => "last_super_admin", 409, 60011, "企业至少需要一位超级管理员", "The company needs at least one super admin";
    SyncExpired => "sync_expired", 410, 40058, "离线太久，错过的事件已清理，请从最新位置重新同步", "Events after this position were cleared as old; start again from /sync/latest";
    Conflict => "conflict", 409, 6000, "数据已被修改，请刷新后重试", "The data changed meanwhile; reload and try again";
    RateLimited => "rate_limited", 429, 45009, "接口调用超过限制", "Too many requests; try again later";
    Internal => "internal", 500, -1, "系统繁忙，请稍后再试", "Something went wrong on our side; try again later";
    Unavailable => "unavailable", 503, -1, "服务暂不可用，请稍后再试", "The service is unavailable; try again later";
}

/// An error a client sees: a code and an optional detail (a field name, a limit) added to the
/// default message. Details are plain facts, the same in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: Code,
    pub detail: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code) -> Self {
        Self { code, detail: None }
    }
    pub fn with(code: Code, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: Some(detail.into()),
        }
    }
    /// The message shown to a person, in their language.
    pub fn message(&self, lang: Lang) -> String {
        match &self.detail {
            Some(d) => format!(
                "{}{}{d}",
                self.code.message(lang),
                if lang == Lang::Zh { "：" } else { ": " }
            ),
            None => self.code.message(lang).to_string(),
        }
    }
}

impl From<Code> for Error {
    fn from(code: Code) -> Self {
        Error::new(code)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_snake_case_and_statuses_sane() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.name()), "duplicate name {}", code.name());
            assert!(
                code.name()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
            );
            assert!((400..600).contains(&code.http_status()));
            assert!(!code.message(Lang::Zh).is_empty() && !code.message(Lang::En).is_empty());
        }
    }

    #[test]
    fn detail_is_appended_in_each_language() {
        let e = Error::with(Code::MissingField, "password");
        assert_eq!(e.message(Lang::En), "A required field is missing: password");
        assert_eq!(e.message(Lang::Zh), "缺少必填参数：password");
    }
}
