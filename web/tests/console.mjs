// Browser tests of the ClusterForge console: Debian's chromium driven by
// playwright-core against a running local cloud (`make local`).
//
// env:
//   CF_BASE_URL        where the console is served (the local API gateway)
//   CF_ADMIN_URL       the local cloud's admin endpoint (mints tokens)
//   CF_CUSTOMER_ACCESS_KEY_ID / CF_CUSTOMER_SECRET_ACCESS_KEY
//                      keys of the simulated customer account the wizard uses
//   CF_STUCK_ACCESS_KEY_ID / CF_STUCK_SECRET_ACCESS_KEY
//                      keys of an account whose DeleteVpc fails (a fault rule),
//                      so its cluster's deletion gets stuck and force delete unlocks
//   CF_SSH_KEY         an EC2 key pair in eu-west-1 of both accounts (default ops)
//   CF_TENANT          tenant to sign in to (default: a fresh one)
//   CF_STATIC_VPC_ID, CF_STATIC_CLUSTER, CF_STATIC_PRIVATE_SUBNETS,
//   CF_STATIC_PUBLIC_SUBNETS
//                      a VPC of the customer account with comma-separated
//                      private and public subnets (tagged for the cluster):
//                      the wizard's static placement picks them (skipped unset)
//   CHROMIUM           browser binary (default /usr/bin/chromium)
//   SCREENSHOTS=1      write docs/console-*.png
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (name, def) => {
  const v = process.env[name] ?? def;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const base = env('CF_BASE_URL').replace(/\/$/, '');
const admin = env('CF_ADMIN_URL').replace(/\/$/, '');
const customer = { id: env('CF_CUSTOMER_ACCESS_KEY_ID'), secret: env('CF_CUSTOMER_SECRET_ACCESS_KEY') };
const stuck = { id: env('CF_STUCK_ACCESS_KEY_ID'), secret: env('CF_STUCK_SECRET_ACCESS_KEY') };
const sshKey = env('CF_SSH_KEY', 'ops');
const tenant = env('CF_TENANT', `web${Date.now() % 1e6}`);
const project = 'p1';
// A customer VPC for static placement (e2e/web_network_test.go): its id,
// the cluster name its public subnets are tagged for, and the subnets.
const staticNet = {
  vpcId: process.env.CF_STATIC_VPC_ID ?? '',
  cluster: process.env.CF_STATIC_CLUSTER ?? 'web-static',
  private: (process.env.CF_STATIC_PRIVATE_SUBNETS ?? '').split(',').filter(Boolean),
  public: (process.env.CF_STATIC_PUBLIC_SUBNETS ?? '').split(',').filter(Boolean),
};
const shots = process.env.SCREENSHOTS === '1';
const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');
const started = Date.now();

function log(msg) {
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

async function check(cond, msg) {
  if (!cond) throw new Error(`check failed: ${msg}`);
}

async function post(url, body, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function apiGet(path, token) {
  const res = await fetch(base + path, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return res.json();
}

const mint = async (role) => (await post(`${admin}/tokens`, { tenant, project, role })).token;

async function shot(page, name, fullPage = false) {
  if (!shots) return;
  mkdirSync(docs, { recursive: true });
  // A tall viewport instead of playwright's fullPage: after a fullPage
  // capture, headless chromium dropped the next click on the page.
  const size = page.viewportSize();
  if (fullPage) {
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: size.width, height: Math.min(Math.max(height, size.height), 4000) });
  }
  await page.screenshot({ path: join(docs, `console-${name}.png`) });
  if (fullPage) await page.setViewportSize(size);
  log(`screenshot docs/console-${name}.png`);
}

// waitText waits until locator's text matches re (the page polls every 2 s).
async function waitText(locator, re, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: 5000 }).catch(() => '')) ?? '';
    if (re.test(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: still "${last}" after ${timeoutMs / 1000}s, want ${re}`);
}

async function signIn(page, token) {
  await page.goto(base + '/');
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Clusters' }).waitFor();
}

// staticPlacementDryRun runs the wizard with static placement up to
// Review: the VPC comes from the account's list and choosing it selects
// its private subnets for nodes and its public ones for load balancers.
async function staticPlacementDryRun(page) {
  if (!staticNet.vpcId) {
    log('static placement skipped: CF_STATIC_VPC_ID is not set');
    return;
  }
  await page.getByRole('link', { name: 'Clusters' }).click();
  await page.getByRole('link', { name: 'Create cluster' }).click();
  await page.getByLabel('Cluster name').fill(staticNet.cluster);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel(/k8s131/).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Cloud account').selectOption({ label: 'main (keys)' });
  await page.getByLabel('Region').selectOption('eu-west-1');
  await page.getByLabel('SSH key pair').fill(sshKey);
  await page.getByLabel('Bastion allowed CIDRs').fill('203.0.113.0/24');
  await page.getByLabel('Static (your VPC and subnets)').check();
  const vpc = page.getByLabel('VPC', { exact: true });
  await vpc.waitFor({ timeout: 30000 });
  const offered = await vpc.locator('option').allTextContents();
  await check(offered.some((o) => o.includes(staticNet.vpcId) && o.includes('shared-eu') && o.includes('10.30.0.0/16')), `VPC list offers ${staticNet.vpcId}: ${offered}`);
  await vpc.selectOption(staticNet.vpcId);
  const lists = [
    ['Control-plane subnets', staticNet.private],
    ['Worker subnets', staticNet.private],
    ['Public subnets', staticNet.public],
  ];
  for (const [group, want] of lists) {
    for (const id of [...staticNet.private, ...staticNet.public]) {
      const box = page.getByRole('group', { name: group }).getByLabel(new RegExp(`${id} `));
      const text = await box.locator('xpath=..').textContent();
      const kind = staticNet.public.includes(id) ? 'public' : 'private';
      await check(text.includes(`${kind}-`) && text.includes(`· ${kind} ·`) && /eu-west-1[ab]/.test(text) && text.includes('10.30.'), `${group}: ${id} labelled "${text}"`);
      await check((await box.isChecked()) === want.includes(id), `${group}: ${id} checked=${await box.isChecked()}, want ${want.includes(id)}`);
    }
  }
  log(`static placement: ${staticNet.vpcId} chosen from the list, private and public subnets preselected`);
  await shot(page, 'wizard-static-placement', true);
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Review' }).waitFor({ timeout: 30000 });
  await page.getByRole('table', { name: 'Planned resources' }).waitFor({ timeout: 30000 });
  const review = await page.locator('main').innerText();
  await check(/static/i.test(review), 'review shows static placement');
  log('static placement: the dry run accepted the picked subnets');
}

const clusterStatus = (page) => page.getByRole('status', { name: 'Cluster status' });

// eksCluster creates an EKS cluster with the wizard (2 AZs, one managed
// node group, one Fargate profile), watches it reach Running with its EKS
// tasks and resources, and starts its deletion. It returns a function that
// waits until the deletion is done, so the rest of the flows overlap it
// and the account's VPC quota is freed.
async function eksCluster(page) {
  const name = 'web-eks';
  await page.getByRole('link', { name: 'Clusters', exact: true }).click();
  await page.getByRole('link', { name: 'Create cluster' }).click();
  const kind = page.getByRole('radiogroup', { name: 'Kind' });
  await check((await kind.getByLabel(/Self-managed/).isChecked()) === true, 'kind defaults to self-managed');
  await kind.getByLabel(/Amazon EKS/).check();
  await page.getByLabel('Cluster name').fill(name);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel(/k8s131/).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Cloud account').selectOption({ label: 'main (keys)' });
  await page.getByLabel('Region').selectOption('eu-west-1');
  await check((await page.getByLabel('SSH key pair').count()) === 0 && (await page.getByLabel('Bastion allowed CIDRs').count()) === 0, 'eks: no SSH key or bastion');
  await page.getByLabel('VPC CIDR').fill('10.1.0.0/16');
  await page.getByRole('group', { name: 'Availability zones' }).getByLabel('eu-west-1c').uncheck();
  await page.getByLabel('NAT gateways').selectOption('single');
  const version = page.getByLabel('Kubernetes version');
  await check((await version.inputValue()) === '1.33', `Kubernetes version defaults to 1.33 (${await version.inputValue()})`);
  await version.selectOption('1.32');
  await page.getByLabel('Public access CIDRs').fill('203.0.113.0/24');
  const logging = page.getByRole('group', { name: 'Control-plane logging' });
  await logging.getByLabel('api', { exact: true }).check();
  await logging.getByLabel('audit', { exact: true }).check();
  await page.getByRole('button', { name: 'Add Fargate profile' }).click();
  await page.getByLabel('Fargate profile 1 name').fill('batch');
  await page.getByLabel('Fargate profile 1 selector 1 namespace').fill('batch');
  await page.getByLabel('Fargate profile 1 selector 1 labels').fill('compute=fargate');
  await shot(page, 'wizard-eks', true);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText(/Nothing to set for an EKS cluster/).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await check((await page.getByLabel('Pool 1 size', { exact: true }).count()) === 0, 'eks: no control-plane pool');
  await page.getByLabel('Pool 1 name').fill('general');
  await page.getByLabel('Pool 1 size (desired)').fill('2');
  await page.getByLabel('Pool 1 min size').fill('1');
  await page.getByLabel('Pool 1 max size').fill('3');
  await page.getByLabel('Pool 1 instance types').fill('m5.large, m6i.large');
  await page.getByLabel('Pool 1 labels').fill('tier=web');
  await page.getByRole('button', { name: 'Add taint' }).click();
  await page.getByLabel('Pool 1 taint 1 key').fill('dedicated');
  await page.getByLabel('Pool 1 taint 1 effect').selectOption('NoExecute');
  await page.getByLabel('Pool 1 max unavailable').fill('5'); // more than max size: the API's error must show at the field
  await page.getByRole('button', { name: 'Next' }).click();
  const maxUnavailable = page.getByLabel('Pool 1 max unavailable');
  await page.locator('[aria-invalid="true"]').first().waitFor({ timeout: 30000 });
  await check((await maxUnavailable.getAttribute('aria-invalid')) === 'true', 'max unavailable marked invalid');
  log(`eks: API field error at max unavailable: ${await page.getByRole('alert').first().textContent()}`);
  await maxUnavailable.fill('1');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Review' }).waitFor();
  await page.getByRole('table', { name: 'Planned resources' }).waitFor({ timeout: 30000 });
  const review = await page.locator('main').innerText();
  await check(review.includes('Amazon EKS'), 'review shows the kind');
  await page.getByRole('button', { name: 'Deploy' }).click();
  await page.getByRole('heading', { name }).waitFor();
  const deployedAt = Date.now();
  await waitText(clusterStatus(page), /Running/, 120000, `${name} status`);
  log(`${name} Running in the UI after ${((Date.now() - deployedAt) / 1000).toFixed(1)}s`);
  const summary = await page.getByRole('region', { name: 'Summary' }).innerText();
  await check(summary.includes('Amazon EKS') && summary.includes('1.32') && summary.includes('batch'), `summary shows kind, version and Fargate profile: ${summary}`);
  const tasks = await page.getByRole('list', { name: 'Tasks' }).innerText();
  for (const t of ['iamRoles', 'eksCluster', 'nodePool:general', 'fargateProfiles']) await check(tasks.includes(t), `task ${t} listed: ${tasks}`);
  const resources = await page.getByRole('table', { name: 'Resources' }).innerText();
  for (const r of ['ekscluster', 'nodegroup', 'fargateprofile', 'iamrole']) await check(resources.includes(r), `resource ${r} listed`);
  const pool = await page.getByRole('heading', { name: /^general/ }).innerText();
  await check(pool.includes('managed node group') && pool.includes('m6i.large') && pool.includes('1–3 nodes'), `pool summary: ${pool}`);
  log(`${name}: EKS tasks, resources and node group shown`);
  // Nodes: a node group edit goes out as EKS fields only (no max price).
  await page.getByRole('tab', { name: 'Nodes' }).click();
  await page.getByRole('button', { name: 'Edit pool general' }).click();
  await check((await page.getByLabel('Pool general rolling update').count()) === 0, 'eks: no rolling update to edit');
  await page.getByLabel('Pool general labels').fill('tier=batch');
  await page.getByLabel('Pool general max size').fill('4');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await waitText(page.getByLabel('Labels of general'), /tier=batch/, 30000, `${name} general labels`);
  await waitText(clusterStatus(page), /Running/, 60000, `${name} after the node group edit`);
  log(`${name}: node group general relabelled and its max size raised`);
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Delete cluster' }).click();
  await page.getByLabel(`Type ${name} to confirm`).fill(name);
  await page.getByRole('button', { name: 'Confirm delete' }).click();
  await waitText(clusterStatus(page), /Deleting|Deleted/, 15000, `${name} after delete`);
  const url = page.url().replace(/\/settings$/, '');
  const deleteAt = Date.now();
  await page.getByRole('link', { name: 'Clusters', exact: true }).click();
  await page.getByRole('heading', { name: 'Clusters', exact: true }).waitFor();
  return async () => {
    await page.goto(url);
    await waitText(clusterStatus(page), /Deleted/, 120000, `${name} deletion`);
    log(`${name} Deleted in the UI ${((Date.now() - deleteAt) / 1000).toFixed(1)}s after the delete`);
  };
}

async function main() {
  // playwright gives the browser a fresh temporary --user-data-dir of its
  // own (it refuses one in args), so no profile state leaks between runs.
  const browser = await chromium.launch({
    executablePath: env('CHROMIUM', '/usr/bin/chromium'),
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  try {
    await run(browser);
  } finally {
    await browser.close();
  }
}

async function run(browser) {
  const adminToken = await mint('tenant-admin');
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await ctx.newPage();
  try {
    await flows(browser, page, adminToken);
  } catch (err) {
    // What the page showed when it failed, for the test's log.
    const at = join(process.env.CF_FAILURE_DIR ?? tmpdir(), 'console-failure.png');
    await page.screenshot({ path: at, fullPage: true }).catch(() => undefined);
    const text = await page.locator('main').innerText().catch(() => '');
    err.message += `\n(page ${page.url()}, screenshot ${at})\n--- page text ---\n${text.slice(0, 3000)}`;
    throw err;
  } finally {
    await ctx.close();
  }
}

async function flows(browser, page, adminToken) {
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // Count full document loads: polling must update in place.
  let documentLoads = 0;
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) documentLoads++;
  });

  // Sign in.
  await page.goto(base + '/');
  await page.getByRole('heading', { name: 'Sign in to ClusterForge' }).waitFor();
  await shot(page, 'signin');
  await signIn(page, adminToken);
  const who = await page.getByLabel('Signed in as').textContent();
  await check(who.includes(tenant) && who.includes(project) && who.includes('tenant-admin'), `header shows tenant/project/role: ${who}`);
  log(`signed in as tenant-admin of ${tenant}/${project}`);

  // Cloud accounts: add with access keys, validate.
  await page.getByRole('link', { name: 'Cloud accounts' }).click();
  await page.getByRole('button', { name: 'Add cloud account' }).click();
  await page.getByLabel('Name', { exact: true }).fill('main');
  await page.getByLabel('Access key ID').fill(customer.id);
  await page.getByLabel('Secret access key').fill(customer.secret);
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('cell', { name: 'main', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Validate main' }).click();
  await page.getByRole('button', { name: 'Run validation' }).click();
  await page.getByRole('heading', { name: 'Quotas in eu-west-1' }).waitFor({ timeout: 30000 });
  const quotaRows = await page.getByRole('table', { name: 'Quotas' }).getByRole('row').count();
  await check(quotaRows > 1, `validation shows quotas (${quotaRows - 1} rows)`);
  log(`account added and validated: ${quotaRows - 1} quotas`);
  await shot(page, 'accounts', true);
  // The role form: ExternalId and a trust policy to copy.
  await page.getByRole('button', { name: 'Add cloud account' }).click();
  await page.getByLabel('IAM role (recommended)').check();
  const policy = await page.getByLabel('Trust policy').inputValue();
  await check(policy.includes('sts:ExternalId') && policy.includes('sts:AssumeRole'), 'trust policy names the ExternalId');
  await page.getByRole('button', { name: 'Copy trust policy' }).waitFor();
  await shot(page, 'accounts-role');
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Cluster profiles: create with layers and YAML values.
  await page.getByRole('link', { name: 'Cluster profiles' }).click();
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.getByLabel('Profile name').fill('k8s131');
  await page.getByLabel('Profile description').fill('Ubuntu 24.04, Kubernetes 1.31, Cilium, EBS CSI');
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.getByRole('cell', { name: /k8s131/ }).waitFor();
  await shot(page, 'profiles');
  log('profile created');

  // The stuck cluster is created through the API now, so it is Running by
  // the time the force-delete check needs it.
  const profiles = await apiGet('/v1/clusterprofiles', adminToken);
  const profileId = profiles.items.find((p) => p.name === 'k8s131').id;
  const stuckAcc = await post(`${base}/v1/cloudaccounts`, { name: 'stuck', type: 'secret', accessKeyId: stuck.id, secretAccessKey: stuck.secret }, adminToken);
  const stuckCluster = await post(
    `${base}/v1/clusters`,
    {
      name: 'web-stuck', profileId, cloudAccountId: stuckAcc.id, region: 'eu-west-1',
      placement: { type: 'dynamic', azs: ['eu-west-1a'], natGateways: 'single' },
      bastion: { enabled: false },
      nodePools: [{ name: 'cp', controlPlane: true, size: 1, instanceType: 'm5.large' }, { name: 'w', size: 1, instanceType: 'm5.large' }],
    },
    adminToken,
  );
  log(`stuck-deletion cluster ${stuckCluster.id} provisioning`);

  await staticPlacementDryRun(page);
  const eksDeleted = await eksCluster(page);

  // The wizard, step by step.
  await page.getByRole('link', { name: 'Clusters' }).click();
  await page.getByRole('link', { name: 'Create cluster' }).click();
  await page.getByLabel('Cluster name').fill('Web_Demo'); // invalid: the API's error must show at the field
  await page.getByLabel('Description').fill('console demo');
  await page.getByLabel('Tags').fill('team=web\ncost-center=42');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel(/k8s131/).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('kubernetes values override').fill('podCIDR: 172.16.0.0/16');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Cloud account').selectOption({ label: 'main (keys)' });
  await page.getByLabel('Region').selectOption('eu-west-1');
  await page.getByLabel('SSH key pair').fill(sshKey);
  await page.getByLabel('Bastion allowed CIDRs').fill('203.0.113.0/24');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Update worker pools in parallel').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Pool 1 size').selectOption('3');
  await page.getByLabel('Pool 2 name').fill('general');
  await page.getByLabel('Pool 2 size').fill('3');
  await page.getByLabel('Pool 2 labels').fill('tier=web');
  await page.getByRole('button', { name: 'Add taint' }).click();
  await page.getByLabel('Pool 2 taint 1 key').fill('dedicated');
  await page.getByLabel('Pool 2 taint 1 value').fill('web');
  await page.getByLabel('Pool 2 taint 1 effect').selectOption('PreferNoSchedule');
  await page.getByRole('button', { name: 'Add worker pool' }).click();
  await page.getByLabel('Pool 3 name').fill('spot');
  await page.getByLabel('Pool 3 size').fill('1');
  await page.getByLabel('Pool 3 instance type').selectOption('g4dn.xlarge');
  await page.getByRole('group', { name: 'Pool 3 capacity' }).getByLabel('Spot').check();
  await page.getByLabel('Pool 3 max price (% of on-demand)').fill('60');
  await shot(page, 'wizard-nodepools', true);
  await page.getByRole('button', { name: 'Next' }).click();
  // The dry run rejects the name: the wizard goes back to step 1 and shows it there.
  const nameInput = page.getByLabel('Cluster name');
  await nameInput.waitFor();
  await check((await nameInput.getAttribute('aria-invalid')) === 'true', 'cluster name marked invalid');
  const nameError = await page.getByRole('alert').first().textContent();
  log(`API field error at the name field: ${nameError}`);
  await shot(page, 'wizard-field-error');
  await nameInput.fill('web-demo');
  for (let i = 0; i < 6; i++) await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Review' }).waitFor();
  await page.getByRole('table', { name: 'Planned resources' }).waitFor({ timeout: 30000 });
  const cost = await page.getByText(/^\$[\d,]+\.\d\d$/).first().textContent();
  log(`review: plan with monthly cost ${cost}`);
  await shot(page, 'wizard-review', true);
  await page.getByRole('button', { name: 'Deploy' }).click();
  await page.getByRole('heading', { name: 'web-demo' }).waitFor();
  const clusterUrl = page.url();
  const deployedAt = Date.now();
  await page.getByRole('progressbar', { name: /progress$/ }).nth(2).waitFor();
  await new Promise((r) => setTimeout(r, 3000));
  await shot(page, 'cluster-provisioning', true);
  const loadsBefore = documentLoads;
  await waitText(clusterStatus(page), /Running/, 150000, 'web-demo status');
  await check(documentLoads === loadsBefore, `no full reload while polling (${documentLoads - loadsBefore} loads)`);
  log(`web-demo Running in the UI after ${((Date.now() - deployedAt) / 1000).toFixed(1)}s`);
  const nodeRows = await page.getByRole('table', { name: 'Nodes of general' }).getByRole('row').count();
  await check(nodeRows - 1 === 3, `pool general shows 3 nodes (${nodeRows - 1})`);
  await shot(page, 'cluster-running', true);

  // A viewer sees the cluster but no delete (or edit, or create) buttons.
  const viewerCtx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const viewer = await viewerCtx.newPage();
  // Keyboard only: Tab to the token field, type, Enter.
  await viewer.goto(base + '/');
  await viewer.getByRole('heading', { name: 'Sign in to ClusterForge' }).waitFor();
  await viewer.keyboard.press('Tab');
  await check(await viewer.getByLabel('Access token').evaluate((el) => el === document.activeElement), 'Tab reaches the token field first');
  await viewer.keyboard.type(await mint('viewer'));
  await viewer.keyboard.press('Enter');
  await viewer.getByRole('heading', { name: 'Clusters' }).waitFor();
  await check((await viewer.getByRole('link', { name: 'Create cluster' }).count()) === 0, 'viewer: no Create cluster');
  await viewer.goto(clusterUrl.replace(/\/?$/, '') + '/settings');
  await viewer.getByText(/can view this cluster but not change or delete it/).waitFor();
  await check((await viewer.getByRole('button', { name: /delete/i }).count()) === 0, 'viewer: no delete buttons');
  await viewer.goto(clusterUrl.replace(/\/?$/, '') + '/nodes');
  await viewer.getByRole('heading', { name: /general/ }).waitFor();
  await check((await viewer.getByRole('button', { name: /^Edit pool/ }).count()) === 0, 'viewer: no Edit pool buttons');
  await viewerCtx.close();
  log('viewer sees no delete, edit or create buttons');

  // The cluster list polls too: both clusters with status and progress.
  await page.getByRole('link', { name: 'Clusters', exact: true }).click();
  await page.getByRole('link', { name: 'web-stuck' }).waitFor();
  await waitText(page.getByRole('row', { name: /web-stuck/ }), /Running/, 120000, 'web-stuck in the list');
  await shot(page, 'clusters');
  await page.goto(clusterUrl);
  await clusterStatus(page).waitFor();

  // Nodes tab: edit a pool's labels.
  await page.getByRole('tab', { name: 'Nodes' }).click();
  await page.getByRole('button', { name: 'Edit pool general' }).click();
  await page.getByLabel('Pool general labels').fill('tier=frontend\nteam=payments');
  await shot(page, 'nodes-edit', true);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await waitText(page.getByLabel('Labels of general'), /team=payments.*tier=frontend|tier=frontend.*team=payments/, 30000, 'general labels');
  await waitText(clusterStatus(page), /Running/, 120000, 'web-demo after the label edit');
  const onServer = await apiGet(`/v1/clusters/${clusterUrl.match(/clusters\/(clu-[0-9a-z]+)/)[1]}`, adminToken);
  const general = onServer.nodePools.find((p) => p.name === 'general');
  await check(general.labels.team === 'payments' && general.labels.tier === 'frontend', `API has the new labels: ${JSON.stringify(general.labels)}`);
  log('pool general relabelled; cluster Running');

  // Settings → Delete (confirm) → Deleted.
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Delete cluster' }).click();
  await page.getByLabel('Type web-demo to confirm').fill('web-demo');
  await page.getByRole('button', { name: 'Confirm delete' }).click();
  await waitText(clusterStatus(page), /Deleting|Deleted/, 15000, 'web-demo after delete');
  const deleteAt = Date.now();
  await waitText(clusterStatus(page), /Deleted/, 150000, 'web-demo deletion');
  log(`web-demo Deleted in the UI after ${((Date.now() - deleteAt) / 1000).toFixed(1)}s`);

  // Force delete: the stuck cluster's deletion cannot delete its VPC.
  const stuckDeadline = Date.now() + 120000;
  for (;;) {
    const c = await apiGet(`/v1/clusters/${stuckCluster.id}`, adminToken);
    if (c.status === 'Running') break;
    if (c.status === 'Failed' || Date.now() > stuckDeadline) throw new Error(`web-stuck is ${c.status}: ${c.statusMessage}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await page.goto(`${base}/#/clusters/${stuckCluster.id}/settings`);
  await page.getByRole('button', { name: 'Delete cluster' }).click();
  await page.getByLabel('Type web-stuck to confirm').fill('web-stuck');
  await page.getByRole('button', { name: 'Confirm delete' }).click();
  const force = page.getByRole('button', { name: 'Force delete' });
  await force.waitFor({ timeout: 15000 });
  await check(await force.isDisabled(), 'force delete is disabled right after the deletion started');
  const timer = page.getByRole('timer');
  const first = await waitText(timer, /available in \d\d:\d\d/, 10000, 'countdown');
  await new Promise((r) => setTimeout(r, 2200));
  const second = await timer.textContent();
  const secs = (s) => { const [, m, x] = s.match(/(\d\d):(\d\d)/); return Number(m) * 60 + Number(x); };
  await check(/available in \d\d:\d\d/.test(second) && secs(second) < secs(first), `countdown runs: ${first} → ${second}`);
  log(`force delete disabled: ${first} → ${second}`);
  await shot(page, 'force-delete-countdown', true);
  const unlockDeadline = Date.now() + 120000;
  while (await force.isDisabled()) {
    if (Date.now() > unlockDeadline) throw new Error(`force delete still disabled: ${await timer.textContent()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`force delete enabled (${await timer.textContent()})`);
  await force.click();
  await page.getByLabel('Type web-stuck to confirm').fill('web-stuck');
  await page.getByRole('button', { name: 'Confirm force delete' }).click();
  await waitText(clusterStatus(page), /Deleted/, 30000, 'web-stuck after force delete');
  const leftovers = page.getByRole('table', { name: 'Leftover resources' });
  await leftovers.getByRole('cell', { name: 'vpc', exact: true }).first().waitFor({ timeout: 15000 });
  log(`force deleted; leftovers listed: ${(await leftovers.getByRole('row').count()) - 1}`);
  await shot(page, 'force-deleted-leftovers', true);

  await eksDeleted();

  await page.getByRole('link', { name: 'Clusters', exact: true }).click();
  await page.getByRole('heading', { name: 'Clusters' }).waitFor();

  // Nothing secret in the page or its storage.
  const html = await page.content();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  await check(!html.includes(customer.secret) && !html.includes(stuck.secret), 'no secret access key in the page');
  await check(!html.includes(adminToken), 'no token in the page');
  await check(!stored.includes(adminToken), 'no token in localStorage');
  await check(pageErrors.length === 0, `no page errors: ${pageErrors.join('; ')}`);
}

main().then(
  () => {
    log('PASS');
    process.exit(0);
  },
  (err) => {
    log(`FAIL: ${err.stack ?? err}`);
    process.exit(1);
  },
);
