/**
 * A user's deployment repository, as small as it gets: two services released together behind
 * an ingress gateway, and the Argo CD Application that syncs them.
 *
 *   npm install && npx cdk8s synth
 *
 * checks what it wrote with the library's lint (the validation plugin in cdk8s.yaml: synth fails on
 * an error, lists warnings), and writes dist/shop.k8s.yaml (what Argo CD applies, with sync waves) and
 * dist/argocd/argocd.k8s.yaml (the Application: apply it once with kubectl, or from an
 * app-of-apps). Argo CD does not recurse into dist/argocd/, so it never applies the
 * Application from the folder the Application itself syncs.
 */
import { App, Chart } from 'cdk8s';
import { applySyncWaves, ArgoCdApplication, ColoringRule, GrayService, IngressGateway, TrafficColoring } from 'cdk8s-gray-release';

const app = new App();
const shop = new Chart(app, 'shop', { disableResourceNameHashes: true, namespace: 'shop' });
const gateway = new IngressGateway(shop, 'gateway', { hosts: ['shop.example.com'] });
const lane = [{ name: 'x-lane', value: 'canary' }];

const cart = new GrayService(shop, 'cart', {
  image: 'registry.example.com/cart:1.4.0',
  port: 8000,
  namespace: 'shop',
  release: { matches: lane },
});
const frontend = new GrayService(shop, 'frontend', {
  image: 'registry.example.com/frontend:2.1.0',
  port: 8000,
  namespace: 'shop',
  gateway,
  calls: [cart],
  release: { matches: lane },
});
frontend.propagateHeader('x-lane');
cart.propagateHeader('x-lane');
// Beta users (cookie beta=1) enter the canary lane at the ingress; a client-sent x-lane is replaced.
new TrafficColoring(shop, 'coloring', {
  header: 'x-lane',
  rules: [ColoringRule.cookieEquals('beta', '1', 'canary')],
});
applySyncWaves(shop);

// The Application lives in its own App, synthesized to dist/argocd/, which Argo CD does not
// read from dist/ (directories are not recursed by default).
const argocd = new App({ outdir: 'dist/argocd' });
new ArgoCdApplication(new Chart(argocd, 'argocd', { disableResourceNameHashes: true }), 'shop', {
  repoURL: 'https://git.example.com/shop/deploy.git',
  path: 'dist',
  destination: { namespace: 'shop' },
  charts: [shop],
});

app.synth();
argocd.synth();
