import { useState, type FormEvent } from 'react';
import { decodeClaims, isExpired, type Claims } from '../logic/auth';
import { Field } from './ui';

export function SignIn({ onSignIn, notice }: { onSignIn: (token: string, c: Claims) => void; notice: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');

  function submit(e: FormEvent) {
    e.preventDefault();
    try {
      const claims = decodeClaims(token);
      if (isExpired(claims, Date.now())) throw new Error('the token has expired');
      setToken('');
      onSignIn(token.trim(), claims);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="signin-title" className="card">
        <h1 id="signin-title">Sign in to ClusterForge</h1>
        {notice && (
          <p className="banner" role="status">
            {notice}
          </p>
        )}
        <p>
          Paste the access token your identity provider issued (a JWT with your tenant, project and role). On
          <code> make local</code>, the admin endpoint mints one: <code>POST /tokens</code>.
        </p>
        <Field label="Access token" error={error}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={token}
              onChange={(e) => {
                setToken(e.target.value);
                setError('');
              }}
              required
            />
          )}
        </Field>
        <button type="submit" className="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}
