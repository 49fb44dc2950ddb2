import { useCallback, useEffect, useMemo, useState } from 'react';
import { newClient, type Client } from '../api';
import { decodeClaims, isExpired, type Claims } from '../logic/auth';
import { go, useRoute } from '../hooks';
import { SignIn } from './SignIn';
import { Accounts } from './Accounts';
import { Profiles } from './Profiles';
import { ClusterList } from './ClusterList';
import { ClusterDetail } from './ClusterDetail';
import { Wizard } from './Wizard';

// The token lives in sessionStorage only: gone with the tab, never in a
// URL, a cookie or the page.
const tokenKey = 'clusterforge.token';

// apiBase is where the public API is: the page's own origin (the local
// gateway serves both; CloudFront routes /v1/* to API Gateway), unless the
// deployment sets <meta name="clusterforge-api" content="https://…">.
function apiBase(): string {
  const meta = document.querySelector('meta[name="clusterforge-api"]')?.getAttribute('content');
  return (meta ?? '').replace(/\/$/, '');
}

export interface Session { client: Client; claims: Claims }

function restore(): { token: string; claims: Claims } | undefined {
  const token = sessionStorage.getItem(tokenKey);
  if (!token) return undefined;
  try {
    const claims = decodeClaims(token);
    if (!isExpired(claims, Date.now())) return { token, claims };
  } catch {
    /* fall through: sign in again */
  }
  sessionStorage.removeItem(tokenKey);
  return undefined;
}

export function App() {
  const [auth, setAuth] = useState(restore);
  const [notice, setNotice] = useState('');
  const route = useRoute();

  const signOut = useCallback((why = '') => {
    sessionStorage.removeItem(tokenKey);
    setAuth(undefined);
    setNotice(why);
  }, []);

  const session = useMemo<Session | undefined>(
    () =>
      auth && {
        claims: auth.claims,
        client: newClient(apiBase(), auth.token, () => signOut('Your session expired or the token was rejected; sign in again.')),
      },
    [auth, signOut],
  );

  useEffect(() => {
    document.title = 'ClusterForge console';
  }, []);

  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignIn={(token, claims) => {
          sessionStorage.setItem(tokenKey, token);
          setNotice('');
          setAuth({ token, claims });
          if (!window.location.hash) go('clusters');
        }}
      />
    );
  }

  const [section = 'clusters', id, tab] = route;
  let page;
  if (section === 'accounts') page = <Accounts session={session} />;
  else if (section === 'profiles') page = <Profiles session={session} />;
  else if (section === 'clusters' && id === 'new') page = <Wizard session={session} />;
  else if (section === 'clusters' && id) page = <ClusterDetail session={session} id={id} tab={tab ?? 'overview'} />;
  else page = <ClusterList session={session} />;

  const { claims } = session;
  const nav = [
    ['clusters', 'Clusters'],
    ['profiles', 'Cluster profiles'],
    ['accounts', 'Cloud accounts'],
  ];
  return (
    <div className="app">
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">ClusterForge</span>
        <nav aria-label="Main">
          <ul>
            {nav.map(([path, label]) => (
              <li key={path}>
                <a href={`#/${path}`} aria-current={section === path ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who" aria-label="Signed in as">
          <span>
            Tenant <strong>{claims.tenant}</strong>
          </span>
          <span>
            Project <strong>{claims.project}</strong>
          </span>
          <span>
            {claims.sub} · <em>{claims.role}</em>
          </span>
          <button type="button" className="link" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </div>
  );
}
