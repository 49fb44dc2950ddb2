import { useState, type FormEvent } from 'react';
import type { CloudAccount, Quota, ValidationReport } from '../types';
import type { Session } from './App';
import { usePoll } from '../hooks';
import { can } from '../logic/auth';
import { errorAt, fieldErrors, unplaced, type FieldErrors } from '../logic/errors';
import { trustPolicy } from '../logic/trust';
import { regions } from '../logic/wizard';
import { ErrorBanner, Field, when, FormActions, FormErrors } from './ui';

export function Accounts({ session }: { session: Session }) {
  const { client, claims } = session;
  const list = usePoll(() => client.get<{ items: CloudAccount[] }>('/v1/cloudaccounts?limit=100'), 0, 'accounts');
  const [adding, setAdding] = useState(false);
  const [validating, setValidating] = useState<CloudAccount | undefined>();

  return (
    <section aria-labelledby="accounts-title">
      <div className="page-head">
        <h1 id="accounts-title">Cloud accounts</h1>
        {can.admin(claims.role) && !adding && (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add cloud account
          </button>
        )}
      </div>
      <ErrorBanner error={list.error} />
      {adding && (
        <AddAccount
          session={session}
          onDone={() => {
            setAdding(false);
            void list.reload();
          }}
        />
      )}
      <table>
        <caption className="sr-only">Cloud accounts of the project</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Access</th>
            <th scope="col">Identity</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((a) => (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td>{a.type === 'sts' ? 'IAM role' : 'Access keys'}</td>
              <td>
                <code>{a.type === 'sts' ? a.roleArn : a.accessKeyId}</code>
              </td>
              <td>{when(a.createdAt)}</td>
              <td>
                {can.edit(claims.role) && (
                  <button type="button" onClick={() => setValidating(a)} aria-label={`Validate ${a.name}`}>
                    Validate
                  </button>
                )}
              </td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No cloud accounts yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {validating && <Validate session={session} account={validating} key={validating.id} />}
    </section>
  );
}

function AddAccount({ session, onDone }: { session: Session; onDone: () => void }) {
  const { client } = session;
  const [name, setName] = useState('');
  const [type, setType] = useState<'secret' | 'sts'>('secret');
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecret] = useState('');
  const [roleArn, setRoleArn] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);
  const ext = usePoll(() => client.get<{ externalId: string; platformAccountId: string }>('/v1/cloudaccounts/externalid'), 0, 'extid');
  const policy = ext.data ? trustPolicy(ext.data.platformAccountId, ext.data.externalId) : '';

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const body = type === 'secret' ? { name, type, accessKeyId, secretAccessKey } : { name, type, roleArn };
    try {
      await client.send('POST', '/v1/cloudaccounts', body);
      setSecret(''); // the secret leaves the page as soon as it is stored
      onDone();
    } catch (err) {
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  }

  const shown = ['name', 'type', 'accessKeyId', 'secretAccessKey', 'roleArn'];
  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-account-title">
      <h2 id="add-account-title">Add cloud account</h2>
      <Field label="Name" error={errorAt(errors, 'name')} hint="lowercase letters, digits and dashes">
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <fieldset>
        <legend>Access</legend>
        <label className="inline">
          <input type="radio" name="access" checked={type === 'secret'} onChange={() => setType('secret')} /> Access keys
        </label>
        <label className="inline">
          <input type="radio" name="access" checked={type === 'sts'} onChange={() => setType('sts')} /> IAM role (recommended)
        </label>
      </fieldset>
      {type === 'secret' ? (
        <>
          <Field label="Access key ID" error={errorAt(errors, 'accessKeyId')}>
            {(p) => <input {...p} value={accessKeyId} onChange={(e) => setAccessKeyId(e.target.value)} autoComplete="off" required />}
          </Field>
          <Field label="Secret access key" error={errorAt(errors, 'secretAccessKey')} hint="Stored in Secrets Manager; never shown again.">
            {(p) => (
              <input {...p} type="password" value={secretAccessKey} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" required />
            )}
          </Field>
        </>
      ) : (
        <>
          <p>
            Create a role in your account that trusts the platform account with your tenant's ExternalId, attach the
            ClusterForge permissions, then paste its ARN.
          </p>
          <dl className="facts">
            <dt>Platform account</dt>
            <dd>
              <code>{ext.data?.platformAccountId ?? '…'}</code>
            </dd>
            <dt>ExternalId</dt>
            <dd>
              <code>{ext.data?.externalId ?? '…'}</code>
            </dd>
          </dl>
          <div className="field">
            <label htmlFor="trust-policy">Trust policy</label>
            <textarea id="trust-policy" readOnly value={policy} rows={14} className="code" />
            <button
              type="button"
              onClick={async () => {
                await navigator.clipboard?.writeText(policy).catch(() => undefined);
                setCopied(true);
              }}
            >
              Copy trust policy
            </button>
            <span role="status" className="muted">
              {copied ? ' Copied.' : ''}
            </span>
          </div>
          <Field label="Role ARN" error={errorAt(errors, 'roleArn')}>
            {(p) => <input {...p} value={roleArn} onChange={(e) => setRoleArn(e.target.value)} placeholder="arn:aws:iam::123456789012:role/ClusterForge" required />}
          </Field>
        </>
      )}
      <FormErrors messages={unplaced(errors, shown)} />
      <FormActions submit="Add account" busy={busy} onCancel={onDone} />
    </form>
  );
}

function Validate({ session, account }: { session: Session; account: CloudAccount }) {
  const [region, setRegion] = useState('eu-west-1');
  const [report, setReport] = useState<ValidationReport | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function run(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setReport(await session.client.send<ValidationReport>('POST', `/v1/cloudaccounts/${account.id}/validate`, { region }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="validate-title">
      <h2 id="validate-title">Validate {account.name}</h2>
      <form onSubmit={run} className="row">
        <Field label="Region">
          {(p) => (
            <select {...p} value={region} onChange={(e) => setRegion(e.target.value)}>
              {regions.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Validating…' : 'Run validation'}
        </button>
      </form>
      <ErrorBanner error={error} />
      {report && (
        <div aria-live="polite">
          <dl className="facts">
            <dt>Identity</dt>
            <dd>
              <code>{report.identity.arn}</code>
            </dd>
            <dt>Account</dt>
            <dd>{report.identity.account}</dd>
          </dl>
          <h3>Missing permissions</h3>
          {report.missingPermissions.length === 0 ? (
            <p className="ok">None: every permission ClusterForge needs is granted.</p>
          ) : (
            <ul aria-label="Missing permissions" className="missing">
              {report.missingPermissions.map((p) => (
                <li key={p}>
                  <code>{p}</code>
                </li>
              ))}
            </ul>
          )}
          <h3>Quotas in {report.region}</h3>
          <QuotaTable quotas={report.quotas} />
        </div>
      )}
    </section>
  );
}

export function QuotaTable({ quotas }: { quotas: Quota[] }) {
  const withNeed = quotas.some((q) => 'needed' in q);
  return (
    <table aria-label="Quotas">
      <thead>
        <tr>
          <th scope="col">Quota</th>
          <th scope="col">Limit</th>
          <th scope="col">Used</th>
          <th scope="col">Available</th>
          {withNeed && <th scope="col">Needed</th>}
        </tr>
      </thead>
      <tbody>
        {quotas.map((q) => (
          <tr key={q.name + (q.scope ?? '')} className={q.shortfall ? 'shortfall' : undefined}>
            <td>
              {q.name}
              {q.scope ? <span className="muted"> ({q.scope})</span> : null}
            </td>
            {q.error ? (
              <td colSpan={withNeed ? 4 : 3} className="muted">
                {q.error}
              </td>
            ) : (
              <>
                <td>{q.limit}</td>
                <td>{q.used}</td>
                <td>{q.available}</td>
                {withNeed && (
                  <td>
                    {q.needed}
                    {q.shortfall ? <strong className="error"> shortfall</strong> : null}
                  </td>
                )}
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
