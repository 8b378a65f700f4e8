//! Same-origin JSON client for /api/v1: error envelope, Accept-Language, and one typed function
//! per endpoint of docs/api-v1.md.

import { getLang, t } from './i18n';
import type {
  App,
  AppBudget,
  AppName,
  AppPatch,
  AppVisible,
  ApprovalPoll,
  AuditPage,
  ConversationDetail,
  ConversationMemberView,
  ConversationPatch,
  ConversationRole,
  ConversationView,
  Department,
  DeviceApproval,
  DeptImportPreviewAnswer,
  DirectoryJob,
  Edition,
  ImportMode,
  ImportPreviewAnswer,
  ImportRowError,
  Invitation,
  LoginAnswer,
  Me,
  Member,
  MemberInput,
  MyRole,
  MessageView,
  MessagingSettings,
  NewMessage,
  NewRobot,
  OperatorCorp,
  OperatorSignup,
  OperatorStatus,
  Permission,
  PermissionArea,
  PermissionCatalogue,
  Platform,
  RateLimit,
  RateLimits,
  RateLimitsAnswer,
  Reaction,
  Receipts,
  RobotView,
  Role,
  RoleHolder,
  RoleInput,
  RoleScope,
  ResignAnswer,
  SecurityPolicy,
  ServerUpload,
  SensitiveWord,
  Session,
  SignupState,
  Tag,
  TagDetail,
  TagMembersAnswer,
  VisibilityRule,
  WordAction,
} from './types';

/** A failed call. `message` is the server's human text (already in the UI language). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
  ) {
    super(message);
  }
}

/** Paths whose 401 means "the user session is gone" (not the operator's, not a sign-in). */
const USER_SCOPED = /^\/api\/v1\/(me|admin|sync|device-approvals|directory|conversations|messages|apps|search|uploads(?=\?|$))(\/|\?|$)/;
/** 401s that judge what was typed (old password, TOTP code), not the session. */
const CREDENTIAL_CODES = new Set(['invalid_credentials', 'invalid_totp']);
let onUnauthorized: (() => void) | null = null;

/** The shell registers what to do when a user-scoped call answers 401. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

/** A 401 from a request made outside `call` (tus uploads) means the same: the session is gone. */
export function notifyUnauthorized(): void {
  onUnauthorized?.();
}

interface CallOptions {
  body?: unknown;
  /** Sent as-is (a file); `headers` should carry its Content-Type. */
  raw?: Blob;
  headers?: Record<string, string>;
}

/** Turns a non-2xx answer into an ApiError, tolerating bodies that are not the envelope. */
export async function errorFrom(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = t('error.http', { status: String(res.status) });
  let requestId: string | null = null;
  try {
    const body = (await res.json()) as Partial<{ code: string; message: string; request_id: string }>;
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string' && body.message) message = body.message;
    if (typeof body.request_id === 'string') requestId = body.request_id;
  } catch {
    // Not JSON (a proxy page, an empty body): keep the generic message.
  }
  return new ApiError(res.status, code, message, requestId);
}

export function languageHeader(): string {
  return getLang() === 'en' ? 'en' : 'zh-CN';
}

async function call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': languageHeader(),
    ...opts.headers,
  };
  let body: string | Blob | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  } else if (opts.raw !== undefined) {
    body = opts.raw;
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401 && USER_SCOPED.test(path) && !CREDENTIAL_CODES.has(err.code) && onUnauthorized) {
      onUnauthorized();
    }
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const enc = encodeURIComponent;

/** Builds `?a=1&b=2` from the non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export interface LoginRequest {
  corpid: string;
  login: string;
  password: string;
  totp_code?: string;
  device_id: string;
  device_name?: string;
  platform: Platform;
}

export const auth = {
  login: (req: LoginRequest) => call<LoginAnswer>('POST', '/api/v1/auth/login', { body: req }),
  pollApproval: (id: string, pollToken: string) =>
    call<ApprovalPoll>('GET', `/api/v1/auth/device-approvals/${enc(id)}${query({ poll_token: pollToken })}`),
  changeExpired: (body: { corpid: string; login: string; old_password: string; new_password: string }) =>
    call<void>('POST', '/api/v1/auth/password/expired', { body }),
  logout: () => call<void>('POST', '/api/v1/auth/logout'),
  /** Sets the first password of an invited member (docs/api-directory.md). */
  activate: (body: { corpid: string; token: string; password: string }) =>
    call<void>('POST', '/api/v1/auth/activate', { body }),
};

/** `roles` and `permissions` always present (a server without them grants nothing beyond `is_admin`). */
export function normMe(m: Me): Me {
  const roles: MyRole[] = Array.isArray(m.roles)
    ? m.roles
        .filter((r) => typeof r === 'object' && r !== null)
        .map((r) => ({ id: String(r.id ?? ''), departments: Array.isArray(r.departments) ? r.departments.map((x) => Number(x)) : [] }))
    : [];
  const permissions = Array.isArray(m.permissions) ? m.permissions.map(String) : [];
  return { ...m, is_admin: m.is_admin === true, roles, permissions };
}

export const me = {
  get: () => call<Me>('GET', '/api/v1/me').then(normMe),
  changePassword: (old_password: string, new_password: string) =>
    call<void>('POST', '/api/v1/me/password', { body: { old_password, new_password } }),
  totpSetup: () => call<{ secret: string; otpauth_url: string }>('POST', '/api/v1/me/totp/setup'),
  totpEnable: (code: string) => call<void>('POST', '/api/v1/me/totp/enable', { body: { code } }),
  totpDisable: (code: string) => call<void>('POST', '/api/v1/me/totp/disable', { body: { code } }),
  sessions: () => call<{ sessions: Session[] }>('GET', '/api/v1/me/sessions'),
  revokeSession: (id: string) => call<void>('DELETE', `/api/v1/me/sessions/${enc(id)}`),
  deviceApprovals: () => call<{ approvals: DeviceApproval[] }>('GET', '/api/v1/me/device-approvals'),
};

export const approvals = {
  decide: (id: string, approve: boolean) =>
    call<void>('POST', `/api/v1/device-approvals/${enc(id)}/${approve ? 'approve' : 'reject'}`),
};

export interface AuditFilter {
  actor?: string;
  action?: string;
  outcome?: string;
  from?: number | null;
  to?: number | null;
}

export const admin = {
  sessions: (userid: string) => call<{ sessions: Session[] }>('GET', `/api/v1/admin/sessions${query({ userid })}`),
  revokeSession: (id: string) => call<void>('DELETE', `/api/v1/admin/sessions/${enc(id)}`),
  deviceApprovals: () => call<{ approvals: DeviceApproval[] }>('GET', '/api/v1/admin/device-approvals'),
  policy: () => call<SecurityPolicy>('GET', '/api/v1/admin/security-policy'),
  savePolicy: (policy: SecurityPolicy) => call<SecurityPolicy>('PUT', '/api/v1/admin/security-policy', { body: policy }),
  audit: (filter: AuditFilter, limit: number, cursor: string | null) =>
    call<AuditPage>('GET', `/api/v1/admin/audit${query({ ...filter, limit, cursor })}`),
  auditCsvUrl: (filter: AuditFilter) => `/api/v1/admin/audit/export.csv${query({ ...filter })}`,
};

export const sync = {
  /** `conversations`: the position of each of my large groups' own streams (absent on old servers). */
  latest: () => call<{ seq: number; conversations?: Record<string, number> }>('GET', '/api/v1/sync/latest'),
};

const signupHeaders = (token: string) => ({ 'X-Signup-Token': token });

export const signup = {
  start: (body: { company_name: string; uscc: string; licence_file_id: string }) =>
    call<{ signup_id: string; signup_token: string }>('POST', '/api/v1/signup', { body }),
  get: (id: string, token: string) =>
    call<SignupState>('GET', `/api/v1/signup/${enc(id)}`, { headers: signupHeaders(token) }),
  bank: (id: string, token: string, body: { bank_name: string; account_name: string; account_number: string }) =>
    call<{ bank_status: 'awaiting_payment' }>('POST', `/api/v1/signup/${enc(id)}/bank`, {
      body,
      headers: signupHeaders(token),
    }),
  confirmBank: (id: string, token: string, code: string) =>
    call<{ bank_status: 'verified' }>('POST', `/api/v1/signup/${enc(id)}/bank/confirm`, {
      body: { code },
      headers: signupHeaders(token),
    }),
  admin: (
    id: string,
    token: string,
    body: { name: string; userid: string; mobile: string; email: string; password: string },
  ) => call<{ corpid: string }>('POST', `/api/v1/signup/${enc(id)}/admin`, { body, headers: signupHeaders(token) }),
  details: (
    id: string,
    token: string,
    body: { industry: string; size: string; address: string; logo_file_id?: string },
  ) => call<{ corpid: string }>('POST', `/api/v1/signup/${enc(id)}/details`, { body, headers: signupHeaders(token) }),
};

export const operator = {
  status: () => call<OperatorStatus>('GET', '/api/v1/operator/status'),
  login: (username: string, password: string) =>
    call<{ username: string }>('POST', '/api/v1/operator/login', { body: { username, password } }),
  logout: () => call<void>('POST', '/api/v1/operator/logout'),
  me: () => call<{ username: string }>('GET', '/api/v1/operator/me'),
  signups: () => call<{ signups: OperatorSignup[] }>('GET', '/api/v1/operator/signups'),
  recordBankCode: (id: string, code: string) =>
    call<void>('POST', `/api/v1/operator/signups/${enc(id)}/bank-code`, { body: { code } }),
  corps: (status: 'unverified' | 'verified' | 'all') =>
    call<{ corps: OperatorCorp[] }>('GET', `/api/v1/operator/corps${query({ status })}`),
  verify: (corpid: string) => call<void>('POST', `/api/v1/operator/corps/${enc(corpid)}/verify`),
  setEdition: (corpid: string, edition: Edition) =>
    call<void>('PUT', `/api/v1/operator/corps/${enc(corpid)}/edition`, { body: { edition } }),
  fileUrl: (fileId: string) => `/api/v1/operator/files/${enc(fileId)}`,
};

// ---- Directory (docs/api-directory.md) ----

/** Department and tag ids are numbers on the wire; a server sending strings is tolerated. */
const num = (v: unknown, fallback = 0): number => {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : fallback;
};

const ids = (v: unknown): number[] => (Array.isArray(v) ? v.map((x) => num(x)) : []);

export function normDepartment(d: Department): Department {
  return { ...d, id: num(d.id), parentid: num(d.parentid), order: num(d.order) };
}

export function normMember(m: Member): Member {
  const status = num(m.status, 1);
  return {
    ...m,
    department: Array.isArray(m.department) ? m.department.map((x) => num(x)) : [],
    main_department: m.main_department === null || m.main_department === undefined ? null : num(m.main_department),
    status: status === 2 || status === 4 ? status : 1,
  };
}

export function normTag(tag: Tag): Tag {
  return { ...tag, id: num(tag.id) };
}

export type DepartmentPatch = Partial<{ name: string; name_en: string; parentid: number; order: number }>;

const dir = '/api/v1/directory';

export const directory = {
  departments: () =>
    call<{ departments: Department[] }>('GET', `${dir}/departments`).then((r) => (r.departments ?? []).map(normDepartment)),
  createDepartment: (body: { name: string; name_en?: string; parentid: number; order?: number }) =>
    call<{ id: number }>('POST', `${dir}/departments`, { body }).then((r) => ({ id: num(r.id) })),
  updateDepartment: (id: number, body: DepartmentPatch) => call<void>('PATCH', `${dir}/departments/${id}`, { body }),
  deleteDepartment: (id: number) => call<void>('DELETE', `${dir}/departments/${id}`),

  members: (departmentId?: number, fetchChild?: boolean) =>
    call<{ members: Member[] }>(
      'GET',
      `${dir}/members${query({ department_id: departmentId, fetch_child: departmentId === undefined ? undefined : fetchChild ? 1 : 0 })}`,
    ).then((r) => (r.members ?? []).map(normMember)),
  member: (userid: string) => call<Member>('GET', `${dir}/members/${enc(userid)}`).then(normMember),
  createMember: (body: MemberInput) => call<Member>('POST', `${dir}/members`, { body }).then(normMember),
  updateMember: (userid: string, body: Partial<MemberInput>) =>
    call<Member>('PATCH', `${dir}/members/${enc(userid)}`, { body }).then((m) => (m ? normMember(m) : m)),
  disableMember: (userid: string) => call<void>('POST', `${dir}/members/${enc(userid)}/disable`),
  enableMember: (userid: string) => call<void>('POST', `${dir}/members/${enc(userid)}/enable`),
  deleteMember: (userid: string) => call<void>('DELETE', `${dir}/members/${enc(userid)}`),
  invite: (userid: string) => call<Invitation>('POST', `${dir}/members/${enc(userid)}/invite`),
  /** Disables and signs out `userid`; the groups they own pass to `handoverTo`. */
  resign: (userid: string, handoverTo: string) =>
    call<ResignAnswer>('POST', `${dir}/members/${enc(userid)}/resign`, { body: { handover_to: handoverTo } }).then((r) => ({
      userid: String(r?.userid ?? userid),
      handover_to: String(r?.handover_to ?? handoverTo),
      groups_transferred: num(r?.groups_transferred),
    })),

  /** The visibility rules (docs/api-directory.md "Visibility"). */
  visibility: () =>
    call<{ rules: VisibilityRule[] }>('GET', `${dir}/visibility`).then((r) =>
      (r.rules ?? []).map((x) => ({ department: num(x.department), visible: ids(x.visible) })),
    ),
  /** `null` removes the department's own rule; `[]` = only their own departments. */
  setVisibility: (department: number, visible: number[] | null) =>
    call<void>('PUT', `${dir}/visibility/${department}`, { body: { visible } }),

  /** Server-side search: name, pinyin (full and initials), alias, mobile, email, userid. */
  search: (q: string, limit = 50) =>
    call<{ members: Member[] }>('GET', `${dir}/search${query({ q, limit })}`).then((r) => (r.members ?? []).map(normMember)),

  tags: () => call<{ tags: Tag[] }>('GET', `${dir}/tags`).then((r) => (r.tags ?? []).map(normTag)),
  createTag: (name: string) => call<{ id: number }>('POST', `${dir}/tags`, { body: { name } }).then((r) => ({ id: num(r.id) })),
  renameTag: (id: number, name: string) => call<void>('PATCH', `${dir}/tags/${id}`, { body: { name } }),
  deleteTag: (id: number) => call<void>('DELETE', `${dir}/tags/${id}`),
  tag: (id: number) =>
    call<TagDetail>('GET', `${dir}/tags/${id}`).then((r) => ({
      ...r,
      id: num(r.id),
      userlist: r.userlist ?? [],
      partylist: (r.partylist ?? []).map((x) => num(x)),
    })),
  addTagMembers: (id: number, body: { userlist?: string[]; partylist?: number[] }) =>
    call<TagMembersAnswer>('POST', `${dir}/tags/${id}/members`, { body }),
  removeTagMembers: (id: number, body: { userlist?: string[]; partylist?: number[] }) =>
    call<TagMembersAnswer>('POST', `${dir}/tags/${id}/members/remove`, { body }),

  /** Checks a member file (WeCom template, CSV or .xlsx) without changing anything; the file is the raw body. */
  importPreview: (file: Blob, mode: ImportMode) =>
    call<ImportPreviewAnswer>('POST', `${dir}/import/preview${query({ mode })}`, {
      raw: file,
      headers: { 'Content-Type': importFileType(file) },
    }).then((r) => ({
      ...r,
      preview: {
        ...r.preview,
        errors: rowErrors(r.preview?.errors),
        pending_departments: ids(r.preview?.pending_departments),
        blocked: r.preview?.blocked ? String(r.preview.blocked) : null,
      },
    })),
  importApply: (importId: string, mode: ImportMode) =>
    call<{ jobid: string }>('POST', `${dir}/import/${enc(importId)}/apply${query({ mode })}`),
  /** Checks a department-tree file (部门名称,部门ID,父部门ID,排序) without changing anything. */
  departmentsImportPreview: (file: Blob) =>
    call<DeptImportPreviewAnswer>('POST', `${dir}/departments/import/preview`, {
      raw: file,
      headers: { 'Content-Type': importFileType(file) },
    }).then((r) => ({
      ...r,
      preview: { ...r.preview, errors: rowErrors(r.preview?.errors), kept: ids(r.preview?.kept) },
    })),
  departmentsImportApply: (importId: string) =>
    call<{ jobid: string }>('POST', `${dir}/departments/import/${enc(importId)}/apply`),
  job: (jobid: string) =>
    call<DirectoryJob>('GET', `${dir}/jobs/${enc(jobid)}`).then((j) => ({
      ...j,
      status: num(j.status),
      total: num(j.total),
      done: num(j.done),
      percentage: num(j.percentage),
      result: (j.result ?? []).map((r) => ({
        ...r,
        ...(r.partyid === undefined ? {} : { partyid: num(r.partyid) }),
        ...(r.action === undefined ? {} : { action: num(r.action) }),
        errcode: num(r.errcode),
        errmsg: String(r.errmsg ?? ''),
      })),
    })),
  exportCsvUrl: () => `${dir}/export.csv`,
  exportXlsxUrl: () => `${dir}/export.xlsx`,
  departmentsExportCsvUrl: () => `${dir}/departments/export.csv`,
  departmentsExportXlsxUrl: () => `${dir}/departments/export.xlsx`,
};

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The Content-Type of an import file: an Excel workbook by its name or type, else CSV. */
export function importFileType(file: Blob): string {
  const name = typeof (file as File).name === 'string' ? (file as File).name : '';
  return /\.xlsx$/i.test(name) || file.type === XLSX_TYPE ? XLSX_TYPE : 'text/csv';
}

const rowErrors = (v: unknown): ImportRowError[] =>
  Array.isArray(v) ? (v as ImportRowError[]).map((e) => ({ ...e, row: num(e.row), field: String(e.field ?? '') })) : [];

// ---- Apps and secrets (docs/api-directory.md "Apps and secrets (administrators)") ----

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function normApp(a: App): App {
  const v = (a.visible ?? {}) as Partial<AppVisible>;
  return {
    ...a,
    agentid: num(a.agentid),
    enabled: a.enabled !== false,
    created_at: num(a.created_at),
    visible: { departments: ids(v.departments), users: strs(v.users), tags: ids(v.tags) },
    trusted_ips: strs(a.trusted_ips),
  };
}

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [num(v[0]), num(v[1])] : [0, 0]);
const limit = (v: unknown): RateLimit => {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Partial<RateLimit>;
  return { per_minute: num(o.per_minute), per_day: num(o.per_day) };
};
const normLimits = (l: unknown): RateLimits => {
  const o = (typeof l === 'object' && l !== null ? l : {}) as Partial<RateLimits>;
  return { contacts: limit(o.contacts), messages: limit(o.messages) };
};

export const apps = {
  list: () => call<{ apps: App[] }>('GET', '/api/v1/admin/apps').then((r) => (r.apps ?? []).map(normApp)),
  create: (name: string) =>
    call<{ agentid: number; secret: string }>('POST', '/api/v1/admin/apps', { body: { name } }).then((r) => ({
      agentid: num(r.agentid),
      secret: String(r.secret ?? ''),
    })),
  update: (agentid: number, body: AppPatch) =>
    call<App>('PATCH', `/api/v1/admin/apps/${agentid}`, { body }).then((a) => (a ? normApp(a) : a)),
  rotateSecret: (agentid: number) => call<{ secret: string }>('POST', `/api/v1/admin/apps/${agentid}/secret`),
  resetContactsSecret: () => call<{ secret: string }>('POST', '/api/v1/admin/contacts-secret'),
  rateLimits: () =>
    call<RateLimitsAnswer>('GET', '/api/v1/admin/rate-limits').then((r) => ({
      limits: normLimits(r.limits),
      apps: (r.apps ?? []).map(
        (b): AppBudget => ({ agentid: num(b.agentid), name: String(b.name ?? ''), contacts: pair(b.contacts), messages: pair(b.messages) }),
      ),
    })),
  saveRateLimits: (body: RateLimits) =>
    call<RateLimits>('PUT', '/api/v1/admin/rate-limits', { body }).then((r) => (r ? normLimits(r) : body)),
};

// ---- Messages (conversations, messages, receipts, robots) ----

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const role = (v: unknown): ConversationRole => (v === 'owner' || v === 'admin' ? v : 'member');

export const normReactions = (v: unknown): Reaction[] =>
  Array.isArray(v)
    ? v.filter(isRecord).map((r) => ({ emoji: String(r.emoji ?? ''), users: strs(r.users) })).filter((r) => r.emoji && r.users.length)
    : [];

/** Fills what a message needs to be shown, so one odd field does not break the whole view. */
export function normMessage(m: MessageView): MessageView {
  const out: MessageView = {
    ...m,
    id: String(m.id ?? ''),
    conversation_id: String(m.conversation_id ?? ''),
    seq: num(m.seq),
    sender: String(m.sender ?? ''),
    client_msg_id: String(m.client_msg_id ?? ''),
    type: String(m.type ?? 'text'),
    content: isRecord(m.content) ? m.content : {},
    mentions: strs(m.mentions),
    reply_to: m.reply_to ? String(m.reply_to) : null,
    recalled: m.recalled === true,
    created_at: num(m.created_at),
  };
  // Absent (an event's copy) is not the same as none: merging keeps what is known.
  if (m.reactions !== undefined) out.reactions = normReactions(m.reactions);
  else delete out.reactions;
  return out;
}

export function normConversation(c: ConversationView): ConversationView {
  const kind = c.kind === 'group' || c.kind === 'app' ? c.kind : 'direct';
  return {
    ...c,
    id: String(c.id ?? ''),
    kind,
    name: String(c.name ?? ''),
    peer: c.peer ? String(c.peer) : null,
    owner: String(c.owner ?? ''),
    announcement: String(c.announcement ?? ''),
    avatar: typeof c.avatar === 'string' ? c.avatar : '',
    member_count: num(c.member_count),
    member_limit: num(c.member_limit),
    my_role: role(c.my_role),
    last_seq: num(c.last_seq),
    read_seq: num(c.read_seq),
    unread: num(c.unread),
    pinned: c.pinned === true,
    muted: c.muted === true,
    last_message: isRecord(c.last_message) ? normMessage(c.last_message as unknown as MessageView) : null,
    updated_at: num(c.updated_at),
  };
}

const normMemberView = (m: ConversationMemberView): ConversationMemberView => ({
  userid: String(m.userid ?? ''),
  role: role(m.role),
  read_seq: num(m.read_seq),
});

const normRobot = (r: RobotView): RobotView => ({
  key_hint: String(r.key_hint ?? ''),
  name: String(r.name ?? ''),
  created_at: num(r.created_at),
});

const conv = '/api/v1/conversations';

export const chat = {
  list: () =>
    call<{ conversations: ConversationView[] }>('GET', conv).then((r) => (r.conversations ?? []).map(normConversation)),
  openDirect: (userid: string) =>
    call<ConversationView>('POST', conv, { body: { kind: 'direct', userid } }).then(normConversation),
  createGroup: (name: string, members: string[]) =>
    call<ConversationView>('POST', conv, { body: { kind: 'group', name, members } }).then(normConversation),
  get: (id: string) =>
    call<ConversationDetail>('GET', `${conv}/${enc(id)}`).then(
      (r): ConversationDetail => ({
        conversation: normConversation(r.conversation),
        members: (r.members ?? []).map(normMemberView),
        robots: (r.robots ?? []).map(normRobot),
      }),
    ),
  update: (id: string, body: ConversationPatch) =>
    call<ConversationView>('PATCH', `${conv}/${enc(id)}`, { body }).then(normConversation),
  leave: (id: string) => call<void>('POST', `${conv}/${enc(id)}/leave`),
  setPrefs: (id: string, prefs: { pinned: boolean; muted: boolean }) =>
    call<ConversationView>('PUT', `${conv}/${enc(id)}/prefs`, { body: prefs }).then(normConversation),
  messages: (id: string, before: number | null, limit = 50) =>
    call<{ messages: MessageView[]; has_more: boolean }>('GET', `${conv}/${enc(id)}/messages${query({ before, limit })}`).then(
      (r) => ({ messages: (r.messages ?? []).map(normMessage), has_more: r.has_more === true }),
    ),
  send: (id: string, body: NewMessage) =>
    call<MessageView>('POST', `${conv}/${enc(id)}/messages`, { body }).then(normMessage),
  read: (id: string, seq: number) =>
    call<{ read_seq: number }>('POST', `${conv}/${enc(id)}/read`, { body: { seq } }).then((r) => ({ read_seq: num(r?.read_seq, seq) })),
  receipts: (messageId: string) =>
    call<Receipts>('GET', `/api/v1/messages/${enc(messageId)}/receipts`).then((r) => ({ read: strs(r.read), unread: strs(r.unread) })),
  recall: (messageId: string) => call<MessageView>('POST', `/api/v1/messages/${enc(messageId)}/recall`).then(normMessage),
  /** One message of a conversation I am in (a quote older than the loaded pages). */
  message: (messageId: string) => call<MessageView>('GET', `/api/v1/messages/${enc(messageId)}`).then(normMessage),
  /** Toggles my emoji; the answer is the message's whole tally. */
  react: (messageId: string, emoji: string) =>
    call<{ reactions: Reaction[] }>('POST', `/api/v1/messages/${enc(messageId)}/reactions`, { body: { emoji } }).then((r) =>
      normReactions(r?.reactions),
    ),
  /** Enabled apps' names, to name `app:AGENTID` senders. */
  apps: () =>
    call<{ apps: AppName[] }>('GET', '/api/v1/apps').then((r) =>
      (r.apps ?? []).map((a) => ({ agentid: num(a.agentid), name: String(a.name ?? '') })),
    ),
  forward: (messageIds: string[], to: string, merged = false) =>
    call<{ messages: MessageView[] }>('POST', '/api/v1/messages/forward', { body: { message_ids: messageIds, to, merged } }).then(
      (r) => ({ messages: (r.messages ?? []).map(normMessage) }),
    ),
  addRobot: (id: string, name: string) =>
    call<NewRobot>('POST', `${conv}/${enc(id)}/robots`, { body: { name } }).then((r) => ({
      key: String(r.key ?? ''),
      webhook_url: String(r.webhook_url ?? ''),
      name: String(r.name ?? name),
    })),
  deleteRobot: (id: string, keyHint: string) => call<void>('DELETE', `${conv}/${enc(id)}/robots/${enc(keyHint)}`),
};

/** Filters of GET /search/messages; unset ones are left out of the query. */
export interface MessageSearch {
  q: string;
  conversation?: string | null;
  sender?: string | null;
  from?: number | null;
  to?: number | null;
  hasFile?: boolean;
  limit?: number;
}

/** A hit: the message and its text with matched words in `<b>` (HTML-escaped by the server). */
export interface MessageHit {
  message: MessageView;
  highlight: string;
}

/** The hits, and whether the server's index is still reading older messages (`partial`). */
export interface MessageSearchAnswer {
  hits: MessageHit[];
  partial: boolean;
}

export const searchMessages = (f: MessageSearch): Promise<MessageSearchAnswer> =>
  call<{ results: MessageHit[]; partial?: boolean }>(
    'GET',
    `/api/v1/search/messages${query({
      q: f.q,
      conversation: f.conversation,
      sender: f.sender,
      from: f.from,
      to: f.to,
      has_file: f.hasFile ? 'true' : null,
      limit: f.limit,
    })}`,
  ).then((r) => ({
    hits: (r.results ?? [])
      .filter((x) => isRecord(x) && isRecord(x.message))
      .map((x) => ({ message: normMessage(x.message), highlight: String(x.highlight ?? '') })),
    partial: r.partial === true,
  }));

// ---- Messaging administration: retention, sensitive words ----

const action = (v: unknown): WordAction => (v === 'mask' || v === 'warn' ? v : 'block');

export const messagingAdmin = {
  settings: () =>
    call<MessagingSettings>('GET', '/api/v1/admin/messaging').then((r) => ({ retention_days: num(r.retention_days, 180) })),
  saveSettings: (body: MessagingSettings) =>
    call<MessagingSettings>('PUT', '/api/v1/admin/messaging', { body }).then((r) => ({ retention_days: num(r?.retention_days, body.retention_days) })),
  words: () =>
    call<{ words: SensitiveWord[] }>('GET', '/api/v1/admin/sensitive-words').then((r) =>
      (r.words ?? []).map((w) => ({ word: String(w.word ?? ''), action: action(w.action) })),
    ),
  saveWords: (words: SensitiveWord[]) =>
    call<{ count: number }>('PUT', '/api/v1/admin/sensitive-words', { body: { words } }).then((r) => num(r?.count, words.length)),
  /** The file as it is (UTF-8 text); lines without an action get `defaultAction`. Replaces the list. */
  importWords: (file: Blob, defaultAction: WordAction) =>
    call<{ count: number }>('POST', `/api/v1/admin/sensitive-words/import${query({ action: defaultAction })}`, {
      raw: file,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    }).then((r) => num(r?.count)),
};

// ---- Admin roles and permissions (docs/api-roles.md) ----

const scope = (v: unknown): RoleScope => (v === 'required' || v === 'optional' ? v : 'none');

const normHolder = (h: RoleHolder): RoleHolder => ({
  userid: String(h.userid ?? ''),
  name: String(h.name ?? ''),
  departments: ids(h.departments),
});

export function normRole(r: Role): Role {
  return {
    id: String(r.id ?? ''),
    builtin: r.builtin === true,
    name: String(r.name ?? ''),
    description: String(r.description ?? ''),
    scoped: scope(r.scoped),
    permissions: strs(r.permissions),
    holders: Array.isArray(r.holders) ? r.holders.filter(isRecord).map((h) => normHolder(h as unknown as RoleHolder)) : [],
  };
}

const rolesPath = '/api/v1/admin/roles';

export const roles = {
  catalogue: () =>
    call<PermissionCatalogue>('GET', '/api/v1/admin/permissions').then(
      (r): PermissionCatalogue => ({
        areas: (r.areas ?? []).filter(isRecord).map(
          (a): PermissionArea => ({ id: String(a.id ?? ''), zh: String(a.zh ?? a.id ?? ''), en: String(a.en ?? a.id ?? '') }),
        ),
        permissions: (r.permissions ?? []).filter(isRecord).map(
          (p): Permission => ({
            key: String(p.key ?? ''),
            area: String(p.area ?? String(p.key ?? '').split('.')[0]),
            zh: String(p.zh ?? p.key ?? ''),
            en: String(p.en ?? p.key ?? ''),
          }),
        ),
      }),
    ),
  list: () => call<{ roles: Role[] }>('GET', rolesPath).then((r) => (r.roles ?? []).filter(isRecord).map(normRole)),
  create: (body: RoleInput) => call<Role>('POST', rolesPath, { body }).then(normRole),
  update: (id: string, body: Partial<RoleInput>) => call<Role>('PATCH', `${rolesPath}/${enc(id)}`, { body }).then(normRole),
  remove: (id: string) => call<void>('DELETE', `${rolesPath}/${enc(id)}`),
  /** Grants the role, or changes the holder's scope (`[]` = the whole company). */
  setHolder: (id: string, userid: string, departments: number[]) =>
    call<RoleHolder>('PUT', `${rolesPath}/${enc(id)}/holders/${enc(userid)}`, { body: { departments } }).then((h) =>
      normHolder(h ?? { userid, name: '', departments }),
    ),
  removeHolder: (id: string, userid: string) => call<void>('DELETE', `${rolesPath}/${enc(id)}/holders/${enc(userid)}`),
};

// ---- Files (docs/api-files.md) ----

export const files = {
  /** My unfinished tus uploads on the server, so another device (or a browser that lost its record) can resume. */
  unfinished: () =>
    call<{ uploads: ServerUpload[] }>('GET', '/api/v1/uploads', { headers: { 'Tus-Resumable': '1.0.0' } }).then((r) =>
      (r.uploads ?? []).filter(isRecord).map(
        (u): ServerUpload => ({
          id: String(u.id ?? ''),
          name: String(u.name ?? ''),
          content_type: String(u.content_type ?? ''),
          length: num(u.length),
          offset: num(u.offset),
          created_at: num(u.created_at),
          expires_at: num(u.expires_at),
          location: String(u.location ?? `/api/v1/uploads/${String(u.id ?? '')}`),
        }),
      ),
    ),
};
