/**
 * The tenant seed's format, described once: `schemas/emulator-tenant.schema.json` is written from
 * it (a test fails when the committed file differs) and the emulator checks every seed against it
 * at start-up (seed.ts). What a schema cannot say — unique ids, group members and token assignees
 * that exist, one phone per type — seed.ts checks after it.
 */
import type { DefaultMethod, PhoneType } from '../mapping/desired-state.js';
import type { HashFunction } from '../source/records.js';
import {
  array,
  boolean,
  described,
  documentSchema,
  enumOf,
  nullable,
  object,
  openObject,
  optional,
  string,
  type Infer,
} from '../json-schema/shape.js';
import { everyMember } from '../union-members.js';

/** Graph's phone number format: `+{country code} {number}x{extension}` (phoneauthenticationmethod.md). */
export const GRAPH_PHONE_NUMBER = /^\+[1-9]\d{0,2} \d{4,15}(x\d{1,10})?$/;
/** Entra stores hardware token seeds as Base32 of at most 128 characters (authenticationmethoddevice-post-hardwareoathdevices.md). */
export const MAX_SECRET_KEY_LENGTH = 128;

export type HardwareTokenStatus = 'available' | 'assigned' | 'activated' | 'failedActivation';

const PHONE_TYPES = everyMember<PhoneType>()('mobile', 'alternateMobile', 'office');
const DEFAULT_METHODS = everyMember<DefaultMethod>()('push', 'oath', 'sms', 'voiceMobile', 'voiceAlternateMobile', 'voiceOffice');
const TOKEN_STATUSES = everyMember<HardwareTokenStatus>()('available', 'assigned', 'activated', 'failedActivation');
const HASH_FUNCTIONS = everyMember<HashFunction>()('hmacsha1', 'hmacsha256');

const name = (description?: string) => string({ minLength: 1, ...(description === undefined ? {} : { description }) });
/** Optional text: absent and null mean the same. */
const optionalText = (description?: string) => optional(nullable(string(description === undefined ? {} : { description })));

const app = object({
  clientId: name(),
  clientSecret: name('Development secret the https token endpoint expects (client-credentials grant). Not a real secret.'),
  displayName: optionalText('Default "mfa-migrate".'),
  roles: array(name(), { description: "Application permissions in the token's roles claim; over plain http every bearer token gets the main app's roles." }),
});

const phoneMethod = object({
  phoneType: enumOf(PHONE_TYPES),
  phoneNumber: string({
    pattern: GRAPH_PHONE_NUMBER.source,
    description: 'Graph format: +{country code} {number}x{extension}, e.g. "+1 4255550100" or "+1 4255550100x123".',
    problem: 'must be in Graph format "+{country code} {number}" with optional "x{extension}"',
  }),
});

const user = object(
  {
    id: name('Object id (a GUID in Entra; any unique string is accepted).'),
    userPrincipalName: string({ pattern: '@', problem: 'must look like name@domain' }),
    displayName: name(),
    givenName: optionalText(),
    surname: optionalText(),
    mail: optionalText(),
    onPremisesSamAccountName: optionalText(),
    onPremisesSecurityIdentifier: optionalText(),
    employeeId: optionalText(),
    accountEnabled: optional(boolean({ default: true })),
    phoneMethods: optional(array(phoneMethod, { description: 'At most one per phoneType; an alternateMobile needs a mobile.' })),
    microsoftAuthenticatorMethods: optional(
      array(
        object({
          id: name(),
          displayName: name('Device name, compared with the devices export (R12).'),
          deviceTag: optionalText('Default "SoftwareTokenActivated".'),
          phoneAppVersion: optionalText('Default "6.8.1".'),
          createdDateTime: optional(nullable(string({ format: 'date-time', description: 'Default 2024-01-01T00:00:00Z.' }))),
        }),
      ),
    ),
    softwareOathMethods: optional(array(object({ id: name() }))),
    signInPreferences: optional(
      object({
        isSystemPreferredAuthenticationMethodEnabled: optional(boolean({ default: false })),
        userPreferredMethodForSecondaryAuthentication: optional(nullable(enumOf(DEFAULT_METHODS), { default: null })),
      }),
    ),
  },
  { description: 'Unique id and userPrincipalName (case-insensitive).' },
);

const group = object({
  id: name(),
  displayName: name(),
  members: array(name(), { description: 'Ids of users or other groups of this seed; nesting is resolved by transitiveMembers.' }),
});

const hardwareOathDevice = object({
  id: name(),
  displayName: optionalText(),
  serialNumber: name(),
  manufacturer: name(),
  model: name(),
  secretKey: string({
    pattern: `^[A-Za-z2-7=\\s]{1,${String(MAX_SECRET_KEY_LENGTH)}}$`,
    description: 'Base32 seed, at most 128 characters; used to verify activation codes, never returned by the API.',
    problem: `must be Base32 of at most ${String(MAX_SECRET_KEY_LENGTH)} characters`,
  }),
  timeIntervalInSeconds: optional(enumOf([30, 60], { default: 30 })),
  hashFunction: optional(enumOf(HASH_FUNCTIONS, { default: 'hmacsha1' })),
  assignedTo: optionalText('Id of the user the token is assigned to.'),
  status: optional(enumOf(TOKEN_STATUSES, { description: 'Default: assigned when assignedTo is set, else available.' })),
});

export const tenantSeedShape = object({
  $schema: optional(string({ description: 'Where an editor finds this schema.' })),
  tenant: object({
    id: name('Tenant id: the tid claim, the {tenant} segment of the token endpoint.'),
    displayName: optionalText('Default "Contoso".'),
    defaultDomain: name('Also accepted as the {tenant} segment of the token endpoint.'),
  }),
  app: described(app, { description: 'The application mfa-migrate runs as; its roles are the default permissions.' }),
  additionalApps: optional(array(app, { description: 'Other applications (e.g. a read-only one to rehearse 403 answers).' })),
  users: array(user, { description: 'Fewer than 50 users is a small tenant for the resource-unit budget, 50–500 medium, more large.' }),
  groups: optional(array(group)),
  authenticationMethodsPolicy: openObject(
    {
      authenticationMethodConfigurations: array(openObject({ id: string(), state: enumOf(['enabled', 'disabled']) })),
    },
    {
      description:
        "Returned as given by GET /policies/authenticationMethodsPolicy (v1.0 shape). The Sms configuration's state and includeTargets[].isUsableForSignIn decide smsSignInState; the TemporaryAccessPass configuration must be enabled to create passes.",
    },
  ),
  hardwareOathDevices: optional(
    array(hardwareOathDevice, { description: 'The hardware OATH token inventory (beta /directory/authenticationMethodDevices/hardwareOathDevices). Unique id and serialNumber.' }),
  ),
});

export type TenantSeedDocument = Infer<typeof tenantSeedShape>;

export const TENANT_SEED_SCHEMA = documentSchema('emulator-tenant', tenantSeedShape, {
  title: 'mfa-migrate Graph emulator tenant seed',
  description:
    'What the Graph emulator starts from and returns to on POST /_emulator/reset. Checked at start-up by src/emulator/seed.ts, which also enforces the cross-references noted in descriptions (unique ids and UPNs, group members and token assignees that exist).',
});
