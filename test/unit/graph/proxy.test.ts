/** Which proxy the environment names, and which hosts NO_PROXY sends direct, as @azure/identity and curl read them. */
import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyUrl } from '../../../src/graph/proxy.js';

describe('proxyUrl', () => {
  it('takes HTTPS_PROXY, else ALL_PROXY, else HTTP_PROXY, upper or lower case; a value without a scheme is http', () => {
    expect(proxyUrl({})).toBeNull();
    expect(proxyUrl({ HTTP_PROXY: 'proxy:3128' })?.href).toBe('http://proxy:3128/');
    expect(proxyUrl({ http_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' })?.href).toBe('http://b:2/');
    expect(proxyUrl({ https_proxy: 'http://c:3', ALL_PROXY: 'http://d:4' })?.href).toBe('http://c:3/');
    expect(proxyUrl({ all_proxy: 'http://user:pass@e:5' })?.href).toBe('http://user:pass@e:5/');
    expect(proxyUrl({ HTTPS_PROXY: '  ' })).toBeNull();
  });
});

describe('bypassesProxy', () => {
  const graph = new URL('https://graph.microsoft.com/v1.0/users');
  it.each([
    ['', false],
    ['*', true],
    ['graph.microsoft.com', true],
    ['microsoft.com', true],
    ['.microsoft.com', true],
    ['*.microsoft.com', true],
    ['soft.com', false],
    ['graph.microsoft.com:443', true],
    ['graph.microsoft.com:8443', false],
    ['localhost, 127.0.0.1 ,graph.microsoft.com', true],
    ['localhost 127.0.0.1', false],
  ])('NO_PROXY=%j → %s for graph.microsoft.com', (list, expected) => {
    expect(bypassesProxy(graph, { NO_PROXY: list })).toBe(expected);
  });

  it('matches IP addresses and ports of an emulator, and reads no_proxy too', () => {
    expect(bypassesProxy(new URL('http://127.0.0.1:8900/'), { no_proxy: '127.0.0.1' })).toBe(true);
    expect(bypassesProxy(new URL('http://127.0.0.1:8900/'), { NO_PROXY: '127.0.0.1:8901' })).toBe(false);
    expect(bypassesProxy(new URL('http://[::1]:8900/'), { NO_PROXY: '::1' })).toBe(true);
  });
});
