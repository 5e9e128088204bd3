/**
 * Row ↔ type mapping, in one place: what each table's columns hold, how a record becomes a row,
 * and how a row becomes a checked record again. Nothing else in the journal knows column shapes.
 *
 * Secrets stop here: a hardware token is written field by field with its seed replaced by the
 * keyed hash, never by serialising the DesiredState object.
 */
import { FINDINGS, type Finding, type Severity } from '../findings.js';
import type { DefaultMethod, DesiredDevice, DesiredHardwareToken, DesiredPhones, DesiredState, MatchKeys, PhoneType } from '../mapping/desired-state.js';
import type { Secret } from '../secret.js';
import type { HashFunction } from '../source/records.js';
import type {
  EntraAuthenticatorMethod, EntraHardwareOathMethod, EntraPhoneMethod, EntraSignInPreferences, EntraState, EntraUser, MatchAttribute,
} from '../plan/entra-state.js';
import type { Operation, OperationKind, UserPlan } from '../plan/operations.js';
import type { PriorWrite, PriorWrites } from '../plan/prior-writes.js';
import type {
  InputFile, InputRole, JsonObject, OperationResult, RunRecord, RunWriter, StoredDesiredState, StoredHardwareToken, StoredOperation,
  StoredPlanDecisions, StoredUser, UserBaseline, UserRecord,
} from '../run-records.js';
import { isRecord } from '../json-value.js';
import { RowReader } from './row-reader.js';
import { BASELINE_STATUSES, FINAL_USER_STATUSES, MAPPING_STATUSES, OPERATION_STATUSES, PLAN_STATUSES, RUN_COMMANDS, RUN_STATUSES } from './schema.js';

// ─── Columns ──────────────────────────────────────────────────────────────────────────────────

export interface RunRow {
  readonly id: string;
  readonly command: string;
  readonly parent_run_id: string | null;
  readonly status: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly tenant_id: string | null;
  readonly graph_url: string | null;
  readonly options: string;
  readonly inputs: string;
  readonly summary: string | null;
  /** RunWriter as JSON (schema version 2); null when unknown. */
  readonly writer?: string | null;
}

export interface UserRow {
  readonly id: number;
  readonly run_id: string;
  readonly line: number;
  readonly username: string;
  readonly upn: string | null;
  readonly entra_user_id: string | null;
  readonly matched_by: string | null;
  readonly mapping_status: string;
  readonly plan_status: string;
  readonly final_status: string | null;
  readonly desired: string;
  readonly plan: string | null;
  readonly before: string | null;
  readonly issues: string;
  readonly updated_at: string;
  /** Schema version 3: the user's key and fingerprint for sync (SyncIdentity); null on older rows and for repeated usernames. */
  readonly sync_key?: string | null;
  readonly fingerprint?: string | null;
}

export type NewUserRow = Omit<UserRow, 'id' | 'final_status' | 'sync_key' | 'fingerprint'> & { readonly sync_key: string | null; readonly fingerprint: string | null };

/** A user_baselines row (schema version 3). */
export interface BaselineRow {
  readonly graph_url: string;
  readonly tenant_id: string;
  readonly sync_key: string;
  readonly run_id: string;
  readonly username: string;
  readonly upn: string | null;
  readonly entra_user_id: string | null;
  readonly status: string;
  readonly fingerprint: string | null;
  readonly read_at: string | null;
  readonly written: string;
  readonly left_at: string | null;
}

export interface OperationRow {
  readonly id: number;
  readonly run_id: string;
  readonly user_id: number;
  readonly seq: number;
  readonly kind: string;
  readonly target: string;
  readonly payload: string;
  readonly status: string;
  readonly attempts: number;
  readonly request_id: string | null;
  readonly graph_code: string | null;
  readonly error_message: string | null;
  readonly result: string | null;
  readonly reverts_operation_id: number | null;
  readonly sent_at: string | null;
  readonly done_at: string | null;
  readonly app_id: string | null;
}

export type NewOperationRow = Pick<OperationRow, 'run_id' | 'user_id' | 'seq' | 'kind' | 'target' | 'payload' | 'status'>;

// ─── Value tables (every member of each union, so a check cannot miss one) ───────────────────

const PHONE_TYPES: Readonly<Record<PhoneType, true>> = { mobile: true, alternateMobile: true, office: true };
const DEFAULT_METHODS: Readonly<Record<DefaultMethod, true>> = {
  push: true, oath: true, sms: true, voiceMobile: true, voiceAlternateMobile: true, voiceOffice: true,
};
const MATCH_ATTRIBUTES: Readonly<Record<MatchAttribute, true>> = {
  userPrincipalName: true, onPremisesSamAccountName: true, mail: true, onPremisesSecurityIdentifier: true, employeeId: true,
};
const HASH_FUNCTIONS: Readonly<Record<HashFunction, true>> = { hmacsha1: true, hmacsha256: true };
const SEVERITIES: Readonly<Record<Severity, true>> = { error: true, warning: true, notice: true };
const DEVICE_STATUSES: Readonly<Record<DesiredDevice['status'], true>> = { kept: true, dropped: true };
const DEVICE_REGISTRATIONS: Readonly<Record<DesiredDevice['registration'], true>> = {
  unknown: true, present: true, reregistrationRequired: true,
};
const INPUT_ROLES: Readonly<Record<InputRole, true>> = { users: true, devices: true, tokens: true, columns: true, only: true };
/** Which payload shape each kind carries. */
const OPERATION_KINDS: Readonly<Record<OperationKind, 'phone' | 'preferred' | 'hardwareToken'>> = {
  createPhone: 'phone',
  updatePhone: 'phone',
  phoneConflict: 'phone',
  setPreferredMethod: 'preferred',
  createHardwareToken: 'hardwareToken',
  assignHardwareToken: 'hardwareToken',
  activateHardwareToken: 'hardwareToken',
  hardwareTokenConflict: 'hardwareToken',
  deletePhone: 'phone',
  unassignHardwareToken: 'hardwareToken',
  deactivateHardwareToken: 'hardwareToken',
  deleteHardwareToken: 'hardwareToken',
};

export const iso = (ms: number): string => new Date(ms).toISOString();

/** JSON.parse yields only JSON values, so an object from it is a JsonObject. */
function isJsonObject(value: unknown): value is JsonObject {
  return isRecord(value);
}

// ─── Writing ──────────────────────────────────────────────────────────────────────────────────

/** A desired state as the journal stores it: without issues (kept on the user), each seed replaced by its fingerprint. */
export function storedDesired(desired: DesiredState, seedFingerprint: (seed: Secret) => string): StoredDesiredState {
  return {
    username: desired.username,
    upn: desired.upn,
    displayName: desired.displayName,
    file: desired.file,
    line: desired.line,
    status: desired.status,
    phones: desired.phones,
    requestedDefaultMethod: desired.requestedDefaultMethod,
    defaultMethod: desired.defaultMethod,
    devices: desired.devices,
    hardwareTokens: desired.hardwareTokens.map((token) => storedHardwareToken(token, seedFingerprint(token.secretKey))),
    matchKeys: desired.matchKeys,
  };
}

/** A hardware token as the journal stores it: the seed replaced by its fingerprint. */
export function storedHardwareToken(token: DesiredHardwareToken, seedFingerprint: string): StoredHardwareToken {
  return {
    serialNumber: token.serialNumber,
    seedFingerprint,
    timeIntervalInSeconds: token.timeIntervalInSeconds,
    hashFunction: token.hashFunction,
    manufacturer: token.manufacturer,
    model: token.model,
    file: token.file,
    line: token.line,
  };
}

function isUserPlan(plan: UserRecord['plan']): plan is UserPlan {
  return 'operations' in plan;
}

export function userRow(runId: string, record: UserRecord, updatedAt: string, seedFingerprint: (seed: Secret) => string): NewUserRow {
  const { desired, before, plan } = record;
  const decisions: StoredPlanDecisions | null = isUserPlan(plan) ? { defaultMethod: plan.defaultMethod, devices: plan.devices } : null;
  return {
    run_id: runId,
    line: desired.line,
    username: desired.username,
    upn: desired.upn,
    entra_user_id: before?.user.id ?? null,
    matched_by: before?.user.matchedBy ?? null,
    mapping_status: desired.status,
    plan_status: plan.status,
    desired: JSON.stringify(storedDesired(desired, seedFingerprint)),
    plan: decisions === null ? null : JSON.stringify(decisions),
    before: before === null ? null : JSON.stringify(before),
    issues: JSON.stringify(record.issues),
    updated_at: updatedAt,
    sync_key: record.sync?.key ?? null,
    fingerprint: record.sync?.fingerprint ?? null,
  };
}

export function operationsOf(record: UserRecord): readonly Operation[] {
  return isUserPlan(record.plan) ? record.plan.operations : [];
}

/** The kind-specific fields; kind, target and status have their own columns. */
export function operationPayload(operation: Operation): string {
  switch (operation.kind) {
    case 'createPhone':
    case 'updatePhone':
    case 'phoneConflict':
    case 'deletePhone':
      // previousPhoneNumber is what rollback restores for an updatePhone.
      return JSON.stringify({ phoneNumber: operation.phoneNumber, previousPhoneNumber: operation.previousPhoneNumber });
    case 'setPreferredMethod':
      return JSON.stringify({ previous: operation.previous });
    case 'createHardwareToken':
    case 'assignHardwareToken':
    case 'activateHardwareToken':
    case 'hardwareTokenConflict':
    case 'unassignHardwareToken':
    case 'deactivateHardwareToken':
    case 'deleteHardwareToken':
      return JSON.stringify({ deviceId: operation.deviceId, ...(operation.methodId == null ? {} : { methodId: operation.methodId }) });
  }
}

// ─── Reading ──────────────────────────────────────────────────────────────────────────────────

export function runFromRow(row: RunRow, journalPath: string): RunRecord {
  const read = new RowReader(journalPath, `runs row ${row.id}`);
  const options = read.json(row.options, 'options');
  const summary = row.summary === null ? null : read.json(row.summary, 'summary');
  return {
    id: row.id,
    command: read.oneOf(row.command, RUN_COMMANDS, 'command'),
    parentRunId: row.parent_run_id,
    status: read.oneOf(row.status, RUN_STATUSES, 'status'),
    startedAt: read.date(row.started_at, 'started_at'),
    finishedAt: read.nullableDate(row.finished_at, 'finished_at'),
    tenantId: row.tenant_id,
    graphUrl: row.graph_url,
    options: isJsonObject(options) ? options : read.fail('options', 'an object'),
    inputs: read.array(read.json(row.inputs, 'inputs'), 'inputs', (value, at) => inputFile(read, value, at)),
    summary: summary === null || isJsonObject(summary) ? summary : read.fail('summary', 'an object or null'),
    ...(row.writer == null ? {} : { writer: runWriter(read, read.json(row.writer, 'writer')) }),
  };
}

function runWriter(read: RowReader, value: unknown): RunWriter {
  const writer = read.object(value, 'writer');
  const { pid, host, commandLine } = writer;
  if (typeof pid !== 'number' || !Number.isInteger(pid)) return read.fail('writer.pid', 'a process id');
  if (typeof host !== 'string') return read.fail('writer.host', 'a host name');
  if (commandLine !== null && typeof commandLine !== 'string') return read.fail('writer.commandLine', 'a command line or null');
  return { pid, host, commandLine };
}

function inputFile(read: RowReader, value: unknown, at: string): InputFile {
  const file = read.object(value, at);
  return {
    role: read.oneOf(file['role'], INPUT_ROLES, `${at}.role`),
    path: read.string(file['path'], `${at}.path`),
    size: read.integer(file['size'], `${at}.size`),
    mtime: read.string(file['mtime'], `${at}.mtime`),
    sha256: read.string(file['sha256'], `${at}.sha256`),
  };
}

export function userFromRow(row: UserRow, operations: readonly StoredOperation[], journalPath: string): StoredUser {
  const read = new RowReader(journalPath, `users row ${row.id}`);
  const plan = row.plan === null ? null : planDecisions(read, read.json(row.plan, 'plan'), 'plan');
  return {
    id: row.id,
    runId: row.run_id,
    line: row.line,
    username: row.username,
    upn: row.upn,
    entraUserId: row.entra_user_id,
    matchedBy: read.nullableOneOf(row.matched_by, MATCH_ATTRIBUTES, 'matched_by'),
    mappingStatus: read.oneOf(row.mapping_status, MAPPING_STATUSES, 'mapping_status'),
    planStatus: read.oneOf(row.plan_status, PLAN_STATUSES, 'plan_status'),
    finalStatus: read.nullableOneOf(row.final_status, FINAL_USER_STATUSES, 'final_status'),
    desired: desiredState(read, read.json(row.desired, 'desired'), 'desired'),
    plan,
    before: row.before === null ? null : entraState(read, read.json(row.before, 'before'), 'before'),
    issues: read.array(read.json(row.issues, 'issues'), 'issues', (value, at) => issue(read, value, at)),
    operations,
    updatedAt: read.date(row.updated_at, 'updated_at'),
  };
}

function desiredState(read: RowReader, value: unknown, at: string): StoredDesiredState {
  const state = read.object(value, at);
  const phones = read.object(state['phones'], `${at}.phones`);
  const keys = read.object(state['matchKeys'], `${at}.matchKeys`);
  const desiredPhones: DesiredPhones = {
    mobile: read.nullableString(phones['mobile'], `${at}.phones.mobile`),
    alternateMobile: read.nullableString(phones['alternateMobile'], `${at}.phones.alternateMobile`),
    office: read.nullableString(phones['office'], `${at}.phones.office`),
  };
  const matchKeys: MatchKeys = {
    samAccountName: read.nullableString(keys['samAccountName'], `${at}.matchKeys.samAccountName`),
    email: read.nullableString(keys['email'], `${at}.matchKeys.email`),
    sid: read.nullableString(keys['sid'], `${at}.matchKeys.sid`),
    objectGuid: read.nullableString(keys['objectGuid'], `${at}.matchKeys.objectGuid`),
  };
  return {
    username: read.string(state['username'], `${at}.username`),
    upn: read.nullableString(state['upn'], `${at}.upn`),
    // Journals written before the reports showed names hold none.
    displayName: state['displayName'] === undefined ? null : read.nullableString(state['displayName'], `${at}.displayName`),
    file: read.string(state['file'], `${at}.file`),
    line: read.integer(state['line'], `${at}.line`),
    status: read.oneOf(state['status'], MAPPING_STATUSES, `${at}.status`),
    phones: desiredPhones,
    requestedDefaultMethod: read.nullableOneOf(state['requestedDefaultMethod'], DEFAULT_METHODS, `${at}.requestedDefaultMethod`),
    defaultMethod: read.nullableOneOf(state['defaultMethod'], DEFAULT_METHODS, `${at}.defaultMethod`),
    devices: read.array(state['devices'], `${at}.devices`, (device, path) => desiredDevice(read, device, path)),
    hardwareTokens: read.array(state['hardwareTokens'], `${at}.hardwareTokens`, (token, path) => hardwareToken(read, token, path)),
    matchKeys,
  };
}

function desiredDevice(read: RowReader, value: unknown, at: string): DesiredDevice {
  const device = read.object(value, at);
  return {
    name: read.string(device['name'], `${at}.name`),
    status: read.oneOf(device['status'], DEVICE_STATUSES, `${at}.status`),
    registration: read.oneOf(device['registration'], DEVICE_REGISTRATIONS, `${at}.registration`),
    lastUsedAt: read.nullableDate(device['lastUsedAt'], `${at}.lastUsedAt`),
    line: read.integer(device['line'], `${at}.line`),
  };
}

function hardwareToken(read: RowReader, value: unknown, at: string): StoredHardwareToken {
  const token = read.object(value, at);
  const interval = read.integer(token['timeIntervalInSeconds'], `${at}.timeIntervalInSeconds`);
  return {
    serialNumber: read.string(token['serialNumber'], `${at}.serialNumber`),
    seedFingerprint: read.string(token['seedFingerprint'], `${at}.seedFingerprint`),
    timeIntervalInSeconds: interval === 30 || interval === 60 ? interval : read.fail(`${at}.timeIntervalInSeconds`, '30 or 60'),
    hashFunction: read.oneOf(token['hashFunction'], HASH_FUNCTIONS, `${at}.hashFunction`),
    manufacturer: read.nullableString(token['manufacturer'], `${at}.manufacturer`),
    model: read.nullableString(token['model'], `${at}.model`),
    file: read.string(token['file'], `${at}.file`),
    line: read.integer(token['line'], `${at}.line`),
  };
}

function planDecisions(read: RowReader, value: unknown, at: string): StoredPlanDecisions {
  const plan = read.object(value, at);
  return {
    defaultMethod: read.nullableOneOf(plan['defaultMethod'], DEFAULT_METHODS, `${at}.defaultMethod`),
    devices: read.array(plan['devices'], `${at}.devices`, (device, path) => desiredDevice(read, device, path)),
  };
}

function issue(read: RowReader, value: unknown, at: string): Finding {
  const found = read.object(value, at);
  return {
    code: read.oneOf(found['code'], FINDINGS, `${at}.code`),
    severity: read.oneOf(found['severity'], SEVERITIES, `${at}.severity`),
    file: read.string(found['file'], `${at}.file`),
    line: read.integer(found['line'], `${at}.line`),
    message: read.string(found['message'], `${at}.message`),
  };
}

function entraState(read: RowReader, value: unknown, at: string): EntraState {
  const state = read.object(value, at);
  const user = read.object(state['user'], `${at}.user`);
  const entraUser: EntraUser = {
    id: read.string(user['id'], `${at}.user.id`),
    userPrincipalName: read.string(user['userPrincipalName'], `${at}.user.userPrincipalName`),
    displayName: read.nullableString(user['displayName'], `${at}.user.displayName`),
    accountEnabled: read.nullableBoolean(user['accountEnabled'], `${at}.user.accountEnabled`),
    matchedBy: read.oneOf(user['matchedBy'], MATCH_ATTRIBUTES, `${at}.user.matchedBy`),
  };
  const preferences = state['signInPreferences'];
  let signInPreferences: EntraSignInPreferences | null = null;
  if (preferences !== null) {
    const path = `${at}.signInPreferences`;
    const stored = read.object(preferences, path);
    signInPreferences = {
      userPreferredMethodForSecondaryAuthentication: read.nullableString(
        stored['userPreferredMethodForSecondaryAuthentication'],
        `${path}.userPreferredMethodForSecondaryAuthentication`,
      ),
      isSystemPreferredAuthenticationMethodEnabled: read.nullableBoolean(
        stored['isSystemPreferredAuthenticationMethodEnabled'],
        `${path}.isSystemPreferredAuthenticationMethodEnabled`,
      ),
    };
  }
  return {
    user: entraUser,
    phones: read.array(state['phones'], `${at}.phones`, (item, path): EntraPhoneMethod => {
      const phone = read.object(item, path);
      return {
        id: read.string(phone['id'], `${path}.id`),
        phoneType: read.oneOf(phone['phoneType'], PHONE_TYPES, `${path}.phoneType`),
        phoneNumber: read.string(phone['phoneNumber'], `${path}.phoneNumber`),
        smsSignInState: read.nullableString(phone['smsSignInState'], `${path}.smsSignInState`),
      };
    }),
    authenticators: read.array(state['authenticators'], `${at}.authenticators`, (item, path): EntraAuthenticatorMethod => {
      const method = read.object(item, path);
      return {
        id: read.string(method['id'], `${path}.id`),
        displayName: read.nullableString(method['displayName'], `${path}.displayName`),
        deviceTag: read.nullableString(method['deviceTag'], `${path}.deviceTag`),
        phoneAppVersion: read.nullableString(method['phoneAppVersion'], `${path}.phoneAppVersion`),
        createdDateTime: read.nullableString(method['createdDateTime'], `${path}.createdDateTime`),
      };
    }),
    softwareOath: read.array(state['softwareOath'], `${at}.softwareOath`, (item, path) => ({
      id: read.string(read.object(item, path)['id'], `${path}.id`),
    })),
    hardwareOath: read.array(state['hardwareOath'], `${at}.hardwareOath`, (item, path): EntraHardwareOathMethod => {
      const method = read.object(item, path);
      return {
        id: read.string(method['id'], `${path}.id`),
        serialNumber: read.nullableString(method['serialNumber'], `${path}.serialNumber`),
        status: read.nullableString(method['status'], `${path}.status`),
      };
    }),
    signInPreferences,
  };
}

export function operationFromRow(row: OperationRow, journalPath: string): StoredOperation {
  const read = new RowReader(journalPath, `operations row ${row.id}`);
  const kind = read.oneOf(row.kind, OPERATION_KINDS, 'kind');
  const status = read.oneOf(row.status, OPERATION_STATUSES, 'status');
  const payload = read.object(read.json(row.payload, 'payload'), 'payload');
  const result = row.result === null ? null : operationResult(read, read.json(row.result, 'result'));
  const progress = {
    id: row.id,
    runId: row.run_id,
    userId: row.user_id,
    seq: row.seq,
    attempts: row.attempts,
    requestId: row.request_id,
    graphCode: row.graph_code,
    errorMessage: row.error_message,
    result,
    revertsOperationId: row.reverts_operation_id,
    sentAt: read.nullableDate(row.sent_at, 'sent_at'),
    doneAt: read.nullableDate(row.done_at, 'done_at'),
    appId: row.app_id,
  };
  switch (kind) {
    case 'createPhone':
    case 'updatePhone':
    case 'phoneConflict':
    case 'deletePhone':
      return {
        kind,
        target: read.oneOf(row.target, PHONE_TYPES, 'target'),
        status,
        phoneNumber: read.string(payload['phoneNumber'], 'payload.phoneNumber'),
        previousPhoneNumber: read.nullableString(payload['previousPhoneNumber'], 'payload.previousPhoneNumber'),
        ...progress,
      };
    case 'setPreferredMethod':
      return {
        kind,
        target: read.oneOf(row.target, DEFAULT_METHODS, 'target'),
        status,
        previous: read.nullableString(payload['previous'], 'payload.previous'),
        ...progress,
      };
    case 'createHardwareToken':
    case 'assignHardwareToken':
    case 'activateHardwareToken':
    case 'hardwareTokenConflict':
    case 'unassignHardwareToken':
    case 'deactivateHardwareToken':
    case 'deleteHardwareToken':
      return {
        kind,
        target: row.target,
        status,
        deviceId: read.nullableString(payload['deviceId'], 'payload.deviceId'),
        // Older journals have no methodId: apply then takes the id the assign answered.
        ...(payload['methodId'] === undefined ? {} : { methodId: read.nullableString(payload['methodId'], 'payload.methodId') }),
        ...progress,
      };
  }
}

function operationResult(read: RowReader, value: unknown): OperationResult {
  const result = read.object(value, 'result');
  return { resourceId: read.nullableString(result['resourceId'], 'result.resourceId') };
}

export function baselineFromRow(row: BaselineRow, journalPath: string): UserBaseline {
  const read = new RowReader(journalPath, `user_baselines row ${row.sync_key}`);
  return {
    syncKey: row.sync_key,
    runId: row.run_id,
    username: row.username,
    upn: row.upn,
    entraUserId: row.entra_user_id,
    status: read.oneOf(row.status, BASELINE_STATUSES, 'status'),
    fingerprint: row.fingerprint,
    readAt: read.nullableDate(row.read_at, 'read_at'),
    leftAt: read.nullableDate(row.left_at, 'left_at'),
  };
}

/** The `written` column: `{"phones": {"mobile": {"value", "runId"}…}, "defaultMethod": {"value", "runId"}}`, each part optional. */
export function priorWritesFromJson(text: string, journalPath: string, at: string): PriorWrites {
  const read = new RowReader(journalPath, `user_baselines row ${at}`);
  const written = read.object(read.json(text, 'written'), 'written');
  const entry = (value: unknown, path: string): PriorWrite<string> => {
    const object = read.object(value, path);
    return { value: read.string(object['value'], `${path}.value`), runId: read.string(object['runId'], `${path}.runId`) };
  };
  const phonesValue = written['phones'];
  const phones: Partial<Record<PhoneType, PriorWrite<string>>> = {};
  if (phonesValue !== undefined) {
    const object = read.object(phonesValue, 'written.phones');
    for (const type of Object.keys(PHONE_TYPES) as PhoneType[]) {
      if (object[type] !== undefined) phones[type] = entry(object[type], `written.phones.${type}`);
    }
  }
  const preferred = written['defaultMethod'];
  let defaultMethod: PriorWrites['defaultMethod'] = null;
  if (preferred !== undefined && preferred !== null) {
    const value = entry(preferred, 'written.defaultMethod');
    defaultMethod = { value: read.oneOf(value.value, DEFAULT_METHODS, 'written.defaultMethod.value'), runId: value.runId };
  }
  return { phones, defaultMethod };
}
