/**
 * The app registrations a run's requests go out as — the apps of `--app-pool`, or the one app —
 * as the run records them with its options (`apps`): the report's header lists them, and each
 * operation records which of them sent it (journal `operations.app_id`).
 */
import type { SendingApp } from '../graph/gateway.js';
import type { JsonObject } from '../run-records.js';

/** `[{ name, clientId }]`; an app whose client id is not known (the emulator's development token) is left out. */
export function appsJson(apps: readonly SendingApp[]): JsonObject[] {
  return apps.flatMap((app) => (app.clientId === null ? [] : [{ name: app.name, clientId: app.clientId }]));
}
