/**
 * Host matching as Istio documents it, written as a table independently of src/ (a shared
 * function cannot catch its own bug: see issue #11, where a wildcard that lost its dot let a
 * `*.example.com` gateway accept `badexample.com`, and explain agreed).
 *
 * Sources (Istio 1.23):
 * - Gateway `servers[].hosts` (istio/api `networking/v1alpha3/gateway.proto`, message Server):
 *   a `dnsName` with an optional `namespace/` prefix; the dnsName may have a wildcard in its
 *   left-most label (`prod/*.example.com`); `*` selects every host; the namespace part
 *   (`ns/`, `./`, `*\/`) says where a bound VirtualService may live, it is no part of the host.
 *   Its older text: "`*.foo.com` matches `bar.foo.com` and `*.com` matches `bar.foo.com`,
 *   `example.com`".
 * - VirtualService `hosts` (`virtual_service.proto`): a wildcard prefix `*` covers the hosts
 *   ending in what follows it, so `*.example.com` covers every subdomain, at any depth, and
 *   never the bare `example.com`.
 * - istio/istio `pkg/config/host/name.go` (`Name.SubsetOf`): a wildcard is a suffix match on
 *   the text after the `*` (dot included); a narrower wildcard is a subset of a wider one.
 */

export interface HostCase {
  /** A Gateway server host or VirtualService host: `*`, `*.domain`, `host`, optionally `ns/`-prefixed (Gateway only). */
  readonly pattern: string;
  /** The Host of a request (or, where `vsHost` is true, a VirtualService host bound under the pattern). */
  readonly host: string;
  /** Whether `pattern` covers `host`. */
  readonly covers: boolean;
  /** `host` is itself a wildcard VirtualService host (no request carries it). */
  readonly vsHost?: boolean;
  /** Why, in words. */
  readonly why: string;
}

export const HOST_CASES: readonly HostCase[] = [
  // the catch-all
  { pattern: '*', host: 'shop.example.com', covers: true, why: '* selects every host' },
  { pattern: '*', host: 'example.com', covers: true, why: '* selects every host' },
  { pattern: '*', host: 'a', covers: true, why: '* selects every host, short names too' },
  { pattern: '*', host: '*.example.com', covers: true, vsHost: true, why: 'a wildcard VirtualService host is within *' },

  // exact hosts
  { pattern: 'shop.example.com', host: 'shop.example.com', covers: true, why: 'the same name' },
  { pattern: 'shop.example.com', host: 'api.example.com', covers: false, why: 'another name' },
  { pattern: 'shop.example.com', host: 'a.shop.example.com', covers: false, why: 'an exact host has no subdomains' },
  { pattern: 'shop.example.com', host: 'example.com', covers: false, why: 'the parent domain is another name' },
  { pattern: 'shop.example.com', host: 'shop.example.co', covers: false, why: 'a prefix of the name is another name' },
  { pattern: 'shop.example.com', host: 'shop.example.com.evil.org', covers: false, why: 'the name followed by more labels is another name' },

  // left-most wildcards
  { pattern: '*.example.com', host: 'a.example.com', covers: true, why: 'a subdomain' },
  { pattern: '*.example.com', host: 'shop.example.com', covers: true, why: 'a subdomain' },
  { pattern: '*.example.com', host: 'a.b.example.com', covers: true, why: 'a subdomain two labels down (suffix match, any depth)' },
  { pattern: '*.example.com', host: 'example.com', covers: false, why: 'the bare domain is not a subdomain' },
  { pattern: '*.example.com', host: 'badexample.com', covers: false, why: 'ends in "example.com" but not in ".example.com"' },
  { pattern: '*.example.com', host: 'a.badexample.com', covers: false, why: 'a subdomain of another domain' },
  { pattern: '*.example.com', host: 'a.example.org', covers: false, why: 'another top-level domain' },
  { pattern: '*.example.com', host: 'example.com.evil.org', covers: false, why: 'the domain followed by more labels' },
  { pattern: '*.example.com', host: 'xexample.com', covers: false, why: 'ends in "example.com" but not in ".example.com"' },
  { pattern: '*.com', host: 'example.com', covers: true, why: 'gateway.proto: "*.com matches example.com"' },
  { pattern: '*.foo.com', host: 'bar.foo.com', covers: true, why: 'gateway.proto: "*.foo.com matches bar.foo.com"' },
  { pattern: '*.a.example.com', host: 'a.example.com', covers: false, why: 'the bare domain of a deeper wildcard' },
  { pattern: '*.a.example.com', host: 'b.example.com', covers: false, why: 'a sibling of the wildcard\'s domain' },
  { pattern: '*.example.com', host: '*.example.com', covers: true, vsHost: true, why: 'the same wildcard' },
  { pattern: '*.example.com', host: '*.a.example.com', covers: true, vsHost: true, why: 'a narrower wildcard is a subset (name.go SubsetOf)' },
  { pattern: '*.a.example.com', host: '*.example.com', covers: false, vsHost: true, why: 'a wider wildcard is not a subset' },
  { pattern: '*.example.com', host: '*.badexample.com', covers: false, vsHost: true, why: 'a wildcard of another domain' },

  // Gateway hosts with a namespace part: the part after the "/" is the host
  { pattern: 'shop/shop.example.com', host: 'shop.example.com', covers: true, why: 'ns/host: the host is shop.example.com' },
  { pattern: 'shop/*.example.com', host: 'a.example.com', covers: true, why: 'ns/*.domain: a subdomain' },
  { pattern: 'shop/*.example.com', host: 'badexample.com', covers: false, why: 'ns/*.domain: not a subdomain' },
  { pattern: 'shop/*.example.com', host: 'example.com', covers: false, why: 'ns/*.domain: the bare domain' },
  { pattern: './shop.example.com', host: 'shop.example.com', covers: true, why: './host: the host is shop.example.com' },
  { pattern: './shop.example.com', host: 'api.example.com', covers: false, why: './host: another name' },
  { pattern: '*/*.example.com', host: 'a.b.example.com', covers: true, why: '*/*.domain: a subdomain' },
  { pattern: '*/*', host: 'anything.example.org', covers: true, why: '*/*: every host' },
];

