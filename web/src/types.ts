//! Wire types of the /api/v1 contract (docs/api-v1.md). Times are unix milliseconds.

export interface ApiErrorBody {
  code: string;
  message: string;
  request_id?: string;
}

export type Platform = 'web' | 'desktop' | 'mobile';
export type CharClass = 'lower' | 'upper' | 'digit' | 'symbol';
export type Edition = 'standard' | 'professional';

export interface LoginUser {
  corpid: string;
  userid: string;
  name: string;
  is_admin: boolean;
}

/** Answer of POST /auth/login and of the device-approval poll. */
export type LoginAnswer =
  | { status: 'ok'; token: string; session_id: string; user: LoginUser }
  | { status: 'totp_required' }
  | { status: 'device_pending'; approval_id: string; poll_token: string };

export type ApprovalPoll =
  | { status: 'pending' }
  | { status: 'rejected' }
  | { status: 'ok'; token: string; session_id: string; user: LoginUser };

export interface Corp {
  corpid: string;
  name: string;
  verified: boolean;
  edition: string;
  member_limit: number | null;
}

export interface Me {
  corpid: string;
  userid: string;
  name: string;
  is_admin: boolean;
  totp_enabled: boolean;
  corp: Corp;
  /** Not in the contract, but sent by the server: the id of the session making the call. */
  session_id?: string;
  /** Admin roles held (docs/api-roles.md); `departments` empty = the whole company. */
  roles: MyRole[];
  /** Every permission held, company-wide or scoped (`area.object.action`). */
  permissions: string[];
}

export interface MyRole {
  id: string;
  departments: number[];
}

export interface Session {
  id: string;
  userid: string;
  device_id: string;
  device_name: string | null;
  platform: string;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  last_seen_at: number;
  current: boolean;
}

export interface DeviceApproval {
  id: string;
  userid: string;
  device_id: string;
  device_name: string | null;
  platform: string;
  ip: string | null;
  created_at: number;
}

export interface SecurityPolicy {
  min_password_length: number;
  required_char_classes: CharClass[];
  password_expiry_days: number;
  password_history: number;
  lockout_threshold: number;
  lockout_minutes: number;
  session_idle_minutes: number;
  session_max_hours: number;
  max_devices: number;
  allowed_platforms: Platform[];
  ip_allowlist: string[];
  new_device_approval: boolean;
  /** Largest upload from the web and desktop clients, MiB (server default 3072). */
  max_upload_mb_desktop: number;
  /** Largest upload from phones, MiB (server default 1024). */
  max_upload_mb_mobile: number;
}

export interface AuditEntry {
  id: string;
  time: number;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  outcome: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  next_cursor: string | null;
}

export interface StreamEvent {
  seq: number;
  kind: string;
  // The payload's shape depends on `kind`; consumers narrow it.
  data: Record<string, unknown>;
  created_at: number;
}

export type SignupStep = 'bank' | 'admin' | 'details' | 'done';
export type BankStatus = 'none' | 'awaiting_payment' | 'verified';

export interface SignupState {
  signup_id: string;
  step: SignupStep;
  company_name: string;
  uscc: string;
  bank_status: BankStatus;
  corpid: string | null;
}

export interface Upload {
  file_id: string;
  size: number;
}

export interface OperatorStatus {
  operator_exists: boolean;
  setup_command: string;
}

export interface OperatorSignup {
  signup_id: string;
  company_name: string;
  uscc: string;
  licence_file_id: string | null;
  bank_name: string | null;
  account_name: string | null;
  account_number: string | null;
  bank_status: BankStatus;
  corpid: string | null;
  created_at: number;
}

export interface OperatorCorp {
  corpid: string;
  name: string;
  verified: boolean;
  edition: string;
  member_count: number;
  created_at: number;
}

// ---- Directory (docs/api-directory.md). Department and tag ids are numbers (root = 1). ----

export interface Department {
  id: number;
  name: string;
  name_en?: string | null;
  /** 0 for the root. */
  parentid: number;
  /** Larger sorts first among siblings. */
  order: number;
  department_leader?: string[];
}

/** "0" unknown, "1" male, "2" female. */
export type Gender = '0' | '1' | '2';
/** 1 active, 2 disabled, 4 invited but not activated yet. */
export type MemberStatus = 1 | 2 | 4;

export interface Member {
  userid: string;
  name: string;
  alias?: string | null;
  /** Masked (`138****5678`) for non-administrators looking at someone else. */
  mobile?: string | null;
  email?: string | null;
  position?: string | null;
  gender?: Gender | null;
  department: number[];
  order?: number[];
  is_leader_in_dept?: number[];
  main_department?: number | null;
  direct_leader?: string[];
  telephone?: string | null;
  avatar?: string | null;
  status: MemberStatus;
  is_admin?: boolean;
  extattr?: { attrs: { type: number; name: string; text?: { value: string } }[] };
}

/** What the admin form sends on create / edit. */
export interface MemberInput {
  userid: string;
  name: string;
  alias?: string;
  mobile?: string;
  email?: string;
  position?: string;
  gender?: Gender;
  telephone?: string;
  department: number[];
  main_department?: number;
}

export interface Tag {
  id: number;
  name: string;
}

export interface TagDetail extends Tag {
  userlist: { userid: string; name: string }[];
  partylist: number[];
}

export interface Invitation {
  activation_url: string;
  expires_at: number;
}

/** Which department subtrees the members of `department` see; `[]` = only their own departments. */
export interface VisibilityRule {
  department: number;
  visible: number[];
}

/** Answer of POST /directory/members/{userid}/resign. */
export interface ResignAnswer {
  userid: string;
  handover_to: string;
  groups_transferred: number;
}

/** One of my unfinished tus uploads on the server (GET /api/v1/uploads); unix ms times. */
export interface ServerUpload {
  id: string;
  name: string;
  content_type: string;
  length: number;
  offset: number;
  created_at: number;
  expires_at: number;
  /** Where a tus client continues (HEAD / PATCH): `/api/v1/uploads/{id}`. */
  location: string;
}

export interface TagMembersAnswer {
  invalidlist?: string[] | string | null;
  invalidparty?: number[] | string | null;
}

// ---- Apps and secrets (docs/api-directory.md "Apps and secrets"). ----

/** Who an app sees in the directory; all three empty = the whole company. */
export interface AppVisible {
  departments: number[];
  users: string[];
  tags: number[];
}

export interface App {
  agentid: number;
  name: string;
  enabled: boolean;
  created_at: number;
  visible: AppVisible;
  trusted_ips: string[];
}

export interface AppPatch {
  name?: string;
  enabled?: boolean;
  visible?: AppVisible;
  trusted_ips?: string[];
}

export interface RateLimit {
  per_minute: number;
  per_day: number;
}

export interface RateLimits {
  contacts: RateLimit;
  messages: RateLimit;
}

/** What an app (agent 0 = the contacts-sync secret) has left: [this minute, today]. */
export interface AppBudget {
  agentid: number;
  name: string;
  contacts: [number, number];
  messages: [number, number];
}

export interface RateLimitsAnswer {
  limits: RateLimits;
  apps: AppBudget[];
}

// ---- Directory import / export (WeCom template; CSV or an Excel .xlsx workbook) ----

export type ImportMode = 'sync' | 'replace';

export interface ImportRowError {
  row: number;
  field: string;
  message_zh: string;
  message_en: string;
}

/** What an import would do; the same counts for members and for the department tree. */
export interface ImportCounts {
  total: number;
  create: number;
  update: number;
  unchanged: number;
  delete: number;
  errors: ImportRowError[];
}

export interface ImportPreview extends ImportCounts {
  /** Department ids the file names that do not exist: the import creates them under "待分配部门". */
  pending_departments: number[];
  /** Why the import cannot be applied at all (e.g. a mass deletion), or null. */
  blocked: string | null;
}

export interface ImportPreviewAnswer {
  import_id: string;
  mode: ImportMode;
  preview: ImportPreview;
}

export interface DeptImportPreview extends ImportCounts {
  /** Departments missing from the file that stay because they are not empty. */
  kept: number[];
}

export interface DeptImportPreviewAnswer {
  import_id: string;
  preview: DeptImportPreview;
}

export interface JobResultRow {
  /** Member jobs (`sync_user`, `replace_user`). */
  userid?: string;
  /** Department jobs (`replace_party`). */
  partyid?: number;
  /** Department jobs: bits 1 create, 2 rename, 4 move, 8 reorder; 0 a deletion. */
  action?: number;
  errcode: number;
  errmsg: string;
}

/** An asynchronous directory job; status 3 = finished. */
export interface DirectoryJob {
  type?: string;
  status: number;
  total: number;
  done: number;
  percentage: number;
  result: JobResultRow[];
}

// ---- Messages (conversations, messages, read receipts, robots). ----

export type ConversationKind = 'direct' | 'group' | 'app';
export type ConversationRole = 'owner' | 'admin' | 'member';
/** Types the web client sends (image / file: an uploaded file); the others are only displayed. */
export type SendType = 'text' | 'markdown' | 'code' | 'link' | 'image' | 'file';
export type MessageType = SendType | 'textcard' | 'news' | 'merged';

export interface MessageView {
  id: string;
  conversation_id: string;
  seq: number;
  /** A userid, or `app:AGENTID` / `robot:NAME` for machine senders. */
  sender: string;
  client_msg_id: string;
  /** A MessageType; unknown future types are shown as "unsupported". */
  type: string;
  /** The type's payload; its shape depends on `type` and is narrowed where it is shown. */
  content: Record<string, unknown>;
  /** Mentioned userids, or `["@all"]`. */
  mentions: string[];
  reply_to: string | null;
  recalled: boolean;
  created_at: number;
  /** History pages carry them; events do not (`message.reactions` brings changes). */
  reactions?: Reaction[];
}

/** One emoji on a message and who chose it, in the order they did. */
export interface Reaction {
  emoji: string;
  users: string[];
}

export interface ConversationView {
  id: string;
  kind: ConversationKind;
  /** Empty for a direct conversation (its name is the peer's). */
  name: string;
  /** Direct only: the other party's userid. */
  peer?: string | null;
  owner: string;
  announcement: string;
  /** Groups: the file id of the group's picture (`/api/v1/files/{id}/thumbnail`), "" for none. */
  avatar: string;
  member_count: number;
  member_limit: number;
  my_role: ConversationRole;
  last_seq: number;
  read_seq: number;
  unread: number;
  pinned: boolean;
  muted: boolean;
  last_message: MessageView | null;
  updated_at: number;
}

export interface ConversationMemberView {
  userid: string;
  role: ConversationRole;
  read_seq: number;
}

export interface RobotView {
  key_hint: string;
  name: string;
  created_at: number;
}

export interface ConversationDetail {
  conversation: ConversationView;
  members: ConversationMemberView[];
  robots: RobotView[];
}

export interface NewMessage {
  client_msg_id: string;
  type: SendType;
  content: Record<string, unknown>;
  mentions: string[];
  reply_to: string | null;
}

export type ConversationPatch = Partial<{
  name: string;
  announcement: string;
  /** The file id of an uploaded image; "" removes the picture. */
  avatar: string;
  add_members: string[];
  remove_members: string[];
  /** Owner only: the complete new set of admins. */
  admins: string[];
}>;

export interface Receipts {
  read: string[];
  unread: string[];
}

/** Answer of adding a robot: the key and its webhook URL are shown once. */
export interface NewRobot {
  key: string;
  webhook_url: string;
  name: string;
}

// ---- Messaging administration (docs/api-messaging.md "Administration") ----

export type WordAction = 'block' | 'mask' | 'warn';

export interface SensitiveWord {
  word: string;
  action: WordAction;
}

export interface MessagingSettings {
  retention_days: number;
}

/** GET /apps: an enabled app's id and name (any member may ask, to name app senders). */
export interface AppName {
  agentid: number;
  name: string;
}

// ---- Admin roles and permissions (docs/api-roles.md) ----

export interface PermissionArea {
  id: string;
  zh: string;
  en: string;
}

export interface Permission {
  key: string;
  area: string;
  zh: string;
  en: string;
}

export interface PermissionCatalogue {
  areas: PermissionArea[];
  permissions: Permission[];
}

/** "none": holders act company-wide; "required": every holder has departments; "optional": either. */
export type RoleScope = 'none' | 'required' | 'optional';

export interface RoleHolder {
  userid: string;
  name: string;
  /** Empty = the whole company. */
  departments: number[];
}

export interface Role {
  id: string;
  builtin: boolean;
  name: string;
  description: string;
  scoped: RoleScope;
  permissions: string[];
  holders: RoleHolder[];
}

export interface RoleInput {
  name: string;
  description: string;
  permissions: string[];
}
