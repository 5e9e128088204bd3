/**
 * National clouds: each has its own Graph root and Entra authority host. Taken from
 * microsoftgraph/microsoft-graph-docs-contrib concepts/deployments.md ("Microsoft Graph and Graph
 * Explorer service root endpoints") and the Azure SDK's AzureAuthorityHosts.
 */

export type CloudName = 'global' | 'usgov' | 'dod' | 'china';

export const CLOUD_NAMES: readonly CloudName[] = ['global', 'usgov', 'dod', 'china'];

/**
 * The names admins know the clouds by, lower case: Microsoft Graph PowerShell's `-Environment`
 * (Global, USGov, USGovDoD, China; Get-MgEnvironment) and the Azure CLI's `az cloud set --name`
 * (AzureCloud, AzureUSGovernment, AzureChinaCloud). GCC High and DoD tenants share the US
 * Government sign-in host but not Graph's root, so `usgovdod` is its own cloud.
 */
export const CLOUD_ALIASES: Readonly<Record<string, CloudName>> = {
  public: 'global',
  azurecloud: 'global',
  azurepubliccloud: 'global',
  azureusgovernment: 'usgov',
  usgovernment: 'usgov',
  gcchigh: 'usgov',
  usgovdod: 'dod',
  azureusgovernmentdod: 'dod',
  azurechinacloud: 'china',
  chinacloud: 'china',
};

export interface Cloud {
  readonly name: CloudName;
  /** Graph service root, no trailing slash. */
  readonly graphRoot: string;
  /** Entra authority host for @azure/identity's `authorityHost`. */
  readonly authorityHost: string;
}

export const CLOUDS: Readonly<Record<CloudName, Cloud>> = {
  global: { name: 'global', graphRoot: 'https://graph.microsoft.com', authorityHost: 'https://login.microsoftonline.com' },
  usgov: { name: 'usgov', graphRoot: 'https://graph.microsoft.us', authorityHost: 'https://login.microsoftonline.us' },
  dod: { name: 'dod', graphRoot: 'https://dod-graph.microsoft.us', authorityHost: 'https://login.microsoftonline.us' },
  china: { name: 'china', graphRoot: 'https://microsoftgraph.chinacloudapi.cn', authorityHost: 'https://login.chinacloudapi.cn' },
};

/** The app-only scope of a cloud's Graph: the resource's `/.default` (client-credentials flows accept only this form). */
export function graphScope(cloud: Cloud): string {
  return `${cloud.graphRoot}/.default`;
}

/** Whether a URL's host is this machine: the only place a development token or plain http may go. */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
