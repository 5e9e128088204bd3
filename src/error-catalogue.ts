/**
 * Every error code mfa-migrate stops a command with: its exit code, the cause in a sentence and
 * the remedy support can act on. docs/troubleshooting.md holds these rows word for word (a test
 * compares them), so a code cannot be raised without its entry, nor documented with another exit
 * code than it ends with. The message and remedy of one error say more, for that case.
 */
import { ExitCode } from './exit-codes.js';

export interface ErrorEntry {
  readonly exitCode: ExitCode;
  readonly cause: string;
  readonly remedy: string;
}

export const ERRORS = {
  USAGE: {
    exitCode: ExitCode.usage,
    cause: 'An unknown option, a missing option value or a missing required option.',
    remedy: 'Run the command with `--help` and correct the command line.',
  },
  OPTION_INVALID: {
    exitCode: ExitCode.usage,
    cause: 'An option value is malformed (`--default-country-code` not 1–3 digits, `--upn-suffix` not a domain, `--tenant-id` / `--client-id` not a GUID or domain, `--graph-url` not a URL, or plain http to a host that is not this machine), or options that exclude each other were given (`--app-pool` with `--auth` or `--client-id`; `--tenant-write-budget` without `--app-pool`).',
    remedy: 'Correct the value as the message shows.',
  },
  INTERNAL: {
    exitCode: ExitCode.internal,
    cause: 'A bug in mfa-migrate.',
    remedy: 'Run again with `--log-level debug` and report the output (it holds no secrets).',
  },
  CSV_FILE_NOT_FOUND: {
    exitCode: ExitCode.input,
    cause: 'The export file named on the command line does not exist.',
    remedy: 'Check the path (relative to the current folder).',
  },
  CSV_NOT_A_FILE: {
    exitCode: ExitCode.input,
    cause: 'The path is a folder.',
    remedy: 'Give the path of the CSV file inside it.',
  },
  CSV_UNREADABLE: {
    exitCode: ExitCode.input,
    cause: 'The file cannot be read (permissions, I/O error), or the CSV is broken from a given line on.',
    remedy: 'Check the account may read the file; open it at the line named and correct it.',
  },
  CSV_EMPTY: {
    exitCode: ExitCode.input,
    cause: 'The file has no header row at all (0 bytes or only blank lines).',
    remedy: 'Export again from MFA Server and check the export finished. A header with no rows is the finding `FILE_EMPTY` instead.',
  },
  CSV_ENCODING: {
    exitCode: ExitCode.input,
    cause: 'The header is not readable text in the encoding used — typically UTF-16 without a byte-order mark, or Windows-1252 read as UTF-8.',
    remedy: 'Re-run with `--encoding utf16le` or `--encoding windows1252`, or save the export as UTF-8.',
  },
  CSV_MISSING_COLUMN: {
    exitCode: ExitCode.input,
    cause: 'A required column (e.g. `Username`) is not in the header under any accepted name.',
    remedy: 'Rename the header to an accepted name (the message lists them) or map it with `--columns map.json`.',
  },
  CSV_NO_METHOD_COLUMNS: {
    exitCode: ExitCode.input,
    cause: 'The users file has none of the columns a method is made from (primary phone, backup phone, method, OATH token serial): every user would have nothing to migrate.',
    remedy: 'Export the users again from MFA Server (File > Export Users), or map your headers with `--columns map.json`.',
  },
  CSV_MAPPED_COLUMN_MISSING: {
    exitCode: ExitCode.input,
    cause: '`--columns` maps a field to a header the file does not have.',
    remedy: 'Correct the header text in the map, or qualify the key with its file (`devices.username`).',
  },
  CSV_QUOTE_NOT_CLOSED: {
    exitCode: ExitCode.input,
    cause: 'A quoted field is never closed, so the rest of the file cannot be split into rows.',
    remedy: 'Open the file at the line named, close the quote, run again.',
  },
  CSV_ROW_TOO_LARGE: {
    exitCode: ExitCode.input,
    cause: 'One row is longer than the limit, which only happens when a quote is never closed.',
    remedy: 'As `CSV_QUOTE_NOT_CLOSED`.',
  },
  COLUMN_MAP_NOT_FOUND: {
    exitCode: ExitCode.input,
    cause: 'The `--columns` file does not exist.',
    remedy: 'Check the path.',
  },
  COLUMN_MAP_UNREADABLE: {
    exitCode: ExitCode.input,
    cause: 'The `--columns` file cannot be read.',
    remedy: 'Check the account may read it.',
  },
  COLUMN_MAP_INVALID: {
    exitCode: ExitCode.input,
    cause: 'The `--columns` file is not a JSON object of field name to header text, or names an unknown field.',
    remedy: 'Write it as `{"phone": "Mobile Number"}`; the message lists the known fields.',
  },
  EMULATOR_SEED_UNREADABLE: {
    exitCode: ExitCode.input,
    cause: 'The `--tenant` seed file cannot be read.',
    remedy: 'Check the path; `fixtures/tenant.json` is the sample.',
  },
  EMULATOR_SEED_INVALID: {
    exitCode: ExitCode.input,
    cause: 'The tenant seed does not match `schemas/emulator-tenant.schema.json`; the message names the JSON path.',
    remedy: 'Correct the seed at that path.',
  },
  EMULATOR_THROTTLE_INVALID: {
    exitCode: ExitCode.usage,
    cause: '`--throttle` is not `realistic`, `off` or a `.json` file.',
    remedy: 'Use `--throttle realistic`, `--throttle off`, or `--throttle my-limits.json`.',
  },
  EMULATOR_THROTTLE_FILE_INVALID: {
    exitCode: ExitCode.input,
    cause: 'The `--throttle` file is not valid JSON, or holds a key or value the emulator does not know.',
    remedy: 'Write it as a JSON object of known limits, e.g. `{"timeScale": 0.1, "writesPerWindow": 300}`; unknown keys are refused so a typo cannot silently keep the realistic limit.',
  },
  EMULATOR_THROTTLE_UNREADABLE: {
    exitCode: ExitCode.input,
    cause: 'The `--throttle` file cannot be read.',
    remedy: 'Check the path.',
  },
  EMULATOR_FAULTS_INVALID: {
    exitCode: ExitCode.usage,
    cause: '`--faults` is not a valid spec.',
    remedy: 'Write it as the message shows, e.g. `5xx=0.05,drop=0.01,seed=7`.',
  },
  EMULATOR_PORT_INVALID: {
    exitCode: ExitCode.usage,
    cause: '`--port` is not 0–65535.',
    remedy: 'Give a port, or 0 for any free port.',
  },
  EMULATOR_PORT_IN_USE: {
    exitCode: ExitCode.usage,
    cause: 'Another process listens on the port.',
    remedy: 'Choose another `--port`, or `--port 0`.',
  },
  JOURNAL_UNREADABLE: {
    exitCode: ExitCode.input,
    cause: 'The `--state` file is not SQLite, belongs to another application, is damaged (including a row whose stored data is malformed), is a folder, or its folder is missing.',
    remedy: 'Check `--state` names an mfa-migrate journal this account can read and write; if damaged, restore a backup or use a new `--state` (old runs can then not be resumed or rolled back).',
  },
  JOURNAL_TOO_NEW: {
    exitCode: ExitCode.input,
    cause: 'The journal was written by a newer mfa-migrate (higher schema version).',
    remedy: 'Run that version or newer, or give another `--state`; the file was not changed.',
  },
  JOURNAL_BUSY: {
    exitCode: ExitCode.input,
    cause: 'Another process held the journal\'s lock for more than 5 s.',
    remedy: 'Wait for the other mfa-migrate (`mfa-migrate status`), or give another `--state`.',
  },
  JOURNAL_WRITE_FAILED: {
    exitCode: ExitCode.input,
    cause: 'The disk is full, the file or folder is read-only, or an I/O error.',
    remedy: 'Free space or fix permissions, then run the same command again; the journal keeps everything up to its last completed step.',
  },
  JOURNAL_NOT_FOUND: {
    exitCode: ExitCode.usage,
    cause: 'A command that reads an existing journal (`report`, `status`, `rollback`) was given a `--state` file that does not exist.',
    remedy: 'Give `--state` the journal plan or apply wrote (default `./mfa-migrate.db` in the folder they ran in).',
  },
  JOURNAL_EMPTY: {
    exitCode: ExitCode.usage,
    cause: 'The journal holds no run yet, and no `--run` was given.',
    remedy: 'Run `mfa-migrate plan` (or `apply`) first, or give the `--state` file your runs were recorded in.',
  },
  RUN_NOT_FOUND: {
    exitCode: ExitCode.usage,
    cause: '`--run` names a run the journal does not hold.',
    remedy: 'Check the id (plan and apply print it) and `--state`; `report` and `status` take the latest run without `--run`.',
  },
  RUN_NOT_RESUMABLE: {
    exitCode: ExitCode.usage,
    cause: '`apply --resume RUN` names an apply run that finished (or failed): there is nothing left to resume.',
    remedy: '`mfa-migrate status --run RUN` shows what it did; run apply again with the exports to write what is still missing (it plans anew).',
  },
  SYNC_UNFINISHED: {
    exitCode: ExitCode.usage,
    cause: 'A sync cycle in this journal did not finish (Ctrl-C, Graph unreachable, a kill) and apply was started, or sync was started against another tenant than the cycle\'s; the cycle\'s planned writes would be sent after the new run had planned the same users.',
    remedy: 'Run sync again against the cycle\'s tenant (`mfa-migrate status --run RUN` shows the command): it finishes the cycle first. Or undo it with `mfa-migrate rollback --run RUN --execute`, which also closes it.',
  },
  RUN_WITHOUT_EXPORTS: {
    exitCode: ExitCode.usage,
    cause: '`apply --plan RUN` / `--resume RUN` without `--users`, but the run recorded no users export (a journal written by an older version).',
    remedy: 'Give the exports with `--users` (and `--devices`, `--tokens`) as for plan.',
  },
  REPORT_WRITE_FAILED: {
    exitCode: ExitCode.input,
    cause: 'A report file or its folder under `--reports` cannot be written: disk full, no permission, read-only file system, or a file where the run\'s folder must go. The journal was not changed.',
    remedy: 'Fix the folder, then `mfa-migrate report --run RUN --state FILE` writes the reports again from the journal (the message has the exact command); for validate, run validate again.',
  },
  PLAN_STALE: {
    exitCode: ExitCode.input,
    cause: 'An export changed (different SHA-256), or was added or dropped, since the plan was made; the message names the file.',
    remedy: 'Run `mfa-migrate plan` again and apply the new plan, or give the exact files the plan was made from.',
  },
  INPUT_UNREADABLE: {
    exitCode: ExitCode.input,
    cause: 'An input file could not be read while computing its fingerprint.',
    remedy: 'Check the path and read permission.',
  },
  APP_POOL_UNREADABLE: {
    exitCode: ExitCode.input,
    cause: 'The `--app-pool` file does not exist or cannot be read.',
    remedy: 'Check the path: a JSON file listing the app registrations (README, "More than one app registration", shows one).',
  },
  APP_POOL_INVALID: {
    exitCode: ExitCode.input,
    cause: 'The `--app-pool` file is not JSON, or not `{"apps": [...]}` with a name, a `clientId` (GUID) and exactly one of `clientSecretVariable` or `certificatePath` per app; an app listed twice; more than 10 apps. The message names the JSON path.',
    remedy: 'Correct the file at that path.',
  },
  APP_POOL_HOLDS_SECRET: {
    exitCode: ExitCode.input,
    cause: 'The `--app-pool` file holds a secret: a property such as `clientSecret` or `password`, a value shaped like a client secret or a private key, or a `clientSecretVariable` that is not a variable\'s name. Nothing was sent.',
    remedy: 'Remove it from the file and rotate the secret in the Entra admin center (the file may have been copied); put the secret in an environment variable and give its NAME as `clientSecretVariable`.',
  },
  ONLY_LIST_NOT_FOUND: {
    exitCode: ExitCode.input,
    cause: 'The `--only` file does not exist.',
    remedy: 'Check the path (one username a line).',
  },
  ONLY_LIST_UNREADABLE: {
    exitCode: ExitCode.input,
    cause: 'The `--only` file cannot be read.',
    remedy: 'Check that it is a file this account may read.',
  },
  ONLY_LIST_EMPTY: {
    exitCode: ExitCode.input,
    cause: 'The `--only` file names no user (only blank lines or `#` comments).',
    remedy: 'Write one username a line, or leave out `--only`.',
  },
  GRAPH_PERMISSION_MISSING: {
    exitCode: ExitCode.auth,
    cause: 'The token lacks a Graph permission the command needs (read from its claims), or Graph answered 403 `Authorization_RequestDenied`. The message names each missing permission, and with `--app-pool` each app that lacks one.',
    remedy: 'Add each permission named to the app registration (Application permissions), grant admin consent, run again. Every app of a pool needs the same permissions.',
  },
  GRAPH_AUTH_FAILED: {
    exitCode: ExitCode.auth,
    cause: 'Sign-in failed (AADSTS7000215 wrong secret, AADSTS7000222 expired secret, AADSTS90002 unknown tenant, AADSTS700016 unknown app, …) or Graph answered 401. The AADSTS code is kept as the Graph code.',
    remedy: 'Follow the fix in the message: new client secret, correct `--tenant-id` / `--client-id`, or `--cloud` for a national cloud.',
  },
  GRAPH_UNREACHABLE: {
    exitCode: ExitCode.interrupted,
    cause: 'No answer from Graph or the sign-in host (connection refused, DNS failure, timeout) after the retries.',
    remedy: 'Check network, proxy, `--graph-url` and `--cloud`, then run the same command again.',
  },
  GRAPH_CERTIFICATE_UNTRUSTED: {
    exitCode: ExitCode.auth,
    cause: 'The certificate Graph or the sign-in host presented is not trusted by Node: a proxy or firewall that inspects TLS shows its own certificate instead of Microsoft\'s.',
    remedy: 'Run with `NODE_EXTRA_CA_CERTS=/path/to/corporate-root.pem` (PowerShell: `$env:NODE_EXTRA_CA_CERTS = \'C:\\certs\\corporate-root.pem\'`), a PEM of your organisation\'s root from your network team, or have the proxy leave graph.microsoft.com and login.microsoftonline.com uninspected.',
  },
  GRAPH_SERVICE_ERROR: {
    exitCode: ExitCode.interrupted,
    cause: 'Graph kept answering 5xx after the retries.',
    remedy: 'Check Microsoft 365 service health, then run the same command again.',
  },
  GRAPH_THROTTLED_TOO_LONG: {
    exitCode: ExitCode.interrupted,
    cause: 'Graph throttled the app for more than 15 minutes in total.',
    remedy: 'Another tool is probably using the same app and tenant — or, with `--app-pool`, the tenant\'s write quota (18,000 per 5 minutes for all apps): stop it or wait, or lower `--tenant-write-budget`, then run the same command again.',
  },
  GRAPH_REQUEST_FAILED: {
    exitCode: ExitCode.internal,
    cause: 'Graph answered an unexpected 4xx.',
    remedy: 'Report it with the request-id in the message.',
  },
  GRAPH_GROUP_NOT_FOUND: {
    exitCode: ExitCode.usage,
    cause: '`--group` matches no group in the tenant.',
    remedy: 'Give the group\'s object ID or exact display name.',
  },
  GRAPH_USER_AMBIGUOUS: {
    exitCode: ExitCode.failedUsers,
    cause: 'More than one Entra user has the `--match-attribute` value of an export row, so none was chosen. It never stops a command: the user is reported with the finding USER_AMBIGUOUS and the run goes on.',
    remedy: 'Give the user\'s UPN in the export, or make the attribute unique in Entra.',
  },
  GRAPH_GROUP_AMBIGUOUS: {
    exitCode: ExitCode.usage,
    cause: '`--group` names several groups with that display name.',
    remedy: 'Give the group\'s object ID.',
  },
  OPTION_MISSING: {
    exitCode: ExitCode.usage,
    cause: '`--auth` needs a tenant, a client ID, `AZURE_CLIENT_SECRET` or `AZURE_CLIENT_CERTIFICATE_PATH` that was not given; or an app of `--app-pool` names an environment variable that is not set, or the pool has no `--tenant-id`.',
    remedy: 'Give the option or set the environment variable the message names.',
  },
  AUTH_EMULATOR_NOT_LOOPBACK: {
    exitCode: ExitCode.usage,
    cause: '`--auth emulator` was given with a `--graph-url` that is not this machine: the development token is only ever sent to loopback.',
    remedy: 'Use `--graph-url http://127.0.0.1:PORT` for the emulator, or a real `--auth` mode for a tenant.',
  },
  JOURNAL_LOCKED: {
    exitCode: ExitCode.usage,
    cause: 'Another `apply` or `rollback` holds the journal (`<state>.lock` names its pid, host and start). A lock left by a process of this machine that no longer runs (crash, SIGKILL) is taken over by itself.',
    remedy: 'Wait for the other run (`mfa-migrate status` shows it). If that process is gone for certain (another machine), delete the `.lock` file and run again; the journal stays consistent.',
  },
  JOURNAL_LOCK_FAILED: {
    exitCode: ExitCode.usage,
    cause: 'The lock file beside the journal cannot be created (no permission, read-only folder).',
    remedy: 'Give `--state` a journal in a folder this account may write to.',
  },
  APPLY_UNFINISHED: {
    exitCode: ExitCode.usage,
    cause: 'An earlier apply in this journal did not finish and was made from other exports, another tenant, or another `--plan` (or sync was started beside it); a new run beside it could undo or repeat its work.',
    remedy: 'Resume it: run apply with the exports it started from (`mfa-migrate status --run RUN` lists them). Or undo it with `mfa-migrate rollback --run RUN --execute`, which also closes it.',
  },
  APPLY_INTERRUPTED: {
    exitCode: ExitCode.interrupted,
    cause: 'Ctrl-C (or SIGTERM) stopped apply: nothing more was sent, and the requests already on the wire were answered and recorded.',
    remedy: 'Run the command printed with the message (the same apply) to resume: writes that were sent are checked in Entra first, then only what is missing is sent.',
  },
  SYNC_INTERRUPTED: {
    exitCode: ExitCode.interrupted,
    cause: 'Ctrl-C (or SIGTERM) stopped a sync cycle while it wrote: nothing more was sent, and the requests already on the wire were answered and recorded.',
    remedy: 'Run the command printed with the message (the same sync): it finishes the interrupted cycle first — writes that were sent are checked in Entra, then only what is missing is sent — and then syncs anew.',
  },
  ROLLBACK_OTHER_TENANT: {
    exitCode: ExitCode.usage,
    cause: '`rollback --run RUN` was given another Graph (`--graph-url`, `--cloud`) or another tenant (`--tenant-id`, or the signed-in token\'s tenant) than the apply run wrote to. Nothing was read or written.',
    remedy: 'Run rollback against the tenant the message names, with that tenant\'s credentials.',
  },
  ROLLBACK_INTERRUPTED: {
    exitCode: ExitCode.interrupted,
    cause: 'Ctrl-C stopped `rollback --execute`: nothing more was sent, and the requests already on the wire were answered and recorded.',
    remedy: 'Run the same rollback command again to resume it.',
  },
  INTERRUPTED: {
    exitCode: ExitCode.interrupted,
    cause: 'Ctrl-C (or SIGTERM) stopped plan, verify, or apply while it was reading (planning, or checking writes in doubt): nothing more was sent to Graph. A plan stopped so is recorded `interrupted`.',
    remedy: 'Run the command printed with the message (the same command) again.',
  },
  PLAN_NOT_FOUND: {
    exitCode: ExitCode.usage,
    cause: '`apply --plan RUN` names no plan run in this journal.',
    remedy: 'Give the id `mfa-migrate plan` printed and the same `--state`, or leave `--plan` out to plan first.',
  },
  PLAN_NOT_FINISHED: {
    exitCode: ExitCode.usage,
    cause: 'The plan given to `apply --plan` stopped before it finished.',
    remedy: 'Run `mfa-migrate plan` again and apply the new plan.',
  },
  PLAN_OTHER_TENANT: {
    exitCode: ExitCode.usage,
    cause: 'The plan was made against another Graph URL or tenant than apply is given now.',
    remedy: 'Apply it against the tenant it was made for, or plan again against this one.',
  },
  PLAN_OPTIONS_DIFFER: {
    exitCode: ExitCode.usage,
    cause: '`apply --plan RUN` was given a policy or source option (`--phone-conflict`, `--default-method`, `--hardware-tokens`, `--group`, …) with another value than the plan was made with; the plan would run with its own. The message names each option, the plan\'s value and the one given.',
    remedy: 'Run `mfa-migrate plan` again with these options and apply that plan, or leave the options out to apply the plan as it was made.',
  },
  TAP_FILE_EXISTS: {
    exitCode: ExitCode.usage,
    cause: '`--tap-for-reregistration FILE` names a file that exists: it may hold passes handed out earlier and is never overwritten.',
    remedy: 'Name a new file.',
  },
  TAP_FILE_UNWRITABLE: {
    exitCode: ExitCode.usage,
    cause: 'The Temporary Access Pass file could not be created after apply finished (folder missing, no permission). The migration itself is finished and recorded.',
    remedy: 'Create the passes by hand in the Entra admin center for the users the report lists under `DEVICE_REREGISTRATION_REQUIRED`, or fix the folder and run apply again with a new file (the finished run plans anew and writes nothing else).',
  },
  TAP_LIFETIME_OUTSIDE_POLICY: {
    exitCode: ExitCode.usage,
    cause: '`--tap-lifetime` is outside the minimum and maximum lifetime of the tenant\'s Temporary Access Pass policy, which hold for every pass created in the tenant; apply checks it before writing anything.',
    remedy: 'Give a lifetime within the range the message names, leave `--tap-lifetime` out for the policy\'s default, or change the policy\'s lifetimes (Entra admin center > Protection > Authentication methods > Policies > Temporary Access Pass). Nothing was written.',
  },
  TAP_DISABLED_BY_POLICY: {
    exitCode: ExitCode.usage,
    cause: '`--tap-for-reregistration` was given, but Temporary Access Pass is disabled in the tenant\'s authentication methods policy, so Entra would refuse every pass.',
    remedy: 'Enable Temporary Access Pass for the users concerned, or run apply without `--tap-for-reregistration`. Nothing was written.',
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;

/** The codes whose exit code is `exit`: usageError takes only usage codes, inputError only input codes. */
export type ErrorCodeWithExit<Exit extends ExitCode> = { [Code in ErrorCode]: (typeof ERRORS)[Code]['exitCode'] extends Exit ? Code : never }[ErrorCode];
